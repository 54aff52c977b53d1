"""Densities and CDFs of a binned KDE (``binned.BinnedData``): one FFT of the binning, one per bandwidth.

In Fourier space ``K^(p)`` is ``(2 pi i f)**p exp(-(2 pi f h)**2 / 2)``, the
Gaussian's analytic transform, so the moments' spectra combine once into the
data's spectrum ``S(f) = sum_p (-2 pi i f dx)**p / p! FFT(M_p)`` (independent
of h), and each bandwidth costs one product and one inverse FFT: no kernel
truncation, and zero padding (>= 12 of the widest bandwidths beyond the
farthest point asked for) leaves wrap-around below exp(-72). A bandwidth's
inverse FFT is only as long as its nodes need (h/8 apart, its spectrum cut
where the kernel's transform is below exp(-300)), so wide bandwidths cost
little. Values between nodes come from 8-point Lagrange interpolation.
"""

from dataclasses import dataclass

import numpy as np
from scipy.fft import irfft, next_fast_len, rfft

from .grid import BINS_PER_BANDWIDTH, NODES_PER_BANDWIDTH, BinnedData, checked_bandwidths, relative_error_bound
from .stencil import STENCIL

__all__ = ["DensityNodes", "cdf_at", "density_nodes", "interpolate"]

#: Wrap-around clearance of the zero padding, in units of the widest bandwidth.
_PAD_BANDWIDTHS = 12.0


@dataclass(frozen=True)
class DensityNodes:
    """Binned KDE densities (1/Gyr) on nodes, one row per bandwidth.

    Row k holds the density at ``lo_gyr + j * steps_gyr[k]``, j modulo its
    length; every row is periodic over the same zero-padded period, so nodes
    left of ``lo_gyr`` wrap to the end. ``hi_gyr`` is the highest age or point
    asked for: the padding lies between it and ``lo_gyr`` + period.
    ``error_bounds`` are ``binned.relative_error_bound`` per bandwidth.
    """

    lo_gyr: float
    hi_gyr: float
    bandwidths: tuple[float, ...]
    steps_gyr: tuple[float, ...]
    rows: tuple[np.ndarray, ...]
    error_bounds: tuple[float, ...]


