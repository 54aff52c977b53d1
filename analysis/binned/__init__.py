"""The binned engine for large catalogs: every bandwidth from one binning into Taylor moments and one FFT.

Face of the family: ``BinnedEngine`` (``engine``) and the constants the
Methods page states. Behind it: ``grid`` (the binning, its error bound, fold
binnings), ``loops`` (the loops over every age, compiled with numba and imported
only when a catalog is binned: the exact path never loads numba), ``parts``
(those loops over fixed-size parts of the ages, in threads),
``stencil`` (the interpolation stencil), ``density`` (densities and CDFs from
one FFT), ``sampling`` (the per-bin normal mixture's CDF), ``selectors`` (the
leave-one-out CV score) and ``heldout`` (log densities and k-fold held-out
sums in bounded memory). The partitioned-catalog engine (``distributed``)
evaluates merged reductions with the same functions: the face exports them.
"""

from .density import DensityNodes, density_nodes, interpolate
from .engine import BINNED_METHOD, SCIPY_BINNED_METHOD, BinnedEngine, BinnedKde, binned_curves, replicate_draws
from .grid import BINS_PER_BANDWIDTH, MAX_BINS, NODES_PER_BANDWIDTH, ORDER, BinnedData, plan, relative_error_bound
from .heldout import log_densities
from .selectors import loo_nodes, loo_scorer_from_counts

__all__ = [
    "BINNED_METHOD", "BINS_PER_BANDWIDTH", "MAX_BINS", "NODES_PER_BANDWIDTH", "ORDER", "SCIPY_BINNED_METHOD",
    "BinnedData", "BinnedEngine", "BinnedKde", "DensityNodes", "binned_curves", "density_nodes", "interpolate",
    "log_densities", "loo_nodes", "loo_scorer_from_counts", "plan", "relative_error_bound", "replicate_draws",
]  # fmt: skip
