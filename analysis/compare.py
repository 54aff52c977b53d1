"""Two-sample comparison of two data sets: distributions, means, per-star pairs, cross-prediction.

Longer than 300 lines: every test of a pair is here with its minimum (``minimums`` lists them), so
that the numbers a reader compares come from one place.
"""

import warnings

import numpy as np
from scipy import stats

from .availability import NotAvailable, attempt, not_available
from .choose import make_engine
from .dataset import Dataset
from .engine import EXACT_MAX_N, engine_path
from .results import MAX_STORED_VALUES, Comparison, PairedComparison
from .statistics import PairedDifference, Sample, paired_difference

__all__ = [
    "AD_MIN_AGES", "AD_PVALUE_RANGE", "MIN_PAIRS", "PEARSON_MIN_PAIRS", "SPEARMAN_MIN_PAIRS", "WILCOXON_MIN_DIFFERENCES",
    "compare",
]  # fmt: skip

#: Confidence level of the bootstrap interval on the difference of means.
_CI_LEVEL = 0.95
#: scipy interpolates the Anderson-Darling p-value in a table and clips it to this range.
AD_PVALUE_RANGE = _AD_PVALUE_FLOOR, _AD_PVALUE_CAP = 0.001, 0.25
#: Fewest ages in each data set for the Anderson-Darling test. Its p-value is interpolated in
#: Scholz & Stephens's (1987) table of large-sample percentiles; for two normal samples of one
#: population it falls below 0.05 in 9.9 % of 3000 trials at 3 + 3 ages, about twice the level,
#: and in 5.7 % at 5 + 5 (``tests/test_compare.py`` measures both).
AD_MIN_AGES = 5
#: Fewest stars with ages in both data sets for the per-star differences (their standard
#: deviation divides by n - 1).
MIN_PAIRS = 2
#: Fewest pairs for Pearson's r: its p-value is a t test with n - 2 degrees of freedom, and
#: two points always lie on a line (r = +-1).
PEARSON_MIN_PAIRS = 3
#: Fewest pairs for Spearman's rho. scipy's p-value is a t approximation; for independent pairs
#: it falls below 0.05 in 33 % of 20000 trials at 3 pairs, and in 8.7 % and 5.9 % of 8000 at 5
#: and 6 (``tests/test_compare.py`` measures these two).
SPEARMAN_MIN_PAIRS = 6
#: Fewest non-zero differences for the Wilcoxon signed-rank test, which ranks them (scipy drops
#: zero differences); its p-value is exact for these small samples.
WILCOXON_MIN_DIFFERENCES = 1
#: Largest resample array the bootstrap builds at once (values), so memory stays bounded.
_MAX_BOOTSTRAP_VALUES = 10_000_000
#: Above this many ages per data set the Anderson-Darling test runs on a seeded
#: subsample of this size (scipy's anderson_ksamp takes about 0.55 s for 2 x 1e6 ages on
#: the benchmark machine and grows as N log N; the p-value is clipped to [0.001, 0.25]
#: anyway, so a million ages per side resolve it).
AD_MAX_N = 1_000_000
_BOOTSTRAP_METHOD = "percentile bootstrap, {resamples} resamples of each data set"
_NORMAL_METHOD = (
    "normal approximation, mean difference ± {z:.2f} standard errors "
    "(sqrt(s_a^2/n_a + s_b^2/n_b)); used above {limit} ages, where the bootstrap "
    "distribution of a mean is normal to within its own resampling noise"
)


