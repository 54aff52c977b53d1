"""Exact leave-one-out (LOO) log scores per star, and the exact repair of the stars a binned engine cannot trust.

For star i the LOO score is log f_{-i}(x_i), the KDE of the other n - 1
stars at x_i (or, with a precision q, its interval score
log((F_{-i}(x_i + q/2) - F_{-i}(x_i - q/2)) / q)). It is deterministic: no
folds, no seed.
"""


import numpy as np

from ..errors import DataError
from .mixture import log_mixture_density, log_mixture_mass
from .models import components_for, interval_edges
from .normal_mass import LOG_SQRT_2PI

__all__ = ["PAIRWISE_MAX_N", "PairwiseLoo", "loo_log_scores", "window_bandwidths", "windowed_loo"]

#: Up to this many ages the point-score LOO of a bandwidth search keeps the n x n squared distances
#: (32 MB at 2048) and evaluates each bandwidth in one pass over them (``PairwiseLoo``).
PAIRWISE_MAX_N = 2048

#: Stars per block and pairs (star, neighbour) per chunk of the windowed recomputation: at most
#: 256 kB per temporary, so a catalog's repair holds a few MB whatever its size.
_STARS_PER_BLOCK = 1 << 13
_PAIRS_PER_CHUNK = 1 << 15


def loo_log_scores(
    ages: np.ndarray,
    bandwidth: float,
    *,
    kind: str = "gaussian",
    precision: float | None = None,
    sigmas: np.ndarray | None = None,
) -> np.ndarray:
    """Each star's exact leave-one-out log score under a KDE of the other stars.

    Parameters
    ----------
    ages : ndarray, shape (n,)
        Ages in Gyr, n >= 2.
    bandwidth : float
        h in Gyr (log Gyr for ``kind="log"``).
    kind : str
        ``"gaussian"``, ``"reflected"`` or ``"log"`` (``models.KDE_KINDS``).
    precision : float, optional
        The ages' reporting quantum q in Gyr: score intervals, not points.
    sigmas : ndarray, shape (n,), optional
        One-sigma uncertainties in Gyr (error-convolved KDE, ``kind="gaussian"``).

    Returns
    -------
    ndarray, shape (n,)
        log f_{-i}(x_i) in log(1/Gyr) (or the interval score), star order.
        Exact sums in log space: an isolated star's score is its true (very
        negative) value, never floored. Stars that are identical (same age,
        same sigma) are computed once.

    Notes
    -----
    Cost O(n_distinct x n_distinct) time, O(chunk x n_distinct) memory.
    Leaving star i out lowers its group's count by one (``mixture``), so a
    star tied with others keeps their kernels, as it should.

    Examples
    --------
    >>> s = loo_log_scores(np.array([0.0, 1.0]), 1.0)   # each scored by the other's N(., 1)
    >>> bool(np.allclose(s, -0.5 - 0.5 * np.log(2 * np.pi)))
    True
    """
    ages = np.asarray(ages, dtype=float)
    if ages.ndim != 1 or ages.size < 2:
        raise DataError(f"ages: leave-one-out needs at least 2 ages in Gyr, got {ages.size}")
    comp, groups = components_for(ages, bandwidth, kind=kind, sigmas=sigmas)
    distinct = np.unique(groups, return_index=True)[1]  # one representative star per group
    x = ages[distinct]
    own = groups[distinct]
    if precision is None:
        t = np.log(x) if kind == "log" else x
        values = log_mixture_density(t, comp, own=own) - (np.log(x) if kind == "log" else 0.0)
    else:
        lower, upper = interval_edges(x, precision)
        if kind == "reflected":
            lower, upper = np.maximum(lower, 0.0), upper
        if kind == "log":
            with np.errstate(divide="ignore", invalid="ignore"):
                lower = np.where(lower > 0, np.log(np.maximum(lower, 0.0)), -np.inf)
            upper = np.log(upper)
        values = log_mixture_mass(lower, upper, comp, own=own) - np.log(precision)
    by_group = np.empty(values.size)
    by_group[own] = values
    return by_group[groups]


class PairwiseLoo:
    """Point-score LOO of one set of ages at many bandwidths, from their squared distances kept once.

    The same values as ``loo_log_scores`` (precision and sigmas None) for
    kinds ``"gaussian"``, ``"reflected"`` and ``"log"``: star i's own term is
    left out by index (a tied star keeps its twins' kernels), the sums run in
    log space from the largest term, so an isolated star's score is exact.
    A search over h calls it dozens of times; each call is one pass over n^2
    numbers instead of rebuilding the mixture.
    """

    def __init__(self, ages: np.ndarray, *, kind: str = "gaussian"):
        ages = np.asarray(ages, dtype=float)
        if ages.ndim != 1 or ages.size < 2 or ages.size > PAIRWISE_MAX_N:
            raise DataError(f"ages: expected 2 to {PAIRWISE_MAX_N} ages in Gyr, got {ages.size}")
        components_for(ages, 1.0, kind=kind)  # checks the ages for the kind
        x = np.log(ages) if kind == "log" else ages
        self.n, self.kind, self.jacobian = ages.size, kind, np.log(ages) if kind == "log" else 0.0
        squared = (x[:, None] - x[None, :]) ** 2
        np.fill_diagonal(squared, np.inf)
        if kind == "reflected":  # the mirror images -x_j of the others (star i's own image leaves with it)
            mirrored = (x[:, None] + x[None, :]) ** 2
            np.fill_diagonal(mirrored, np.inf)
            squared = np.concatenate([squared, mirrored], axis=1)
        self.squared = squared
        self.nearest = squared.min(axis=1)

    def __call__(self, h: float) -> np.ndarray:
        """Each star's LOO log density (log(1/Gyr)) at bandwidth h (ln Gyr for ``"log"``), star order."""
        scale = -0.5 / (h * h)
        terms = np.exp((self.squared - self.nearest[:, None]) * scale)
        log_sum = self.nearest * scale + np.log(terms.sum(axis=1))
        return log_sum - np.log((self.n - 1) * h) - LOG_SQRT_2PI - self.jacobian


