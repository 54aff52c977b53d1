"""Figures of log-likelihood scores against bandwidth, across data sets: CV curves and held-out scores.

Both clip the y axis ``_CLIP_NATS`` nats per star below the lowest of the
data sets' best scores, so tiny bandwidths (which score far worse) do not
squash the interesting range.
"""

from matplotlib.axes import Axes
from matplotlib.lines import Line2D
from matplotlib.ticker import FormatStrFormatter
import numpy as np

from analysis.folds import folds_text
from analysis.results import AnalysisResult, DatasetResult, HeldOutScore

from .panels import MODEL_NAMES, RULE_NAMES, Drawn, missing_rules
from .style import GAUSSIAN_COLOUR, format_gyr, new_figure

__all__ = ["bandwidth_cv_figure", "generative_heldout_figure"]

#: Log-likelihood axes show this many nats per star below the best score; worse scores are off scale.
_CLIP_NATS = 3.0
_RULE_MARKERS = {"grid": "o", "scott": "s", "silverman": "D", "isj": "^", "cv": "*", "reflected": "P"}
_RULE_LINESTYLES = {"scott": ":", "silverman": "-.", "isj": "--"}
_SCORE_LABEL = "Held-out log-likelihood\nper star"


def _floor(best_scores: list[float], values: np.ndarray) -> float:
    """Lower y limit: ``_CLIP_NATS`` below the worst data set's best, or the lowest value if higher."""
    floor = min(best_scores) - _CLIP_NATS
    return max(floor, float(values.min()) - 0.05 * _CLIP_NATS)


def _log_bandwidth_axis(ax: Axes) -> None:
    ax.set_xscale("log")
    # Plain numbers (0.01, 0.1, 1) read more easily than powers of ten.
    ax.xaxis.set_major_formatter(FormatStrFormatter("%g"))
    ax.set_xlabel("Bandwidth h (Gyr)")


def _clip_sentence() -> str:
    return f"The y axis stops {_CLIP_NATS:g} nats per star below the lowest of the data sets' best scores"