def compare(
    a: Dataset,
    b: Dataset,
    *,
    a_bandwidth: float | None,
    b_bandwidth: float | None,
    rng: np.random.Generator,
    resamples: int,
    exact_max_n: int = EXACT_MAX_N,
) -> Comparison:
    """Compare the ages of data sets ``a`` and ``b``.

    Parameters
    ----------
    a, b : Dataset
        The data sets; ages in Gyr.
    a_bandwidth, b_bandwidth : float or None
        Each data set's KDE bandwidth in Gyr (the pipeline passes the CV one),
        used for cross-prediction; ``None`` when the data set has none, and
        its cross-prediction is then not available.
    rng : numpy.random.Generator
        Drives the bootstrap of the difference of means, then the paired
        bootstrap of the per-star differences.
    resamples : int
        Bootstrap resamples (of each interval).
    exact_max_n : int
        Above this many ages in either data set (default ``engine.EXACT_MAX_N``),
        the interval uses the normal approximation (``ci_method`` says which),
        cross-prediction uses the binned engine and, above ``AD_MAX_N`` ages,
        Anderson-Darling a seeded subsample (its note says so).

    Returns
    -------
    Comparison
        Two-sample Kolmogorov-Smirnov (``ks_2samp``) and Anderson-Darling
        (``anderson_ksamp``, midrank variant) tests, the Wasserstein-1 distance
        (Gyr), mean(a) - mean(b) (Gyr) with a 95 % percentile-bootstrap
        interval resampling each data set separately, the cross-prediction
        scores, and the per-star comparison when the two data sets are the
        same stars (same file and same non-empty ``pair_group``: the mean
        per-star difference with a paired bootstrap interval, resampling
        stars, and the paired t-test), else the reason why not.

    Notes
    -----
    Each test needs its minimum (``AD_MIN_AGES``, ``MIN_PAIRS``,
    ``PEARSON_MIN_PAIRS``, ``SPEARMAN_MIN_PAIRS``,
    ``WILCOXON_MIN_DIFFERENCES``); below it the result holds ``None`` and
    the reason (``results.Comparison``).

    scipy's Anderson-Darling p-value is read from a table of critical values
    and clipped to [0.001, 0.25]; ``anderson_pvalue_note`` says so when the
    value sits at either end, and is empty otherwise.

    ``cross_a_on_b`` is the mean log density per star (log(1/Gyr)) of b's ages
    under the KDE of all of a's ages at ``a_bandwidth``; ``cross_b_on_a`` the
    reverse. Compare each with the data set's own held-out score.
    """
    a_ages, b_ages = a.ages, b.ages
    path = engine_path(max(a_ages.size, b_ages.size), exact_max_n=exact_max_n)
    large = path == "binned"
    ks = _ks_2samp(a_ages, b_ages)
    cross_a_on_b, cross_a_on_b_unavailable = attempt(lambda: _cross(path, a, b_ages, a_bandwidth))
    cross_b_on_a, cross_b_on_a_unavailable = attempt(lambda: _cross(path, b, a_ages, b_bandwidth))
    anderson, anderson_unavailable = attempt(lambda: _anderson(a_ages, b_ages, rng=rng))
    anderson_statistic, anderson_pvalue, anderson_note = anderson or (None, None, "")
    if large:
        (low, high), ci_method = _normal_interval(a_ages, b_ages), _NORMAL_METHOD.format(
            z=stats.norm.ppf(0.5 + _CI_LEVEL / 2), limit=exact_max_n
        )
    else:
        low, high = _mean_difference_interval(a_ages, b_ages, rng=rng, resamples=resamples)
        ci_method = _BOOTSTRAP_METHOD.format(resamples=resamples)
    paired, reason = _paired(a, b, rng=rng, resamples=resamples, large=large, exact_max_n=exact_max_n)
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
        anderson_unavailable=anderson_unavailable,
        cross_a_on_b_unavailable=cross_a_on_b_unavailable,
        cross_b_on_a_unavailable=cross_b_on_a_unavailable,
    )


def _normal_interval(a_ages: np.ndarray, b_ages: np.ndarray) -> tuple[float, float]:
    """mean(a) - mean(b) +- z standard errors, z the normal quantile of the level (Gyr)."""
    difference = float(np.mean(a_ages) - np.mean(b_ages))
    error = float(np.sqrt(np.var(a_ages, ddof=1) / a_ages.size + np.var(b_ages, ddof=1) / b_ages.size))
    z = float(stats.norm.ppf(0.5 + _CI_LEVEL / 2))
    return difference - z * error, difference + z * error


