"""The binned engine: a catalog's kernel sums from one fine binning (above ``engine.EXACT_MAX_N`` ages).

The sums behind the same ``DatasetResult`` as the exact engine's, from the
sorted ages and one binning: CV by the binned leave-one-out score
(``selectors``), every KDE curve from one FFT per bandwidth (``density``),
held-out sums from binned training folds (``heldout``), synthetic samples of
at most ``results.MAX_STORED_VALUES`` draws and envelopes as multinomial bin
counts. Time O(n log n) (one sort) and memory about one copy of the ages.
"""

from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import cached_property

import numpy as np

from ..config import AGE_OF_UNIVERSE_GYR
from ..engine import CvScorer, Draws, FoldScores
from ..exact import kde_curve, kde_grid, sample_kde
from ..results import MAX_STORED_VALUES, EngineInfo, KdeCurve
from ..statistics import Sample
from .density import DensityNodes, cdf_at, density_nodes, interpolate
from .grid import BinnedData, bin_for_bandwidths, relative_error_bound
from .heldout import binned_fold_scores, kde_log_density
from .sampling import component_cdf
from .selectors import loo_scorer

__all__ = ["BINNED_METHOD", "SCIPY_BINNED_METHOD", "BinnedEngine", "BinnedKde", "binned_curves", "replicate_draws"]

#: ``KdeCurve.method`` of the binned curves, and of the one at scipy's Scott bandwidth.
BINNED_METHOD = "binned"
SCIPY_BINNED_METHOD = "binned at scipy's Scott bandwidth"


@dataclass(frozen=True, eq=False)
class BinnedKde:
    """The KDE of sorted ages at ``bandwidths`` (Gyr), from their binning (``BinnedEngine.fit``).

    The densities on their nodes (one inverse FFT per bandwidth) are computed
    on first use, for the curves and the envelopes.
    """

    ordered: np.ndarray
    binned: BinnedData
    bandwidths: tuple[float, ...]

    @cached_property
    def _grids(self) -> list[np.ndarray]:
        return [kde_grid(self.ordered[[0, -1]], h) for h in self.bandwidths]

    @cached_property
    def _nodes(self) -> DensityNodes:
        """Every bandwidth's density on its nodes, padded to reach every curve's grid."""
        reach = (min(float(g[0]) for g in self._grids), max(float(g[-1]) for g in self._grids))
        return density_nodes(self.binned, self.bandwidths, reach_gyr=reach)

    def curves(self, models: Sequence[tuple[str, float]], scott: float) -> tuple[tuple[KdeCurve, ...], KdeCurve]:
        """Each model's curve on its ``kde_grid`` and the curve at Scott's bandwidth ``scott``, interpolated
        from the nodes; ``fit`` must have been given the models' bandwidths, then ``scott``."""
        return binned_curves(self._nodes, self._grids, models, self.ordered.size)

    def log_density(self, points: np.ndarray, bandwidth: float) -> np.ndarray:
        return kde_log_density(self.binned, self.ordered, bandwidth, points)

    def fold_scores(self, models: Sequence[tuple[str, float]], *, folds: int, rng: np.random.Generator) -> FoldScores:
        return binned_fold_scores(self.ordered, self.binned, models, folds=folds, rng=rng)

    def draws(self, bandwidth: float, edges: np.ndarray, replicates: int, *, rng: np.random.Generator) -> Draws:
        """The exact engine's draws at scale: a stored sample of at most ``MAX_STORED_VALUES`` draws
        from the ages (O(k)), then the replicates' histograms (``replicate_draws``)."""
        n = self.ordered.size
        shown = sample_kde(self.ordered, bandwidth, min(n, MAX_STORED_VALUES), rng=rng)
        return replicate_draws(self._nodes, self.binned, bandwidth, edges, replicates, n=n, shown=shown, rng=rng)

    def info(self) -> EngineInfo:
        step = self.binned.step_gyr
        return EngineInfo(
            path="binned",
            n_bins=self.binned.n_bins,
            bin_width_gyr=step,
            max_rel_error=relative_error_bound(step, min(self.bandwidths)),
        )


