"""The leave-one-out CV score of a catalog: binned densities, recomputed exactly where they are not accurate.

Scott's and Silverman's bandwidths come from the summary (``statistics.rules``)
and ISJ from its own 1024-point binning (``statistics.isj``), for any n; only
the CV score needs a binned form here, which ``statistics.cv.search`` searches
as it searches the exact score. With interval scores (ages on a coarse grid)
the exact leave-one-out sums over distinct ages are cheap and used instead.
A partitioned catalog, whose ages are never in one array, is scored from its
merged counts at nodes Scott/800 apart (``loo_scorer_from_counts``), with the
same standard error and the same exact repair of the stars it flags.
"""

import numpy as np
from scipy.fft import irfft, next_fast_len, rfft

from ..engine import CvScorer
from ..errors import DataError
from ..statistics import (
    LOO_METHOD, exact_loo_scorer, loo_kind, mean_and_se, mean_and_se_from_sums, windowed_loo,
)  # fmt: skip
from .density import density_nodes
from .grid import MAX_BINS, ORDER, bin_ages
from .parts import in_parts

__all__ = ["LOO_METHOD_BINNED", "LOO_METHOD_COUNTS", "loo_nodes", "loo_scorer", "loo_scorer_from_counts"]

#: The CV rule's note on the binned path.
LOO_METHOD_BINNED = (
    LOO_METHOD + ", from the binned estimate (Taylor moments, error bound about 1e-10 of the peak density); "
    "every star whose binned leave-one-out density is not accurate to a relative 1e-6 (isolated stars, far "
    "outliers) is recomputed exactly from its neighbours"
)
#: The CV rule's note for a partitioned catalog (``loo_scorer_from_counts``).
LOO_METHOD_COUNTS = (
    LOO_METHOD + ", from the catalog's merged counts at nodes Scott/800 apart (each age moved at most Scott/1600 "
    "to its node, which widens the kernel variance by about a relative 7e-4 at the narrowest bandwidth searched; "
    "kernel sums by FFT, round-off below 1e-12 of the peak); every star whose leave-one-out density is not "
    "accurate to a relative 1e-6 (isolated stars, far outliers) is recomputed exactly from the catalog's cells"
)
#: The search: 31 log-spaced bandwidths from Scott/50 to 3 x Scott, never widened (the binning and the
#: padding are laid out for that range), refined to 1e-5 in log h.
_GRID_POINTS = 31
_LOW, _HIGH = 1 / 50, 3.0
_XATOL = 1e-5
#: Bin step: the narrowest bandwidth searched over this (the Taylor term of the bound ~ 2e-11) ...
_BINS_PER_BANDWIDTH = 6
#: ... and density nodes this many per bandwidth (the interpolation term ~ 1e-10).
_NODES_PER_BANDWIDTH = 16
#: Stars per thread's part of the score; fixed, so the sums' order does not depend on the cores.
_PART = 2**18
#: Relative round-off of the FFT densities, on top of the bound (relative to the peak).
_ROUND_OFF = 1e-13
#: A binned leave-one-out density is kept when its error bound is at most this fraction of it:
#: its log is then off by at most ~1e-6, far below any standard error of the mean score.
RTOL = 1e-6


