"""Which figures a result gets, why any is left out, and what a drawn one is: for the figures and the pages.

A figure whose every data set lacks what it shows (no data set can be
cross-validated, none has held-out scores or a CV bandwidth) is left out
rather than drawn empty, and the page says why where the figure would be.
A figure some data sets can fill is drawn without the others, and its caption
says so. Imports no plotting library, so the render stage can use it.
"""

from collections.abc import Callable
from dataclasses import dataclass

from analysis.results import AnalysisResult, Comparison, DatasetResult

__all__ = [
    "DATASET_FIGURES", "OPTIONAL_DATASET_FIGURES", "SHARED_FIGURES", "Figure", "FigurePlan", "Planned",
    "dataset_figures", "figure_plan",
]  # fmt: skip

#: The figures of each data set, ``<name>-<part>``; every data set can draw them.
DATASET_FIGURES = ("step7", "step9", "bandwidths", "synthetic")
#: The figures of a data set that only some data sets have, each with whether ``d`` has what it shows.
#: Unlike ``_NEEDS``, what is missing is no loss to explain: a file without uncertainties has nothing to draw.
OPTIONAL_DATASET_FIGURES: dict[str, Callable[[DatasetResult], bool]] = {
    "errors": lambda d: d.errors is not None,
}
#: The figures across data sets, in drawing order after the data sets' own.
SHARED_FIGURES = ("bandwidth-cv", "bandwidth-lecture", "generative-heldout", "comparison-kde", "comparison-ecdf")


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



@dataclass(frozen=True)
class Planned:
    """One figure to draw: its id, its ``part`` (``"overview"``, a shared figure, a data-set
    figure or ``"pair"``) and the data set or comparison it is of, if any."""

    id: str
    part: str
    dataset: DatasetResult | None = None
    comparison: Comparison | None = None


@dataclass(frozen=True)
class FigurePlan:
    """The figures to draw, in drawing order, and each figure left out with the reason readers see."""

    figures: tuple[Planned, ...]
    omitted: dict[str, str]

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(f.id for f in self.figures)


def _cv_reason(d: DatasetResult) -> str | None:
    return next(c.unavailable for c in d.bandwidth_choices if c.rule == "cv")


#: Figures across data sets that need something of each: (id, what it needs, the data set's reason or None).
_NEEDS: tuple[tuple[str, str, Callable[[DatasetResult], str | None]], ...] = (
    ("bandwidth-cv", "a cross-validation curve", lambda d: d.cv_curve_unavailable),
    ("generative-heldout", "held-out scores", lambda d: d.held_out_unavailable),
    ("comparison-kde", "a cross-validated bandwidth", _cv_reason),
)


def dataset_figures(d: DatasetResult) -> tuple[str, ...]:
    """The parts of ``d``'s own figures, in drawing order: ``DATASET_FIGURES``, then those of
    ``OPTIONAL_DATASET_FIGURES`` it has (``"errors"`` with an error-convolved KDE)."""
    return DATASET_FIGURES + tuple(part for part, has in OPTIONAL_DATASET_FIGURES.items() if has(d))


def figure_plan(result: AnalysisResult) -> FigurePlan:
    """The figures of ``result``: ``overview``; per data set ``<name>-<part>`` for ``dataset_figures``;
    ``bandwidth-cv``, ``bandwidth-lecture``, ``generative-heldout``, ``comparison-kde``,
    ``comparison-ecdf``; and ``pair-<a>-<b>`` for each comparison of paired data sets.

    A figure of ``_NEEDS`` is left out when no data set has what it needs;
    ``omitted`` maps its id to a sentence naming each data set's reason.
    """
    omitted = {}
    for figure_id, needs, reason in _NEEDS:
        reasons = [(d.label, reason(d)) for d in result.datasets]
        if all(why is not None for _, why in reasons):
            listed = "; ".join(f"{label}: {why}" for label, why in reasons)
            omitted[figure_id] = f"This figure is not drawn: no data set has {needs} ({listed})."
    figures = [Planned("overview", "overview")]
    figures += [Planned(f"{d.name}-{part}", part, dataset=d) for d in result.datasets for part in dataset_figures(d)]
    figures += [Planned(part, part) for part in SHARED_FIGURES]
    figures += [Planned(f"pair-{c.a}-{c.b}", "pair", comparison=c) for c in result.comparisons if c.paired is not None]
    return FigurePlan(figures=tuple(f for f in figures if f.id not in omitted), omitted=omitted)