def window_bandwidths(n: int) -> float:
    """k such that a window of (nearest-neighbour distance + k h) misses nothing a double can hold.

    With d the distance to the nearest other star, the kept sum is at least
    K_h(d). A star r >= d + k h away contributes K_h(r) <= K_h(d)
    exp(-((d + kh)^2 - d^2) / (2h^2)) <= K_h(d) exp(-k^2/2), and there are at
    most n - 2 of them, so the omitted total is at most
    (n - 2) exp(-k^2/2) K_h(d) <= eps K_h(d) with eps = 2**-53 when
    k = sqrt(2 log((n - 1)/eps)): below the rounding of the kept sum.

    >>> round(window_bandwidths(10**6), 2)
    10.06
    """
    return float(np.sqrt(2.0 * (np.log(max(n - 1, 1)) + 53 * np.log(2.0))))


def windowed_loo(
    x: np.ndarray, stars: np.ndarray, h: float, *, counts: np.ndarray | None = None, k: float | None = None
) -> np.ndarray:
    """Exact log f_{-i}(x_i) (log(1/Gyr)) for ``stars`` (indices into sorted x) from their windows of neighbours.

    ``counts`` (optional, shape of x, integers >= 1) makes x distinct values
    held by that many stars each (a catalog's cells): star i's own value then
    keeps ``counts[i] - 1`` kernels, and n is ``counts.sum()``. ``k`` defaults
    to ``window_bandwidths(n)``. Stars are taken ``_STARS_PER_BLOCK`` at a time
    and their pairs ``_PAIRS_PER_CHUNK`` at a time, so memory is bounded
    whatever the catalog's size or the number of stars asked for.
    """
    n = float(x.size if counts is None else np.sum(counts))
    k = window_bandwidths(int(n)) if k is None else k
    out = np.empty(stars.size)
    for first in range(0, stars.size, _STARS_PER_BLOCK):
        block = stars[first : first + _STARS_PER_BLOCK]
        out[first : first + block.size] = _window_sums(x, block, h, counts, k)
    return out - np.log((n - 1) * h) - LOG_SQRT_2PI


def _window_sums(x: np.ndarray, stars: np.ndarray, h: float, counts: np.ndarray | None, k: float) -> np.ndarray:
    """``log sum_j w_j exp(-(x_j - x_i)**2 / 2h**2)`` over each star's window (``windowed_loo``).

    The stars' pairs are walked in chunks of ``_PAIRS_PER_CHUNK``, a window
    that spans chunks (a tail star at a wide bandwidth sees most of a
    catalog) merged by a running log-sum-exp.
    """
    # Each star's gaps to its neighbours, for these stars only (a catalog flags few of its stars);
    # a value held by two or more stars is its own nearest neighbour.
    at = x[stars]
    left = np.where(stars > 0, at - x[np.maximum(stars - 1, 0)], np.inf)
    right = np.where(stars < x.size - 1, x[np.minimum(stars + 1, x.size - 1)] - at, np.inf)
    tied = False if counts is None else counts[stars] > 1
    radius = np.where(tied, 0.0, np.minimum(left, right)) + k * h
    lo = np.searchsorted(x, at - radius, side="left")
    sizes = np.searchsorted(x, at + radius, side="right") - lo
    ends = np.cumsum(sizes)  # pairs up to and including each star
    peak, sums = np.full(stars.size, -np.inf), np.zeros(stars.size)
    for begin in range(0, int(ends[-1]) if ends.size else 0, _PAIRS_PER_CHUNK):
        pair = np.arange(begin, min(begin + _PAIRS_PER_CHUNK, int(ends[-1])))
        owner = np.searchsorted(ends, pair, side="right")
        neighbour = lo[owner] + pair - (ends[owner] - sizes[owner])
        # Leave the star itself out: its value keeps its ties' kernels (none for a lone star).
        weight = (1.0 if counts is None else counts[neighbour]) - (neighbour == stars[owner])
        z = (x[neighbour] - at[owner]) / h
        with np.errstate(divide="ignore"):
            log_terms = -0.5 * z * z + np.log(weight)
        first = np.flatnonzero(np.diff(owner, prepend=-1))  # each owner's first pair in this chunk
        who = owner[first]
        top = np.maximum.reduceat(log_terms, first)
        local = np.repeat(np.arange(first.size), np.diff(np.append(first, owner.size)))
        with np.errstate(invalid="ignore"):
            part = np.add.reduceat(np.exp(log_terms - top[local]), first)
            merged = np.maximum(peak[who], top)
            # A part that is the star alone (weight 0) adds nothing; nor does a star's empty past.
            old = np.where(np.isneginf(peak[who]), 0.0, sums[who] * np.exp(peak[who] - merged))
            new = np.where(np.isneginf(top), 0.0, part * np.exp(top - merged))
        sums[who], peak[who] = old + new, merged
    # Every window holds the star and its nearest neighbour, so every sum is positive.
    return peak + np.log(sums)
