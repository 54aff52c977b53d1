"""Exact Gaussian-kernel log densities, the reference every other path is checked against."""

import numpy as np
from scipy.special import logsumexp

__all__ = ["log_density"]

_LOG_SQRT_2PI = 0.5 * np.log(2.0 * np.pi)
_CHUNK_FLOATS = 1 << 22


def log_density(train: np.ndarray, points: np.ndarray, bandwidth: float) -> np.ndarray:
    """log of the Gaussian KDE of ``train`` (Gyr) at ``points`` (Gyr).

    Equal to ``KernelDensity(bandwidth=bandwidth).fit(train[:, None])
    .score_samples(points[:, None])``; uses ``logsumexp`` so that points far
    from every training age (many bandwidths away) stay finite.

    Parameters
    ----------
    train : ndarray, shape (n,)
    points : ndarray, shape (m,)
    bandwidth : float
        Kernel standard deviation in Gyr.

    Returns
    -------
    ndarray, shape (m,)
        Log density in log(1/Gyr).
    """
    train = np.asarray(train, dtype=float)
    points = np.asarray(points, dtype=float)
    # Chunk over points so that the (chunk, n) matrix stays near 2**22 floats.
    chunk = max(1, _CHUNK_FLOATS // max(train.size, 1))
    out = np.empty(points.size)
    for start in range(0, points.size, chunk):
        z = (points[start : start + chunk, None] - train[None, :]) / bandwidth
        out[start : start + chunk] = logsumexp(-0.5 * z * z, axis=1)
    return out - np.log(train.size * bandwidth) - _LOG_SQRT_2PI
