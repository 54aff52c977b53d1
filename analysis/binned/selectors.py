"""Bandwidth selectors that scale to 1e7 ages: Scott and Silverman in O(n), LOO CV in O(bins).

ISJ needs no variant here: ``bandwidth.improved_sheather_jones`` already bins the
ages onto 1024 points, so it is O(n) plus one sort (its ``np.unique`` count of
distinct ages).
"""

from dataclasses import replace

import numpy as np
from scipy.fft import irfft, next_fast_len, rfft
from scipy.optimize import minimize_scalar

from ..statistics.bandwidth import no_cv_maximum
from .grid import MAX_BINS, bin_ages
from ..errors import DataError
from ..results import CvCurve

__all__ = ["binned_loo_cv", "rule_of_thumb", "rules_from_spread"]

_NORMAL_IQR = 1.349  # as bandwidth._silverman (Silverman 1986, p. 47)
#: The LOO grid: log-spaced from Scott/50 to 3 x Scott, as bandwidth.cv_curve starts.
_GRID_POINTS = 31
_LOW, _HIGH = 1 / 50, 3.0
#: Nodes per narrowest bandwidth searched: rounding to them widens the kernel
#: variance by about step**2/6, relative 7e-4.
_BINS_PER_BANDWIDTH = 16
#: Zero padding beyond the data, in units of the widest bandwidth searched.
_PAD_BANDWIDTHS = 12.0
#: LOO densities are floored at this fraction of K_h(0)/(n-1): the FFT's round-off level.
_FLOOR = 1e-13


def _checked(ages: np.ndarray) -> np.ndarray:
    ages = np.asarray(ages, dtype=float)
    if ages.ndim != 1 or ages.size < 2 or not np.isfinite(ages).all() or np.ptp(ages) == 0:
        raise DataError(f"binned bandwidth: expected at least 2 finite, not all equal ages in Gyr, got {ages.size}")
    return ages


def _quantile(ordered_at: np.ndarray, q: float, n: int) -> float:
    """numpy's linear-interpolation quantile from a partitioned array (its ``_lerp``)."""
    virtual = q * (n - 1)
    below = int(np.floor(virtual))
    t = virtual - below
    a, b = ordered_at[below], ordered_at[min(below + 1, n - 1)]
    return float(b - (b - a) * (1 - t) if t >= 0.5 else a + (b - a) * t)


def rule_of_thumb(ages: np.ndarray) -> tuple[float, float]:
    """Scott's and Silverman's bandwidths (Gyr) from one variance and one partition.

    The same values as ``BANDWIDTH_RULES["scott"]`` and ``["silverman"]``:
    ``s n^(-1/5)`` and ``0.9 min(s, IQR/1.349) n^(-1/5)`` (s with ddof=1; the
    IQR from numpy's linear quantiles; s alone when the IQR is 0), with both
    quartiles from a single ``np.partition``: O(n).

    Returns
    -------
    (scott, silverman) : tuple of float, Gyr
    """
    ages = _checked(ages)
    n = ages.size
    kth = sorted({min(int(np.floor(q * (n - 1))) + d, n - 1) for q in (0.25, 0.75) for d in (0, 1)})
    ordered_at = np.partition(ages, kth)
    return rules_from_spread(float(np.std(ages, ddof=1)), _quantile(ordered_at, 0.25, n), _quantile(ordered_at, 0.75, n), n)


def rules_from_spread(std: float, q25: float, q75: float, n: int) -> tuple[float, float]:
    """Scott's and Silverman's bandwidths (Gyr) from s (ddof=1), the quartiles (Gyr) and n."""
    iqr = (q75 - q25) / _NORMAL_IQR
    factor = n ** (-1 / 5)
    return std * factor, 0.9 * (min(std, iqr) if iqr > 0 else std) * factor


