"""Sampling from a binned KDE (``binned.BinnedData``) when the raw ages are not at hand.

Each occupied bin's ages, each widened by N(0, h^2), are replaced by one normal
with the same weight, mean and variance (from the moments M_0, M_1, M_2),
exact to O((dx/h)^3). From raw ages use ``resample.sample_kde``, which is exact
and already O(size).
"""

import numpy as np
from scipy.special import ndtr

from .grid import BinnedData, checked_bandwidths

__all__ = ["component_cdf", "envelope_multinomial", "sample_binned"]


def _components(binned: BinnedData, bandwidth: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per occupied bin: weight (count / n), mean age (Gyr) and sd (Gyr) of its normal component."""
    count, first, second = binned.moments[:3]
    occupied = count > 0
    count, first, second = count[occupied], first[occupied], second[occupied]
    nodes = binned.lo_gyr + binned.step_gyr * np.flatnonzero(occupied)
    mean_u = first / count
    spread = np.maximum(second / count - mean_u**2, 0.0) * binned.step_gyr**2
    return count / binned.n, nodes + mean_u * binned.step_gyr, np.sqrt(bandwidth**2 + spread)


def component_cdf(binned: BinnedData, bandwidth: float, x) -> np.ndarray:
    """The binned KDE's CDF at ``x`` (Gyr) from its per-bin normal components."""
    weight, mean, sd = _components(binned, checked_bandwidths(bandwidth)[0])
    x = np.atleast_1d(np.asarray(x, dtype=float))
    return weight @ ndtr((x[None, :] - mean[:, None]) / sd[:, None])


def sample_binned(binned: BinnedData, bandwidth: float, size: int, *, rng: np.random.Generator) -> np.ndarray:
    """``size`` ages (Gyr) drawn from the binned KDE in O(bins + size log bins).

    A bin is picked with probability count / n, then a normal draw from its component.
    """
    if size < 0:
        raise ValueError(f"sample_binned: size must be >= 0, got {size!r}")
    weight, mean, sd = _components(binned, checked_bandwidths(bandwidth)[0])
    which = rng.choice(weight.size, size=size, p=weight)
    return mean[which] + sd[which] * rng.standard_normal(size)


def envelope_multinomial(
    binned: BinnedData, bandwidth: float, edges, n: int, replicates: int, *, rng: np.random.Generator
) -> np.ndarray:
    """Histogram counts of ``replicates`` synthetic samples of n ages, shape (replicates, k).

    The counts of n iid draws in the k bins of ``edges`` (Gyr) are
    multinomial with the KDE's bin probabilities, so each replicate is one
    multinomial draw: O(replicates x k + bins x k) instead of O(replicates x n).
    Draws outside [edges[0], edges[-1]] fall in an extra cell that is dropped,
    as ``np.histogram`` drops them.
    """
    edges = np.asarray(edges, dtype=float)
    if edges.ndim != 1 or edges.size < 2 or np.any(np.diff(edges) <= 0):
        raise ValueError(f"envelope_multinomial: edges must be at least 2 increasing values in Gyr, got {edges!r}")
    if n < 0 or replicates < 1:
        raise ValueError(f"envelope_multinomial: expected n >= 0 and replicates >= 1, got {n}, {replicates}")
    cdf = component_cdf(binned, bandwidth, edges)
    inside = np.clip(np.diff(cdf), 0.0, None)
    cells = np.append(inside, max(0.0, 1.0 - inside.sum()))
    return rng.multinomial(n, cells / cells.sum(), size=replicates)[:, :-1]
