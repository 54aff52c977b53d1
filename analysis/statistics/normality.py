"""Is one data set's age distribution normal? Lilliefors (statsmodels) and Shapiro-Wilk (scipy), for any n.

The Kolmogorov-Smirnov p-value against a normal fitted to the same ages is not
calibrated: the fit pulls the normal towards the ages, so the distance is
smaller than for a normal given in advance and the p-value far too large.
Lilliefors (1967) gives the null distribution of that distance when the mean
and standard deviation are estimated (statsmodels interpolates it in a table
from 10^7 simulations); Shapiro & Wilk (1965) compare the ordered ages with
the expected normal order statistics. Both are the tests the report judges
normality by.
"""

from typing import NamedTuple

import numpy as np
from scipy import stats

from ..availability import NotAvailable, attempt, not_available
from .sample import CHUNK, Sample, as_sample

__all__ = [
    "LILLIEFORS_MAX_N", "LILLIEFORS_MIN_AGES", "LILLIEFORS_PVALUE_RANGE", "SHAPIRO_MAX_N", "SHAPIRO_MIN_AGES",
    "Normality", "normality_tests", "subsample",
]  # fmt: skip

#: Fewest ages for Lilliefors' test: statsmodels' table of its null distribution starts at n = 4.
LILLIEFORS_MIN_AGES = 4
#: Fewest ages for the Shapiro-Wilk test (scipy returns NaN below 3).
SHAPIRO_MIN_AGES = 3
#: statsmodels interpolates the Lilliefors p-value in its table and clips it to this range.
LILLIEFORS_PVALUE_RANGE = (0.001, 0.99)
#: scipy's Shapiro-Wilk p-value (Royston 1995's approximation) is accurate up to this many ages and
#: warns above; a larger data set is tested on a seeded subsample of this size, without replacement.
SHAPIRO_MAX_N = 5000
#: Above this many ages Lilliefors' test runs on a seeded subsample of this size: statsmodels
#: standardises and sorts copies of the ages (about five arrays of n floats), and at this size the
#: test already detects departures far smaller than the bandwidths can show.
LILLIEFORS_MAX_N = 100_000


class Normality(NamedTuple):
    """Both tests of one data set; a test the ages are too few for is ``None`` with its reason."""

    lilliefors_statistic: float | None
    lilliefors_pvalue: float | None
    shapiro_statistic: float | None
    shapiro_pvalue: float | None
    shapiro_n: int
    normality_note: str
    lilliefors_unavailable: str | None
    shapiro_unavailable: str | None


def subsample(ages: np.ndarray, size: int, *, rng: np.random.Generator) -> np.ndarray:
    """The ages, or, when there are more, ``size`` of them drawn uniformly without replacement.

    Drawn chunk by chunk in bounded memory: how many of the ``size`` come from
    each run of ``sample.CHUNK`` ages is one multivariate hypergeometric draw,
    and which ones a draw without replacement within the run, so every subset
    of ``size`` ages is equally likely (``rng.choice(ages, size, replace=False)``
    would build an index array as large as the ages). The subsample keeps the
    ages' order.

    >>> subsample(np.arange(10.0), 20, rng=np.random.default_rng(0)).size
    10
    >>> picked = subsample(np.arange(100_000.0), 500, rng=np.random.default_rng(0))
    >>> picked.size, np.unique(picked).size
    (500, 500)
    """
    if ages.size <= size:
        return ages
    starts = np.arange(0, ages.size, CHUNK)
    lengths = np.minimum(CHUNK, ages.size - starts)
    counts = rng.multivariate_hypergeometric(lengths, size)
    return np.concatenate(
        [ages[start : start + length][np.sort(rng.choice(length, count, replace=False))]
         for start, length, count in zip(starts, lengths, counts)]
    )  # fmt: skip


def _too_few(n: int, minimum: int, test: str, why: str) -> NotAvailable:
    return NotAvailable(not_available(f"n = {n}", f"{test} needs at least {minimum} ages: {why}"))


def _shapiro(ages: np.ndarray, rng: np.random.Generator) -> tuple[float, float, int]:
    """W, its p-value and the number of ages tested (all, or ``SHAPIRO_MAX_N`` drawn with ``rng``)."""
    if ages.size < SHAPIRO_MIN_AGES:
        raise _too_few(ages.size, SHAPIRO_MIN_AGES, "the Shapiro-Wilk test", "its coefficients need 3 order statistics")
    tested = subsample(ages, SHAPIRO_MAX_N, rng=rng)
    result = stats.shapiro(tested)
    return float(result.statistic), float(result.pvalue), int(tested.size)


