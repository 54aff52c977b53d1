"""The template context's views of one data set and one pair: their numbers and every finding decided.

Templates only format: every finding (which data set is older, whether a test
rejects, which model predicts best) is decided here from the numbers. A value
that is not available stays ``None`` (the ``na`` filter prints it) with the
reason in a table's notes.

Longer than 300 lines: the data set view and the pair view share the helpers that
name models, bound p-values and word notes, and each page's findings are easier
to check when every one of them is decided in this one place.
"""

from collections.abc import Mapping
from typing import Any

from analysis.compare import AD_PVALUE_RANGE
from analysis.dataset import Dataset
from analysis.errors import RenderError
from analysis.folds import folds_text
from analysis.formatting import gyr
from analysis.results import Comparison, DatasetResult, EngineInfo, GaussianFit
from analysis.statistics import BANDWIDTH_RULES, LILLIEFORS_PVALUE_RANGE

from ..figures import Figure, dataset_figures
from .references import dataset_key

__all__ = ["ALPHA", "CV_SMALL_RATIO", "comparison_view", "dataset_view"]

#: Significance level at which the report says a test "rejects".
ALPHA = 0.05
#: CV counts as "pulled small" when it is below this fraction of Silverman's rule.
CV_SMALL_RATIO = 0.5


#: Readers' names of the KDEs that respect the boundary at 0 Gyr.
_BOUNDARY_NAMES = {"reflected": "Reflected at 0 Gyr", "log": "Log age"}


def _model_name(kind: str) -> str:
    """Reader's name of a held-out or synthetic model kind."""
    if kind == "gaussian":
        return "Gaussian"
    if kind == "grid":
        return "Fixed"
    if kind in BANDWIDTH_RULES:
        return BANDWIDTH_RULES[kind].title
    if kind in _BOUNDARY_NAMES:
        return _BOUNDARY_NAMES[kind]
    raise RenderError(
        f"model kind: expected gaussian, grid, reflected, log or one of {', '.join(BANDWIDTH_RULES)}, got {kind!r}"
    )


def _held_out_name(kind: str, bandwidth: float | None) -> str:
    """A held-out model as readers see it in a verdict: "Fixed 0.10 Gyr", "Silverman", "Gaussian"."""
    return f"Fixed {gyr(bandwidth)} Gyr" if kind == "grid" else _model_name(kind)


def _engine_view(e: EngineInfo, n: int) -> dict[str, Any]:
    """How the KDEs of one data set were evaluated, for the data set page and Methods."""
    if e.path not in ("exact", "binned"):
        raise RenderError(f"engine path: expected 'exact' or 'binned', got {e.path!r}")
    return {
        "binned": e.path == "binned",
        "n": n,
        "n_bins": e.n_bins,
        "bin_width": e.bin_width_gyr,
        "max_rel_error": e.max_rel_error,
    }


def _notes(*pairs: tuple[str, str | None]) -> list[dict[str, str]]:
    """The (what, reason) pairs whose reason is set: a table's notes on what is not available."""
    return [{"what": what, "reason": reason} for what, reason in pairs if reason]


def _bound(pvalue: float | None, clipped_to: tuple[float, float]) -> str | None:
    """``"floor"`` or ``"cap"`` when a test's table clipped ``pvalue`` to that end of ``clipped_to``, else None.

    The ``pvalue`` filter then prints it as a bound (``"≤ 0.001"``), and the table's note says why.
    """
    if pvalue is None:
        return None
    low, high = clipped_to
    # statsmodels returns its floor as 0.0009999999999998899: within a few units in the last place.
    if pvalue <= low * (1 + 1e-9):
        return "floor"
    return "cap" if pvalue >= high * (1 - 1e-9) else None


def _bins_view(edges: tuple[float, ...]) -> dict[str, Any]:
    """How many equal bins of which width (Gyr) a histogram has."""
    return {"count": len(edges) - 1, "width": (edges[-1] - edges[0]) / (len(edges) - 1)}


