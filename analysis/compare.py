"""Two-sample comparison of two data sets: distributions, means, per-star pairs, cross-prediction."""

import warnings

import numpy as np
from scipy import stats

from .binned import EXACT_MAX_N, bin_for_bandwidths, engine_for
from .binned_heldout import kde_log_density
from .dataset import Dataset
from .kernel import log_density
from .results import MAX_STORED_VALUES, Comparison, PairedComparison

__all__ = ["compare"]

#: Confidence level of the bootstrap interval on the difference of means.
_CI_LEVEL = 0.95
#: scipy interpolates the Anderson-Darling p-value in a table and clips it to this range.
_AD_PVALUE_FLOOR, _AD_PVALUE_CAP = 0.001, 0.25
#: Fewest common stars for a per-star comparison (correlations need at least 3).
_MIN_PAIRS = 3
#: Largest resample array the bootstrap builds at once (values), so memory stays bounded.
_MAX_BOOTSTRAP_VALUES = 10_000_000
#: Above this many ages per data set the Anderson-Darling test runs on a seeded
#: subsample of this size (scipy's anderson_ksamp takes about 0.55 s for 2 x 1e6 ages on
#: the benchmark machine and grows as N log N; the p-value is clipped to [0.001, 0.25]
#: anyway, so a million ages per side resolve it).
AD_MAX_N = 1_000_000
_BOOTSTRAP_METHOD = "percentile bootstrap, {resamples} resamples of each data set"
_NORMAL_METHOD = (
    "normal approximation, mean difference +- {z:.4f} standard errors "
    "(sqrt(s_a^2/n_a + s_b^2/n_b)); used above {limit} ages, where the bootstrap "
    "distribution of a mean is normal to within its own resampling noise"
)


def compare(
    a: Dataset,
    b: Dataset,
    *,
    a_bandwidth: float,
    b_bandwidth: float,
    rng: np.random.Generator,
    resamples: int,
    exact_max_n: int = EXACT_MAX_N,
) -> Comparison:
    """Compare the ages of data sets ``a`` and ``b``.

    Parameters
    ----------
    a, b : Dataset
        The data sets; ages in Gyr.
    a_bandwidth, b_bandwidth : float
        Each data set's KDE bandwidth in Gyr (the pipeline passes the CV one),
        used for cross-prediction.
    rng : numpy.random.Generator
        Drives the bootstrap of the difference of means.
    resamples : int
        Bootstrap resamples.
    exact_max_n : int
        Above this many ages in either data set (default ``binned.EXACT_MAX_N``),
        the interval uses the normal approximation (``ci_method`` says which),
        cross-prediction uses the binned KDE and, above ``AD_MAX_N`` ages,
        Anderson-Darling a seeded subsample (its note says so).

    Returns
    -------
    Comparison
        Two-sample Kolmogorov-Smirnov (``ks_2samp``) and Anderson-Darling
        (``anderson_ksamp``, midrank variant) tests, the Wasserstein-1 distance
        (Gyr), mean(a) - mean(b) (Gyr) with a 95 % percentile-bootstrap
        interval resampling each data set separately, the cross-prediction
        scores, and the per-star comparison when the two data sets are the
        same stars (same file and same non-empty ``pair_group``), else the
        reason why not.

    Notes
    -----
    scipy's Anderson-Darling p-value is read from a table of critical values
    and clipped to [0.001, 0.25]; ``anderson_pvalue_note`` says so when the
    value sits at either end, and is empty otherwise.

    ``cross_a_on_b`` is the mean log density per star (log(1/Gyr)) of b's ages
    under the KDE of all of a's ages at ``a_bandwidth``; ``cross_b_on_a`` the
    reverse. Compare each with the data set's own held-out score.
    """
    a_ages, b_ages = a.ages, b.ages
    large = engine_for(max(a_ages.size, b_ages.size), exact_max_n=exact_max_n) == "binned"
    ks = stats.ks_2samp(a_ages, b_ages)
    if large:
        (low, high), ci_method = _normal_interval(a_ages, b_ages), _NORMAL_METHOD.format(
            z=stats.norm.ppf(0.5 + _CI_LEVEL / 2), limit=exact_max_n
        )
        cross_a_on_b, cross_b_on_a = _binned_cross(a_ages, b_ages, a_bandwidth), _binned_cross(b_ages, a_ages, b_bandwidth)
        anderson_statistic, anderson_pvalue, anderson_note = _anderson(*_subsampled(a_ages, b_ages, rng=rng))
        if max(a_ages.size, b_ages.size) > AD_MAX_N:
            anderson_note = (
                f"Computed on a seeded random subsample of at most {AD_MAX_N} ages per data set. " + anderson_note
            ).strip()
    else:
        anderson_statistic, anderson_pvalue, anderson_note = _anderson(a_ages, b_ages)
        low, high = _mean_difference_interval(a_ages, b_ages, rng=rng, resamples=resamples)
        ci_method = _BOOTSTRAP_METHOD.format(resamples=resamples)
        cross_a_on_b = float(np.mean(log_density(a_ages, b_ages, a_bandwidth)))
        cross_b_on_a = float(np.mean(log_density(b_ages, a_ages, b_bandwidth)))
    paired, reason = _paired(a, b)
    return Comparison(
        a=a.name,
        b=b.name,
        ks_statistic=float(ks.statistic),
        ks_pvalue=float(ks.pvalue),
        anderson_statistic=anderson_statistic,
        anderson_pvalue=anderson_pvalue,
        anderson_pvalue_note=anderson_note,
        wasserstein=float(stats.wasserstein_distance(a_ages, b_ages)),
        mean_difference=float(np.mean(a_ages) - np.mean(b_ages)),
        mean_difference_ci=(low, high),
        ci_level=_CI_LEVEL,
        cross_a_on_b=cross_a_on_b,
        cross_b_on_a=cross_b_on_a,
        paired=paired,
        unpaired_reason=reason,
        ci_method=ci_method,
    )


