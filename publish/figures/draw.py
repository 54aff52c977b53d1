"""Every figure of the report, drawn from an ``AnalysisResult`` into SVG (web) and PNG (PDF).

This module names the figures and saves them; the drawing lives in
``dataset`` (one data set), ``across`` (across data sets) and ``scores``
(log-likelihood against bandwidth), built from ``panels`` and styled by
``style``.
"""

from collections.abc import Callable
from pathlib import Path

from analysis.errors import RenderError
from analysis.results import AnalysisResult, DatasetResult

from .panels import Drawn
from .plan import Figure, figure_plan
from .style import figure_style, save_figure
from .dataset import bandwidths_figure, errors_figure, step_figure, synthetic_figure
from .scores import bandwidth_cv_figure, generative_heldout_figure
from .across import (
    bandwidth_lecture_figure,
    comparison_ecdf_figure,
    comparison_kde_figure,
    overview_figure,
    pair_figure,
)

__all__ = ["Figure", "draw_figures"]


#: How each part of ``figure_plan`` is drawn: from the whole result, one data set, or a pair.
_SHARED: dict[str, Callable[[AnalysisResult], Drawn]] = {
    "overview": overview_figure,
    "bandwidth-cv": bandwidth_cv_figure,
    "bandwidth-lecture": bandwidth_lecture_figure,
    "generative-heldout": generative_heldout_figure,
    "comparison-kde": comparison_kde_figure,
    "comparison-ecdf": comparison_ecdf_figure,
}
_PER_DATASET: dict[str, Callable[[DatasetResult], Drawn]] = {
    "step7": lambda d: step_figure(d, with_scipy=False),
    "step9": lambda d: step_figure(d, with_scipy=True),
    "bandwidths": bandwidths_figure,
    "synthetic": synthetic_figure,
    "errors": errors_figure,
}


def _plan(result: AnalysisResult) -> list[tuple[str, Callable[[], Drawn]]]:
    """The figures of ``figure_plan.figure_plan`` in drawing order, each with a function that
    draws it (nothing is drawn yet)."""
    by_name = {d.name: d for d in result.datasets}
    plan: list[tuple[str, Callable[[], Drawn]]] = []
    for f in figure_plan(result).figures:
        if f.comparison is not None:
            c = f.comparison
            plan.append((f.id, lambda c=c: pair_figure(c, by_name[c.a], by_name[c.b])))
        elif f.dataset is not None:
            plan.append((f.id, lambda f=f: _PER_DATASET[f.part](f.dataset)))
        else:
            plan.append((f.id, lambda f=f: _SHARED[f.part](result)))
    return plan


def draw_figures(result: AnalysisResult, out_dir: Path) -> dict[str, Figure]:
    """Draw every figure of the report into ``out_dir/figures/``.

    Parameters
    ----------
    result : AnalysisResult
        The analysis of one or more data sets (ages in Gyr).
    out_dir : Path
        The site root; SVG and PNG files go to ``out_dir/figures/<id>.{svg,png}``.

    Returns
    -------
    dict of str to Figure
        Keyed by figure id, in drawing order: the ids of
        ``figure_plan.figure_plan`` (a figure no data set can fill is left out).

    Raises
    ------
    RenderError
        If two figures would get the same id (data set names that clash with
        the fixed ids).
    """
    plan = _plan(result)
    ids = [figure_id for figure_id, _ in plan]
    repeated = sorted({i for i in ids if ids.count(i) > 1})
    if repeated:
        raise RenderError(
            f"figure ids must be unique; data set names make these repeat: {', '.join(repeated)}"
        )
    figures: dict[str, Figure] = {}
    with figure_style():
        for figure_id, draw in plan:
            fig, alt, caption = draw()
            svg, png = save_figure(fig, out_dir, figure_id)
            width, height = fig.get_size_inches()
            figures[figure_id] = Figure(
                id=figure_id, svg=svg, png=png, alt=alt, caption=caption, aspect=float(height / width)
            )
    return figures