def _normality_view(g: GaussianFit) -> dict[str, Any]:
    """The two tests of normality with their decisions at ``ALPHA``; the KS p-value of the fit is not one of them.

    ``rejecting`` and ``not_rejecting`` name the tests, in the order listed, for the sentences the
    pages state; a test that is not available is in neither, and ``notes`` says why.
    """
    tests = [
        {
            "name": "Lilliefors", "symbol": "D", "statistic": g.lilliefors_statistic, "pvalue": g.lilliefors_pvalue,
            "bound": _bound(g.lilliefors_pvalue, LILLIEFORS_PVALUE_RANGE), "rejects": _rejects(g.lilliefors_pvalue),
        },
        {
            "name": "Shapiro-Wilk", "symbol": "W", "statistic": g.shapiro_statistic, "pvalue": g.shapiro_pvalue,
            "bound": None, "rejects": _rejects(g.shapiro_pvalue),
        },
    ]  # fmt: skip
    return {
        "tests": tests,
        "rejecting": [t["name"] for t in tests if t["rejects"]],
        "not_rejecting": [t["name"] for t in tests if t["rejects"] is False],
        "note": g.normality_note,
        "notes": _notes(("Lilliefors' test", g.lilliefors_unavailable), ("Shapiro-Wilk test", g.shapiro_unavailable)),
    }