def _lilliefors(ages: np.ndarray, rng: np.random.Generator) -> tuple[float, float]:
    """statsmodels' Lilliefors statistic and p-value (``dist="norm"``), on at most ``LILLIEFORS_MAX_N`` ages."""
    if ages.size < LILLIEFORS_MIN_AGES:
        raise _too_few(ages.size, LILLIEFORS_MIN_AGES, "Lilliefors' test", "its table of p-values starts at 4")
    # Imported here: statsmodels takes a quarter of a second, and only the analysis needs it.
    from statsmodels.stats.diagnostic import lilliefors

    statistic, pvalue = lilliefors(subsample(ages, LILLIEFORS_MAX_N, rng=rng), dist="norm", pvalmethod="table")
    return float(statistic), float(pvalue)


def _note(n: int, shapiro_n: int, lilliefors_pvalue: float | None, *, drawn: int | None = None) -> str:
    """What a reader should know beyond the plain tests: subsamples, a clipped p-value. ``drawn``: the size
    of a subsample the sample supplied itself (a partitioned catalog's), which both tests ran on."""
    low, high = LILLIEFORS_PVALUE_RANGE
    notes = []
    if drawn is not None and drawn < n:
        notes.append(
            f"Both tests were run on a seeded random subsample of {drawn} of the {n} ages, the rows with the "
            "smallest seeded hashes of their identity, gathered in the catalog's reduction, so it does not "
            "depend on how the catalog is partitioned."
        )
    elif shapiro_n < n:
        notes.append(f"Shapiro-Wilk was run on a seeded random subsample of {shapiro_n} of the {n} ages.")
    if drawn is None and n > LILLIEFORS_MAX_N:
        notes.append(f"Lilliefors' test was run on a seeded random subsample of {LILLIEFORS_MAX_N} of the {n} ages.")
    if lilliefors_pvalue is not None and lilliefors_pvalue <= low * (1 + 1e-9):
        notes.append(f"statsmodels floors the Lilliefors p-value at {low}: the true value is at most that small.")
    elif lilliefors_pvalue is not None and lilliefors_pvalue >= high * (1 - 1e-9):
        notes.append(f"statsmodels caps the Lilliefors p-value at {high}: the true value is at least that large.")
    return " ".join(notes)


def normality_tests(ages: "np.ndarray | Sample", *, rng: np.random.Generator) -> Normality:
    """Lilliefors' and the Shapiro-Wilk test of normality (mean and spread unknown) of the ages.

    Parameters
    ----------
    ages : ndarray, shape (n,), or Sample
        Ages in Gyr. A sample that only answers as one (a partitioned
        catalog's ``distributed.CellSample``) supplies its own seeded
        subsample of at most ``SHAPIRO_MAX_N`` ages (``normality_subsample``),
        and both tests run on it.
    rng : numpy.random.Generator
        Draws the subsamples of a large data set: Shapiro-Wilk's first (above
        ``SHAPIRO_MAX_N`` ages), then Lilliefors' (above ``LILLIEFORS_MAX_N``);
        unused for smaller data sets.

    Returns
    -------
    Normality
        ``statsmodels.stats.diagnostic.lilliefors(ages, dist="norm")`` and
        ``scipy.stats.shapiro(ages)``, each on the whole data set up to its
        size limit; ``normality_note`` states any subsample and a Lilliefors
        p-value at the floor or cap of its table. Below ``LILLIEFORS_MIN_AGES``
        (4) or ``SHAPIRO_MIN_AGES`` (3) ages that test is ``None`` with the
        reason.

    References
    ----------
    Lilliefors, H. W. (1967), J. Am. Stat. Assoc. 62, 399.
    Shapiro, S. S. & Wilk, M. B. (1965), Biometrika 52, 591.
    Royston, P. (1995), Applied Statistics 44, 547.
    """
    sample = as_sample(ages)
    drawn = None if isinstance(sample, Sample) else sample.normality_subsample()
    values = sample.ages if drawn is None else drawn
    shapiro, shapiro_unavailable = attempt(lambda: _shapiro(values, rng))
    lilliefors, lilliefors_unavailable = attempt(lambda: _lilliefors(values, rng))
    shapiro_statistic, shapiro_pvalue, shapiro_n = shapiro or (None, None, 0)
    lilliefors_statistic, lilliefors_pvalue = lilliefors or (None, None)
    return Normality(
        lilliefors_statistic=lilliefors_statistic,
        lilliefors_pvalue=lilliefors_pvalue,
        shapiro_statistic=shapiro_statistic,
        shapiro_pvalue=shapiro_pvalue,
        shapiro_n=shapiro_n,
        normality_note=_note(sample.n, shapiro_n, lilliefors_pvalue, drawn=None if drawn is None else drawn.size),
        lilliefors_unavailable=lilliefors_unavailable,
        shapiro_unavailable=shapiro_unavailable,
    )
