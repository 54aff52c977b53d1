"""The mean of per-star differences of two measurements of the same stars: its interval and the paired t-test.

When two data sets date the same stars, their ages are correlated (a star one
method finds old, the other tends to find old too), so the difference of their
means is known far better than two independent samples would allow. The
interval therefore resamples stars, each keeping both of its ages (Efron &
Tibshirani 1993, sec. 6.9: the bootstrap of the mean of the differences
d_i = a_i - b_i), and the test is Student's paired t-test on the same
differences.
"""

from typing import NamedTuple

import numpy as np
from scipy import stats

from ..availability import NotAvailable, attempt, not_available

__all__ = ["PAIRED_T_MIN_PAIRS", "PairedDifference", "paired_difference", "paired_from_moments"]

#: Fewest pairs for the paired t-test: the standard error of the mean difference divides by n - 1.
#: The differences must also not all be equal (their spread is the t statistic's denominator).
PAIRED_T_MIN_PAIRS = 2
#: Spread of the differences, relative to the largest age, that is rounding of the ages rather than data.
_ROUNDING = 16 * np.finfo(float).eps
#: Largest resample array the bootstrap builds at once (values), so memory stays bounded.
_MAX_BOOTSTRAP_VALUES = 10_000_000
_BOOTSTRAP_METHOD = (
    "paired percentile bootstrap: {resamples} resamples of the {n} stars, each star's two ages kept together"
)
_NORMAL_METHOD = (
    "paired normal approximation: the mean per-star difference ± {z:.2f} standard errors "
    "(standard deviation of the {n} differences / sqrt({n})), used above {limit} pairs, where the "
    "bootstrap distribution of a mean is normal to within its own resampling noise"
)

_SUMS_METHOD = (
    "paired normal approximation: the mean per-star difference ± {z:.2f} standard errors "
    "(standard deviation of the {n} differences / sqrt({n})), from exact sums of the differences and "
    "their squares, as a catalog reduced partition by partition gives them (a bootstrap would need every "
    "star's difference in one place)"
)


class PairedDifference(NamedTuple):
    """The mean per-star difference (Gyr), its standard error and interval, and the paired t-test."""

    mean_difference: float
    standard_error: float
    mean_difference_ci: tuple[float, float]
    ci_method: str
    ttest_statistic: float | None
    ttest_df: int | None
    ttest_pvalue: float | None
    ttest_unavailable: str | None


