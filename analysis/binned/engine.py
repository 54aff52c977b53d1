"""One data set's analysis on the binned path (catalogs above ``binned.EXACT_MAX_N`` ages).

The same ``DatasetResult`` as the exact path, from one sorted copy of the ages
and one fine binning: Scott and Silverman from the summary's spread, ISJ on
its 1024-point binning, CV by the binned leave-one-out formula, every KDE curve
from one FFT per bandwidth, synthetic samples of at most ``MAX_STORED_VALUES``
draws, envelopes as multinomial bin counts and held-out scores from binned
training folds. Time O(n log n) (one sort) and memory about one copy of the ages.
"""

import numpy as np

from ..availability import attempt
from ..statistics.bandwidth import isj_from_sorted, kde_models, rule_note
from .grid import BinnedData, bin_for_bandwidths, relative_error_bound
from .density import DensityNodes, cdf_at, density_nodes, interpolate
from .heldout import held_out_binned
from .sampling import component_cdf
from .selectors import binned_loo_cv, rules_from_spread
from ..config import AGE_OF_UNIVERSE_GYR, AnalysisConfig
from ..dataset import Dataset
from ..errors import DataError
from ..exact.curves import kde_grid
from ..exact.sampling import sample_kde
from ..results import (
    MAX_STORED_VALUES,
    BandwidthChoice,
    BandwidthSet,
    DatasetResult,
    EngineInfo,
    KdeCurve,
    SyntheticSample,
)
from ..seeds import rng_for
from ..statistics.sample import runs, sorted_ecdf, sorted_gaussian, sorted_histogram, sorted_summary, sorted_ties

__all__ = ["BINNED_METHOD", "SCIPY_BINNED_METHOD", "analyse_binned"]

#: ``KdeCurve.method`` of the binned curves, and of the one at scipy's Scott bandwidth.
BINNED_METHOD = "binned"
SCIPY_BINNED_METHOD = "binned at scipy's Scott bandwidth"
#: Envelope percentiles, as ``resample._PERCENTILES``.
_PERCENTILES = (5.0, 50.0, 95.0)
_CV_METHOD = (
    "leave-one-out (n folds) cross-validated log-likelihood, computed on the binned estimate "
    "(ages rounded to nodes of step Scott/800, the kernel sums by FFT)"
)


def _nodes(binned: BinnedData, ordered: np.ndarray, bandwidths: list[float]) -> tuple[DensityNodes, list[np.ndarray]]:
    """Every bandwidth's density on its nodes (one inverse FFT each) and its ``kde_grid``."""
    grids = [kde_grid(ordered[[0, -1]], h) for h in bandwidths]
    reach = (min(float(g[0]) for g in grids), max(float(g[-1]) for g in grids))
    return density_nodes(binned, bandwidths, reach_gyr=reach), grids


def _curves(nodes: DensityNodes, grids: list[np.ndarray], kinds: list[str], n: int) -> tuple[KdeCurve, ...]:
    """The curves on their grids; the last bandwidth is scipy's Scott bandwidth."""
    density = interpolate(nodes, np.concatenate(grids))
    cut = np.cumsum([0] + [g.size for g in grids])
    methods = [BINNED_METHOD] * (len(grids) - 1) + [SCIPY_BINNED_METHOD]
    return tuple(
        KdeCurve(
            method=method,
            kind=kind,
            bandwidth=float(h),
            x=tuple(float(v) for v in x),
            density=tuple(float(v) for v in density[row, cut[row] : cut[row + 1]]),
            counts=tuple(float(v) for v in density[row, cut[row] : cut[row + 1]] * n),
        )
        for row, (method, kind, h, x) in enumerate(zip(methods, kinds, nodes.bandwidths, grids))
    )


def _synthetic(
    ordered: np.ndarray, binned: BinnedData, cdf: np.ndarray, kind: str, h: float, replicates: int, *, rng
) -> SyntheticSample:
    """``resample.synthetic_sample`` at scale.

    A stored sample of at most ``MAX_STORED_VALUES`` draws (O(k)); each
    replicate's histogram counts as one multinomial draw with the KDE's
    probabilities of the histogram bins (``cdf`` at the edges, plus one cell
    for outside), O(B x bins); the B x n draws below 0 / above 13.8 Gyr as
    one multinomial draw with the KDE's tail masses.
    """
    n = ordered.size
    shown = sample_kde(ordered, h, min(n, MAX_STORED_VALUES), rng=rng)
    inside = np.clip(np.diff(cdf), 0.0, None)
    cells = np.append(inside, max(0.0, 1.0 - inside.sum()))
    counts = rng.multinomial(n, cells / cells.sum(), size=replicates)[:, :-1]
    low, median, high = np.percentile(counts, _PERCENTILES, axis=0)
    below, inside_upper = component_cdf(binned, h, [0.0, AGE_OF_UNIVERSE_GYR])
    tails = np.clip([below, 1.0 - inside_upper], 0.0, 1.0)
    drawn = rng.multinomial(replicates * n, np.append(tails, max(0.0, 1.0 - tails.sum())))
    return SyntheticSample(
        kind=kind,
        bandwidth=float(h),
        ages=tuple(float(a) for a in shown),
        replicates=int(replicates),
        envelope_low=tuple(float(c) for c in low),
        envelope_median=tuple(float(c) for c in median),
        envelope_high=tuple(float(c) for c in high),
        fraction_below_zero=float(drawn[0]) / (replicates * n),
        fraction_above_universe=float(drawn[1]) / (replicates * n),
        n_total=int(n),
    )


