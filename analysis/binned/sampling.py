"""The binned KDE as a mixture of one normal per occupied bin: its CDF far from the nodes' reach.

Each occupied bin's ages, each widened by N(0, h^2), are replaced by one normal
with the same weight, mean and variance (from the moments M_0, M_1, M_2),
exact to O((dx/h)^3). The engine takes the mass a KDE puts below 0 Gyr and above
the age of the Universe from it; its samples come from the ages themselves
(``exact.sample_kde``, exact and O(size)).
"""

import numpy as np
from scipy.special import ndtr

from .grid import BinnedData, checked_bandwidths

__all__ = ["component_cdf"]


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
