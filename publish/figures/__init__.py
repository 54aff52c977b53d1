"""Every figure of the report: which ones a result gets, and drawing them into SVG (web) and PNG (PDF).

Face of the family. ``figure_plan`` (``plan``: every figure declared once, and
``Figure``, what a drawn one is; no plotting library) is imported eagerly, so the render stage can use it;
``draw_figures`` (``draw``) pulls in matplotlib and are
imported on first use (PEP 562). The drawing: ``dataset`` (one data set),
``across`` (across data sets), ``scores`` (log-likelihood against
bandwidth), built from ``panels`` and styled by ``style``.
"""

from .plan import DATASET_FIGURES, SHARED_FIGURES, Figure, FigurePlan, Planned, dataset_figures, figure_plan

__all__ = [
    "DATASET_FIGURES", "SHARED_FIGURES", "Figure", "FigurePlan", "Planned", "dataset_figures", "draw_figures",
    "figure_plan",
]  # fmt: skip


def __getattr__(name: str):
    # matplotlib takes most of a second to import; a rebuild with nothing changed should not pay it.
    if name == "draw_figures":
        from . import draw

        return getattr(draw, name)
    raise AttributeError(f"module 'publish.figures' has no attribute {name!r}")
