"""The descriptive records of a catalog from its ages sorted once, in bounded memory.

The exact path's ``summarise``, ``fit_gaussian``, ``tie_report``,
``auto_histogram`` and ``empirical_cdf`` each sort or copy the ages (``np.unique``,
``np.percentile``, ``kstest``), several times the input's memory at 1e7 ages.
Here one sorted copy is shared: quantiles are read off by index, ties and
distinct values come from runs counted chunk by chunk, histogram counts from
``searchsorted`` on the edges, and the Kolmogorov-Smirnov statistic from the
normal CDF chunk by chunk. The records are the same as the exact functions'
(tests compare them) up to floating-point summation order.
"""

from dataclasses import dataclass

import numpy as np
from scipy import stats
from scipy.special import ndtr

from .bandwidth import tie_message
from ..config import AGE_OF_UNIVERSE_GYR
from .gaussian import SMOOTH_POINTS, SMOOTH_SIGMAS
from .histogram import ECDF_MAX_POINTS
from ..results import Ecdf, GaussianFit, Histogram, Summary, TieReport

__all__ = ["Runs", "counts_in", "runs", "sorted_ecdf", "sorted_gaussian", "sorted_histogram",
           "sorted_std", "sorted_summary", "sorted_ties"]

#: Values processed per vectorised chunk: temporaries of about 1 MB at any n.
_CHUNK = 2**15
#: Sample standard deviation, as ``summary._STD_DDOF``.
_STD_DDOF = 1
#: Free parameters of the normal (mu, sigma), for the AIC.
_N_PARAMETERS = 2


@dataclass(frozen=True)
class Runs:
    """Distinct values and the longest run of equal values in sorted ages."""

    n_distinct: int
    largest: int


def runs(ordered: np.ndarray) -> Runs:
    """Count distinct values and the largest tie of sorted ages, chunk by chunk (O(n), O(chunk) memory)."""
    n = ordered.size
    distinct, largest, run_start = 1, 1, 0
    for start in range(0, n - 1, _CHUNK):
        stop = min(start + _CHUNK, n - 1)
        changes = np.flatnonzero(ordered[start + 1 : stop + 1] != ordered[start:stop]) + start + 1
        if changes.size:
            starts = np.concatenate([[run_start], changes])
            largest = max(largest, int(np.diff(starts).max()))
            run_start = int(changes[-1])
            distinct += changes.size
    return Runs(n_distinct=distinct, largest=max(largest, n - run_start))


def _quantile(ordered: np.ndarray, q: float) -> float:
    """numpy's default (linear) quantile of sorted values, with its ``_lerp``."""
    virtual = q * (ordered.size - 1)
    below = int(np.floor(virtual))
    t = virtual - below
    a, b = ordered[below], ordered[min(below + 1, ordered.size - 1)]
    return float(b - (b - a) * (1 - t) if t >= 0.5 else a + (b - a) * t)


def sorted_std(ordered: np.ndarray, *, ddof: int = 0) -> float:
    """``np.std(ages, ddof=ddof)`` (Gyr) without its temporary copy: squares summed chunk by chunk."""
    mean = float(np.mean(ordered))
    squares = sum(float(np.sum((ordered[start : start + _CHUNK] - mean) ** 2)) for start in range(0, ordered.size, _CHUNK))
    return float(np.sqrt(squares / (ordered.size - ddof)))


def counts_in(ordered: np.ndarray, edges: np.ndarray) -> np.ndarray:
    """``np.histogram(ordered, bins=edges)[0]`` by ``searchsorted``: half-open bins, the last closed."""
    cuts = np.searchsorted(ordered, edges[:-1], side="left")
    last = np.searchsorted(ordered, edges[-1], side="right")
    return np.diff(np.append(cuts, last))


def sorted_summary(ordered: np.ndarray, *, n_missing: int, distinct: int) -> Summary:
    """``summary.summarise`` of sorted ages (Gyr), with the distinct count from ``runs``."""
    n = ordered.size
    return Summary(
        n=int(n),
        n_missing=int(n_missing),
        mean=float(np.mean(ordered)),
        median=_quantile(ordered, 0.5),
        std=sorted_std(ordered, ddof=_STD_DDOF),
        std_ddof=_STD_DDOF,
        min=float(ordered[0]),
        max=float(ordered[-1]),
        q25=_quantile(ordered, 0.25),
        q75=_quantile(ordered, 0.75),
        n_above_universe=int(n - np.searchsorted(ordered, AGE_OF_UNIVERSE_GYR, side="right")),
        n_distinct=int(distinct),
    )


