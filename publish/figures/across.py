"""Figures across data sets: the overview, the lecture's bandwidth grid, KDE and ECDF overlays, pairs."""

from collections.abc import Sequence

from matplotlib.axes import Axes
import numpy as np

from analysis.config import AGE_OF_UNIVERSE_GYR
from analysis.formatting import level
from analysis.results import AnalysisResult, Comparison, DatasetResult, Ecdf

from .panels import Drawn, bin_width, clipped_note, cv_kde, kde_panel, missing_rules, model_title, shared_legend
from .style import (
    AGE_LABEL,
    COUNTS_LABEL,
    DENSITY_LABEL,
    GAUSSIAN_COLOUR,
    age_reference_lines,
    format_gyr,
    gyr_ticks,
    new_figure,
)

__all__ = [
    "SCATTER_MAX_POINTS",
    "overview_figure",
    "bandwidth_lecture_figure",
    "comparison_kde_figure",
    "ecdf_steps",
    "comparison_ecdf_figure",
    "pair_figure",
]

#: Pairs drawn as points up to this many; more are a 2-D histogram, drawn as one embedded image,
#: so the SVG stays small and overplotting does not hide where most stars lie.
SCATTER_MAX_POINTS = 2000
#: Cells per axis of that 2-D histogram.
PAIR_HISTOGRAM_BINS = 120


def overview_figure(result: AnalysisResult) -> Drawn:
    """One row per data set: histogram, Gaussian fit and the KDE at the one bandwidth common to all, per bin.

    The common bandwidth (``AnalysisResult.common_bandwidth``, the largest of
    the data sets' CV choices) makes the curves differ by their data, not by
    their smoothing; each data set's own choice is on its page. Without any CV
    bandwidth the figure has no KDE; the caption says why.
    """
    fig, axes = new_figure(len(result.datasets), 1, row_height_in=1.8, sharex=True)
    clipped, parts = False, []
    common = result.common_bandwidth
    curves = result.common_curves or (None,) * len(result.datasets)
    for ax, d, curve in zip(axes[:, 0], result.datasets, curves, strict=True):
        g = d.gaussian
        ax.plot(
            g.smooth_x,
            np.asarray(g.smooth_density) * d.n * bin_width(d.histogram.edges),
            color=GAUSSIAN_COLOUR,
            linestyle="--",
            linewidth=1.2,
            label="Gaussian fit",
        )
        clipped |= kde_panel(ax, d, curve)
        ax.set_title(f"{d.label} (n = {d.n})", loc="left")
        ax.set_ylabel(COUNTS_LABEL)
        own = f", own CV bandwidth {format_gyr(d.bandwidths.cv)} Gyr" if d.bandwidths.cv is not None else ""
        parts.append(f"{d.label}: n = {d.n}, Gaussian mean {g.mu:.2f} Gyr and sigma {g.sigma:.2f} Gyr{own}")
    axes[-1, 0].set_xlabel(AGE_LABEL)
    shared_legend(fig, axes[:, 0], loc="outside upper center", ncols=3)
    kde_text = (
        f"the KDE at one common bandwidth, {format_gyr(common)} Gyr" if common is not None else "no KDE (no CV bandwidth)"
    )
    alt = (
        f"Age histograms of {len(result.datasets)} data sets, one row each, sharing the age axis, "
        f"with the fitted Gaussian and {kde_text}. " + "; ".join(parts) + "."
    )
    if common is not None:
        how = (
            f"the KDE at one bandwidth common to every data set, h = {format_gyr(common)} Gyr, the largest of the "
            "data sets' leave-one-out CV choices (solid), so the curves differ by their ages, not by their smoothing; "
            "each data set's own choice is on its page"
        )
    else:
        how = "no KDE, because no data set has a CV bandwidth"
    caption = (
        f"Each data set's ages (bars), the maximum-likelihood Gaussian (dashed) and {how}, as expected stars per "
        f"bin. Dashed grey lines mark 0 Gyr and {format_gyr(AGE_OF_UNIVERSE_GYR)} Gyr, the age of the Universe."
        + clipped_note(clipped)
        + "".join(missing_rules(d, "bandwidth of its own", ("cv",)) for d in result.datasets)
    )
    return fig, alt, caption


