"""The figures of one data set: the lecture's Steps 7 and 9, KDE bandwidths, synthetic samples, per-star errors."""

import numpy as np

from analysis.formatting import pct
from analysis.results import DatasetResult, SyntheticSample

from .panels import (
    PANEL_COLUMNS,
    Drawn,
    bin_width,
    clipped_note,
    cv_kde,
    draw_bars,
    draw_envelope,
    kde_panel,
    limit_to_bars,
    missing_rules,
    model_title,
    panel_grid,
    plot_per_bin,
    report_bins,
)
from .style import AGE_LABEL, COUNTS_LABEL, GAUSSIAN_COLOUR, age_reference_lines, format_gyr, new_figure

#: The legend of the lecture's bars, so the figure itself says they are not the report's histogram.
LECTURE_BARS = "Histogram: the lecture's 10 bins"

__all__ = ["LECTURE_BARS", "step_figure", "bandwidths_figure", "synthetic_figure", "errors_figure"]


def step_figure(d: DatasetResult, *, with_scipy: bool) -> Drawn:
    """The lecture's Step 7 (``with_scipy=False``) or Step 9 (``with_scipy=True``), as it draws them.

    Bars are the lecture's ``np.histogram(ages)`` (10 bins,
    ``GaussianFit.lecture_edges`` and ``lecture_histogram``); the Gaussian is
    ``norm.pdf(edges) * n`` at those 11 edges and, for Step 9, scipy's
    ``gaussian_kde`` times n. Curves keep the lecture's density x n scaling
    (stars per Gyr), which the caption states.
    """
    fig, axes = new_figure(1, 1, row_height_in=3.4)
    ax = axes[0, 0]
    g = d.gaussian
    draw_bars(ax, g.lecture_edges, g.lecture_histogram, d.colour, label=LECTURE_BARS)
    ax.plot(
        g.lecture_edges,
        g.lecture_counts,
        color=GAUSSIAN_COLOUR,
        marker="o",
        markersize=4,
        label="norm.pdf(edges) × n",
    )
    curve_max = max(g.lecture_counts)
    if with_scipy:
        ax.plot(d.scipy_kde.x, d.scipy_kde.counts, color=d.colour, label="gaussian_kde × n")
        curve_max = max(curve_max, max(d.scipy_kde.counts))
    age_reference_lines(ax)
    clipped = limit_to_bars(ax, max(g.lecture_histogram), curve_max)
    ax.set_xlabel(AGE_LABEL)
    ax.set_ylabel(f"{COUNTS_LABEL}\n(curves: n × density, per Gyr)")
    fig.legend(*ax.get_legend_handles_labels(), loc="outside upper center", ncols=3)
    width = bin_width(g.lecture_edges)
    scipy_alt = f" and scipy's gaussian_kde (Scott bandwidth {format_gyr(d.scipy_kde.bandwidth)} Gyr)"
    alt = (
        f"The lecture's 10-bin histogram of the {d.n} {d.label} ages (bins {format_gyr(width)} Gyr wide, "
        f"highest bar {max(g.lecture_histogram)} stars) with its Gaussian curve (mean {format_gyr(g.mu)} Gyr, "
        f"sigma {format_gyr(g.sigma)} Gyr) evaluated at the 11 bin edges" + (scipy_alt if with_scipy else "") + "."
    )
    step, curves, they = ("9", "Curves are", "they line") if with_scipy else ("7", "The curve is", "it lines")
    caption = (
        f"The lecture's Step {step} for {d.label}, as the lecture draws it: np.histogram's default "
        "10 bins and norm.pdf(edges) × n at their 11 edges"
        + (", with scipy's gaussian_kde × n" if with_scipy else "")
        + f". {curves} density × n (stars per Gyr), not stars per bin, so {they} up with the bars "
        f"only where bins are 1 Gyr wide (these are {format_gyr(width)} Gyr). These are the lecture's bins, "
        f"kept only to reproduce its steps; every other histogram of {d.label} in this report has "
        f"{report_bins(d)}."
        + clipped_note(clipped)
    )
    return fig, alt, caption


