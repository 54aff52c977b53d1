"""Gaussian KDE curves on a grid: scikit-learn at a given bandwidth, scipy at Scott's.

Both are the same estimator, ``(1/(n h)) sum_i phi((x - a_i)/h)`` in 1/Gyr;
the curves also carry ``counts = density * n`` (stars per Gyr) so they can be
drawn over a histogram of counts.
"""

import logging

import numpy as np

from ..results import KdeCurve

__all__ = ["kde_curve", "kde_grid", "scipy_curve", "sklearn_curve"]

log = logging.getLogger(__name__)

#: Kernel widths the grid reaches beyond the extreme ages (the curve's tails
#: lose at most Phi(-3) = 0.13 % of a star's mass at each end).
_REACH = 3.0
#: At least 4 points per bandwidth, so each kernel is resolved.
_POINTS_PER_BANDWIDTH = 4
_MIN_POINTS = 512
_MAX_POINTS = 20001


def kde_grid(ages: np.ndarray, bandwidth: float) -> np.ndarray:
    """Equally spaced ages from ``min - 3h`` to ``max + 3h`` in Gyr.

    The step is at most h/4 with at least 512 points; the count is capped at
    20001 points to bound the size of figures and JSON. The cap binds only
    when h < span / 80000 (under 0.2 Myr for a 15 Gyr span); the step is
    then larger than h/4 and a warning is logged.

    Parameters
    ----------
    ages : ndarray, shape (n,)
        Ages in Gyr.
    bandwidth : float
        Kernel standard deviation h in Gyr.

    Returns
    -------
    ndarray, shape (m,), 512 <= m <= 20001
    """
    ages = np.asarray(ages, dtype=float)
    lo, hi = ages.min() - _REACH * bandwidth, ages.max() + _REACH * bandwidth
    wanted = int(np.ceil((hi - lo) / (bandwidth / _POINTS_PER_BANDWIDTH))) + 1
    points = min(max(wanted, _MIN_POINTS), _MAX_POINTS)
    if wanted > _MAX_POINTS:
        log.warning(
            "KDE grid for h = %.3g Gyr capped at %d points (step %.3g Gyr > h/4); "
            "peaks narrower than the step are under-resolved in the drawn curve",
            bandwidth,
            _MAX_POINTS,
            (hi - lo) / (_MAX_POINTS - 1),
        )
    return np.linspace(lo, hi, points)


def kde_curve(method: str, kind: str, bandwidth: float, x: np.ndarray, density: np.ndarray, n: int) -> KdeCurve:
    """A curve record: ``density`` (1/Gyr) at ``x`` (Gyr) and ``counts = density * n`` (stars per Gyr)."""
    return KdeCurve(
        method=method,
        kind=kind,
        bandwidth=float(bandwidth),
        x=tuple(float(v) for v in x),
        density=tuple(float(v) for v in density),
        counts=tuple(float(v) for v in density * n),
    )


def sklearn_curve(ages: np.ndarray, bandwidth: float, *, kind: str) -> KdeCurve:
    """``KernelDensity(kernel="gaussian", bandwidth=h)`` evaluated on ``kde_grid``.

    Parameters
    ----------
    ages : ndarray, shape (n,)
        Ages in Gyr.
    bandwidth : float
        Kernel standard deviation h in Gyr (never the string ``"scott"``:
        scikit-learn's rule ignores the spread of the data).
    kind : str
        ``"grid"`` or the rule name that chose ``bandwidth``.

    Returns
    -------
    KdeCurve
        ``method="sklearn"``; density in 1/Gyr, counts in stars per Gyr.
    """
    # Imported here: scikit-learn takes a third of a second to import, which the faces that only name
    # this engine (a rebuild with nothing changed imports them) should not pay.
    from sklearn.neighbors import KernelDensity

    ages = np.asarray(ages, dtype=float)
    x = kde_grid(ages, bandwidth)
    model = KernelDensity(kernel="gaussian", bandwidth=bandwidth).fit(ages[:, None])
    return kde_curve("sklearn", kind, bandwidth, x, np.exp(model.score_samples(x[:, None])), ages.size)


def scipy_curve(ages: np.ndarray) -> KdeCurve:
    """``scipy.stats.gaussian_kde(ages)`` with its default Scott factor, on ``kde_grid``.

    The bandwidth in Gyr is ``factor * std(ages, ddof=1)``, the square root
    of the kernel covariance scipy uses.

    Returns
    -------
    KdeCurve
        ``method="scipy"``, ``kind="scott"``.
    """
    from scipy.stats import gaussian_kde

    ages = np.asarray(ages, dtype=float)
    kde = gaussian_kde(ages)
    bandwidth = float(kde.factor * np.std(ages, ddof=1))
    x = kde_grid(ages, bandwidth)
    return kde_curve("scipy", "scott", bandwidth, x, kde(x), ages.size)