def bandwidth_cv_figure(result: AnalysisResult) -> Drawn:
    """Each data set's CV score against bandwidth, its choice and the rule-of-thumb bandwidths.

    Data sets too small to cross-validate have no curve, a curve without a
    maximum has no star, and a rule without a bandwidth no line; the caption
    says why. ``figure_plan`` leaves the figure out when no data set has a curve.
    """
    fig, axes = new_figure(1, 1, row_height_in=3.6)
    ax = axes[0, 0]
    bests, parts = [], []
    curved = [d for d in result.datasets if d.cv_curve is not None]
    for d in curved:
        c = d.cv_curve
        ax.plot(c.bandwidths, c.mean_log_likelihood, color=d.colour, label=d.label)
        if c.standard_errors:
            score, se = np.asarray(c.mean_log_likelihood), np.asarray(c.standard_errors)
            ax.fill_between(c.bandwidths, score - se, score + se, color=d.colour, alpha=0.15, linewidth=0)
        if c.best_bandwidth is not None:
            best = float(np.interp(np.log(c.best_bandwidth), np.log(c.bandwidths), c.mean_log_likelihood))
            ax.plot([c.best_bandwidth], [best], color=d.colour, marker="*", markersize=12, linestyle="none")
            if c.one_se_low is not None and c.one_se_high is not None and c.one_se_low > 0:
                low_y = best - (c.best_standard_error or 0.0)
                ax.plot([c.one_se_low, c.one_se_high], [low_y, low_y], color=d.colour, linewidth=3.0,
                        solid_capstyle="butt", alpha=0.8)  # fmt: skip
        for rule, style in _RULE_LINESTYLES.items():
            if getattr(d.bandwidths, rule) is not None:
                ax.axvline(getattr(d.bandwidths, rule), color=d.colour, linestyle=style, linewidth=1.0)
        bests.append(max(c.mean_log_likelihood))
        chosen = ", ".join(
            f"{RULE_NAMES[rule]} {format_gyr(h)}" if h is not None else f"no {RULE_NAMES[rule]}"
            for rule, h in (("cv", c.best_bandwidth), *((r, getattr(d.bandwidths, r)) for r in _RULE_LINESTYLES))
        )
        one_se = (
            f", one-SE range {format_gyr(c.one_se_low)} to {format_gyr(c.one_se_high)} Gyr"
            if c.one_se_low is not None and c.one_se_high is not None else ""
        )  # fmt: skip
        parts.append(f"{d.label}: {chosen} Gyr{one_se}")
    values = np.concatenate([d.cv_curve.mean_log_likelihood for d in curved])
    ax.set_ylim(_floor(bests, values), max(bests) + 0.1 * _CLIP_NATS)
    _log_bandwidth_axis(ax)
    ax.set_ylabel(_SCORE_LABEL)
    # The legend names only what is drawn: a star where some curve has a maximum, a line per rule some data set has.
    rules = [
        Line2D([], [], color=GAUSSIAN_COLOUR, linestyle=s, label=RULE_NAMES[r])
        for r, s in _RULE_LINESTYLES.items()
        if any(getattr(d.bandwidths, r) is not None for d in curved)
    ]
    chosen = [
        Line2D([], [], color=GAUSSIAN_COLOUR, marker="*", markersize=10, linestyle="none", label="CV choice")
    ] if any(d.cv_curve.best_bandwidth is not None for d in curved) else []
    handles = ax.get_legend_handles_labels()[0] + chosen + rules
    fig.legend(handles=handles, loc="outside lower center", ncols=4)
    # A catalog's CV is leave-one-out on the binned estimate, as is a data set with fewer ages than folds.
    kinds = sorted({folds_text(d.cv_curve.folds, d.n) for d in curved})
    folds = " or ".join(kinds)
    alt = (
        f"{folds} cross-validated log-likelihood per star against bandwidth on a log axis. "
        + "; ".join(parts)
        + "."
    )
    interval = any(d.cv_curve.kind == "loo-interval" for d in curved)
    caption = (
        f"Cross-validation score ({folds}"
        + (", interval scores where the ages are coarse" if interval else "")
        + ") against bandwidth, with a band of one standard error either side; the star marks the chosen "
        "bandwidth, the thick bar one standard error below it the range of bandwidths whose score is within one "
        "standard error of the best, and vertical lines the rule-of-thumb bandwidths, in each data set's colour. "
        + _clip_sentence()
        + "; narrower bandwidths score far worse."
        + "".join(_no_curve(d) + missing_rules(d, "line", tuple(_RULE_LINESTYLES)) for d in result.datasets)
    )
    return fig, alt, caption


def _no_curve(d: DatasetResult) -> str:
    """The caption's sentence on a data set without a CV curve, or without its maximum."""
    if d.cv_curve is None:
        return f" {d.label} has no curve ({d.cv_curve_unavailable})."
    if d.cv_curve.best_bandwidth is None:
        return f" {d.label}'s curve has no star ({d.cv_curve.unavailable})."
    return ""


def _score_name(score: HeldOutScore) -> str:
    return "Gaussian" if score.bandwidth is None else f"h = {format_gyr(score.bandwidth)} Gyr"


def _kind_name(kind: str) -> str:
    return "Grid" if kind == "grid" else MODEL_NAMES[kind]


def _kind_legend(drawn: set[str]) -> list[Line2D]:
    """Legend entries for the model kinds in ``drawn`` (``"gaussian"`` for the dashed line), in a fixed order."""
    kinds = [
        Line2D([], [], color=GAUSSIAN_COLOUR, marker=m, linestyle="none", label=_kind_name(k))
        for k, m in _RULE_MARKERS.items()
        if k in drawn
    ]
    gaussian = [Line2D([], [], color=GAUSSIAN_COLOUR, linestyle="--", label="Gaussian")] if "gaussian" in drawn else []
    return kinds + gaussian