def binned_loo_cv(ages: np.ndarray, *, scott: float | None = None) -> CvCurve:
    """Leave-one-out likelihood CV bandwidth (Gyr) from binned counts, O(bins) per bandwidth.

    The ages are rounded to nodes of step Scott/800 (h/16 at the narrowest
    bandwidth searched); with c_b ages at node g_b, ``F_b = sum_c c_c K_h(g_b -
    g_c)`` (one inverse FFT, the Gaussian's analytic transform) and the score
    is ``(1/n) sum_b c_b log((F_b - K_h(0)) / (n - 1))``: each star's kernel
    sum over all stars minus its own term ``K_h(0)``. The rounding widens
    the kernel variance by about step**2/6 (relative 7e-4 at h = 16 steps).
    The score is evaluated on 31 log-spaced bandwidths from Scott/50 to
    3 x Scott, then refined by bounded Brent search in log h between the
    neighbours of the best point. ``scott`` (Gyr), when the caller already
    has it, saves the pass over the ages that computes it.

    Returns
    -------
    CvCurve
        ``folds = n`` (leave-one-out); scores in log(1/Gyr) per star. Its
        ``best_bandwidth`` is ``None``, with the reason
        (``bandwidth.no_cv_maximum``), when the best score is at an edge of
        the search (nearly all ages tied).

    Raises
    ------
    DataError
        If the nodes would need more than ``binned.MAX_BINS`` bins.
    """
    ages = _checked(ages)
    n = ages.size
    scott = rule_of_thumb(ages)[0] if scott is None else scott
    step = _LOW * scott / _BINS_PER_BANDWIDTH
    low = float(ages.min())
    n_bins = int(np.ceil((float(ages.max()) - low) / step)) + 1
    if n_bins > MAX_BINS:
        raise DataError(
            f"binned CV bandwidth: the ages span {float(ages.max()) - low:g} Gyr, {n_bins / 800:.3g} times Scott's "
            f"bandwidth ({scott:.3g} Gyr); its nodes (Scott/800 apart) would need more than {MAX_BINS} bins. "
            "Expected ages in Gyr: are a few far outliers, or values in years, in the data?"
        )
    counts = bin_ages(ages, lo=low, hi=low + (n_bins - 1) * step, n_bins=n_bins, order=1).moments[0]
    length = next_fast_len(n_bins + int(np.ceil(_PAD_BANDWIDTHS * _HIGH * scott / step)), real=True)
    spectrum = rfft(counts, length)
    freq = np.fft.rfftfreq(length, d=step)
    occupied = np.flatnonzero(counts)
    weights = counts[occupied]

    def score(log_h: float) -> float:
        h = np.exp(log_h)
        self_term = 1.0 / (h * np.sqrt(2 * np.pi))
        sums = irfft(spectrum * np.exp(-0.5 * (2 * np.pi * freq * h) ** 2), length)[occupied] / step
        loo = np.maximum(sums - self_term, _FLOOR * self_term) / (n - 1)
        return float(weights @ np.log(loo)) / n

    log_h = np.linspace(np.log(_LOW * scott), np.log(_HIGH * scott), _GRID_POINTS)
    scores = np.array([score(x) for x in log_h])
    best = int(np.argmax(scores))
    curve = CvCurve(
        bandwidths=tuple(float(h) for h in np.exp(log_h)),
        mean_log_likelihood=tuple(float(s) for s in scores),
        folds=n,
        best_bandwidth=None,
    )
    if not 0 < best < log_h.size - 1:
        return replace(curve, unavailable=no_cv_maximum(n, float(np.exp(log_h[best])), rising=best == 0))
    refined = minimize_scalar(
        lambda x: -score(x), bounds=(log_h[best - 1], log_h[best + 1]), method="bounded", options={"xatol": 1e-5}
    )
    best_h = float(np.exp(refined.x)) if -refined.fun >= scores[best] else float(np.exp(log_h[best]))
    return replace(curve, best_bandwidth=best_h)
