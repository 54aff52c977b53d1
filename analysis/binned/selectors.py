"""The leave-one-out CV score of a catalog: binned densities, recomputed exactly where they are not accurate.

Scott's and Silverman's bandwidths come from the summary (``statistics.rules``)
and ISJ from its own 1024-point binning (``statistics.isj``), for any n; only
the CV score needs a binned form here, which ``statistics.cv.search`` searches
as it searches the exact score. With interval scores (ages on a coarse grid)
the exact leave-one-out sums over distinct ages are cheap and used instead.
"""

import numpy as np

from ..engine import CvScorer
from ..errors import DataError
from ..statistics import LOO_METHOD, exact_loo_scorer, loo_kind, mean_and_se, refine_binned_loo
from .density import density_nodes, interpolate
from .grid import MAX_BINS, ORDER, bin_ages

__all__ = ["LOO_METHOD_BINNED", "loo_scorer"]

#: The CV rule's note on the binned path.
LOO_METHOD_BINNED = (
    LOO_METHOD + ", from the binned estimate (Taylor moments, error bound about 1e-10 of the peak density); "
    "every star whose binned leave-one-out density is not accurate to a relative 1e-6 (isolated stars, far "
    "outliers) is recomputed exactly from its neighbours"
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
    neighbours (``statistics.loo.refine_binned_loo``). With ``precision`` (interval
    scores) the exact sums over distinct ages are used (``statistics.cv.exact_loo_scorer``).

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
    step = _LOW * scott / _BINS_PER_BANDWIDTH
    low, high = float(ordered[0]), float(ordered[-1])
    n_bins = int(np.ceil((high - low) / step)) + 1
    if n_bins > MAX_BINS:
        raise DataError(
            f"binned CV bandwidth: the ages span {high - low:g} Gyr, {n_bins * _LOW / _BINS_PER_BANDWIDTH:.3g} times "
            f"Scott's bandwidth ({scott:.3g} Gyr); its bins (Scott/300 apart) would need more than {MAX_BINS} bins. "
            "Expected ages in Gyr: are a few far outliers, or values in years, in the data?"
        )
    binned = bin_ages(ordered, lo=low, hi=max(low + (n_bins - 1) * step, high), n_bins=n_bins, order=ORDER)

    def score(h: float) -> tuple[float, float]:
        nodes = density_nodes(binned, [h], reach_gyr=(low, high), nodes_per_bandwidth=_NODES_PER_BANDWIDTH)
        # In place: a catalog's per-star arrays are the score's memory.
        loo = interpolate(nodes, ordered)[0]
        loo *= n
        loo -= 1.0 / (h * np.sqrt(2 * np.pi))
        loo /= n - 1
        bound = n / (n - 1) * (nodes.error_bounds[0] + _ROUND_OFF) * float(nodes.rows[0].max())
        with np.errstate(divide="ignore", invalid="ignore"):
            np.log(loo, out=loo)
        refined = refine_binned_loo(ordered, h, loo, np.broadcast_to(bound, (n,)), rtol=RTOL)
        return mean_and_se(refined.log_densities)

    return CvScorer(
        score=score, folds=n, method=LOO_METHOD_BINNED, points=_GRID_POINTS, widenings=0, xatol=_XATOL,
        kind="loo", precision=None,
    )  # fmt: skip
