"""Binning of large catalogs (1e5 - 1e7 ages) for the binned KDE engine: one pass, many bandwidths.

The ages are binned once onto a regular grid of step ``dx``; each bin keeps the
*moments* ``M_p[j] = sum_i u_i**p`` (p = 0 .. 7) of the offsets ``u_i = (a_i -
g_j)/dx`` in [-1/2, 1/2] of its ages from the node ``g_j``. The Taylor series
``K(x - g - u dx) = sum_p (-u dx)**p / p! K^(p)(x - g)`` makes the KDE exact to
the first omitted term, so a step of a third of the narrowest bandwidth keeps
the error near 1e-9 of the peak (``relative_error_bound``). Moments are
additive: a cross-validation fold's training binning is the whole binning minus
the fold's (``rebin``, ``without``). The densities built from a binning are in
``density``; sampling from it in ``sampling``.
"""

from dataclasses import dataclass
from math import factorial

import numpy as np
from numpy.polynomial.hermite_e import hermeval

from ..errors import DataError
from .parts import in_parts
from .stencil import STENCIL

__all__ = [
    "BINS_PER_BANDWIDTH",
    "MAX_BINS",
    "NODES_PER_BANDWIDTH",
    "ORDER",
    "BinnedData",
    "bin_ages",
    "bin_for_bandwidths",
    "plan",
    "checked_bandwidths",
    "rebin",
    "relative_error_bound",
    "without",
]

#: Bin step is at most h/3 for the smallest bandwidth asked for.
BINS_PER_BANDWIDTH = 3
#: Densities are computed on nodes at most h/8 apart, then interpolated (``density``).
NODES_PER_BANDWIDTH = 8
#: Moments kept per bin (Taylor order): leading error term (dx/2h)**8 / 8!.
ORDER = 8
#: Largest binning grid (256 MiB of moments); finer needs are sent to the exact path.
MAX_BINS = 2**22
#: Ages per part binned in one thread; a fixed size, so the summation order,
#: and with it every bit of the moments, does not depend on the machine's cores.
_PART = 2**20


def _hermite_envelope(p: int) -> float:
    """``max_t |He_p(t)| exp(-t**2 / 4)``: bounds ``|K_h^(p)| <= sqrt(2) A_p h**-p K_{h sqrt 2}``."""
    t = np.linspace(0.0, 14.0, 28001)
    return float(np.max(np.abs(hermeval(t, [0] * p + [1])) * np.exp(-t * t / 4)))


#: A_p for the Taylor terms p = ORDER .. ORDER + 3 and for the interpolation's order.
_ENVELOPE = {p: _hermite_envelope(p) for p in [*range(ORDER, ORDER + 4), STENCIL.size]}
#: max over s in [0, 1] of |prod_{m in STENCIL} (s - m)|, at s = 1/2.
_LAGRANGE_PRODUCT = float(np.prod(np.abs(0.5 - STENCIL)))


@dataclass(frozen=True)
class BinnedData:
    """Ages binned onto the nodes ``lo_gyr + j * step_gyr``, j = 0 .. n_bins - 1.

    ``moments`` has shape (order, n_bins): row p is ``sum u**p`` over the ages
    nearest node j, with ``u = (age - node) / step`` in [-1/2, 1/2]; row 0 is
    the count. Read-only.
    """

    lo_gyr: float
    step_gyr: float
    n: int
    moments: np.ndarray

    @property
    def n_bins(self) -> int:
        return self.moments.shape[1]