def dataset_view(r: DatasetResult, d: Dataset, figures: Mapping[str, Figure]) -> dict[str, Any]:
    """One data set's numbers, decisions and figures for the templates.

    A value that is not available is ``None`` here too (the ``na`` filter
    prints it) and a finding that needs it is ``None`` or empty; ``notes``
    holds, per table, what is not available and why.
    """
    held_out = [
        {
            "name": _model_name(s.model),
            "label": _held_out_name(s.model, s.bandwidth),
            "kind": s.model,
            "bandwidth": s.bandwidth,
            "log_bandwidth": s.model == "log",
            "score": s.mean_log_likelihood,
            "se": s.se,
            "behind": s.behind,
            "behind_se": s.behind_se,
            "best": r.held_out_best is not None and s.name == r.held_out_best,
            "top": s.name == r.held_out_top,
            "tied": bool(s.tied),
            "unavailable": s.unavailable,
        }
        for s in r.held_out
    ]
    best = next((m for m in held_out if m["best"]), None)
    top = next((m for m in held_out if m["top"]), None)
    tied = [m for m in held_out if m["tied"]]
    synthetic = [
        {
            "name": _model_name(s.kind),
            "log_bandwidth": s.kind == "log",
            "bandwidth": s.bandwidth,
            "below": s.fraction_below_zero,
            "above": s.fraction_above_universe,
            "replicates": s.replicates,
        }
        for s in r.synthetic
    ]
    bw = r.bandwidths
    # Rules without a bandwidth, as (reader's name, reason): no curve, sample or score of theirs exists.
    missing = [(BANDWIDTH_RULES[c.rule].title, c.unavailable) for c in r.bandwidth_choices if c.unavailable]
    # The held-out split (a catalog's CV is leave-one-out on binned counts, its held-out scores k-fold).
    folds = r.held_out[0].folds if r.held_out else (r.cv_curve.folds if r.cv_curve else None)
    return {
        "name": r.name,
        "label": r.label,
        "colour": r.colour,
        "page": f"dataset-{r.name}.qmd",
        "href": f"dataset-{r.name}.html",
        "source": d.source,
        "citation": d.citation,
        "doi": d.doi,
        "doi_url": f"https://doi.org/{d.doi}" if d.doi else "",
        "cite": dataset_key(d.name) if d.citation.strip() else "",
        "method": d.method,
        "pair_group": d.pair_group or "",
        "summary": r.summary,
        "engine": _engine_view(r.engine, r.n),
        "partitioned": r.partitioned,
        # A partitioned catalog's source and pieces (not in the result: its numbers do not depend on them).
        "partitions": getattr(d, "partitions", None),
        "gaussian": r.gaussian,
        "normality": _normality_view(r.gaussian),
        # The one histogram of the data set on every page, and the lecture's, shown only with its steps.
        "bins": _bins_view(r.histogram.edges),
        "lecture_bins": _bins_view(r.gaussian.lecture_edges),
        "bw": bw,
        "bandwidths": [
            {"name": BANDWIDTH_RULES[c.rule].title, "bandwidth": c.bandwidth, "note": c.note, "unavailable": c.unavailable}
            for c in r.bandwidth_choices
        ],
        "folds": folds,
        "folds_text": folds_text(folds, r.n) if folds else None,
        "ties": r.ties,
        "cv_pulled_small": bw.cv is not None and bw.silverman is not None and bw.cv < CV_SMALL_RATIO * bw.silverman,
        "cv_over_silverman": bw.cv / bw.silverman if bw.cv is not None and bw.silverman is not None else None,
        "held_out": held_out,
        "held_out_unavailable": r.held_out_unavailable,
        "held_out_nested": bool(r.held_out) and r.held_out[0].nested,
        "held_out_repeats": r.held_out_repeats,
        "precision": r.precision,
        "interval_scores": r.interval_scores,
        "cv": r.cv_curve,
        "errors": r.errors,
        "errors_unavailable": r.errors_unavailable,
        "tails": [
            {"name": "Gaussian fit" if t.model == "gaussian" else f"{_model_name(t.model)} KDE", "kind": t.model,
             "bandwidth": t.bandwidth, "below": t.below_zero, "above": t.above_universe}
            for t in r.tails
        ],
        "best_model": best,
        "top_model": top,
        "tied_models": tied,
        "gaussian_score": next((m for m in held_out if m["name"] == "Gaussian"), None),
        "kde_beats_gaussian": best is not None and best["name"] != "Gaussian",
        "gaussian_tied": any(m["name"] == "Gaussian" for m in tied),
        "cv_score": next((s.mean_log_likelihood for s in r.held_out if s.model == "cv"), None),
        "synthetic": synthetic,
        "cv_synthetic": next((s for s, raw in zip(synthetic, r.synthetic) if raw.kind == "cv"), None),
        "notes": {
            "cv": _notes(*((f"{name} bandwidth", why) for name, why in missing if name == BANDWIDTH_RULES["cv"].title)),
            "synthetic": _notes(*((f"Synthetic samples at the {name} bandwidth", why) for name, why in missing)),
            # All scores missing say so once; otherwise the Gaussian's and each missing rule's.
            "held_out": _notes(("Held-out scores", r.held_out_unavailable))
            or _notes(
                *(("Gaussian held-out score", m["unavailable"]) for m in held_out if m["name"] == "Gaussian"),
                *((f"Held-out score at the {name} bandwidth", why) for name, why in missing),
            ),
        },
        "figures": {part: figures[f"{r.name}-{part}"] for part in dataset_figures(r)},
    }


def _width_ratio(c: Comparison) -> float | None:
    """The width of the interval resampling each data set on its own over the paired one's, if both are set."""
    if c.paired is None:
        return None
    paired = c.paired.mean_difference_ci[1] - c.paired.mean_difference_ci[0]
    return (c.mean_difference_ci[1] - c.mean_difference_ci[0]) / paired if paired > 0 else None


def _rejects(pvalue: float | None) -> bool | None:
    """Whether a test rejects at ``ALPHA``; None when it is not available."""
    return None if pvalue is None else pvalue < ALPHA