def binned_curves(
    nodes: DensityNodes, grids: Sequence[np.ndarray], models: Sequence[tuple[str, float]], n: int
) -> tuple[tuple[KdeCurve, ...], KdeCurve]:
    """Each model's curve on its grid and the last grid's curve at Scott's bandwidth, interpolated from
    ``nodes`` (one row per model, then Scott's); ``n`` ages scale the counts."""
    density = interpolate(nodes, np.concatenate(grids))
    cut = np.cumsum([0] + [g.size for g in grids])
    kinds = [kind for kind, _ in models] + ["scott"]
    methods = [BINNED_METHOD] * len(models) + [SCIPY_BINNED_METHOD]
    *curves, scipy = (
        kde_curve(method, kind, h, x, density[row, cut[row] : cut[row + 1]], n)
        for row, (method, kind, h, x) in enumerate(zip(methods, kinds, nodes.bandwidths, grids))
    )
    return tuple(curves), scipy


def replicate_draws(
    nodes: DensityNodes, binned: BinnedData, bandwidth: float, edges: np.ndarray, replicates: int, *,
    n: int, shown: np.ndarray, rng: np.random.Generator,
) -> Draws:  # fmt: skip
    """``Draws`` of n ages from a binned KDE, with the sample ``shown`` already drawn.

    Each replicate's histogram counts are one multinomial draw with the KDE's
    probabilities of the histogram bins (its CDF at the edges, plus one cell
    for outside), O(B x bins); the B x n draws below 0 / above 13.8 Gyr one
    multinomial draw with the KDE's tail masses.
    """
    row = nodes.bandwidths.index(bandwidth)
    one = replace(
        nodes, bandwidths=(nodes.bandwidths[row],), steps_gyr=(nodes.steps_gyr[row],), rows=(nodes.rows[row],),
        error_bounds=(nodes.error_bounds[row],),
    )  # fmt: skip
    cdf = cdf_at(one, np.asarray(edges, dtype=float))[0]
    inside = np.clip(np.diff(cdf), 0.0, None)
    cells = np.append(inside, max(0.0, 1.0 - inside.sum()))
    counts = rng.multinomial(n, cells / cells.sum(), size=replicates)[:, :-1]
    below, inside_upper = component_cdf(binned, bandwidth, [0.0, AGE_OF_UNIVERSE_GYR])
    tails = np.clip([below, 1.0 - inside_upper], 0.0, 1.0)
    drawn = rng.multinomial(replicates * n, np.append(tails, max(0.0, 1.0 - tails.sum())))
    return Draws(shown=shown, counts=counts, below=int(drawn[0]), above=int(drawn[1]), total=replicates * n)


@dataclass(frozen=True, eq=False)
class BinnedEngine:
    """Kernel sums from one binning of the sorted ages into Taylor moments (``grid``)."""

    sample: Sample
    path = "binned"

    def cv_scorer(self, *, scott: float, precision: float | None) -> CvScorer:
        """The leave-one-out score from the binning, exact where it must be (``selectors.loo_scorer``).

        Raises
        ------
        DataError
            If its nodes would need more than ``grid.MAX_BINS`` bins.
        """
        return loo_scorer(self.sample.ordered, scott=scott, precision=precision)

    def fit(self, bandwidths: Sequence[float]) -> BinnedKde:
        """One binning with a step of at most the smallest bandwidth / 3.

        Raises
        ------
        DataError
            If that needs more than ``grid.MAX_BINS`` bins.
        """
        bandwidths = tuple(float(h) for h in bandwidths)
        return BinnedKde(self.sample.ordered, bin_for_bandwidths(self.sample.ordered, bandwidths), bandwidths)