def _moments(ages, lo: float, step: float, n_bins: int, order: int, labels=None, fold: int = 0):
    """``(moments, skipped)``: the kernel over parts of ``_PART`` ages, in threads, summed in order."""
    from .loops import accumulate_moments  # numba, loaded only for catalogs

    ages = np.ascontiguousarray(ages, dtype=float)
    labels = np.empty(0, dtype=np.int8) if labels is None else np.ascontiguousarray(labels)

    def part(span: slice) -> tuple[np.ndarray, int]:
        out = np.zeros((n_bins, order))
        skipped = accumulate_moments(ages[span], labels[span], fold, lo, 1.0 / step, out)
        return out, skipped

    parts = in_parts(part, ages.size, _PART)
    total, skipped = next(parts)
    for out, missed in parts:
        total += out
        skipped += missed
    moments = np.ascontiguousarray(total.T)
    moments.setflags(write=False)
    return moments, skipped


def bin_ages(ages: np.ndarray, *, lo: float, hi: float, n_bins: int, order: int = ORDER) -> BinnedData:
    """Bin ages (Gyr) onto ``np.linspace(lo, hi, n_bins)`` in one pass, keeping ``order`` moments.

    Raises
    ------
    DataError
        If an age is not finite or lies outside [lo, hi].
    ValueError
        If ``n_bins`` is not between 2 and ``MAX_BINS`` or ``hi <= lo``.
    """
    ages = np.asarray(ages, dtype=float)
    if not 2 <= n_bins <= MAX_BINS or not hi > lo or not 1 <= order <= ORDER:
        raise ValueError(
            f"bin_ages: expected lo < hi, 2 <= n_bins <= 2**22 and 1 <= order <= {ORDER}, got {lo}, {hi}, {n_bins}, {order}"
        )
    if ages.ndim != 1 or ages.size == 0:
        raise DataError(f"bin_ages: expected a non-empty 1-D array of finite ages in Gyr, got shape {ages.shape}")
    step = (hi - lo) / (n_bins - 1)
    moments, skipped = _moments(ages, lo, step, n_bins, order)
    if skipped:
        if not np.isfinite(ages).all():
            raise DataError(f"bin_ages: expected finite ages in Gyr, got {np.count_nonzero(~np.isfinite(ages))} that are not")
        raise DataError(f"bin_ages: ages span [{ages.min():g}, {ages.max():g}] Gyr, outside the grid [{lo:g}, {hi:g}]")
    return BinnedData(lo_gyr=float(lo), step_gyr=float(step), n=int(ages.size), moments=moments)


def plan(ages: np.ndarray, bandwidth: float) -> tuple[float, float, int]:
    """``(lo, hi, n_bins)`` over the ages with a step of at most bandwidth / 3 (Gyr)."""
    low, high = float(ages.min()), float(ages.max())
    span = max(high - low, bandwidth)
    n_bins = int(np.ceil(span / (bandwidth / BINS_PER_BANDWIDTH))) + 1
    # max() guards against low + (high - low) rounding one ulp below the oldest age.
    return low, max(low + span, high), n_bins


def bin_for_bandwidths(ages: np.ndarray, bandwidths) -> BinnedData:
    """Bin the ages with a step of at most h_min / 3 over [min, max] of the ages.

    Raises
    ------
    DataError
        If that needs more than ``MAX_BINS`` bins; the message names the
        bandwidths that need the exact path (``kernel.log_density``).
    """
    ages, h = np.asarray(ages, dtype=float), checked_bandwidths(bandwidths)
    lo, hi, n_bins = plan(ages, h.min())
    if n_bins > MAX_BINS:
        too_small = [float(b) for b in h if plan(ages, b)[2] > MAX_BINS]
        raise DataError(
            f"binned KDE: bandwidths {too_small} Gyr need bins of at most h/{BINS_PER_BANDWIDTH} over "
            f"{np.ptp(ages):g} Gyr, more than 2**22 bins; evaluate them on the exact path"
        )
    return bin_ages(ages, lo=lo, hi=hi, n_bins=n_bins)


def checked_bandwidths(bandwidths) -> np.ndarray:
    """Bandwidths (Gyr) as a 1-D float array, or ValueError if any is not positive and finite."""
    h = np.atleast_1d(np.asarray(bandwidths, dtype=float))
    if h.ndim != 1 or h.size == 0 or not (np.isfinite(h) & (h > 0)).all():
        raise ValueError(f"binned KDE: expected positive bandwidths in Gyr, got {bandwidths!r}")
    return h