def bandwidth_lecture_figure(result: AnalysisResult) -> Drawn:
    """Rows of data sets, columns of the configured bandwidths plus each data set's CV choice.

    The CV column is left out when no data set has a CV bandwidth; a data set
    without one has, in that column, a note instead of a panel, and the
    caption says why.
    """
    grid = result.bandwidth_grid
    with_cv = any(cv_kde(d) for d in result.datasets)
    fig, axes = new_figure(len(result.datasets), len(grid) + with_cv, row_height_in=1.7, sharex=True)
    clipped = False
    for row, d in zip(axes, result.datasets, strict=True):
        curves = [next(c for c in d.kde_curves if c.kind == "grid" and c.bandwidth == h) for h in grid]
        curves += [cv_kde(d)] if with_cv else []
        for ax, curve in zip(row, curves, strict=True):
            if curve is None:
                _not_drawn(ax, "No CV bandwidth:\nsee the caption")
                continue
            clipped |= kde_panel(ax, d, curve)
            ax.set_title(model_title(curve), fontsize=9)
        row[0].set_ylabel(f"{d.label}\n{COUNTS_LABEL}")
    for ax in axes[-1]:
        ax.set_xlabel(AGE_LABEL)
    listed = ", ".join(format_gyr(h) for h in grid)
    cvs = "; ".join(
        f"{d.label} {format_gyr(d.bandwidths.cv)} Gyr" if d.bandwidths.cv is not None else f"{d.label} not available"
        for d in result.datasets
    )
    alt = f"Grid of histograms with KDEs: rows are data sets, columns the bandwidths {listed} Gyr" + (
        f" and each data set's cross-validated bandwidth ({cvs})." if with_cv else "."
    )
    caption = (
        "The lecture's bandwidths side by side with the cross-validated choice, as expected stars per "
        "bin." + clipped_note(clipped) + "".join(missing_rules(d, "KDE", ("cv",)) for d in result.datasets)
    )
    return fig, alt, caption


def _not_drawn(ax: Axes, text: str) -> None:
    """A grid cell whose panel cannot be drawn: no axes, only a short note (the caption says why)."""
    ax.set_axis_off()
    ax.text(0.5, 0.5, text, ha="center", va="center", fontsize=8, color=GAUSSIAN_COLOUR, transform=ax.transAxes)


def _medians(datasets: Sequence[DatasetResult]) -> str:
    return "; ".join(f"{d.label} median {format_gyr(d.summary.median)} Gyr" for d in datasets)


def _signed(value: float) -> str:
    """A difference in Gyr as the tables print it, with its sign: ``+2.66``, ``-0.60``."""
    return ("+" if value > 0 else "") + format_gyr(value)


def comparison_kde_figure(result: AnalysisResult) -> Drawn:
    """Every data set's KDE at the one common bandwidth as a density (1/Gyr), overlaid.

    One bandwidth for all (``AnalysisResult.common_bandwidth``) so the curves
    differ by their ages, not by their smoothing, as on the Overview; each data
    set's own choice is on its page. ``figure_plan`` leaves the figure out
    when no data set has a CV bandwidth (then there is no common one).
    """
    fig, axes = new_figure(1, 1, row_height_in=3.4)
    ax = axes[0, 0]
    common = result.common_bandwidth
    for d, c in zip(result.datasets, result.common_curves, strict=True):
        ax.plot(c.x, c.density, color=d.colour, label=d.label)
    age_reference_lines(ax)
    ax.set_xlabel(AGE_LABEL)
    ax.set_ylabel(DENSITY_LABEL)
    ax.set_ylim(bottom=0.0)
    fig.legend(*ax.get_legend_handles_labels(), loc="outside lower center", ncols=2)
    labels = ", ".join(d.label for d in result.datasets)
    alt = f"Overlaid KDE densities at one common bandwidth of {format_gyr(common)} Gyr for {labels}: {_medians(result.datasets)}."
    own = "; ".join(
        f"{d.label} {format_gyr(d.bandwidths.cv)} Gyr" for d in result.datasets if d.bandwidths.cv is not None
    )
    caption = (
        f"Each data set's KDE at one bandwidth common to all, h = {format_gyr(common)} Gyr (the largest of the "
        "data sets' leave-one-out CV choices), as a density, so data sets of any size compare and the curves "
        f"differ by their ages, not by their smoothing. Each data set's own CV choice ({own}) is drawn on its page."
        + "".join(missing_rules(d, "bandwidth of its own", ("cv",)) for d in result.datasets)
    )
    return fig, alt, caption


def ecdf_steps(ecdf: Ecdf, low: float, high: float) -> tuple[np.ndarray, np.ndarray]:
    """The empirical CDF as the vertices of a ``where="post"`` step line from ``low`` to ``high``.

    Parameters
    ----------
    ecdf : Ecdf
        Ages ``x`` (Gyr) and the fraction of stars at or below each.
    low, high : float
        Ages in Gyr at or outside the data where the line starts (at 0) and
        ends (at the last fraction), so data sets overlaid share one span.

    Returns
    -------
    x, y : ndarray, shape (len(ecdf.x) + 2,)

    Examples
    --------
    >>> x, y = ecdf_steps(Ecdf(x=(1.0, 2.0), fraction=(0.5, 1.0), exact=True), 0.0, 3.0)
    >>> x.tolist(), y.tolist()
    ([0.0, 1.0, 2.0, 3.0], [0.0, 0.5, 1.0, 1.0])
    """
    x = np.concatenate(([low], ecdf.x, [high]))
    y = np.concatenate(([0.0], ecdf.fraction, [ecdf.fraction[-1]]))
    return x, y