def analyse_binned(dataset: Dataset, config: AnalysisConfig) -> DatasetResult:
    """``pipeline.analyse_dataset`` on the binned path; see the module docstring.

    Random streams are keyed as on the exact path (``rng_for(seed, name,
    purpose, ...)``), but draw differently, so results are equal in
    distribution, not in value.

    ISJ without a root and CV without an interior maximum are not available,
    with the reason, as on the exact path.

    Raises
    ------
    DataError
        If the ages are all equal, or the smallest bandwidth (or the CV
        search) needs more than ``binned.MAX_BINS`` bins.
    """
    ages, seed, name = dataset.ages, config.seed, dataset.name
    # Edges first (numpy's own "auto" and 10-bin rules), while only the input is held.
    edges, lecture_edges = np.histogram_bin_edges(ages, bins="auto"), np.histogram_bin_edges(ages)
    ordered = np.sort(ages)
    found = runs(ordered)
    summary = sorted_summary(ordered, n_missing=dataset.n_missing, distinct=found.n_distinct)
    ties = sorted_ties(ordered, found)
    scott, silverman = rules_from_spread(summary.std, summary.q25, summary.q75, summary.n)
    try:
        cv_curve = binned_loo_cv(ordered, scott=scott)
    except DataError as error:
        raise DataError(f"{dataset.source}: data set '{name}': {error}") from None
    chosen = {
        "scott": (scott, None),
        "silverman": (silverman, None),
        "isj": attempt(lambda: isj_from_sorted(ordered, n_distinct=found.n_distinct)),
        "cv": (cv_curve.best_bandwidth, cv_curve.unavailable),
    }
    values = {rule: h for rule, (h, _) in chosen.items()}
    choices = tuple(
        BandwidthChoice(
            rule=rule,
            bandwidth=h,
            note=rule_note(rule, iqr_zero=summary.q75 == summary.q25, ties=ties, cv_method=_CV_METHOD),
            unavailable=reason,
        )
        for rule, (h, reason) in chosen.items()
    )
    models = kde_models(config.bandwidths, BandwidthSet(**values))
    try:
        binned = bin_for_bandwidths(ordered, [h for _, h in models])
    except DataError as error:
        raise DataError(f"{dataset.source}: data set '{name}': {error}") from None
    # Held-out scores first: their per-fold temporaries then add to the sorted ages alone,
    # not to the curves and samples of the result as well.
    held_out = held_out_binned(ordered, binned, models, folds=config.cv_folds, rng=rng_for(seed, name, "held-out-folds"))
    nodes, grids = _nodes(binned, ordered, [h for _, h in models] + [scott])
    *kde_curves, scipy_kde = _curves(nodes, grids, [kind for kind, _ in models] + ["scott"], ordered.size)
    cdf = cdf_at(nodes, edges)
    synthetic = tuple(
        _synthetic(ordered, binned, cdf[row], kind, h, config.replicates, rng=rng_for(seed, name, "synthetic", kind, repr(h)))
        for row, (kind, h) in enumerate(models)
    )
    return DatasetResult(
        name=name,
        label=dataset.label,
        colour=dataset.colour,
        units=dataset.units,
        n=int(ordered.size),
        summary=summary,
        gaussian=sorted_gaussian(ordered, edges=lecture_edges),
        histogram=sorted_histogram(ordered, edges),
        ecdf=sorted_ecdf(ordered, n_distinct=found.n_distinct),
        bandwidths=BandwidthSet(**values),
        bandwidth_choices=choices,
        cv_curve=cv_curve,
        ties=ties,
        scipy_kde=scipy_kde,
        kde_curves=tuple(kde_curves),
        synthetic=synthetic,
        held_out=held_out,
        engine=EngineInfo(
            path="binned",
            n_bins=binned.n_bins,
            bin_width_gyr=binned.step_gyr,
            max_rel_error=relative_error_bound(binned.step_gyr, min(h for _, h in models)),
        ),
    )
