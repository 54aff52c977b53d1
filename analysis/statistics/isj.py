"""The Improved Sheather-Jones bandwidth (Botev, Grotowski & Kroese 2010), for any n.

The ages are binned linearly onto 1024 points in chunks (memory a small
fraction of the ages at any n), in their given order, so the bin weights, and
the bandwidth, are the same bits whatever else the analysis does with them.
"""

import numpy as np
from scipy.fft import dct
from scipy.optimize import brentq

from ..availability import NotAvailable, not_available
from .sample import Sample, checked_ages

__all__ = ["ISJ_MIN_DISTINCT", "improved_sheather_jones", "isj"]

#: Fewest distinct ages ISJ is tried on. With two, the binned ages are two spikes a quarter and
#: three quarters across the domain whatever their values, and the fixed-point equation has no
#: root for any split of the stars between them (``tests/statistics/test_rules.py`` tries them all). From
#: three it may have one; below about 10 distinct ages it often has none (on 300 normal,
#: uniform, log-normal and bimodal samples each: a root for 0-9 % at 4 ages, 18-86 % at 6,
#: 87-100 % at 10 and all at 13), and ``_fixed_point_root`` says so.
ISJ_MIN_DISTINCT = 3


def improved_sheather_jones(ages: np.ndarray, *, grid_points: int = 2**10) -> float:
    """Improved Sheather-Jones bandwidth in Gyr (Botev, Grotowski & Kroese 2010).

    Follows the authors' reference code ``kde.m``: the domain reaches half the
    data range beyond each extreme; the ages are linearly binned onto
    ``grid_points`` equally spaced points of that domain, rescaled to [0, 1];
    the DCT-II of the bin weights gives the cosine coefficients ``a_k``; the
    squared-bandwidth ``t`` solves ``t = xi * gamma^[7](t)`` (eq. 29 of the
    paper, seven stages), found with ``brentq``; the bandwidth is
    ``sqrt(t) * domain width``. As in ``kde.m``, the sample size in the
    fixed-point equation is the number of *distinct* ages.

    KDEpy 1.1 differs in two conventions: it pads the domain by
    ``max(range/2, 6)`` data units and multiplies ``sqrt(t)`` by the data
    range, not the domain width, so its value is ours divided by 2 whenever
    the range is at least 12 (KDEpy issues #199 and #201).

    Parameters
    ----------
    ages : ndarray, shape (n,)
        Ages in Gyr.
    grid_points : int
        Points of the binning grid, a power of two from 2**10 (KDEpy's
        choice, the default) to 2**14 (``kde.m``'s); once the grid step is far
        below the bandwidth the result hardly depends on it.

    Returns
    -------
    float
        Bandwidth (kernel standard deviation) in Gyr.

    Raises
    ------
    NotAvailable
        If there are fewer than ``ISJ_MIN_DISTINCT`` distinct ages, or the
        fixed-point equation has no root below t = 1 (common below about 10
        distinct ages).
    """
    return isj(Sample.of(checked_ages(ages)), grid_points=grid_points)


def isj(sample: Sample, *, grid_points: int = 2**10) -> float:
    """``improved_sheather_jones`` of a ``Sample`` (the pipeline's: its ages are checked already)."""
    if grid_points not in {2**p for p in range(10, 15)}:
        raise ValueError(f"grid_points: expected a power of two from 2**10 to 2**14, got {grid_points}")
    return _isj_from_bins(sample, sample.minimum, sample.maximum, sample.n_distinct, grid_points)


def _isj_from_bins(sample: Sample, low: float, high: float, distinct: int, grid_points: int) -> float:
    """Bin linearly (``kde.m``'s domain: half the range beyond each extreme), then solve."""
    n = sample.n
    if distinct < ISJ_MIN_DISTINCT:
        raise NotAvailable(
            not_available(
                f"n = {n}",
                f"ISJ needs at least {ISJ_MIN_DISTINCT} distinct ages; with {distinct} its fixed-point "
                "equation (Botev et al. 2010) has no root",
            )
        )
    span = high - low
    start, width = low - span / 2, 2 * span
    weights = sample.linear_bins(start, width, grid_points)
    coefficients = dct(weights / n, type=2)[1:]
    k_squared = np.arange(1, grid_points, dtype=float) ** 2
    t_star = _fixed_point_root(distinct, k_squared, coefficients**2, n_ages=n)
    return float(np.sqrt(t_star) * width)


def _norm_estimate(s: int, t: float, k_squared: np.ndarray, a_squared: np.ndarray) -> float:
    """||f^(s)||^2 of the density smoothed to time t (Parseval on the cosine series)."""
    return 0.5 * np.pi ** (2 * s) * np.sum(k_squared**s * a_squared * np.exp(-k_squared * np.pi**2 * t))


def _fixed_point(t: float, n: int, k_squared: np.ndarray, a_squared: np.ndarray) -> float:
    """``t - xi gamma^[l](t)`` with l = 7 stages (Botev et al. 2010, eqs. 29-30)."""
    norm = _norm_estimate(7, t, k_squared, a_squared)
    for s in range(6, 1, -1):
        if norm <= 0:
            # The roughness underflowed: the optimal t is effectively infinite, so t lies
            # below its fixed point; any finite negative value keeps brentq's bracket valid.
            return -1.0
        k0 = np.prod(np.arange(1, 2 * s, 2, dtype=float)) / np.sqrt(2 * np.pi)
        const = (1 + 0.5 ** (s + 0.5)) / 3
        # A roughness near underflow makes this time overflow to inf, whose smoothed roughness is
        # 0: the branch above then says t is below its fixed point, which is right, so no warning.
        with np.errstate(over="ignore"):
            time = (2 * const * k0 / (n * norm)) ** (2 / (3 + 2 * s))
        norm = _norm_estimate(s, time, k_squared, a_squared)
    return -1.0 if norm <= 0 else t - (2 * n * np.sqrt(np.pi) * norm) ** (-2 / 5)


def _fixed_point_root(n: int, k_squared: np.ndarray, a_squared: np.ndarray, *, n_ages: int) -> float:
    """Smallest bracketed root, widening the bracket as ``kde.m`` does; n distinct of ``n_ages`` ages."""
    args = (n, k_squared, a_squared)
    upper = 1e-11 + 0.01 * (min(max(n, 50), 1050) - 50) / 1000
    while upper < 1:
        if _fixed_point(upper, *args) > 0:
            return brentq(_fixed_point, 0.0, upper, args=args, xtol=1e-14, rtol=1e-12)
        upper *= 2
    raise NotAvailable(
        not_available(
            f"n = {n_ages}",
            f"the fixed-point equation of ISJ (Botev et al. 2010) has no root for these {n} distinct ages, "
            "as is common below about 10",
        )
    )


