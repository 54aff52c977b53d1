"""One data set's ages sorted once, and the descriptive records read off them, for any n.

A ``Sample`` keeps the ages in their given order and one sorted copy. Sums
(mean, spread) run over the given order in chunks of ``CHUNK`` ages, so up to
that many ages they are numpy's own (``np.mean``, ``np.std``) to the last bit
and beyond it their temporaries stay about 1 MB; order statistics (quartiles,
median), ties, distinct values, histogram counts and the ECDF are read off the
sorted copy by index, with numpy's rules (linear ``np.percentile``,
``np.median``, half-open ``np.histogram`` bins, ``inverted_cdf`` quantiles).
One implementation serves the 91 stars and a catalog of 1e7.

The statistics read a sample only through its fields (``n``, ``n_distinct``,
``largest_tie``, the histogram edges) and its methods (order statistics,
counts in bins, the mean, spreads, the normal's likelihood and KS distance,
ISJ's linear binning, the distinct values), so a sample that is not an array
in memory can stand in for it: a partitioned catalog's ``CellSample``
(``distributed``) answers the same questions from merged reductions.
Longer than 300 lines for that reason: the interface and its in-memory
answers are read together.
"""

from dataclasses import dataclass

import numpy as np

from ..config import AGE_OF_UNIVERSE_GYR
from ..errors import DataError
from ..results import Ecdf, Histogram, Summary

__all__ = [
    "CHUNK", "ECDF_MAX_POINTS", "Sample", "as_sample", "auto_histogram", "checked_ages", "counts_in", "empirical_cdf", "mean",
    "quantile", "spread", "summarise",
]  # fmt: skip

#: Ages per vectorised chunk of a pass: temporaries of about 256 kB at any n.
CHUNK = 2**15
#: Above this many distinct ages the ECDF is summarised at evenly spaced fractions.
ECDF_MAX_POINTS = 4096
#: Sample standard deviation (divide by n - 1), stated in the result so readers never guess.
_STD_DDOF = 1


@dataclass(frozen=True, eq=False)
class Sample:
    """Ages in Gyr as given and sorted once, with their distinct values and longest run of equal ages.

    Build it with ``Sample.of(ages)``; both arrays are read-only, shape (n,).
    ``auto_edges`` and ``lecture_edges`` are numpy's histogram edges of the
    ages (``bins="auto"`` and the default 10 bins, Gyr).
    """

    ages: np.ndarray
    ordered: np.ndarray
    n_distinct: int
    largest_tie: int
    auto_edges: np.ndarray
    lecture_edges: np.ndarray

    @property
    def n(self) -> int:
        return int(self.ages.size)

    @property
    def minimum(self) -> float:
        return float(self.ordered[0])

    @property
    def maximum(self) -> float:
        return float(self.ordered[-1])

    def order_statistics(self, ranks) -> np.ndarray:
        """The ages of 0-based ``ranks`` in sorted order (Gyr)."""
        return self.ordered[np.asarray(ranks, dtype=np.intp)]

    def count_above(self, age: float) -> int:
        """How many ages exceed ``age`` (Gyr)."""
        return int(self.n - np.searchsorted(self.ordered, age, side="right"))

    def bin_counts(self, edges: np.ndarray) -> np.ndarray:
        """``np.histogram(ages, bins=edges)[0]`` (``counts_in``)."""
        return counts_in(self.ordered, edges)

    def distinct(self) -> tuple[np.ndarray, np.ndarray]:
        """The distinct ages (Gyr, ascending) and how many ages are at or below each."""
        ends = np.append(np.flatnonzero(self.ordered[1:] != self.ordered[:-1]), self.n - 1)
        return self.ordered[ends], ends + 1

    def mean(self) -> float:
        """``np.mean(ages)``."""
        return mean(self.ages)

    def spread(self, centre: float, *, ddof: int = 0) -> float:
        """``sqrt(sum((ages - centre)**2) / (n - ddof))`` (``spread``)."""
        return spread(self.ages, centre, ddof=ddof)

    def normal_log_likelihood(self, mu: float, sigma: float) -> float:
        """``sum(norm.logpdf(ages, mu, sigma))``, chunk by chunk."""
        from scipy import stats

        return sum(float(np.sum(stats.norm.logpdf(self.ages[i : i + CHUNK], mu, sigma))) for i in range(0, self.n, CHUNK))

    def normal_ks(self, mu: float, sigma: float) -> float:
        """``kstest``'s D against N(mu, sigma**2): ``max(i/n - F(x_i), F(x_i) - (i-1)/n)`` over the sorted ages."""
        from scipy.special import ndtr

        largest = 0.0
        for start in range(0, self.n, CHUNK):
            cdf = ndtr((self.ordered[start : start + CHUNK] - mu) / sigma)
            rank = np.arange(start, start + cdf.size, dtype=float)
            largest = max(largest, float(np.max((rank + 1) / self.n - cdf)), float(np.max(cdf - rank / self.n)))
        return largest

    def linear_bins(self, start: float, width: float, points: int) -> np.ndarray:
        """ISJ's linear binning (``isj``): each age's weight split between the two nearest of ``points`` nodes
        of [start, start + width], in the ages' given order by chunks."""
        weights = np.zeros(points)
        for first in range(0, self.n, CHUNK):
            position = (self.ages[first : first + CHUNK] - start) / width * (points - 1)
            left = np.minimum(np.floor(position).astype(int), points - 2)
            frac = position - left
            weights += np.bincount(left, 1 - frac, points) + np.bincount(left + 1, frac, points)
        return weights

    @classmethod
    def of(cls, ages: np.ndarray) -> "Sample":
        """The sample of ``ages`` (Gyr): one sort, then one pass over the runs of equal values (O(n))."""
        ages = np.asarray(ages, dtype=float)
        if ages.ndim != 1 or ages.size == 0:
            raise ValueError(f"Sample: expected a non-empty 1-D array of ages, got shape {ages.shape}")
        # Edges first, while only the ages are held: numpy's "auto" rule takes percentiles of a copy.
        auto_edges, lecture_edges = np.histogram_bin_edges(ages, bins="auto"), np.histogram_bin_edges(ages)
        ordered = np.sort(ages)
        ordered.setflags(write=False)
        distinct, largest = _runs(ordered)
        return cls(ages, ordered, distinct, largest, auto_edges, lecture_edges)