def comparison_ecdf_figure(result: AnalysisResult) -> Drawn:
    """Every data set's empirical CDF as steps, overlaid; no smoothing and no bandwidth."""
    fig, axes = new_figure(1, 1, row_height_in=3.4)
    ax = axes[0, 0]
    low = min(d.ecdf.x[0] for d in result.datasets)
    high = max(d.ecdf.x[-1] for d in result.datasets)
    for d in result.datasets:
        x, y = ecdf_steps(d.ecdf, low, high)
        ax.step(x, y, where="post", color=d.colour, label=f"{d.label} (n = {d.n})")
    age_reference_lines(ax)
    ax.set_xlabel(AGE_LABEL)
    ax.set_ylabel("Fraction of stars at or below age")
    ax.set_ylim(0.0, 1.04)
    fig.legend(*ax.get_legend_handles_labels(), loc="outside lower center", ncols=2)
    labels = ", ".join(d.label for d in result.datasets)
    alt = f"Empirical cumulative distribution functions, as steps, for {labels}: {_medians(result.datasets)}."
    summarised = [
        f"{d.label} is summarised by its ages at {len(d.ecdf.x)} evenly spaced fractions"
        for d in result.datasets
        if not d.ecdf.exact
    ]
    caption = (
        "Empirical cumulative distribution function (ECDF) of each data set: the fraction of stars at "
        "or below each age, rising one step per distinct age, with no smoothing. A curve further left "
        "means younger stars."
    )
    if summarised:
        caption += " Too many distinct ages to draw every step: " + "; ".join(summarised) + "."
    return fig, alt, caption


def pair_figure(comparison: Comparison, a: DatasetResult, b: DatasetResult) -> Drawn:
    """The same stars in two data sets: age against age, and the histogram of differences (a - b)."""
    p = comparison.paired
    fig, axes = new_figure(1, 2, row_height_in=3.2)
    scatter, hist = axes[0]
    dense = len(p.a_ages) > SCATTER_MAX_POINTS
    if dense:
        scatter.hist2d(p.b_ages, p.a_ages, bins=PAIR_HISTOGRAM_BINS, cmin=1, cmap="Greys", rasterized=True)
    else:
        scatter.scatter(p.b_ages, p.a_ages, s=14, color=a.colour, alpha=0.6, linewidths=0)
    scatter.axline((0.0, 0.0), slope=1.0, color=GAUSSIAN_COLOUR, linewidth=1.0)
    age_reference_lines(scatter)
    age_reference_lines(scatter, horizontal=True)
    low, high = (
        min(scatter.get_xlim()[0], scatter.get_ylim()[0]),
        max(scatter.get_xlim()[1], scatter.get_ylim()[1]),
    )
    scatter.set_xlim(low, high)
    scatter.set_ylim(low, high)
    scatter.set_aspect("equal", adjustable="box")
    scatter.set_xlabel(f"{b.label} age (Gyr)")
    scatter.set_ylabel(f"{a.label} age (Gyr)")
    counts, edges = np.histogram(p.differences, bins="auto")
    hist.stairs(counts, edges, fill=True, color=a.colour, alpha=0.5)
    hist.axvline(0.0, color="#777777", linestyle=(0, (4, 3)), linewidth=0.8)
    low, high = p.mean_difference_ci
    hist.axvspan(low, high, color=GAUSSIAN_COLOUR, alpha=0.15, linewidth=0)
    hist.axvline(p.mean_difference, color=GAUSSIAN_COLOUR, linewidth=1.6)
    hist.set_title(f"Mean difference {_signed(p.mean_difference)} Gyr", loc="left")
    hist.set_xlabel(f"Difference (Gyr)\n{a.label} − {b.label}")
    hist.set_ylabel(COUNTS_LABEL)
    gyr_ticks(hist.xaxis)
    which = "every pair" if len(p.a_ages) == p.n_pairs else f"{len(p.a_ages)} pairs evenly spaced in row order"
    shown = f", as a {PAIR_HISTOGRAM_BINS} x {PAIR_HISTOGRAM_BINS} histogram of {which} (darker: more stars)" if dense else ""
    alt = (
        f"Left: {a.label} age against {b.label} age for {p.n_pairs} stars with the 1:1 line{shown}; "
        f"{p.n_a_older} stars older in {a.label}, {p.n_b_older} older in {b.label}, {p.n_equal} equal. "
        f"Right: histogram of the differences, mean {_signed(p.mean_difference)} Gyr "
        f"(paired {level(comparison.ci_level)} interval {_signed(low)} to {_signed(high)} Gyr, shaded; "
        f"standard deviation {format_gyr(p.std_difference)} Gyr)."
    )
    caption = (
        f"The same {p.n_pairs} stars in {a.label} and {b.label}. {'Cells' if dense else 'Points'} above the grey "
        f"1:1 line are older in {a.label}; the solid line on the right marks the mean difference, "
        f"{_signed(p.mean_difference)} Gyr, and the shaded band its paired {level(comparison.ci_level)} interval, "
        f"{_signed(low)} to {_signed(high)} Gyr ({p.ci_method})."
    )
    return fig, alt, caption
