"""Every figure of the report, drawn from an ``AnalysisResult`` into SVG (web) and PNG (PDF).

This module names the figures and saves them; the drawing lives in
``figures_dataset`` (one data set), ``figures_shared`` (across data sets) and
``figures_scores`` (log-likelihood against bandwidth), built from
``figure_parts`` and styled by ``figure_style``.
"""

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from analysis.errors import RenderError
from analysis.results import AnalysisResult

from .figure_parts import Drawn
from .figure_style import figure_style, save_figure
from .figures_dataset import bandwidths_figure, step_figure, synthetic_figure
from .figures_scores import bandwidth_cv_figure, generative_heldout_figure
from .figures_shared import (
    bandwidth_lecture_figure,
    comparison_ecdf_figure,
    comparison_kde_figure,
    overview_figure,
    pair_figure,
)

__all__ = ["Figure", "draw_figures"]


@dataclass(frozen=True)
class Figure:
    """One drawn figure, as the pages reference it.

    ``svg`` and ``png`` are paths relative to the site root; ``alt`` is for
    screen readers (what is shown, with the key numbers); ``caption`` for
    every reader; ``aspect`` is height over width, which sizes the figure in
    the PDF.
    """

    id: str
    svg: str
    png: str
    alt: str
    caption: str
    aspect: float


def _plan(result: AnalysisResult) -> list[tuple[str, Callable[[], Drawn]]]:
    """Figure ids in drawing order, each with a function that draws it (nothing is drawn yet)."""
    plan: list[tuple[str, Callable[[], Drawn]]] = [("overview", lambda: overview_figure(result))]
    for d in result.datasets:
        plan += [
            (f"{d.name}-step7", lambda d=d: step_figure(d, with_scipy=False)),
            (f"{d.name}-step9", lambda d=d: step_figure(d, with_scipy=True)),
            (f"{d.name}-bandwidths", lambda d=d: bandwidths_figure(d)),
            (f"{d.name}-synthetic", lambda d=d: synthetic_figure(d)),
        ]
    plan += [
        ("bandwidth-cv", lambda: bandwidth_cv_figure(result)),
        ("bandwidth-lecture", lambda: bandwidth_lecture_figure(result)),
        ("generative-heldout", lambda: generative_heldout_figure(result)),
        ("comparison-kde", lambda: comparison_kde_figure(result)),
        ("comparison-ecdf", lambda: comparison_ecdf_figure(result)),
    ]
    by_name = {d.name: d for d in result.datasets}
    plan += [
        (f"pair-{c.a}-{c.b}", lambda c=c: pair_figure(c, by_name[c.a], by_name[c.b]))
        for c in result.comparisons
        if c.paired is not None
    ]
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
        Keyed by figure id, in drawing order: ``overview``; per data set
        ``<name>-step7``, ``<name>-step9``, ``<name>-bandwidths``,
        ``<name>-synthetic``; ``bandwidth-cv``, ``bandwidth-lecture``,
        ``generative-heldout``, ``comparison-kde``, ``comparison-ecdf``; and
        ``pair-<a>-<b>`` for each comparison of paired data sets.

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