def bandwidths_figure(d: DatasetResult) -> Drawn:
    """One panel per KDE of the data set, narrowest to widest, over its ``"auto"`` histogram.

    A rule without a bandwidth has no KDE and so no panel; the caption says why.
    """
    curves = list(d.kde_curves)
    fig, axes = panel_grid(len(curves))
    clipped = False
    for ax, curve in zip(axes, curves, strict=True):
        clipped |= kde_panel(ax, d, curve)
        ax.set_title(model_title(curve))
    for ax in axes[::PANEL_COLUMNS]:
        ax.set_ylabel(COUNTS_LABEL)
    listed = ", ".join(model_title(c) for c in curves)
    alt = (
        f"{len(curves)} panels of the {d.label} age histogram, "
        f"each with the KDE at one bandwidth: {listed}."
    )
    boundary = (
        " The last panels are KDEs that respect the boundary at 0 Gyr: reflected there, and of log age, each at "
        "its own leave-one-out CV bandwidth."
        if any(c.kind in ("reflected", "log") for c in curves)
        else ""
    )
    caption = (
        f"{d.label}: the report's histogram ({report_bins(d)}, as on every page) with KDEs from the "
        "narrowest to the widest bandwidth, as expected stars per bin. Narrow kernels put a spike on every star; wide ones blur the "
        "shape." + boundary + clipped_note(clipped) + missing_rules(d, "panel")
    )
    return fig, alt, caption


def synthetic_figure(d: DatasetResult) -> Drawn:
    """Per bandwidth: one synthetic sample and the replicate band, binned like the data.

    A rule without a bandwidth has no generative model and so no panel; the caption says why.
    """
    fig, axes = panel_grid(len(d.synthetic))
    edges = d.histogram.edges
    for ax, s in zip(axes, d.synthetic, strict=True):
        draw_envelope(ax, s, edges, d.colour, label="5–95 % of replicates")
        ax.stairs(
            synthetic_counts(s, edges),
            edges,
            color=d.colour,
            linewidth=1.4,
            label="One synthetic sample",
        )
        ax.stairs(d.histogram.counts, edges, color=GAUSSIAN_COLOUR, linewidth=1.2, label="Observed")
        age_reference_lines(ax)
        ax.set_title(model_title(s))
    for ax in axes[::PANEL_COLUMNS]:
        ax.set_ylabel(COUNTS_LABEL)
    fig.legend(*axes[0].get_legend_handles_labels(), loc="outside upper center", ncols=3)
    below = ", ".join(f"{model_title(s)}: {pct(s.fraction_below_zero)}" for s in d.synthetic)
    alt = (
        f"{len(d.synthetic)} panels for {d.label}: observed histogram, "
        f"one synthetic sample of {d.n} ages and "
        f"the 5 to 95 percent band of {d.synthetic[0].replicates} replicate samples, per bandwidth. "
        f"Share of synthetic ages below 0 Gyr: {below}."
    )
    stored = len(d.synthetic[0].ages)
    scaled = (
        f" The synthetic sample's line is the histogram of its first {stored} ages scaled up to {d.n} stars."
        if stored < d.synthetic[0].n_total
        else ""
    )
    caption = (
        f"Samples from the KDE of {d.label} binned like the data ({report_bins(d)}). The band holds the "
        f"middle 90 % of {d.synthetic[0].replicates} replicate counts per bin; synthetic ages outside the data's "
        f"bins are not drawn (their share below 0 Gyr is in the alt text and tables).{scaled}"
        + missing_rules(d, "panel")
    )
    return fig, alt, caption