def _ks_2samp(a_ages: np.ndarray, b_ages: np.ndarray):
    """scipy's two-sample Kolmogorov-Smirnov test, without its one false alarm.

    For two data sets of equal size n at the smallest possible D = 1/n, scipy's
    exact two-sided probability rounds to just above 1 (the p-value is 1), so
    it warns "Exact calculation unsuccessful" and returns the asymptotic
    p-value, also 1 (the only such case for every pair of sizes up to 39).
    The warning would reach the build log of every small paired file.
    """
    with warnings.catch_warnings():
        if a_ages.size == b_ages.size:
            warnings.filterwarnings("ignore", message="ks_2samp: Exact calculation unsuccessful", category=RuntimeWarning)
        return stats.ks_2samp(a_ages, b_ages)


def _no_cv_bandwidth(train: Dataset) -> NotAvailable:
    """Why a KDE of ``train`` cannot be scored on the other data set: it has no CV bandwidth."""
    return NotAvailable(
        not_available(
            f"n = {train.ages.size}",
            f"{train.label} has no cross-validated bandwidth to fit its KDE with (see its bandwidths)",
        )
    )


def _cross(path: str, train: Dataset, points: np.ndarray, bandwidth: float | None) -> float:
    """Mean log density (log(1/Gyr)) of ``points`` under the KDE of ``train``'s ages, on the engine ``path``."""
    if bandwidth is None:
        raise _no_cv_bandwidth(train)
    kde = make_engine(path, Sample.of(train.ages)).fit([bandwidth])
    return float(np.mean(kde.log_density(points, bandwidth)))