def sorted_ties(ordered: np.ndarray, found: Runs) -> TieReport:
    """``bandwidth.tie_report`` from the runs of sorted ages."""
    n = int(ordered.size)
    heavy, message = tie_message(n, found.n_distinct, found.largest)
    return TieReport(n=n, n_distinct=found.n_distinct, largest_tie=found.largest, heavy=heavy, message=message)


def sorted_ecdf(ordered: np.ndarray, *, n_distinct: int, max_points: int = ECDF_MAX_POINTS) -> Ecdf:
    """``histogram.empirical_cdf`` of sorted ages with ``n_distinct`` distinct values.

    Up to ``max_points`` distinct values, one step at each run's end; beyond,
    the ages at ``max_points`` evenly spaced fractions by numpy's
    ``inverted_cdf`` rule: index ``ceil(q n - 1)``.
    """
    if n_distinct <= max_points:
        ends = np.append(np.flatnonzero(ordered[1:] != ordered[:-1]), ordered.size - 1)
        return Ecdf(
            x=tuple(float(v) for v in ordered[ends]),
            fraction=tuple(float(f) for f in (ends + 1) / ordered.size),
            exact=True,
        )
    fraction = np.linspace(1.0 / max_points, 1.0, max_points)
    index = np.clip(np.ceil(fraction * ordered.size - 1).astype(np.intp), 0, ordered.size - 1)
    return Ecdf(x=tuple(float(v) for v in ordered[index]), fraction=tuple(float(f) for f in fraction), exact=False)


def _ks_statistic(ordered: np.ndarray, mu: float, sigma: float) -> float:
    """``max(i/n - F(x_i), F(x_i) - (i-1)/n)`` for the normal CDF F, chunk by chunk."""
    n, largest = ordered.size, 0.0
    for start in range(0, n, _CHUNK):
        cdf = ndtr((ordered[start : start + _CHUNK] - mu) / sigma)
        rank = np.arange(start, start + cdf.size, dtype=float)
        largest = max(largest, float(np.max((rank + 1) / n - cdf)), float(np.max(cdf - rank / n)))
    return largest


def sorted_gaussian(ordered: np.ndarray, *, edges: np.ndarray) -> GaussianFit:
    """``gaussian.fit_gaussian`` of sorted ages (Gyr); ``edges`` = ``np.histogram_bin_edges(ages)``.

    The maximum-likelihood normal has ``sigma**2 = mean((x - mu)**2)``, so the
    summed log-likelihood is ``-n/2 (log(2 pi sigma**2) + 1)``; the KS p-value
    is ``scipy.stats.kstwo.sf(D, n)``, what ``kstest`` computes.
    """
    n = ordered.size
    mu = float(np.mean(ordered))
    sigma = sorted_std(ordered)
    log_likelihood = float(-0.5 * n * (np.log(2 * np.pi * sigma**2) + 1.0))
    ks = _ks_statistic(ordered, mu, sigma)
    # The same smooth curve as fit_gaussian: the data and mu +- 4 sigma.
    smooth_x = np.linspace(
        min(float(ordered[0]), mu - SMOOTH_SIGMAS * sigma), max(float(ordered[-1]), mu + SMOOTH_SIGMAS * sigma), SMOOTH_POINTS
    )
    return GaussianFit(
        mu=mu,
        sigma=sigma,
        log_likelihood=log_likelihood,
        aic=float(2 * _N_PARAMETERS - 2.0 * log_likelihood),
        ks_statistic=ks,
        ks_pvalue=float(np.clip(stats.kstwo.sf(ks, n), 0.0, 1.0)),
        lecture_edges=tuple(float(e) for e in edges),
        lecture_histogram=tuple(int(c) for c in counts_in(ordered, edges)),
        lecture_counts=tuple(float(c) for c in stats.norm.pdf(edges, mu, sigma) * n),
        smooth_x=tuple(float(x) for x in smooth_x),
        smooth_density=tuple(float(d) for d in stats.norm.pdf(smooth_x, mu, sigma)),
    )


def sorted_histogram(ordered: np.ndarray, edges: np.ndarray) -> Histogram:
    """``histogram.auto_histogram`` given its edges (``np.histogram_bin_edges(ages, "auto")``)."""
    return Histogram(edges=tuple(float(e) for e in edges), counts=tuple(int(c) for c in counts_in(ordered, edges)))