def density_nodes(
    binned: BinnedData, bandwidths, *, reach_gyr: tuple[float, float], nodes_per_bandwidth: int = NODES_PER_BANDWIDTH
) -> DensityNodes:
    """Every bandwidth's density on its nodes, padded to reach ``reach_gyr`` (Gyr).

    One forward FFT per moment and one inverse FFT per bandwidth, each of
    about period / (h/8) points (``nodes_per_bandwidth`` per bandwidth);
    memory independent of how many points are interpolated later.

    Raises
    ------
    ValueError
        If a bandwidth is narrower than 3 bin steps (rebin with ``bin_for_bandwidths``).
    """
    h, step = checked_bandwidths(bandwidths), binned.step_gyr
    if h.min() < BINS_PER_BANDWIDTH * step * (1 - 1e-9):
        raise ValueError(
            f"binned density: bandwidths must be >= {BINS_PER_BANDWIDTH} bin steps = "
            f"{BINS_PER_BANDWIDTH * step:.3g} Gyr, got {h.min():g} Gyr; rebin for it"
        )
    lo, hi = binned.lo_gyr, binned.lo_gyr + (binned.n_bins - 1) * step
    reach = (min(lo, *reach_gyr), max(hi, *reach_gyr))
    spectrum, period = _spectrum(binned, h.max(), reach)
    rows, steps = [], []
    for bandwidth in h:  # one inverse FFT per bandwidth, as long as its nodes need
        length = next_fast_len(int(np.ceil(period * nodes_per_bandwidth / bandwidth)), real=True)
        # Beyond the binning's Nyquist frequency (3 / 2h) the kernel's transform is below exp(-44).
        used = spectrum[: length // 2 + 1]
        freq = np.arange(used.size) / period
        kernel = np.exp(-0.5 * (2 * np.pi * freq * bandwidth) ** 2)
        row = irfft(used * kernel, length) * (length / (period * binned.n))
        row.setflags(write=False)
        rows.append(row)
        steps.append(period / length)
    return DensityNodes(
        lo_gyr=lo,
        hi_gyr=reach[1],
        bandwidths=tuple(float(b) for b in h),
        steps_gyr=tuple(steps),
        rows=tuple(rows),
        error_bounds=tuple(relative_error_bound(step, b, nodes_per_bandwidth=nodes_per_bandwidth) for b in h),
    )


def _spectrum(binned: BinnedData, widest: float, reach: tuple[float, float]) -> tuple[np.ndarray, float]:
    """``(S, period)``: ``S(f) = sum_p (-2 pi i f dx)**p / p! FFT(M_p)`` at f = k / period, k >= 0."""
    step = binned.step_gyr
    span = reach[1] - reach[0]
    length = next_fast_len(int(np.ceil((span + _PAD_BANDWIDTHS * widest) / step)) + STENCIL.size + 1, real=True)
    phase = -2j * np.pi * np.fft.rfftfreq(length, d=step) * step
    # Horner's rule from the highest moment down: S = F_0 + phase (F_1 + phase/2 (F_2 + ...)).
    order = binned.moments.shape[0]
    spectrum = rfft(binned.moments[order - 1], length)
    for p in range(order - 2, -1, -1):
        spectrum *= phase / (p + 1)
        spectrum += rfft(binned.moments[p], length)
    return spectrum, length * step


def interpolate(nodes: DensityNodes, points: np.ndarray) -> np.ndarray:
    """Densities (1/Gyr) at ``points`` (Gyr), shape (k, m), by 8-point Lagrange interpolation.

    No temporaries beyond the output. Points must lie within the reach the
    nodes were padded for.
    """
    from .loops import lagrange_interpolate  # numba, loaded only for catalogs

    points = np.ascontiguousarray(points, dtype=float)
    out = np.empty((len(nodes.rows), points.size))
    for row, values, step in zip(out, nodes.rows, nodes.steps_gyr):
        lagrange_interpolate(values, nodes.lo_gyr, step, points, row)
    return out


def _basis(node: int) -> np.polynomial.Polynomial:
    """The Lagrange basis polynomial of stencil node ``node`` (1 there, 0 at the others)."""
    others = STENCIL[STENCIL != node]
    return np.polynomial.Polynomial.fromroots(others) / np.prod(node - others)


def _integrated_weights(s: np.ndarray) -> np.ndarray:
    """``int_0^s`` of each Lagrange basis polynomial of the stencil, shape (m, 8)."""
    return np.stack([_basis(node).integ()(s) for node in STENCIL], axis=-1)


def cdf_at(nodes: DensityNodes, x: np.ndarray) -> np.ndarray:
    """The binned KDE's CDF at ``x`` (Gyr), shape (k, m), integrating the interpolated density.

    Each cell's integral is the exact integral of the 8-point Lagrange
    interpolant (error of the interpolation's order), summed from the middle
    of the zero padding, at least 6 of the widest bandwidths from every age,
    so the mass left out is below Phi(-6) = 1e-9. O(length + m) per bandwidth.
    """
    x = np.asarray(x, dtype=float)
    cell = _integrated_weights(np.ones(1))[0]
    out = np.empty((len(nodes.rows), x.size))
    for row, (values, step) in enumerate(zip(nodes.rows, nodes.steps_gyr)):
        length = values.size
        top = max(nodes.hi_gyr, float(x.max(initial=nodes.lo_gyr)))
        start = (length + int(np.ceil((top - nodes.lo_gyr) / step))) // 2
        position = (x - nodes.lo_gyr) / step
        node = np.floor(position)
        # Unwrap so that nodes run from `start - length` (left of the ages) up to `start`.
        index = node.astype(np.intp)
        index = np.where(index >= start, index - length, index)
        ordered = np.roll(values, -(start - length))  # ordered[i] is node start - length + i
        integrals = sum(w * np.roll(ordered, -int(offset)) for w, offset in zip(cell, STENCIL)) * step
        cumulative = np.concatenate([[0.0], np.cumsum(integrals)])  # up to node start - length + i
        local = index - (start - length)
        stencil = (local[:, None] + STENCIL) % length
        partial = _integrated_weights(position - node)
        out[row] = cumulative[local] + np.einsum("ij,ij->i", ordered[stencil], partial) * step
    return out