def _subsampled(a_ages: np.ndarray, b_ages: np.ndarray, *, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Each data set, or a seeded subsample of ``AD_MAX_N`` of its ages (without replacement) if larger."""
    return tuple(x if x.size <= AD_MAX_N else rng.choice(x, AD_MAX_N, replace=False) for x in (a_ages, b_ages))


def _anderson(a_ages: np.ndarray, b_ages: np.ndarray, *, rng: np.random.Generator) -> tuple[float, float, str]:
    """Anderson-Darling k-sample statistic, p-value and a note (subsampled, or the p-value clipped).

    Above ``AD_MAX_N`` ages a data set is subsampled with ``rng``.

    Raises
    ------
    NotAvailable
        If either data set has fewer than ``AD_MIN_AGES`` ages.
    """
    if min(a_ages.size, b_ages.size) < AD_MIN_AGES:
        raise NotAvailable(
            not_available(
                f"n = {a_ages.size} and {b_ages.size}",
                f"the Anderson-Darling p-value, read from a table of large-sample percentiles, needs at least "
                f"{AD_MIN_AGES} ages in each data set; below that it rejects a true null too often",
            )
        )
    with warnings.catch_warnings():
        # The clipping is reported in the note instead; every other warning still shows.
        warnings.filterwarnings("ignore", message=r"p-value (capped|floored)", category=UserWarning)
        result = stats.anderson_ksamp(list(_subsampled(a_ages, b_ages, rng=rng)), variant="midrank")
    pvalue = float(result.pvalue)
    notes = []
    if max(a_ages.size, b_ages.size) > AD_MAX_N:
        notes.append(f"Computed on a seeded random subsample of at most {AD_MAX_N} ages per data set.")
    if pvalue >= _AD_PVALUE_CAP:
        notes.append(f"scipy caps this p-value at {_AD_PVALUE_CAP}: the true value is at least that large.")
    elif pvalue <= _AD_PVALUE_FLOOR:
        notes.append(f"scipy floors this p-value at {_AD_PVALUE_FLOOR}: the true value is at most that small.")
    return float(result.statistic), pvalue, " ".join(notes)


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


def _paired(
    a: Dataset, b: Dataset, *, rng: np.random.Generator, resamples: int, large: bool, exact_max_n: int
) -> tuple[PairedComparison | None, str | None]:
    """The per-star comparison on the rows both data sets have, or why there is none.

    Its interval is the paired bootstrap (``resamples`` drawn with ``rng``), or with ``large`` the normal approximation.
    """
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
    if x.size < MIN_PAIRS:
        return None, not_available(
            f"{x.size} {'pair' if x.size == 1 else 'pairs'}",
            f"{'only 1 star has' if x.size == 1 else 'no star has'} ages in both {names}; "
            f"a per-star comparison needs at least {MIN_PAIRS}.",
        )
    difference = paired_difference(
        x, y, rng=rng, resamples=resamples, level=_CI_LEVEL, normal=large, limit=exact_max_n
    )
    return _paired_statistics(x, y, difference), None


def _paired_statistics(x: np.ndarray, y: np.ndarray, difference: PairedDifference) -> PairedComparison:
    """Per-star differences x - y (Gyr), their mean's interval and t-test (``difference``), the Wilcoxon
    signed-rank test and correlations, each if defined."""
    differences = x - y
    wilcoxon, wilcoxon_unavailable = attempt(lambda: _wilcoxon(x, y))
    pearson, pearson_unavailable = attempt(lambda: _correlation(stats.pearsonr, "Pearson's r", PEARSON_MIN_PAIRS, x, y))
    spearman, spearman_unavailable = attempt(
        lambda: _correlation(stats.spearmanr, "Spearman's rho", SPEARMAN_MIN_PAIRS, x, y)
    )
    (wilcoxon_statistic, wilcoxon_pvalue), (pearson_r, pearson_pvalue), (spearman_rho, spearman_pvalue) = (
        test or (None, None) for test in (wilcoxon, pearson, spearman)
    )
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
        wilcoxon_statistic=wilcoxon_statistic,
        wilcoxon_pvalue=wilcoxon_pvalue,
        pearson_r=pearson_r,
        pearson_pvalue=pearson_pvalue,
        spearman_rho=spearman_rho,
        spearman_pvalue=spearman_pvalue,
        differences=tuple(float(d) for d in differences[kept]),
        a_ages=tuple(float(v) for v in x[kept]),
        b_ages=tuple(float(v) for v in y[kept]),
        mean_difference_ci=difference.mean_difference_ci,
        standard_error=difference.standard_error,
        ci_method=difference.ci_method,
        ttest_statistic=difference.ttest_statistic,
        ttest_df=difference.ttest_df,
        ttest_pvalue=difference.ttest_pvalue,
        wilcoxon_unavailable=wilcoxon_unavailable,
        pearson_unavailable=pearson_unavailable,
        spearman_unavailable=spearman_unavailable,
        ttest_unavailable=difference.ttest_unavailable,
    )


def _wilcoxon(x: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """The Wilcoxon signed-rank statistic and p-value of the per-star differences x - y (Gyr)."""
    if np.count_nonzero(x - y) < WILCOXON_MIN_DIFFERENCES:
        raise NotAvailable(
            not_available(
                f"{x.size} pairs",
                f"the signed-rank test ranks the non-zero differences and needs at least "
                f"{WILCOXON_MIN_DIFFERENCES}; every star has the same age in both",
            )
        )
    result = stats.wilcoxon(x, y)
    return float(result.statistic), float(result.pvalue)


def _correlation(test, name: str, minimum: int, x: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """A correlation coefficient of x and y (Gyr) and its p-value, if the pairs allow one."""
    if x.size < minimum:
        raise NotAvailable(not_available(f"{x.size} pairs", f"{name} needs at least {minimum} pairs"))
    if np.ptp(x) == 0 or np.ptp(y) == 0:
        raise NotAvailable(
            not_available(f"{x.size} pairs", f"{name} is undefined when one data set's ages are all equal")
        )
    result = test(x, y)
    return float(result.statistic), float(result.pvalue)