def relative_error_bound(step_gyr: float, bandwidth: float, *, nodes_per_bandwidth: int = NODES_PER_BANDWIDTH) -> float:
    """Bound on max |binned - exact| / max(exact density) for one bandwidth.

    The Taylor remainder of the binning, ``sum_{p >= 8} sqrt(2) A_p (dx/2h)**p / p!``
    (four terms; the rest is below the last of them at dx <= h/3), plus the
    8-point Lagrange remainder at nodes h/8 apart, ``max|prod (s - m)| / 8!
    sqrt(2) A_8 / 8**8``, all doubled for the terms left out; ``A_p = max
    |He_p(t)| e^(-t^2/4)`` and ``max f_{h sqrt 2} <= max f_h`` make them
    relative to the peak. At dx = h/3 it is about 3e-8. ``nodes_per_bandwidth``
    (default ``NODES_PER_BANDWIDTH``) is the nodes' density: at 16 per
    bandwidth and dx <= h/6 the bound is about 1e-10 (the leave-one-out CV score).
    """
    r = step_gyr / bandwidth
    taylor = sum(np.sqrt(2) * _ENVELOPE[p] * (r / 2) ** p / factorial(p) for p in range(ORDER, ORDER + 4))
    points = STENCIL.size
    interp = _LAGRANGE_PRODUCT / factorial(points) * np.sqrt(2) * _ENVELOPE[points] * float(nodes_per_bandwidth) ** -points
    return float(2 * (taylor + interp))


def rebin(binned: BinnedData, ages: np.ndarray, *, labels: np.ndarray | None = None, fold: int = 0) -> BinnedData:
    """Other ages (Gyr) on exactly the same nodes as ``binned``, optionally only those labelled ``fold``.

    With ``labels`` (one int8 per age, e.g. ``heldout.fold_labels``),
    only the ages whose label equals ``fold`` are binned: a cross-validation
    fold without a copy of its ages.

    Raises
    ------
    DataError
        If an age binned lies more than half a step outside the nodes.
    """
    ages = np.asarray(ages, dtype=float)
    if labels is not None and labels.shape != ages.shape:
        raise ValueError(f"rebin: expected one label per age, got {labels.shape} labels for {ages.shape} ages")
    order, n_bins = binned.moments.shape
    moments, skipped = _moments(ages, binned.lo_gyr, binned.step_gyr, n_bins, order, labels, fold)
    if skipped:
        raise DataError(
            f"rebin: {skipped} ages are not finite or lie outside the nodes from {binned.lo_gyr:g} Gyr "
            f"in steps of {binned.step_gyr:g} Gyr"
        )
    return BinnedData(lo_gyr=binned.lo_gyr, step_gyr=binned.step_gyr, n=int(moments[0].sum()), moments=moments)


def without(binned: BinnedData, part: BinnedData) -> BinnedData:
    """The binning of ``binned``'s ages minus ``part``'s (same nodes): moments are additive.

    Raises
    ------
    ValueError
        If the two are not on the same nodes or ``part`` holds every age.
    """
    same = (binned.lo_gyr, binned.step_gyr, binned.moments.shape) == (part.lo_gyr, part.step_gyr, part.moments.shape)
    if not same or part.n >= binned.n:
        raise ValueError(
            f"without: expected a part of fewer ages on the same nodes, got {part.n} of {binned.n} ages, "
            f"nodes {(part.lo_gyr, part.step_gyr, part.n_bins)} vs {(binned.lo_gyr, binned.step_gyr, binned.n_bins)}"
        )
    moments = binned.moments - part.moments
    moments.setflags(write=False)
    return BinnedData(lo_gyr=binned.lo_gyr, step_gyr=binned.step_gyr, n=binned.n - part.n, moments=moments)
