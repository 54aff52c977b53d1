"""Binned Gaussian KDE for large catalogs (1e5 - 1e7 ages): one binning, many bandwidths.

The ages are binned once onto a fine regular grid of step ``dx``; each bin keeps
the *moments* ``M_p[j] = sum_i u_i**p`` (p = 0..3) of the offsets ``u_i = (a_i -
g_j)/dx`` in [-1/2, 1/2] of its ages from the node ``g_j``. ``M_0, M_1`` carry
what linear binning carries (mass and mean); ``M_2, M_3`` remove its O(dx^2)
bias. The Taylor series ``K(x - g - u dx) = sum_p (-u dx)**p / p! K^(p)(x - g)``
turns the KDE into ``sum_p (-dx)**p / p! (M_p * K^(p))``, and in Fourier space
``K^(p)`` is ``(2 pi i f)**p exp(-(2 pi f h)**2 / 2)``, the Gaussian's analytic
transform. So the moments' spectra are combined once into the data's spectrum
``S(f)`` (independent of h), and each bandwidth costs one product and one
inverse FFT over the zero-padded length: no kernel truncation, and the padding
(>= 12 of the widest bandwidths beyond the farthest point asked for) leaves
wrap-around below exp(-72). Values between nodes come from 6-point Lagrange
interpolation. The error bound is ``relative_error_bound``.
"""

from dataclasses import dataclass
from math import factorial

import numpy as np
from numpy.polynomial.hermite_e import hermeval
from scipy.fft import irfft, next_fast_len, rfft
from scipy.special import ndtr

from .errors import DataError
from .results import EngineInfo

__all__ = [
    "BINS_PER_BANDWIDTH",
    "EXACT_MAX_N",
    "MAX_BINS",
    "BinnedData",
    "DensityNodes",
    "EngineInfo",
    "bin_ages",
    "bin_for_bandwidths",
    "cdf_at",
    "component_cdf",
    "binned_density",
    "density_nodes",
    "engine_for",
    "engine_info",
    "envelope_multinomial",
    "interpolate",
    "rebin",
    "relative_error_bound",
    "sample_binned",
    "without",
]

#: Below this many ages the exact sum (``kernel.log_density``) is used: 2e4 ages x
#: 1024 grid points x 7 bandwidths is 1.4e8 kernel terms, about a second, with no
#: approximation at all; above it the exact cost grows as n x points and binning wins.
EXACT_MAX_N = 20_000
#: Bin step is at most h/16 for the smallest bandwidth asked for.
BINS_PER_BANDWIDTH = 16
#: Largest binning grid (32 MiB per moment); finer needs are sent to the exact path.
MAX_BINS = 2**22
#: Moments kept per bin (Taylor order): leading error term (dx/2h)**4 / 4!.
_ORDER = 4
#: Wrap-around clearance of the zero padding, in units of the widest bandwidth.
_PAD_BANDWIDTHS = 12.0
#: Lagrange interpolation stencil: nodes j-2 .. j+3 around a point in [g_j, g_j+1).
_STENCIL = np.arange(-2, 4)
#: Ages binned per vectorised chunk.
_CHUNK = 2**18


def _hermite_envelope(p: int) -> float:
    """``max_t |He_p(t)| exp(-t**2 / 4)``: bounds ``|K_h^(p)| <= sqrt(2) A_p h**-p K_{h sqrt 2}``."""
    t = np.linspace(0.0, 12.0, 24001)
    return float(np.max(np.abs(hermeval(t, [0] * p + [1])) * np.exp(-t * t / 4)))


_A_TAYLOR, _A_INTERP = _hermite_envelope(_ORDER), _hermite_envelope(6)
#: max over s in [0, 1] of |prod_{m=-2..3} (s - m)|, at s = 1/2.
_LAGRANGE_PRODUCT = (2.5 * 1.5 * 0.5) ** 2


