"""Drawing pieces several figures share: histogram bars, KDE panels, panel grids, titles.

Where a histogram and a curve share an axis the curve is drawn as *expected
stars per bin* (density x n x bin width) so heights compare directly; only
the lecture's Steps 7 and 9 keep its ``density x n`` scaling.
"""

from collections.abc import Sequence

from matplotlib.axes import Axes
from matplotlib.figure import Figure
import numpy as np

from analysis.results import DatasetResult, KdeCurve, SyntheticSample
from analysis.statistics import BANDWIDTH_RULES

from .style import AGE_LABEL, age_reference_lines, format_gyr, new_figure

__all__ = [
    "Drawn",
    "PANEL_COLUMNS",
    "MODEL_NAMES",
    "RULE_NAMES",
    "model_title",
    "cv_kde",
    "missing_rules",
    "shared_legend",
    "bin_width",
    "draw_bars",
    "draw_envelope",
    "plot_per_bin",
    "limit_to_bars",
    "clipped_note",
    "kde_panel",
    "panel_grid",
    "report_bins",
]

#: A drawn figure, its alt text and its caption.
Drawn = tuple[Figure, str, str]

#: Curves taller than this many times the highest bar are cut off so the bars stay readable.
_CURVE_CLIP = 2.0
PANEL_COLUMNS = 3
#: What readers call each bandwidth rule (the registry's titles).
RULE_NAMES = {name: rule.title for name, rule in BANDWIDTH_RULES.items()}
#: What readers call every KDE kind: the rules, the boundary-respecting KDEs and the common bandwidth.
MODEL_NAMES = {**RULE_NAMES, "reflected": "Reflected at 0 Gyr (CV)", "log": "Log age (CV)", "common": "Common"}


def model_title(model: KdeCurve | SyntheticSample) -> str:
    """``"h = 0.1 Gyr"`` for a configured bandwidth, ``"CV: 0.52 Gyr"`` for a rule's."""
    if model.kind == "grid":
        return f"h = {format_gyr(model.bandwidth)} Gyr"
    # Short enough for a third of a PDF page: the boundary-respecting KDEs' bandwidths are their own CV choices.
    if model.kind == "log":
        return f"Log age, CV: {model.bandwidth:.3f} (ln)"
    if model.kind == "reflected":
        return f"Reflected, CV: {format_gyr(model.bandwidth)} Gyr"
    return f"{MODEL_NAMES[model.kind]}: {format_gyr(model.bandwidth)} Gyr"


def cv_kde(d: DatasetResult) -> KdeCurve | None:
    """The data set's KDE at its cross-validated bandwidth, or None when it has no CV bandwidth."""
    return next((c for c in d.kde_curves if c.kind == "cv"), None)


def missing_rules(d: DatasetResult, what: str, rules: Sequence[str] = tuple(RULE_NAMES)) -> str:
    """A caption's sentences on the ``rules`` of ``d`` whose bandwidth is not available, or nothing.

    ``what`` names the missing part: ``"panel"``, ``"curve"``...

    >>> from types import SimpleNamespace as S
    >>> d = S(label="Tiny", bandwidth_choices=[S(rule="isj", unavailable="not available for n = 2: why")])
    >>> missing_rules(d, "panel")
    ' Tiny has no ISJ panel (not available for n = 2: why).'
    """
    return "".join(
        f" {d.label} has no {RULE_NAMES[c.rule]} {what} ({c.unavailable})."
        for c in d.bandwidth_choices
        if c.unavailable and c.rule in rules
    )


def shared_legend(fig: Figure, axes: Sequence[Axes], **options) -> None:
    """One figure legend holding every label drawn on any of ``axes``, once, in drawing order.

    A panel may lack a curve (a data set without a CV bandwidth), so the
    legend is not taken from one panel alone.
    """
    handles: dict[str, object] = {}
    for ax in axes:
        for handle, label in zip(*ax.get_legend_handles_labels()):
            handles.setdefault(label, handle)
    fig.legend(list(handles.values()), list(handles), **options)


