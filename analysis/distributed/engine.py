"""The engine of a partitioned catalog: the binned engine's sums, from merged reductions instead of the ages.

``DistributedEngine`` supplies what ``engine.Engine`` asks for, with the
binned engine's own functions on merged integers:

* the leave-one-out CV score (``binned.loo_scorer_from_counts``) of the CV
  counts, the same integers the in-memory engine bins (Scott/800 nodes);
* every KDE curve and the replicate envelopes from the merged Taylor moments
  (``binned.density_nodes``, ``binned_curves``, ``replicate_draws``): the
  binned error bound applies unchanged;
* the synthetic sample shown, drawn as ``exact.sample_kde`` draws from the
  sorted ages (the same indices pick the same order statistics, here from the
  cell counts: the same draws on a decimal grid);
* held-out sums on folds hashed from each row's identity (``identity``):
  each fold's training binning is the other folds' moments added as
  integers; its log density at every test age is its log density at the
  test ages' cells weighted by their counts (exact on a decimal grid, each
  age moved at most half a cell on a uniform one), with the in-memory
  engine's exact fallback where the binned density is too small to trust,
  here summed over the training ages' cells. The Gaussian's sums come from
  each fold's exact count, sum and sum of squares.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
import math

import numpy as np

from ..binned import (
    BinnedData, DensityNodes, binned_curves, density_nodes, interpolate, loo_scorer_from_counts,
    relative_error_bound, replicate_draws,
)  # fmt: skip
from ..engine import CvScorer, Draws, FoldScores
from ..errors import DataError
from ..exact import kde_grid
from ..results import MAX_STORED_VALUES, EngineInfo, KdeCurve
from .cells import CellSample
from .fixedpoint import SQUARE_BITS, SUM_BITS, as_fraction
from .plan import covers

__all__ = ["DistributedEngine", "DistributedKde"]

#: As ``binned.heldout``: a density below this many error bounds (or this fraction of the peak) is
#: replaced by the exact sum over the training ages near the point, beyond 12 kernel widths negligible.
_TRUST, _ROUND_OFF, _EXACT_REACH = 1e3, 1e-10, 12.0
#: Points interpolated per call: temporaries of a few MB.
_CHUNK = 2**16


def _exact_log(x: float, h: float, values: np.ndarray, weights: np.ndarray, n_train: int) -> float:
    """``log(sum_c w_c K_h(x - v_c) / n_train)`` over the occupied training cells near x (sorted ``values``,
    positive ``weights``), reaching 12 kernel widths beyond the nearest (``binned.heldout._exact_log``)."""
    position = int(np.searchsorted(values, x))
    nearest = min(abs(values[max(position - 1, 0)] - x), abs(values[min(position, values.size - 1)] - x))
    reach = nearest + _EXACT_REACH * h
    lo, hi = np.searchsorted(values, [x - reach, x + reach], side="left")
    z = -0.5 * ((x - values[lo:hi]) / h) ** 2
    top = float(z.max())
    total = float(np.dot(weights[lo:hi].astype(float), np.exp(z - top)))
    return top + math.log(total) - math.log(h * math.sqrt(2 * math.pi)) - math.log(n_train)


def log_densities_at(
    nodes: DensityNodes, points: np.ndarray, values: np.ndarray, train_weights: np.ndarray, n_train: int
) -> np.ndarray:
    """Log densities (log(1/Gyr)), shape (k, m), of the binned training KDE at ``points`` (Gyr).

    Where the binned density is below the trusted floor (``binned.heldout``'s
    rule) the exact sum over the training cells is taken instead
    (``train_weights`` on the cell ``values``; ``n_train`` their total).
    """
    occupied = np.flatnonzero(train_weights)
    train_values, weights = values[occupied], train_weights[occupied]
    density = interpolate(nodes, points)
    for row, (h, bound, peak) in enumerate(zip(nodes.bandwidths, nodes.error_bounds, nodes.rows)):
        floor = max(_TRUST * bound, _ROUND_OFF) * float(peak.max())
        low = np.flatnonzero(density[row] < floor)
        np.log(np.maximum(density[row], floor), out=density[row])
        for i in low:
            density[row, i] = _exact_log(float(points[i]), h, train_values, weights, n_train)
    return density


def cell_log_likelihoods(
    nodes: DensityNodes, values: np.ndarray, weights: np.ndarray, train_weights: np.ndarray, n_train: int
) -> np.ndarray:
    """Per bandwidth of ``nodes``: ``sum_c weights_c log f(values_c)`` over the cells (log(1/Gyr)),
    ``f`` the training KDE (``log_densities_at``), summed chunk by chunk in cell order."""
    occupied = np.flatnonzero(weights)
    points, counts = values[occupied], weights[occupied].astype(float)
    totals = np.zeros(len(nodes.rows))
    for start in range(0, points.size, _CHUNK):
        logs = log_densities_at(nodes, points[start : start + _CHUNK], values, train_weights, n_train)
        totals += logs @ counts[start : start + _CHUNK]
    return totals


@dataclass(frozen=True, eq=False)
class DistributedKde:
    """The KDE of a reduced column at ``bandwidths`` (Gyr), from its merged moments (``DistributedEngine.fit``)."""

    sample: CellSample
    binned: BinnedData
    bandwidths: tuple[float, ...]

    @cached_property
    def _ends(self) -> np.ndarray:
        return np.array([self.sample.minimum, self.sample.maximum])

    @cached_property
    def _grids(self) -> list[np.ndarray]:
        return [kde_grid(self._ends, h) for h in self.bandwidths]

    @cached_property
    def _nodes(self) -> DensityNodes:
        reach = (min(float(g[0]) for g in self._grids), max(float(g[-1]) for g in self._grids))
        return density_nodes(self.binned, self.bandwidths, reach_gyr=reach)

    def curves(self, models: Sequence[tuple[str, float]], scott: float) -> tuple[tuple[KdeCurve, ...], KdeCurve]:
        return binned_curves(self._nodes, self._grids, models, self.sample.n)

    def log_density(self, points: np.ndarray, bandwidth: float) -> np.ndarray:
        """Log density at ``points`` (Gyr): binned, exact (over the cells) where the binned one is too small."""
        points = np.asarray(points, dtype=float)
        nodes = density_nodes(self.binned, [bandwidth], reach_gyr=(float(points.min()), float(points.max())))
        values, cells = self.sample.reduced.grid.values(), self.sample.cells
        return log_densities_at(nodes, points, values, cells, self.sample.n)[0]

    def cross_log_likelihood(self, other: CellSample, bandwidth: float) -> float:
        """Mean log density per star (log(1/Gyr)) of ``other``'s ages (its cells) under this KDE at ``bandwidth``."""
        if other.reduced.grid != self.sample.reduced.grid:
            raise ValueError("cross_log_likelihood: expected two columns of one catalog (one cell grid)")
        reach = (min(self.sample.minimum, other.minimum), max(self.sample.maximum, other.maximum))
        nodes = density_nodes(self.binned, [bandwidth], reach_gyr=reach)
        values = self.sample.reduced.grid.values()
        total = cell_log_likelihoods(nodes, values, other.cells, self.sample.cells, self.sample.n)[0]
        return total / other.n

    def fold_scores(self, models: Sequence[tuple[str, float]], *, folds: int, rng: np.random.Generator) -> FoldScores:
        """The held-out sums on the hashed folds (``rng`` unused: a star's fold is a hash of its identity)."""
        reduced = self.sample.reduced
        if folds != reduced.folds:
            raise ValueError(f"fold_scores: the catalog was reduced for {reduced.folds} folds, got {folds}")
        gaussian, flat = _gaussian_sums(reduced.bins)
        bandwidths = [h for _, h in models]
        values, cells = reduced.grid.values(), reduced.bins.cells
        total_cells = cells.sum(axis=0)
        kde = np.zeros(len(models))
        for fold in range(folds):
            train = reduced.training_moments(fold)
            nodes = density_nodes(train, bandwidths, reach_gyr=(self.sample.minimum, self.sample.maximum))
            kde += cell_log_likelihoods(nodes, values, cells[fold], total_cells - cells[fold], train.n)
        return FoldScores(folds=folds, gaussian=gaussian, flat=flat, kdes=tuple(float(t) for t in kde))

    def draws(self, bandwidth: float, edges: np.ndarray, replicates: int, *, rng: np.random.Generator) -> Draws:
        """``exact.sample_kde``'s draws from the sorted ages (order statistics from the cells), then the
        binned engine's replicate histograms."""
        n = self.sample.n
        size = min(n, MAX_STORED_VALUES)
        shown = self.sample.order_statistics(rng.integers(0, n, size=size)) + rng.normal(scale=bandwidth, size=size)
        return replicate_draws(self._nodes, self.binned, bandwidth, edges, replicates, n=n, shown=shown, rng=rng)

    def info(self) -> EngineInfo:
        step = self.binned.step_gyr
        return EngineInfo(
            path="binned", n_bins=self.binned.n_bins, bin_width_gyr=step,
            max_rel_error=relative_error_bound(step, min(self.bandwidths)),
        )  # fmt: skip