def loo_scorer(ordered: np.ndarray, *, scott: float, precision: float | None = None) -> CvScorer:
    """Leave-one-out likelihood CV score of sorted ages (Gyr) from their binning, with no floor.

    The ages are binned into Taylor moments (``grid``, step Scott/300, h/6 at
    the narrowest bandwidth searched) and the KDE of all n ages is evaluated
    at every age from nodes h/16 apart (``density``); star i's leave-one-out
    density is ``(n f(x_i) - K_h(0)) / (n - 1)``, with an absolute error of at
    most ``n / (n - 1)`` times the bound (``grid.relative_error_bound``) times
    the peak density, plus round-off. Every star whose density is not
    accurate to a relative ``RTOL`` (an isolated star, whose own kernel
    dominates its sum, or a far outlier) is recomputed exactly from its
    neighbours (``statistics.loo.windowed_loo``). The per-star logs are summed
    as they are computed (``loops.loo_log_sums``, in threads), so the score
    holds one byte per star. With ``precision`` (interval scores) the exact
    sums over distinct ages are used (``statistics.cv.exact_loo_scorer``).

    Returns
    -------
    CvScorer
        ``folds = n`` (leave-one-out), 31 grid points, no widening.

    Raises
    ------
    DataError
        If the binning would need more than ``grid.MAX_BINS`` bins.
    """
    n = ordered.size
    if precision is not None:
        exact = exact_loo_scorer(ordered, precision=precision)
        return CvScorer(
            score=exact.score, folds=n, method=LOO_METHOD, points=_GRID_POINTS, widenings=0, xatol=_XATOL,
            kind=loo_kind(precision), precision=precision,
        )  # fmt: skip
    low, high = float(ordered[0]), float(ordered[-1])
    n_bins, step = _bins(low, high, scott, _BINS_PER_BANDWIDTH)
    binned = bin_ages(ordered, lo=low, hi=max(low + (n_bins - 1) * step, high), n_bins=n_bins, order=ORDER)

    # Logs are summed relative to the uniform density's over the span, so the squares do not swamp the variance.
    shift = -float(np.log(high - low + scott))

    def score(h: float) -> tuple[float, float]:
        from .loops import loo_log_sums  # numba, loaded only for catalogs

        nodes = density_nodes(binned, [h], reach_gyr=(low, high), nodes_per_bandwidth=_NODES_PER_BANDWIDTH)
        row, lo, step = nodes.rows[0], nodes.lo_gyr, nodes.steps_gyr[0]
        own = 1.0 / (h * np.sqrt(2 * np.pi))
        bound = n / (n - 1) * (nodes.error_bounds[0] + _ROUND_OFF) * float(row.max())
        # One byte per star marks the few to recompute: the score's only per-star memory.
        flagged = np.zeros(n, dtype=np.uint8)

        def part(span: slice) -> tuple[float, float]:
            return loo_log_sums(row, lo, step, ordered[span], n, own, bound, RTOL, shift, flagged[span])

        total, squares = 0.0, 0.0
        for part_total, part_squares in in_parts(part, n, _PART):
            total += part_total
            squares += part_squares
        exact = windowed_loo(ordered, np.flatnonzero(flagged), h) - shift
        return mean_and_se_from_sums(n, total + exact.sum(), squares + exact @ exact, shift=shift)

    return CvScorer(
        score=score, folds=n, method=LOO_METHOD_BINNED, points=_GRID_POINTS, widenings=0, xatol=_XATOL,
        kind="loo", precision=None,
    )  # fmt: skip


#: Count nodes per narrowest bandwidth searched (Scott/800): rounding to them widens the kernel
#: variance by about step**2/6, relative 7e-4 at h = 16 steps.
_NODES_PER_NARROWEST = 16
#: Zero padding beyond the ages, in units of the widest bandwidth searched (the FFT's circular wrap).
_PAD_BANDWIDTHS = 12.0
#: Relative round-off of the FFT kernel sums (relative to their peak).
_FFT_ROUND_OFF = 1e-12


def loo_nodes(low: float, high: float, scott: float) -> tuple[int, float, float]:
    """``(n_bins, lo, step)`` of the count nodes (Scott/800 apart) over ages in [low, high] (Gyr).

    Raises
    ------
    DataError
        If the nodes would need more than ``grid.MAX_BINS`` bins.
    """
    n_bins, step = _bins(low, high, scott, _NODES_PER_NARROWEST)
    return n_bins, low, step