def errors_figure(d: DatasetResult) -> Drawn:
    """The ages' histogram with the KDE at the CV bandwidth and the error-convolved KDE, per bin.

    Star i's kernel in the error-convolved KDE has variance h^2 + sigma_i^2
    (``DatasetResult.errors``); the band is the 5-95 % range of its synthetic
    samples' counts in the histogram's bins. Without a CV bandwidth the
    ordinary KDE is left out and the caption says why.
    """
    e = d.errors
    h = d.histogram
    fig, axes = new_figure(1, 1, row_height_in=3.4)
    ax = axes[0, 0]
    draw_bars(ax, h.edges, h.counts, d.colour)
    cv = cv_kde(d)
    curve_max = 0.0
    if cv is not None:
        curve_max = plot_per_bin(ax, cv, h.edges, color=d.colour, label=f"KDE, CV: h = {format_gyr(cv.bandwidth)} Gyr")
    # Dark grey and dashed, so the error-convolved model stands apart from any data-set colour, also in greyscale.
    errors_label = f"Error-convolved KDE, CV: h = {format_gyr(e.bandwidth)} Gyr, kernel widths √(h² + σᵢ²)"
    curve_max = max(
        curve_max,
        plot_per_bin(ax, e.curve, h.edges, color=GAUSSIAN_COLOUR, linestyle=(0, (5, 2)), label=errors_label),
    )
    # Drawn last so that its legend entry follows the curve it belongs to; it is a patch, so it lies below the curves.
    draw_envelope(ax, e.synthetic, h.edges, GAUSSIAN_COLOUR, label="Its synthetic samples: 5–95 %", hatched=True)
    age_reference_lines(ax)
    clipped = limit_to_bars(ax, max(max(h.counts), max(e.synthetic.envelope_high)), curve_max)
    ax.set_xlabel(AGE_LABEL)
    ax.set_ylabel(COUNTS_LABEL)
    fig.legend(*ax.get_legend_handles_labels(), loc="outside upper center", ncols=2)
    ordinary = f"the KDE at the CV bandwidth ({format_gyr(cv.bandwidth)} Gyr) and " if cv is not None else ""
    alt = (
        f"Histogram of the {d.n} {d.label} ages with {ordinary}the error-convolved KDE (h = {format_gyr(e.bandwidth)} "
        f"Gyr, mean uncertainty {format_gyr(e.mean_sigma)} Gyr), as expected stars per bin, and the 5 to 95 percent "
        f"band of {e.synthetic.replicates} synthetic samples drawn from the error-convolved KDE."
    )
    solid = "the KDE at the leave-one-out CV bandwidth (solid) and " if cv is not None else ""
    alone = " (the uncertainties alone smooth the ages enough)" if e.bandwidth == 0 else ""
    caption = (
        f"{d.label}: the report's histogram ({report_bins(d)}) with {solid}the error-convolved KDE (dashed), "
        "as expected stars per bin (density × n × bin width). The error-convolved KDE gives each star a Gaussian "
        "kernel of variance h² + σᵢ², its own one-sigma uncertainty σᵢ added to a bandwidth h chosen by "
        f"leave-one-out CV{alone}, so a poorly measured star is spread wide and a well measured one stays sharp. The "
        f"hatched band holds the middle 90 % of {e.synthetic.replicates} synthetic samples of {d.n} stars drawn "
        "from the error-convolved KDE, binned like the data. That KDE describes the ages as measured, blurred once "
        "more by their errors: it is wider than the data, not an estimate of the true ages."
        + clipped_note(clipped)
        + missing_rules(d, "KDE", ("cv",))
    )
    return fig, alt, caption


def synthetic_counts(s: SyntheticSample, edges) -> np.ndarray:
    """Counts per bin of one synthetic sample of ``s.n_total`` ages.

    A catalog's result keeps only the first ``len(s.ages)`` draws of the
    sample; their histogram is scaled up so that it compares with the data's.
    """
    return np.histogram(s.ages, bins=edges)[0] * (s.n_total / len(s.ages))
