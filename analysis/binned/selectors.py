"""The leave-one-out CV score of a catalog from binned counts, O(bins) per bandwidth.

Scott's and Silverman's bandwidths come from the summary (``statistics.rules``)
and ISJ from its own 1024-point binning (``statistics.isj``), for any n; only
the CV score needs a binned form here, which ``statistics.cv.search`` searches
as it searches the exact k-fold score.
"""

import numpy as np
from scipy.fft import irfft, next_fast_len, rfft

from ..engine import CvScorer
from ..errors import DataError
from .grid import MAX_BINS, bin_ages

__all__ = ["LOO_METHOD", "loo_nodes", "loo_scorer", "loo_scorer_from_counts"]

#: The CV rule's note on the binned path.
LOO_METHOD = (
    "leave-one-out (n folds) cross-validated log-likelihood, computed on the binned estimate "
    "(ages rounded to nodes of step Scott/800, the kernel sums by FFT)"
)
#: The search: 31 log-spaced bandwidths from Scott/50 to 3 x Scott, never widened (the nodes and
#: the padding are laid out for that range), refined to 1e-5 in log h.
_GRID_POINTS = 31
_LOW, _HIGH = 1 / 50, 3.0
_XATOL = 1e-5
#: Nodes per narrowest bandwidth searched: rounding to them widens the kernel
#: variance by about step**2/6, relative 7e-4.
_BINS_PER_BANDWIDTH = 16
#: Zero padding beyond the data, in units of the widest bandwidth searched.
_PAD_BANDWIDTHS = 12.0
#: LOO densities are floored at this fraction of K_h(0)/(n-1): the FFT's round-off level.
_FLOOR = 1e-13


def loo_scorer(ordered: np.ndarray, *, scott: float) -> CvScorer:
    """Leave-one-out likelihood CV score of sorted ages (Gyr) from binned counts.

    The ages are rounded to nodes of step Scott/800 (h/16 at the narrowest
    bandwidth searched); with c_b ages at node g_b, ``F_b = sum_c c_c K_h(g_b -
    g_c)`` (one inverse FFT, the Gaussian's analytic transform) and the score
    is ``(1/n) sum_b c_b log((F_b - K_h(0)) / (n - 1))``: each star's kernel
    sum over all stars minus its own term ``K_h(0)``. The rounding widens
    the kernel variance by about step**2/6 (relative 7e-4 at h = 16 steps).
    ``scott`` is Scott's bandwidth (Gyr).

    Returns
    -------
    CvScorer
        ``folds = n`` (leave-one-out), 31 grid points, no widening.

    Raises
    ------
    DataError
        If the nodes would need more than ``grid.MAX_BINS`` bins.
    """
    n_bins, low, step = loo_nodes(float(ordered[0]), float(ordered[-1]), scott)
    counts = bin_ages(ordered, lo=low, hi=low + (n_bins - 1) * step, n_bins=n_bins, order=1).moments[0]
    return loo_scorer_from_counts(counts, step=step, scott=scott)


def loo_nodes(low: float, high: float, scott: float) -> tuple[int, float, float]:
    """``(n_bins, lo, step)`` of the leave-one-out score's nodes over ages in [low, high] (Gyr).

    Raises
    ------
    DataError
        If the nodes would need more than ``grid.MAX_BINS`` bins.
    """
    step = _LOW * scott / _BINS_PER_BANDWIDTH
    n_bins = int(np.ceil((high - low) / step)) + 1
    if n_bins > MAX_BINS:
        raise DataError(
            f"binned CV bandwidth: the ages span {high - low:g} Gyr, {n_bins / 800:.3g} times Scott's "
            f"bandwidth ({scott:.3g} Gyr); its nodes (Scott/800 apart) would need more than {MAX_BINS} bins. "
            "Expected ages in Gyr: are a few far outliers, or values in years, in the data?"
        )
    return n_bins, low, step


def loo_scorer_from_counts(counts: np.ndarray, *, step: float, scott: float) -> CvScorer:
    """``loo_scorer`` from the ages' counts at its nodes (``loo_nodes``), however they were counted.

    A partitioned catalog's counts are merged from its partitions
    (``distributed``); these are the same integers ``loo_scorer`` bins.
    """
    n = int(counts.sum())
    n_bins = counts.size
    length = next_fast_len(n_bins + int(np.ceil(_PAD_BANDWIDTHS * _HIGH * scott / step)), real=True)
    spectrum = rfft(counts, length)
    freq = np.fft.rfftfreq(length, d=step)
    occupied = np.flatnonzero(counts)
    weights = counts[occupied]

    def score(h: float) -> float:
        self_term = 1.0 / (h * np.sqrt(2 * np.pi))
        sums = irfft(spectrum * np.exp(-0.5 * (2 * np.pi * freq * h) ** 2), length)[occupied] / step
        loo = np.maximum(sums - self_term, _FLOOR * self_term) / (n - 1)
        return float(weights @ np.log(loo)) / n

    return CvScorer(score=score, folds=n, method=LOO_METHOD, points=_GRID_POINTS, widenings=0, xatol=_XATOL)