def as_sample(ages: "np.ndarray | Sample") -> Sample:
    """``ages`` as a ``Sample`` (sorted once), or the sample itself (a ``Sample`` or one that answers as one)."""
    return ages if hasattr(ages, "order_statistics") else Sample.of(ages)


def checked_ages(ages: np.ndarray) -> np.ndarray:
    """The ages as a finite 1-D float array with a positive spread, else DataError (what every rule needs)."""
    ages = np.asarray(ages, dtype=float)
    if ages.ndim != 1 or ages.size < 2 or not np.all(np.isfinite(ages)):
        raise DataError(f"bandwidth: expected at least 2 finite ages in Gyr, got {ages.size} values")
    if np.ptp(ages) == 0:
        raise DataError(f"bandwidth: all {ages.size} ages equal {ages[0]:g} Gyr; no bandwidth can be chosen")
    return ages


def _runs(ordered: np.ndarray) -> tuple[int, int]:
    """(distinct values, largest tie) of sorted ages, chunk by chunk."""
    n = ordered.size
    distinct, largest, run_start = 1, 1, 0
    for start in range(0, n - 1, CHUNK):
        stop = min(start + CHUNK, n - 1)
        changes = np.flatnonzero(ordered[start + 1 : stop + 1] != ordered[start:stop]) + start + 1
        if changes.size:
            starts = np.concatenate([[run_start], changes])
            largest = max(largest, int(np.diff(starts).max()))
            run_start = int(changes[-1])
            distinct += changes.size
    return distinct, max(largest, n - run_start)


def mean(values: np.ndarray) -> float:
    """``np.mean(values)`` (a reduction: no temporary at any n)."""
    return float(np.mean(values))


def spread(values: np.ndarray, centre: float, *, ddof: int = 0) -> float:
    """``sqrt(sum((values - centre)**2) / (n - ddof))``, the squares summed chunk by chunk.

    With ``centre = np.mean(values)`` and up to ``CHUNK`` values this is
    ``np.std(values, ddof=ddof)`` to the last bit (the same operations in the
    same order).
    """
    squares = sum(float(np.sum((values[start : start + CHUNK] - centre) ** 2)) for start in range(0, values.size, CHUNK))
    return float(np.sqrt(squares / (values.size - ddof)))


def quantile(sample: Sample, q: float) -> float:
    """numpy's default (linear) quantile of a sample's ages, with its ``_lerp``."""
    n = sample.n
    virtual = q * (n - 1)
    below = int(np.floor(virtual))
    t = virtual - below
    a, b = sample.order_statistics([below, min(below + 1, n - 1)])
    return float(b - (b - a) * (1 - t) if t >= 0.5 else a + (b - a) * t)