def generative_heldout_figure(result: AnalysisResult) -> Drawn:
    """Held-out score of every KDE against its bandwidth, with the Gaussian as a dashed line.

    Only scores that are available are drawn (a data set too small to hold
    stars out has none, a Gaussian fitted to a fold of one repeated age none);
    the caption says why. ``figure_plan`` leaves the figure out when no data
    set has scores.
    """
    fig, axes = new_figure(1, 1, row_height_in=3.6)
    ax = axes[0, 0]
    # The log-age KDE's bandwidth is in ln Gyr: it has no place on this Gyr axis (its score is in the tables).
    scored = {
        d.name: [s for s in d.held_out if s.mean_log_likelihood is not None and s.model != "log"]
        for d in result.datasets
    }
    with_scores = [d for d in result.datasets if scored[d.name]]
    values = np.array([s.mean_log_likelihood for d in with_scores for s in scored[d.name]])
    floor = _floor([max(s.mean_log_likelihood for s in scored[d.name]) for d in with_scores], values)
    parts = []
    for d in with_scores:
        gauss = next((s for s in scored[d.name] if s.bandwidth is None), None)
        cv = next((s for s in scored[d.name] if s.model == "cv"), None)
        if gauss is not None:
            ax.axhline(max(gauss.mean_log_likelihood, floor), color=d.colour, linestyle="--", linewidth=1.0)
        kdes = sorted((s for s in scored[d.name] if s.bandwidth is not None), key=lambda s: s.bandwidth)
        shown = [max(s.mean_log_likelihood, floor) for s in kdes]
        ax.plot([s.bandwidth for s in kdes], shown, color=d.colour, linewidth=0.8, label=d.label)
        for s, y in zip(kdes, shown, strict=True):
            # Off-scale scores sit on the bottom edge as downward triangles.
            marker = "v" if s.mean_log_likelihood < floor else _RULE_MARKERS[s.model]
            if s.se and s.mean_log_likelihood >= floor:
                ax.errorbar([s.bandwidth], [y], yerr=[s.se], color=d.colour, linewidth=0.8, capsize=2, linestyle="none")
            ax.plot(
                [s.bandwidth],
                [y],
                color=d.colour,
                marker=marker,
                markersize=7,
                linestyle="none",
                clip_on=False,
            )
        gaussian_text = f"Gaussian {gauss.mean_log_likelihood:.2f}" if gauss else "no Gaussian score"
        cv_text = (
            f"KDE at the CV bandwidth {format_gyr(cv.bandwidth)} Gyr {cv.mean_log_likelihood:.2f}" if cv else "no CV KDE"
        )
        parts.append(f"{d.label}: {gaussian_text}, {cv_text}")
    ax.set_ylim(floor, values.max() + 0.1 * _CLIP_NATS)
    _log_bandwidth_axis(ax)
    ax.set_ylabel(_SCORE_LABEL)
    drawn = {s.model for d in with_scores for s in scored[d.name]}
    handles = ax.get_legend_handles_labels()[0] + _kind_legend(drawn)
    fig.legend(handles=handles, loc="outside lower center", ncols=4)
    off_scale = [
        f"{d.label} {_score_name(s)}: {s.mean_log_likelihood:.1f}"
        for d in with_scores
        for s in scored[d.name]
        if s.mean_log_likelihood < floor
    ]
    folds = " or ".join(sorted({folds_text(scored[d.name][0].folds, d.n) for d in with_scores}))
    alt = (
        f"Mean held-out log-likelihood per star ({folds}) of each KDE against its bandwidth, "
        "log axis, with the Gaussian model as a dashed horizontal line. " + "; ".join(parts) + "."
    )
    caption = (
        "How well each model predicts stars it was not fitted to (higher is better), with one standard error "
        "either side; dashed lines are the single Gaussian. Each data-driven bandwidth is re-selected on every "
        "training part; the marker stands at the bandwidth chosen on all the stars. " + _clip_sentence()
    )
    caption += (
        ": off-scale scores are drawn on the bottom edge, triangles for KDEs (" + "; ".join(off_scale) + ")."
        if off_scale
        else "."
    )
    caption += "".join(_no_scores(d) for d in result.datasets)
    return fig, alt, caption


def _no_scores(d: DatasetResult) -> str:
    """The caption's sentences on the scores a data set lacks: all of them, its Gaussian's, its rules'."""
    if d.held_out_unavailable:
        return f" {d.label} has no held-out scores ({d.held_out_unavailable})."
    gaussian = "".join(f" {d.label} has no Gaussian score ({s.unavailable})." for s in d.held_out if s.unavailable)
    return gaussian + missing_rules(d, "score")