def _bootstrap(
    differences: np.ndarray, *, rng: np.random.Generator, resamples: int, level: float
) -> tuple[float, float]:
    """Percentile-bootstrap interval of the mean of ``differences``, resampling them (the stars) with replacement."""
    if np.ptp(differences) == 0:
        # Every resample has the same mean: the interval is that value (scipy would warn of a degenerate distribution).
        return float(differences[0]), float(differences[0])
    result = stats.bootstrap(
        (differences,),
        np.mean,
        n_resamples=resamples,
        batch=max(1, _MAX_BOOTSTRAP_VALUES // differences.size),
        vectorized=True,
        confidence_level=level,
        method="percentile",
        rng=rng,
    )
    return float(result.confidence_interval.low), float(result.confidence_interval.high)


def _ttest(a: np.ndarray, b: np.ndarray) -> tuple[float, int, float]:
    """``scipy.stats.ttest_rel(a, b)``: t, its degrees of freedom (n - 1) and the two-sided p-value."""
    differences = a - b
    if differences.size < PAIRED_T_MIN_PAIRS:
        raise NotAvailable(
            not_available(f"{differences.size} pairs", f"the paired t-test needs at least {PAIRED_T_MIN_PAIRS} pairs")
        )
    # Differences equal to within the rounding of the ages (a few units in the last place) count as equal:
    # their spread is rounding noise, and scipy would warn of catastrophic cancellation.
    if np.ptp(differences) <= _ROUNDING * max(float(np.max(np.abs(a))), float(np.max(np.abs(b)))):
        raise NotAvailable(
            not_available(
                f"{differences.size} pairs",
                f"the paired t-test divides by the spread of the differences, and every star's difference is "
                f"{float(np.mean(differences)):g} Gyr",
            )
        )
    result = stats.ttest_rel(a, b)
    return float(result.statistic), int(result.df), float(result.pvalue)


def _normal_interval(n: int, mean: float, error: float, *, level: float, limit: int) -> tuple[tuple[float, float], str]:
    """mean +- z(level) standard errors, and its method's wording."""
    z = float(stats.norm.ppf(0.5 + level / 2))
    return (mean - z * error, mean + z * error), _NORMAL_METHOD.format(z=z, n=n, limit=limit)


def paired_from_moments(
    n: int, mean: float, sd: float, *, ptp: float, scale: float, level: float
) -> PairedDifference:
    """``paired_difference(a, b, normal=True)`` from the n differences' mean and ``ddof=1`` standard deviation
    (Gyr), for a catalog reduced to sums: the normal interval and the paired t-test t = mean / (sd / sqrt(n)),
    n - 1 degrees of freedom (``scipy.stats.ttest_rel``'s formula).

    ``ptp`` is the range of the differences and ``scale`` the largest |age| of either column (Gyr): a
    range at most the rounding of such ages counts as every difference being equal, as
    ``paired_difference`` judges it, and the t-test is then ``None`` with the reason.
    """
    error = float(sd / np.sqrt(n))
    z = float(stats.norm.ppf(0.5 + level / 2))
    interval, method = (mean - z * error, mean + z * error), _SUMS_METHOD.format(z=z, n=n)

    def ttest() -> tuple[float, int, float]:
        if n < PAIRED_T_MIN_PAIRS:
            raise NotAvailable(not_available(f"{n} pairs", f"the paired t-test needs at least {PAIRED_T_MIN_PAIRS} pairs"))
        if ptp <= _ROUNDING * scale:
            raise NotAvailable(
                not_available(
                    f"{n} pairs",
                    f"the paired t-test divides by the spread of the differences, and every star's difference is "
                    f"{mean:g} Gyr",
                )
            )
        t = mean / error
        return float(t), int(n - 1), float(2 * stats.t.sf(abs(t), n - 1))

    result, unavailable = attempt(ttest)
    statistic, df, pvalue = result or (None, None, None)
    return PairedDifference(mean, error, interval, method, statistic, df, pvalue, unavailable)


def paired_difference(
    a: np.ndarray, b: np.ndarray, *, rng: np.random.Generator, resamples: int, level: float, normal: bool, limit: int
) -> PairedDifference:
    """The mean of a_i - b_i (Gyr) over the same stars, its interval at ``level`` and the paired t-test.

    Parameters
    ----------
    a, b : ndarray, shape (n,)
        Two ages (Gyr) of the same n >= 2 stars, row for row.
    rng : numpy.random.Generator
        Draws the bootstrap's resampled stars (unused with ``normal``).
    resamples : int
        Bootstrap resamples.
    level : float
        Confidence level of the interval (0.95).
    normal : bool
        Use the normal approximation, mean +- z sd(d)/sqrt(n), instead of the
        bootstrap: for catalogs (above ``limit`` pairs), where the bootstrap
        would cost ``resamples`` x n draws.
    limit : int
        The size above which ``normal`` is used, for the method's wording.

    Returns
    -------
    PairedDifference
        ``mean_difference``, ``standard_error`` = sd(d, ddof=1) / sqrt(n), the
        percentile-bootstrap (or normal) interval with ``ci_method`` saying
        which, and ``scipy.stats.ttest_rel(a, b)`` (``None`` with the reason
        when every difference is the same).

    References
    ----------
    Efron, B. & Tibshirani, R. J. (1993), An Introduction to the Bootstrap, Chapman & Hall, sec. 6.9.
    """
    differences = np.asarray(a, dtype=float) - np.asarray(b, dtype=float)
    n = differences.size
    mean = float(np.mean(differences))
    error = float(np.std(differences, ddof=1) / np.sqrt(n))
    if normal:
        interval, method = _normal_interval(n, mean, error, level=level, limit=limit)
    else:
        interval = _bootstrap(differences, rng=rng, resamples=resamples, level=level)
        method = _BOOTSTRAP_METHOD.format(resamples=resamples, n=n)
    ttest, ttest_unavailable = attempt(lambda: _ttest(np.asarray(a, dtype=float), np.asarray(b, dtype=float)))
    statistic, df, pvalue = ttest or (None, None, None)
    return PairedDifference(mean, error, interval, method, statistic, df, pvalue, ttest_unavailable)