def _median(sample: Sample) -> float:
    """``np.median``: the middle age, or the mean of the middle two."""
    n = sample.n
    return float(np.mean(sample.order_statistics(np.arange((n - 1) // 2, n // 2 + 1))))


def summarise(ages: "np.ndarray | Sample", *, n_missing: int) -> Summary:
    """Count, centre, spread and range of the ages.

    Parameters
    ----------
    ages : ndarray, shape (n,), or Sample
        Ages in Gyr, missing values already removed; n >= 2.
    n_missing : int
        Stars dropped because their value was missing (reported, not used).

    Returns
    -------
    Summary
        Mean, median, standard deviation (``ddof=1``), min, max, quartiles
        (numpy's default linear interpolation), the number of ages above the
        age of the Universe (13.8 Gyr; kept in the data) and the number of
        distinct values (ties matter for cross-validated bandwidths).

    Raises
    ------
    ValueError
        If fewer than two ages are given (the sample standard deviation is undefined).

    Examples
    --------
    >>> s = summarise(np.array([1.0, 2.0, 3.0, 14.0]), n_missing=1)
    >>> s.mean, s.median, s.n_above_universe, s.n_distinct
    (5.0, 2.5, 1, 4)
    """
    if not hasattr(ages, "order_statistics"):
        ages = np.asarray(ages, dtype=float)
        if ages.ndim != 1 or ages.size < 2:
            raise ValueError(f"summarise: expected at least 2 ages in a 1-D array, got shape {ages.shape}")
    sample = as_sample(ages)
    n = sample.n
    centre = sample.mean()
    return Summary(
        n=n,
        n_missing=int(n_missing),
        mean=centre,
        median=_median(sample),
        std=sample.spread(centre, ddof=_STD_DDOF),
        std_ddof=_STD_DDOF,
        min=sample.minimum,
        max=sample.maximum,
        q25=quantile(sample, 0.25),
        q75=quantile(sample, 0.75),
        n_above_universe=sample.count_above(AGE_OF_UNIVERSE_GYR),
        n_distinct=sample.n_distinct,
    )


def counts_in(ordered: np.ndarray, edges: np.ndarray) -> np.ndarray:
    """``np.histogram(ordered, bins=edges)[0]`` by ``searchsorted``: half-open bins, the last closed."""
    cuts = np.searchsorted(ordered, edges[:-1], side="left")
    last = np.searchsorted(ordered, edges[-1], side="right")
    return np.diff(np.append(cuts, last))


def auto_histogram(ages: "np.ndarray | Sample") -> Histogram:
    """``np.histogram(ages, bins="auto")``.

    numpy's ``"auto"`` takes the smaller bin width of the Freedman-Diaconis
    and Sturges rules, so the bins adapt to the sample size and spread.

    Parameters
    ----------
    ages : ndarray, shape (n,), or Sample
        Ages in Gyr.

    Returns
    -------
    Histogram
        ``edges`` in Gyr (length k + 1) and integer ``counts`` (length k).

    Examples
    --------
    >>> h = auto_histogram(np.array([0.0, 1.0, 1.0, 2.0]))
    >>> sum(h.counts), len(h.edges) == len(h.counts) + 1
    (4, True)
    """
    sample = as_sample(ages)
    edges = sample.auto_edges
    return Histogram(edges=tuple(float(e) for e in edges), counts=tuple(int(c) for c in sample.bin_counts(edges)))


def empirical_cdf(ages: "np.ndarray | Sample", *, max_points: int = ECDF_MAX_POINTS) -> Ecdf:
    """The fraction of ages at or below each distinct age.

    Parameters
    ----------
    ages : ndarray, shape (n,), or Sample
        Ages in Gyr.
    max_points : int
        Beyond this many distinct ages, return the ages at ``max_points``
        evenly spaced fractions (``np.quantile``'s ``inverted_cdf``: index
        ``ceil(q n - 1)``) instead, so a catalog of millions of stars gives a
        small record.

    Examples
    --------
    >>> e = empirical_cdf(np.array([3.0, 1.0, 3.0, 2.0]))
    >>> e.x, e.fraction
    ((1.0, 2.0, 3.0), (0.25, 0.5, 1.0))
    """
    sample = as_sample(ages)
    n = sample.n
    if sample.n_distinct <= max_points:
        values, at_or_below = sample.distinct()
        return Ecdf(
            x=tuple(float(v) for v in values),
            fraction=tuple(float(f) for f in at_or_below / n),
            exact=True,
        )
    fraction = np.linspace(1.0 / max_points, 1.0, max_points)
    index = np.clip(np.ceil(fraction * n - 1).astype(np.intp), 0, n - 1)
    return Ecdf(x=tuple(float(v) for v in sample.order_statistics(index)), fraction=tuple(float(f) for f in fraction), exact=False)