def _bins(low: float, high: float, scott: float, per_narrowest: int) -> tuple[int, float]:
    """``(n_bins, step)`` of bins ``per_narrowest`` to the narrowest bandwidth searched, over [low, high] Gyr."""
    step = _LOW * scott / per_narrowest
    n_bins = int(np.ceil((high - low) / step)) + 1
    if n_bins > MAX_BINS:
        raise DataError(
            f"binned CV bandwidth: the ages span {high - low:g} Gyr, {n_bins * _LOW / per_narrowest:.3g} times "
            f"Scott's bandwidth ({scott:.3g} Gyr); its bins (Scott/{round(per_narrowest / _LOW)} apart) would need "
            f"more than {MAX_BINS} bins. Expected ages in Gyr: are a few far outliers, or values in years, in the data?"
        )
    return n_bins, step


def loo_scorer_from_counts(
    counts: np.ndarray, *, step: float, scott: float, low: float, cells: tuple[np.ndarray, np.ndarray]
) -> CvScorer:
    """The leave-one-out score of ages counted at nodes ``low + b step`` (``loo_nodes``), with its standard error.

    With c_b ages at node g_b, ``F_b = sum_c c_c K_h(g_b - g_c)`` (one inverse
    FFT, the Gaussian's analytic transform) and node b's stars score
    ``log((F_b - K_h(0)) / (n - 1))`` each: the mean and standard error over
    stars are ``statistics.cv.mean_and_se`` weighted by the counts. A node whose
    leave-one-out density is not accurate to ``RTOL`` given the FFT's round-off
    is recomputed exactly (``statistics.loo.windowed_loo``) at each of its
    ``cells`` (sorted occupied values (Gyr), counts): the ages themselves on a
    decimal grid, within half a cell of them otherwise.
    """
    n = int(counts.sum())
    values, weights = cells
    length = next_fast_len(counts.size + int(np.ceil(_PAD_BANDWIDTHS * _HIGH * scott / step)), real=True)
    spectrum = rfft(counts, length)
    freq = np.fft.rfftfreq(length, d=step)
    occupied = np.flatnonzero(counts)
    node_counts = counts[occupied]
    # Each cell's node, as the reduction counted its ages (``kernels.count_nearest``).
    node_of = np.clip(((values - low) * (1.0 / step) + 0.5).astype(np.int64), 0, counts.size - 1)

    def score(h: float) -> tuple[float, float]:
        sums = irfft(spectrum * np.exp(-0.5 * (2 * np.pi * freq * h) ** 2), length)[: counts.size] / step
        loo = (sums[occupied] - 1.0 / (h * np.sqrt(2 * np.pi))) / (n - 1)
        bound = _FFT_ROUND_OFF * float(sums.max()) / (n - 1)
        with np.errstate(divide="ignore", invalid="ignore"):
            logs = np.log(loo)
            accurate = np.isfinite(logs) & (bound <= RTOL * loo)
        bad = occupied[~accurate]
        stars = np.flatnonzero(np.isin(node_of, bad))
        # A flagged node's stars, scored at their cells; on a uniform grid a cell's centre may round to
        # another node than its ages did, so each node's cells carry its count (equal on a decimal grid),
        # and a flagged node none of whose cells rounds to it is scored at the occupied cell nearest to it.
        total = np.bincount(node_of[stars], weights=weights[stars], minlength=counts.size)
        share = counts[node_of[stars]] / np.maximum(total[node_of[stars]], 1.0)
        lost = bad[total[bad] == 0]
        nearest = np.clip(np.searchsorted(values, low + lost * step), 1, values.size - 1)
        nearest -= (low + lost * step) - values[nearest - 1] < values[nearest] - (low + lost * step)
        at = np.concatenate([stars, nearest])
        exact = windowed_loo(values, at, h, counts=weights)
        return mean_and_se(
            np.concatenate([logs[accurate], exact]),
            np.concatenate([node_counts[accurate], weights[stars] * share, counts[lost]]),
        )

    return CvScorer(
        score=score, folds=n, method=LOO_METHOD_COUNTS, points=_GRID_POINTS, widenings=0, xatol=_XATOL,
        kind="loo", precision=None,
    )  # fmt: skip