def _gaussian_sums(bins) -> tuple[float | None, int]:
    """The Gaussian's summed held-out log-likelihood from each fold's exact count, sum and sum of squares
    (``binned.heldout._gaussian_sums``, the sums as rationals), and how many training parts have no spread."""
    counts = [int(c) for c in bins.fold_counts]
    firsts = [as_fraction(s, SUM_BITS) for s in bins.fold_sums]
    seconds = [as_fraction(s, SQUARE_BITS) for s in bins.fold_squares]
    n, total1, total2 = sum(counts), sum(firsts), sum(seconds)
    score, flat = 0.0, 0
    for count, first, second in zip(counts, firsts, seconds):
        rest = n - count
        mean = (total1 - first) / rest
        variance = (total2 - second) / rest - mean * mean
        if variance <= 0:
            flat += 1
            continue
        squares = second - 2 * mean * first + count * mean * mean  # sum over the test ages of (x - mean)^2
        score += -0.5 * count * math.log(2 * math.pi * float(variance)) - float(squares / (2 * variance))
    return (None, flat) if flat else (score, 0)


@dataclass(frozen=True, eq=False)
class DistributedEngine:
    """Kernel sums of a partitioned catalog's column from its merged reductions (``CellSample``)."""

    sample: CellSample
    path = "binned"

    def cv_scorer(self, *, folds: int, rng: np.random.Generator, scott: float) -> CvScorer:
        """The leave-one-out score of the merged CV counts (``folds`` and ``rng`` unused, as the binned engine's)."""
        plan = self.sample.reduced.plan
        if scott != plan.scott_gyr:
            raise ValueError(f"cv_scorer: the CV nodes were laid out for Scott's bandwidth {plan.scott_gyr!r}, got {scott!r}")
        counts = self.sample.reduced.bins.cv_counts.astype(np.float64)
        return loo_scorer_from_counts(counts, step=plan.cv_step_gyr, scott=scott)

    def fit(self, bandwidths: Sequence[float]) -> DistributedKde:
        """The merged moments, for bandwidths no narrower than 3 of their bins.

        Raises
        ------
        DataError
            For a bandwidth narrower than the nodes planned from the smallest
            configured bandwidth allow; the message says which option fixes it.
        """
        bandwidths = tuple(float(h) for h in bandwidths)
        plan = self.sample.reduced.plan
        narrow = [h for h in bandwidths if not covers(plan, h)]
        if narrow:
            raise DataError(
                f"bandwidths {narrow} Gyr are narrower than the partitioned catalog was binned for (nodes "
                f"{plan.kde.step_gyr:.3g} Gyr apart, for the smallest configured bandwidth {plan.h_floor_gyr:g} Gyr); "
                f"add a bandwidth of at most {min(narrow):.3g} Gyr to --bandwidths"
            )
        return DistributedKde(self.sample, self.sample.reduced.binned_moments(), bandwidths)