def _cross_view(train: dict[str, Any], test: dict[str, Any], score: float | None, reason: str | None) -> dict[str, Any]:
    """One row of the cross-prediction table: ``test``'s ages under ``train``'s KDE, against ``test``'s own score.

    The loss (own minus cross) needs both; the notes say which is missing and why.
    """
    own = test["cv_score"]
    own_reason = None if own is not None else (
        test["held_out_unavailable"]
        or next((n["reason"] for n in test["notes"]["cv"]), None)
        # A CV bandwidth on all the stars, but none on some training part of the nested held-out scores.
        or next((m["unavailable"] for m in test["held_out"] if m["kind"] == "cv" and m["unavailable"]), None)
    )
    return {
        "train": train,
        "test": test,
        "score": score,
        "own": own,
        "drop": None if score is None or own is None else own - score,
        "notes": _notes(
            (f"{train['label']} scored on {test['label']}", reason),
            (f"{test['label']}'s own held-out CV score", own_reason),
        ),
    }


def _cross_case_view(case, a: dict[str, Any], b: dict[str, Any]) -> dict[str, Any] | None:
    """One cross-prediction case of the pair (a, b) with the data set that transfers better named, or None."""
    if case is None:
        return None
    better, worse = (a, b) if case.better == a["name"] else (b, a)
    return {"case": case, "better": better, "worse": worse}


def comparison_view(
    c: Comparison, views: Mapping[str, dict[str, Any]], figures: Mapping[str, Figure]
) -> dict[str, Any]:
    """One pair's tests with the decisions the text states (None where a test is not available).

    The headline difference (``older_by``, ``older_ci``) is per star, with the paired interval, when
    the two data sets are the same stars (``paired_interval``), else the difference of their means
    with the interval that resamples each data set on its own; ``ci_method`` says which.
    """
    a, b = views[c.a], views[c.b]
    q = c.paired
    headline = q or c  # both records name the difference, its interval and its method alike
    difference, (low, high), ci_method = headline.mean_difference, headline.mean_difference_ci, headline.ci_method
    a_older = difference >= 0
    # Cross-prediction loss: how much worse the other's KDE predicts a data set than its own held-out CV score.
    cross = [
        _cross_view(a, b, c.cross_a_on_b, c.cross_a_on_b_unavailable),
        _cross_view(b, a, c.cross_b_on_a, c.cross_b_on_a_unavailable),
    ]
    drops = [x["drop"] for x in cross]
    return {
        "a": a,
        "b": b,
        "c": c,
        "paired_interval": q is not None,
        "ci_method": ci_method,
        "ttest_rejects": None if q is None else _rejects(q.ttest_pvalue),
        "anderson_bound": _bound(c.anderson_pvalue, AD_PVALUE_RANGE),
        # How much wider the interval of independent samples is: what the pairing is worth (None if unpaired).
        "unpaired_width_ratio": _width_ratio(c),
        "ks_rejects": c.ks_pvalue < ALPHA,
        "anderson_rejects": _rejects(c.anderson_pvalue),
        "older": a if a_older else b,
        "younger": b if a_older else a,
        "older_by": abs(difference),
        "older_ci": (low, high) if a_older else (-high, -low),
        "ci_excludes_zero": low > 0 or high < 0,
        "cross": cross,
        "better_training": None if None in drops else (a if drops[0] <= drops[1] else b),
        "cross_own": _cross_case_view(c.cross_own, a, b),
        "cross_common": _cross_case_view(c.cross_common, a, b),
        "cross_flips": c.cross_flips,
        "wilcoxon_rejects": None if q is None else _rejects(q.wilcoxon_pvalue),
        "paired_notes": [] if q is None else _notes(
            ("Wilcoxon signed-rank test", q.wilcoxon_unavailable),
            ("Pearson's r", q.pearson_unavailable),
            ("Spearman's rho", q.spearman_unavailable),
            ("Paired t-test", q.ttest_unavailable),
        ),
        "figure": figures[f"pair-{c.a}-{c.b}"] if q is not None else None,
    }