@dataclass(frozen=True)
class BinnedData:
    """Ages binned onto the nodes ``lo_gyr + j * step_gyr``, j = 0 .. n_bins - 1.

    ``moments`` has shape (4, n_bins): row p is ``sum u**p`` over the ages
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


def bin_ages(ages: np.ndarray, *, lo: float, hi: float, n_bins: int) -> BinnedData:
    """Bin ages (Gyr) onto ``np.linspace(lo, hi, n_bins)`` in one vectorised pass.

    Raises
    ------
    DataError
        If an age is not finite or lies outside [lo, hi].
    ValueError
        If ``n_bins`` is not between 2 and ``MAX_BINS`` or ``hi <= lo``.
    """
    ages = np.asarray(ages, dtype=float)
    if not 2 <= n_bins <= MAX_BINS or not hi > lo:
        raise ValueError(f"bin_ages: expected lo < hi and 2 <= n_bins <= 2**22, got {lo}, {hi}, {n_bins}")
    if ages.ndim != 1 or ages.size == 0 or not np.isfinite(ages).all():
        raise DataError(f"bin_ages: expected a non-empty 1-D array of finite ages in Gyr, got shape {ages.shape}")
    if ages.min() < lo or ages.max() > hi:
        raise DataError(f"bin_ages: ages span [{ages.min():g}, {ages.max():g}] Gyr, outside the grid [{lo:g}, {hi:g}]")
    step = (hi - lo) / (n_bins - 1)
    moments = np.zeros((_ORDER, n_bins))
    # Chunks keep the temporaries in cache (about 2x faster at 1e7 ages, 1/40 of the memory);
    # a chunk is at least n_bins long so that adding the per-chunk bincounts stays cheap.
    chunk = max(_CHUNK, n_bins)
    for start in range(0, ages.size, chunk):
        _add_moments(moments, ages[start : start + chunk], lo, step)
    moments.setflags(write=False)
    return BinnedData(lo_gyr=float(lo), step_gyr=float(step), n=int(ages.size), moments=moments)


def _add_moments(moments: np.ndarray, ages: np.ndarray, lo: float, step: float) -> None:
    """Add ``sum u**p`` per nearest node for these ages: one bincount per moment."""
    n_bins = moments.shape[1]
    offset = ages - lo
    offset *= 1.0 / step
    node = np.rint(offset)
    offset -= node
    index = node.astype(np.intp)
    moments[0] += np.bincount(index, minlength=n_bins)
    power = offset.copy()
    for p in range(1, _ORDER):
        moments[p] += np.bincount(index, weights=power, minlength=n_bins)
        power *= offset


def _plan(ages: np.ndarray, bandwidth: float) -> tuple[float, float, int]:
    """``(lo, hi, n_bins)`` over the ages with a step of at most bandwidth / 16 (Gyr)."""
    low, high = float(ages.min()), float(ages.max())
    span = max(high - low, bandwidth)
    n_bins = int(np.ceil(span / (bandwidth / BINS_PER_BANDWIDTH))) + 1
    # max() guards against low + (high - low) rounding one ulp below the oldest age.
    return low, max(low + span, high), n_bins


def bin_for_bandwidths(ages: np.ndarray, bandwidths) -> BinnedData:
    """Bin the ages with a step of at most h_min / 16 over [min, max] of the ages.

    Raises
    ------
    DataError
        If that needs more than ``MAX_BINS`` bins; the message names the
        bandwidths that need the exact path (``kernel.log_density``).
    """
    ages, h = np.asarray(ages, dtype=float), _checked_bandwidths(bandwidths)
    lo, hi, n_bins = _plan(ages, h.min())
    if n_bins > MAX_BINS:
        too_small = [float(b) for b in h if _plan(ages, b)[2] > MAX_BINS]
        raise DataError(
            f"binned KDE: bandwidths {too_small} Gyr need bins of at most h/{BINS_PER_BANDWIDTH} over "
            f"{np.ptp(ages):g} Gyr, more than 2**22 bins; evaluate them on the exact path"
        )
    return bin_ages(ages, lo=lo, hi=hi, n_bins=n_bins)


def _checked_bandwidths(bandwidths) -> np.ndarray:
    h = np.atleast_1d(np.asarray(bandwidths, dtype=float))
    if h.ndim != 1 or h.size == 0 or not (np.isfinite(h) & (h > 0)).all():
        raise ValueError(f"binned KDE: expected positive bandwidths in Gyr, got {bandwidths!r}")
    return h


def relative_error_bound(step_gyr: float, bandwidth: float) -> float:
    """Bound on max |binned - exact| / max(exact density) for one bandwidth.

    Taylor remainder of the binning, ``sqrt(2) A_4 (dx/2h)**4 / 4!``, plus the
    6-point Lagrange remainder, ``3.52 / 6! sqrt(2) A_6 (dx/h)**6``, each
    doubled to cover the higher-order terms; ``A_p = max |He_p(t)| e^(-t^2/4)``
    and ``max f_{h sqrt 2} <= max f_h`` make them relative to the peak. At
    dx = h/16 it is about 4e-7.
    """
    r = step_gyr / bandwidth
    taylor = np.sqrt(2) * _A_TAYLOR * (r / 2) ** _ORDER / factorial(_ORDER)
    interp = _LAGRANGE_PRODUCT / factorial(6) * np.sqrt(2) * _A_INTERP * r**6
    return float(2 * (taylor + interp))


def binned_density(binned: BinnedData, bandwidths, points: np.ndarray) -> np.ndarray:
    """The Gaussian KDE density (1/Gyr) at ``points`` (Gyr) for every bandwidth.

    Parameters
    ----------
    binned : BinnedData
    bandwidths : sequence of float, length k
        Kernel standard deviations in Gyr, each at least 16 bin steps.
    points : ndarray, shape (m,)
        Where to evaluate, in Gyr; anywhere (the padding grows to reach them).

    Returns
    -------
    ndarray, shape (k, m)
        Error below ``relative_error_bound(binned.step_gyr, h)`` x the peak.

    Raises
    ------
    ValueError
        If a bandwidth is narrower than 16 bin steps (rebin with ``bin_for_bandwidths``).
    """
    points = np.asarray(points, dtype=float)
    reach = (float(points.min(initial=binned.lo_gyr)), float(points.max(initial=binned.lo_gyr)))
    return interpolate(density_nodes(binned, bandwidths, reach_gyr=reach), points)


@dataclass(frozen=True)
class DensityNodes:
    """Binned KDE densities (1/Gyr) on the nodes ``lo_gyr + j * step_gyr``, j mod ``fine.shape[1]``.

    ``fine`` has shape (k, length): one row per bandwidth, periodic over the
    zero-padded length (so nodes left of ``lo_gyr`` wrap to the end).
    """

    lo_gyr: float
    step_gyr: float
    bandwidths: tuple[float, ...]
    fine: np.ndarray


def density_nodes(binned: BinnedData, bandwidths, *, reach_gyr: tuple[float, float]) -> DensityNodes:
    """Every bandwidth's density on the fine nodes, padded to reach ``reach_gyr`` (Gyr).

    One forward FFT per moment and one inverse FFT per bandwidth; memory
    k x length, independent of how many points are interpolated later.

    Raises
    ------
    ValueError
        If a bandwidth is narrower than 16 bin steps (rebin with ``bin_for_bandwidths``).
    """
    h, step = _checked_bandwidths(bandwidths), binned.step_gyr
    if h.min() < BINS_PER_BANDWIDTH * step * (1 - 1e-9):
        raise ValueError(
            f"binned_density: bandwidths must be >= {BINS_PER_BANDWIDTH} bin steps = "
            f"{BINS_PER_BANDWIDTH * step:.3g} Gyr, got {h.min():g} Gyr; rebin for it"
        )
    spectrum, freq, length = _spectrum(binned, h.max(), np.asarray(reach_gyr, dtype=float))
    fine = np.empty((h.size, length))
    for row, bandwidth in enumerate(h):  # one inverse FFT per bandwidth
        kernel = np.exp(-0.5 * (2 * np.pi * freq * bandwidth) ** 2) / (step * binned.n)
        fine[row] = irfft(spectrum * kernel, length)
    fine.setflags(write=False)
    return DensityNodes(lo_gyr=binned.lo_gyr, step_gyr=step, bandwidths=tuple(float(b) for b in h), fine=fine)


def interpolate(nodes: DensityNodes, points: np.ndarray) -> np.ndarray:
    """Densities (1/Gyr) at ``points`` (Gyr), shape (k, m), by 6-point Lagrange interpolation.

    Points are processed in chunks of ``_CHUNK``, so the temporaries stay
    small for any m. Points must lie within the reach the nodes were padded for.
    """
    points = np.asarray(points, dtype=float)
    length = nodes.fine.shape[1]
    out = np.empty((nodes.fine.shape[0], points.size))
    for start in range(0, points.size, _CHUNK):
        position = (points[start : start + _CHUNK] - nodes.lo_gyr) / nodes.step_gyr
        node = np.floor(position)
        index = (node.astype(np.intp)[:, None] + _STENCIL) % length
        weights = _lagrange_weights(position - node)
        for row, fine in enumerate(nodes.fine):
            out[row, start : start + _CHUNK] = np.einsum("ij,ij->i", fine[index], weights)
    return out


def _integrated_weights(s: np.ndarray) -> np.ndarray:
    """``int_0^s`` of each Lagrange basis polynomial of ``_lagrange_weights``, shape (m, 6)."""
    out = np.empty((s.size, _STENCIL.size))
    for k, node in enumerate(_STENCIL):
        others = _STENCIL[_STENCIL != node]
        basis = np.polynomial.Polynomial.fromroots(others) / np.prod(node - others)
        out[:, k] = basis.integ()(s)
    return out


def cdf_at(nodes: DensityNodes, x: np.ndarray) -> np.ndarray:
    """The binned KDE's CDF at ``x`` (Gyr), shape (k, m), integrating the interpolated density.

    Each cell's integral is the exact integral of the 6-point Lagrange
    interpolant (error of the interpolation's order), summed from the middle
    of the zero padding, at least 6 of the widest bandwidths from every age,
    so the mass left out is below Phi(-6) = 1e-9. O(length + m) per bandwidth.
    """
    x = np.asarray(x, dtype=float)
    length = nodes.fine.shape[1]
    cell = _integrated_weights(np.ones(1))[0]
    start = (length + int(np.ceil((x.max(initial=nodes.lo_gyr) - nodes.lo_gyr) / nodes.step_gyr))) // 2
    position = (x - nodes.lo_gyr) / nodes.step_gyr
    node = np.floor(position)
    # Unwrap so that nodes run from `start - length` (left of the ages) up to `start`.
    index = node.astype(np.intp)
    index = np.where(index >= start, index - length, index)
    partial = _integrated_weights(position - node)
    out = np.empty((nodes.fine.shape[0], x.size))
    for row, fine in enumerate(nodes.fine):
        ordered = np.roll(fine, -(start - length))  # ordered[i] is node start - length + i
        integrals = sum(w * np.roll(ordered, -int(offset)) for w, offset in zip(cell, _STENCIL)) * nodes.step_gyr
        cumulative = np.concatenate([[0.0], np.cumsum(integrals)])  # up to node start - length + i
        local = index - (start - length)
        stencil = (local[:, None] + _STENCIL) % length
        out[row] = cumulative[local] + np.einsum("ij,ij->i", ordered[stencil], partial) * nodes.step_gyr
    return out


def rebin(binned: BinnedData, ages: np.ndarray) -> BinnedData:
    """Other ages (Gyr) on exactly the same nodes as ``binned`` (e.g. one cross-validation fold).

    Raises
    ------
    DataError
        If an age lies more than half a step outside the nodes.
    """
    ages = np.asarray(ages, dtype=float)
    lo, step, n_bins = binned.lo_gyr, binned.step_gyr, binned.n_bins
    if ages.size and (ages.min() < lo - step / 2 or ages.max() > lo + (n_bins - 0.5) * step):
        raise DataError(f"rebin: ages span [{ages.min():g}, {ages.max():g}] Gyr, outside the nodes from {lo:g} Gyr")
    moments = np.zeros((_ORDER, n_bins))
    for start in range(0, ages.size, max(_CHUNK, n_bins)):
        _add_moments(moments, ages[start : start + max(_CHUNK, n_bins)], lo, step)
    moments.setflags(write=False)
    return BinnedData(lo_gyr=lo, step_gyr=step, n=int(ages.size), moments=moments)


def without(binned: BinnedData, part: BinnedData) -> BinnedData:
    """The binning of ``binned``'s ages minus ``part``'s (same nodes): moments are additive.

    Raises
    ------
    ValueError
        If the two are not on the same nodes or ``part`` holds every age.
    """
    same = (binned.lo_gyr, binned.step_gyr, binned.n_bins) == (part.lo_gyr, part.step_gyr, part.n_bins)
    if not same or part.n >= binned.n:
        raise ValueError(
            f"without: expected a part of fewer ages on the same nodes, got {part.n} of {binned.n} ages, "
            f"nodes {(part.lo_gyr, part.step_gyr, part.n_bins)} vs {(binned.lo_gyr, binned.step_gyr, binned.n_bins)}"
        )
    moments = binned.moments - part.moments
    moments.setflags(write=False)
    return BinnedData(lo_gyr=binned.lo_gyr, step_gyr=binned.step_gyr, n=binned.n - part.n, moments=moments)


def _spectrum(binned: BinnedData, widest: float, reach: np.ndarray) -> tuple[np.ndarray, np.ndarray, int]:
    """``S(f) = sum_p (-2 pi i f dx)**p / p! FFT(M_p)`` over a length that leaves no wrap-around."""
    lo, step = binned.lo_gyr, binned.step_gyr
    hi = lo + (binned.n_bins - 1) * step
    span = max(hi, reach.max(initial=hi)) - min(lo, reach.min(initial=lo))
    length = next_fast_len(int(np.ceil((span + _PAD_BANDWIDTHS * widest) / step)) + len(_STENCIL) + 1, real=True)
    freq = np.fft.rfftfreq(length, d=step)
    phase = -2j * np.pi * freq * step
    spectrum = np.zeros(freq.size, dtype=complex)
    for p in range(_ORDER):  # one forward FFT per moment, shared by every bandwidth
        spectrum += phase**p / factorial(p) * rfft(binned.moments[p], length)
    return spectrum, freq, length


def _lagrange_weights(s: np.ndarray) -> np.ndarray:
    """Weights, shape (m, 6), of nodes -2..3 for a point at fractional offset s in [0, 1)."""
    weights = np.ones((s.size, _STENCIL.size))
    for k, node in enumerate(_STENCIL):
        for other in _STENCIL[_STENCIL != node]:
            weights[:, k] *= (s - other) / (node - other)
    return weights


def engine_for(n: int, *, exact_max_n: int = EXACT_MAX_N) -> str:
    """``"exact"`` for n <= ``exact_max_n`` ages (default ``EXACT_MAX_N``), else ``"binned"``."""
    return "exact" if n <= exact_max_n else "binned"


def engine_info(ages: np.ndarray, bandwidths, *, exact_max_n: int = EXACT_MAX_N) -> EngineInfo:
    """The path for these ages and, on the binned path, its grid and error bound."""
    ages, h = np.asarray(ages, dtype=float), _checked_bandwidths(bandwidths)
    if engine_for(ages.size, exact_max_n=exact_max_n) == "exact":
        return EngineInfo(path="exact", n_bins=0, bin_width_gyr=0.0, max_rel_error=0.0)
    lo, hi, n_bins = _plan(ages, h.min())
    step = (hi - lo) / (n_bins - 1)
    return EngineInfo(
        path="binned", n_bins=n_bins, bin_width_gyr=float(step), max_rel_error=relative_error_bound(step, h.min())
    )


def _components(binned: BinnedData, bandwidth: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per occupied bin: weight (count / n), mean age (Gyr) and sd (Gyr) of its normal component.

    Each bin's ages, each widened by N(0, h^2), are replaced by one normal with
    the same mean and variance (from M_0, M_1, M_2), exact to O((dx/h)^3).
    """
    count, first, second = binned.moments[:3]
    occupied = count > 0
    count, first, second = count[occupied], first[occupied], second[occupied]
    nodes = binned.lo_gyr + binned.step_gyr * np.flatnonzero(occupied)
    mean_u = first / count
    spread = np.maximum(second / count - mean_u**2, 0.0) * binned.step_gyr**2
    return count / binned.n, nodes + mean_u * binned.step_gyr, np.sqrt(bandwidth**2 + spread)


def component_cdf(binned: BinnedData, bandwidth: float, x) -> np.ndarray:
    """The binned KDE's CDF at ``x`` (Gyr) from its per-bin normal components (see ``_components``)."""
    weight, mean, sd = _components(binned, _checked_bandwidths(bandwidth)[0])
    x = np.atleast_1d(np.asarray(x, dtype=float))
    return weight @ ndtr((x[None, :] - mean[:, None]) / sd[:, None])


def sample_binned(binned: BinnedData, bandwidth: float, size: int, *, rng: np.random.Generator) -> np.ndarray:
    """``size`` ages (Gyr) drawn from the binned KDE in O(bins + size).

    A bin is picked with probability count / n, then a normal draw from its
    component (see ``_components``). From raw ages use ``resample.sample_kde``,
    which is exact and already O(size).
    """
    if size < 0:
        raise ValueError(f"sample_binned: size must be >= 0, got {size!r}")
    weight, mean, sd = _components(binned, _checked_bandwidths(bandwidth)[0])
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
    weight, mean, sd = _components(binned, _checked_bandwidths(bandwidth)[0])
    cdf = weight @ ndtr((edges[None, :] - mean[:, None]) / sd[:, None])
    inside = np.clip(np.diff(cdf), 0.0, None)
    cells = np.append(inside, max(0.0, 1.0 - inside.sum()))
    return rng.multinomial(n, cells / cells.sum(), size=replicates)[:, :-1]