def _normal_interval(a_ages: np.ndarray, b_ages: np.ndarray) -> tuple[float, float]:
    """mean(a) - mean(b) +- z standard errors, z the normal quantile of the level (Gyr)."""
    difference = float(np.mean(a_ages) - np.mean(b_ages))
    error = float(np.sqrt(np.var(a_ages, ddof=1) / a_ages.size + np.var(b_ages, ddof=1) / b_ages.size))
    z = float(stats.norm.ppf(0.5 + _CI_LEVEL / 2))
    return difference - z * error, difference + z * error


def _binned_cross(train: np.ndarray, points: np.ndarray, bandwidth: float) -> float:
    """Mean log density (log(1/Gyr)) of ``points`` under the binned KDE of ``train``."""
    ordered = np.sort(train)
    binned = bin_for_bandwidths(ordered, [bandwidth])
    return float(np.mean(kde_log_density(binned, ordered, bandwidth, points)))


def _subsampled(a_ages: np.ndarray, b_ages: np.ndarray, *, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Each data set, or a seeded subsample of ``AD_MAX_N`` of its ages (without replacement) if larger."""
    return tuple(x if x.size <= AD_MAX_N else rng.choice(x, AD_MAX_N, replace=False) for x in (a_ages, b_ages))


def _anderson(a_ages: np.ndarray, b_ages: np.ndarray) -> tuple[float, float, str]:
    """Anderson-Darling k-sample statistic, p-value and a note when the p-value is clipped."""
    with warnings.catch_warnings():
        # The clipping is reported in the note instead; every other warning still shows.
        warnings.filterwarnings("ignore", message=r"p-value (capped|floored)", category=UserWarning)
        result = stats.anderson_ksamp([a_ages, b_ages], variant="midrank")
    pvalue = float(result.pvalue)
    if pvalue >= _AD_PVALUE_CAP:
        note = f"scipy caps this p-value at {_AD_PVALUE_CAP}: the true value is at least that large."
    elif pvalue <= _AD_PVALUE_FLOOR:
        note = f"scipy floors this p-value at {_AD_PVALUE_FLOOR}: the true value is at most that small."
    else:
        note = ""
    return float(result.statistic), pvalue, note


def _mean_difference_interval(
    a_ages: np.ndarray, b_ages: np.ndarray, *, rng: np.random.Generator, resamples: int
) -> tuple[float, float]:
    """Percentile-bootstrap interval of mean(a) - mean(b), resampling a and b independently."""

    def difference(x: np.ndarray, y: np.ndarray, axis: int) -> np.ndarray:
        return np.mean(x, axis=axis) - np.mean(y, axis=axis)

    batch = max(1, _MAX_BOOTSTRAP_VALUES // max(a_ages.size, b_ages.size))
    result = stats.bootstrap(
        (a_ages, b_ages),
        difference,
        n_resamples=resamples,
        batch=batch,
        vectorized=True,
        paired=False,
        confidence_level=_CI_LEVEL,
        method="percentile",
        rng=rng,
    )
    return float(result.confidence_interval.low), float(result.confidence_interval.high)


def _paired(a: Dataset, b: Dataset) -> tuple[PairedComparison | None, str | None]:
    """The per-star comparison on the rows both data sets have, or why there is none."""
    names = f"{a.label} and {b.label}"
    if a.source != b.source:
        return None, (
            f"{names} come from different files ({a.source}, {b.source}), so their rows are not "
            "the same stars; only their distributions are compared."
        )
    if a.pair_group is None or a.pair_group != b.pair_group:
        return None, (
            f"{names} are not declared as measurements of the same stars (no shared pair group), "
            "so only their distributions are compared."
        )
    _, a_index, b_index = np.intersect1d(a.rows, b.rows, assume_unique=True, return_indices=True)
    x, y = a.ages[a_index], b.ages[b_index]
    if x.size < _MIN_PAIRS:
        return None, (
            f"only {x.size} stars have ages in both {names}; "
            f"a per-star comparison needs at least {_MIN_PAIRS}."
        )
    differences = x - y
    # Correlations are undefined for constant ages and the Wilcoxon test for all-zero differences.
    if np.ptp(x) == 0 or np.ptp(y) == 0 or not np.any(differences):
        return None, (
            f"{names} give constant or identical ages for their {x.size} common stars, so per-star "
            "correlations and the signed-rank test are undefined."
        )
    return _paired_statistics(x, y), None


def _paired_statistics(x: np.ndarray, y: np.ndarray) -> PairedComparison:
    """Per-star differences x - y (Gyr), the Wilcoxon signed-rank test and correlations."""
    differences = x - y
    wilcoxon = stats.wilcoxon(x, y)
    pearson = stats.pearsonr(x, y)
    spearman = stats.spearmanr(x, y)
    # Evenly spaced pairs in row order beyond MAX_STORED_VALUES (every pair below it).
    kept = np.unique(np.linspace(0, x.size - 1, min(x.size, MAX_STORED_VALUES)).round().astype(np.intp))
    return PairedComparison(
        n_pairs=int(x.size),
        mean_difference=float(np.mean(differences)),
        median_difference=float(np.median(differences)),
        std_difference=float(np.std(differences, ddof=1)),
        n_a_older=int(np.count_nonzero(differences > 0)),
        n_b_older=int(np.count_nonzero(differences < 0)),
        n_equal=int(np.count_nonzero(differences == 0)),
        wilcoxon_statistic=float(wilcoxon.statistic),
        wilcoxon_pvalue=float(wilcoxon.pvalue),
        pearson_r=float(pearson.statistic),
        pearson_pvalue=float(pearson.pvalue),
        spearman_rho=float(spearman.statistic),
        spearman_pvalue=float(spearman.pvalue),
        differences=tuple(float(d) for d in differences[kept]),
        a_ages=tuple(float(v) for v in x[kept]),
        b_ages=tuple(float(v) for v in y[kept]),
    )
