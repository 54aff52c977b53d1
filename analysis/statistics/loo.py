"""Exact leave-one-out (LOO) log scores per star, and the exact repair of a binned engine's LOO densities.

For star i the LOO score is log f_{-i}(x_i), the KDE of the other n - 1
stars at x_i (or, with a precision q, its interval score
log((F_{-i}(x_i + q/2) - F_{-i}(x_i - q/2)) / q)). It is deterministic: no
folds, no seed.
"""

from dataclasses import dataclass

import numpy as np

from ..errors import DataError
from .mixture import log_mixture_density, log_mixture_mass
from .models import components_for, interval_edges
from .normal_mass import LOG_SQRT_2PI

__all__ = ["PAIRWISE_MAX_N", "PairwiseLoo", "RefinedLoo", "loo_log_scores", "refine_binned_loo", "window_bandwidths", "windowed_loo"]

#: Up to this many ages the point-score LOO of a bandwidth search keeps the n x n squared distances
#: (32 MB at 2048) and evaluates each bandwidth in one pass over them (``PairwiseLoo``).
PAIRWISE_MAX_N = 2048

#: Relative error of a binned LOO density accepted without recomputing it: a per-star log error
#: of at most ~1e-6, far below the standard error of any mean score (>= 1e-3 up to n = 1e6).
DEFAULT_RTOL = 1e-6
#: Pairs (star, neighbour) per chunk of the windowed recomputation (8 MB per temporary).
_PAIRS_PER_CHUNK = 1 << 20


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


@dataclass(frozen=True, eq=False)
class RefinedLoo:
    """LOO log densities of sorted ages after exact recomputation where the binned value was not accurate.

    Attributes
    ----------
    log_densities : ndarray, shape (n,)
        log f_{-i}(x_i) in log(1/Gyr), in the order of the sorted ages given.
    recomputed : ndarray of bool, shape (n,)
        Which stars were recomputed exactly.
    window_bandwidths : float
        k of ``window_bandwidths(n)``: each recomputed star summed every star within d_i + k h.
    """

    log_densities: np.ndarray
    recomputed: np.ndarray
    window_bandwidths: float


def refine_binned_loo(
    sorted_ages: np.ndarray,
    bandwidth: float,
    approx_log_density: np.ndarray,
    abs_error_bound: np.ndarray,
    *,
    rtol: float = DEFAULT_RTOL,
) -> RefinedLoo:
    """Recompute exactly every star whose binned LOO density is not accurate to ``rtol``; no floor.

    Parameters
    ----------
    sorted_ages : ndarray, shape (n,)
        Ages in Gyr, sorted ascending (the binned engine's order).
    bandwidth : float
        h in Gyr.
    approx_log_density : ndarray, shape (n,)
        The engine's log f_{-i}(x_i) (``-inf``/nan where its density was <= 0).
    abs_error_bound : ndarray, shape (n,)
        A bound on the absolute error of the engine's LOO *density* (1/Gyr),
        e.g. its binning error bound.
    rtol : float
        A star is kept when bound <= rtol x its density (then its log is off
        by at most ~rtol); otherwise recomputed.

    Returns
    -------
    RefinedLoo

    Notes
    -----
    Star i is recomputed as logsumexp over the stars j != i with
    |x_j - x_i| <= d_i + k h (d_i its nearest-neighbour distance, k from
    ``window_bandwidths``), found by ``searchsorted``; pairs are processed in
    chunks (O(chunk) memory). Cost: O(sum of window sizes) for the flagged stars.
    """
    x = np.asarray(sorted_ages, dtype=float)
    approx = np.asarray(approx_log_density, dtype=float)
    bound = np.asarray(abs_error_bound, dtype=float)
    if x.ndim != 1 or x.size < 2 or np.any(x[1:] < x[:-1]):
        raise DataError(f"sorted_ages: expected at least 2 ages in Gyr sorted ascending, got {x.size} values")
    if approx.shape != x.shape or bound.shape != x.shape:
        raise DataError(
            f"approx_log_density, abs_error_bound: expected shape {x.shape}, got {approx.shape}, {bound.shape}"
        )
    with np.errstate(over="ignore", invalid="ignore"):
        accurate = np.isfinite(approx) & (bound <= rtol * np.exp(approx))
    flagged = np.flatnonzero(~accurate)
    k = window_bandwidths(x.size)
    out = approx.copy()
    if flagged.size:
        out[flagged] = windowed_loo(x, flagged, bandwidth, k=k)
    return RefinedLoo(log_densities=out, recomputed=~accurate, window_bandwidths=k)


def windowed_loo(
    x: np.ndarray, stars: np.ndarray, h: float, *, counts: np.ndarray | None = None, k: float | None = None
) -> np.ndarray:
    """Exact log f_{-i}(x_i) (log(1/Gyr)) for ``stars`` (indices into sorted x) from their windows of neighbours.

    ``counts`` (optional, shape of x, integers >= 1) makes x distinct values
    held by that many stars each (a catalog's cells): star i's own value then
    keeps ``counts[i] - 1`` kernels, and n is ``counts.sum()``. ``k`` defaults
    to ``window_bandwidths(n)``.
    """
    w = np.ones(x.size) if counts is None else np.asarray(counts, dtype=float)
    n = float(w.sum())
    k = window_bandwidths(int(n)) if k is None else k
    # Each star's gaps to its neighbours, for these stars only (a catalog flags few of its stars);
    # a value held by two or more stars is its own nearest neighbour.
    at = x[stars]
    left = np.where(stars > 0, at - x[np.maximum(stars - 1, 0)], np.inf)
    right = np.where(stars < x.size - 1, x[np.minimum(stars + 1, x.size - 1)] - at, np.inf)
    radius = np.where(w[stars] > 1, 0.0, np.minimum(left, right)) + k * h
    lo = np.searchsorted(x, x[stars] - radius, side="left")
    hi = np.searchsorted(x, x[stars] + radius, side="right")
    out = np.empty(stars.size)
    sizes = hi - lo
    start = 0
    while start < stars.size:
        # As many stars as fit in one chunk of pairs (at least one).
        stop = start + max(1, int(np.searchsorted(np.cumsum(sizes[start:]), _PAIRS_PER_CHUNK, side="right")))
        block = slice(start, stop)
        owner = np.repeat(np.arange(stop - start), sizes[block])
        offsets = np.arange(owner.size) - np.repeat(np.cumsum(sizes[block]) - sizes[block], sizes[block])
        neighbour = lo[block][owner] + offsets
        # Leave the star itself out: its value keeps its ties' kernels (none for a lone star).
        weight = w[neighbour] - (neighbour == stars[block][owner])
        z = (x[neighbour] - x[stars[block]][owner]) / h
        with np.errstate(divide="ignore"):
            log_terms = -0.5 * z * z + np.log(weight)
        # Each window holds the star and its nearest neighbour, so every segment has a positive weight.
        first = np.concatenate([[0], np.cumsum(sizes[block])[:-1]])
        peak = np.maximum.reduceat(log_terms, first)
        sums = np.add.reduceat(np.exp(log_terms - peak[owner]), first)
        out[block] = peak + np.log(sums)
        start = stop
    return out - np.log((n - 1) * h) - LOG_SQRT_2PI