def bin_width(edges: Sequence[float]) -> float:
    """The width in Gyr of equal-width bins with these edges (numpy's ``"auto"`` and 10-bin default).

    >>> bin_width((0.0, 0.5, 1.0, 1.5))
    0.5
    """
    return (edges[-1] - edges[0]) / (len(edges) - 1)


def draw_bars(
    ax: Axes, edges: Sequence[float], counts: Sequence[int], colour: str, *, label: str = "Histogram"
) -> None:
    """A filled histogram: ``counts[i]`` stars between ``edges[i]`` and ``edges[i + 1]`` (Gyr)."""
    ax.stairs(counts, edges, fill=True, color=colour, alpha=0.35, label=label)


def draw_envelope(
    ax: Axes, s: SyntheticSample, edges: Sequence[float], colour: str, *, label: str, hatched: bool = False
) -> None:
    """The band of ``s``'s replicate counts per bin (its 5th to 95th percentiles), on the data's ``edges``.

    ``hatched`` draws it as hatching, for a band over filled bars: two fills would blend into a
    colour the legend does not show.
    """
    hatch = {"fill": False, "hatch": "////", "alpha": 0.65, "linewidth": 0.0}
    look = hatch if hatched else {"fill": True, "alpha": 0.3}
    ax.stairs(s.envelope_high, edges, baseline=s.envelope_low, color=colour, label=label, **look)


def plot_per_bin(ax: Axes, curve: KdeCurve, edges: Sequence[float], **style) -> float:
    """``curve`` as expected stars per bin of ``edges`` (density x n x bin width); returns its highest value.

    ``style`` is passed to ``Axes.plot`` (colour, label...).
    """
    per_bin = np.asarray(curve.counts) * bin_width(edges)
    ax.plot(curve.x, per_bin, **style)
    return float(per_bin.max())


def report_bins(d: DatasetResult) -> str:
    """The data set's one histogram, as captions name it: its bins, their width and the rule.

    Every figure and page bins a data set's ages alike (``DatasetResult.histogram``);
    only the lecture's steps keep its 10 bins, and say so.
    """
    h = d.histogram
    return f"{len(h.counts)} bins of {format_gyr(bin_width(h.edges))} Gyr, numpy's \"auto\" rule"


def limit_to_bars(ax: Axes, bars_max: float, curve_max: float) -> bool:
    """Set the count axis; return True when a curve is cut off at the top."""
    clipped = curve_max > _CURVE_CLIP * bars_max
    ax.set_ylim(0.0, (_CURVE_CLIP * bars_max) if clipped else 1.08 * max(bars_max, curve_max))
    return clipped


def clipped_note(clipped: bool) -> str:
    """The caption sentence for curves cut off at the top, or nothing."""
    return f" Curves taller than {_CURVE_CLIP:g} times the highest bar run off the top." if clipped else ""


def kde_panel(ax: Axes, d: DatasetResult, curve: KdeCurve | None) -> bool:
    """The data's ``"auto"`` histogram and one KDE (if any) as expected stars per bin; True when clipped."""
    h = d.histogram
    draw_bars(ax, h.edges, h.counts, d.colour)
    curve_max = plot_per_bin(ax, curve, h.edges, color=d.colour, label="KDE") if curve is not None else 0.0
    age_reference_lines(ax)
    return limit_to_bars(ax, max(h.counts), curve_max)


def panel_grid(count: int) -> tuple[Figure, list[Axes]]:
    """``count`` panels in rows of ``PANEL_COLUMNS`` sharing the age axis, labelled at each column's foot."""
    cols = min(PANEL_COLUMNS, count)
    rows = -(-count // cols)
    fig, axes = new_figure(rows, cols, row_height_in=1.9, sharex=True)
    flat = list(axes.ravel())
    for ax in flat[count:]:
        ax.remove()
    # The lowest panel of each column carries the age axis, also above a removed slot.
    for column in range(cols):
        bottom = flat[max(range(column, count, cols))]
        bottom.xaxis.set_tick_params(labelbottom=True)
        bottom.set_xlabel(AGE_LABEL)
    return fig, flat[:count]
