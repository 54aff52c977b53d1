"""The engine of a partitioned catalog: the binned engine's sums, from merged reductions instead of the ages.

``DistributedEngine`` supplies what ``engine.Engine`` asks for, with the
binned engine's own functions on merged integers:

* the leave-one-out CV score and its standard error
  (``binned.loo_scorer_from_counts``) from the merged CV counts at nodes
  Scott/800 apart, every star it flags recomputed exactly at the cells'
  values (the ages on a decimal grid, within half a cell otherwise); point
  scores only;
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
  each fold's exact count, sum and sum of squares; the cross products of
  per-star scores (``FoldScores.products``) are sums over the test cells.
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
from ..availability import NotAvailable
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
        """The held-out sums on the hashed folds (``rng`` unused: a star's fold is a hash of its identity).

        ``products`` (``engine.FoldScores``) are sums over each fold's test cells of count x log f_a x log f_b,
        the per-star scores read at the cells' values (the ages on a decimal grid, within half a cell
        otherwise); the Gaussian's row uses each fold's training mean and variance from the exact sums.
        """
        reduced = self.sample.reduced
        if folds != reduced.folds:
            raise ValueError(f"fold_scores: the catalog was reduced for {reduced.folds} folds, got {folds}")
        gaussian, flat = _gaussian_sums(reduced.bins)
        bandwidths = [h for _, h in models]
        values, cells = reduced.grid.values(), reduced.bins.cells
        total_cells = cells.sum(axis=0)
        rows = len(models) + (gaussian is not None)
        kde, products = np.zeros(len(models)), np.zeros((rows, rows))
        normals = _training_normals(reduced.bins) if gaussian is not None else [None] * folds
        for fold in range(folds):
            train = reduced.training_moments(fold)
            nodes = density_nodes(train, bandwidths, reach_gyr=(self.sample.minimum, self.sample.maximum))
            occupied = np.flatnonzero(cells[fold])
            points, counts = values[occupied], cells[fold][occupied].astype(float)
            for start in range(0, points.size, _CHUNK):
                chunk = slice(start, start + _CHUNK)
                logs = log_densities_at(nodes, points[chunk], values, total_cells - cells[fold], train.n)
                kde += logs @ counts[chunk]
                if normals[fold] is not None:
                    mean, variance = normals[fold]
                    normal = -0.5 * math.log(2 * math.pi * variance) - (points[chunk] - mean) ** 2 / (2 * variance)
                    logs = np.vstack([normal, logs])
                products += (logs * counts[chunk]) @ logs.T
        return FoldScores(
            folds=folds, gaussian=gaussian, flat=flat, kdes=tuple(float(t) for t in kde),
            products=tuple(tuple(map(float, r)) for r in products),
        )  # fmt: skip

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


def _training_folds(bins):
    """Per fold, as rationals from the exact sums: its test count, sum and sum of squares, and its training
    part's mean (Gyr) and variance (Gyr^2, divided by the count)."""
    counts = [int(c) for c in bins.fold_counts]
    firsts = [as_fraction(s, SUM_BITS) for s in bins.fold_sums]
    seconds = [as_fraction(s, SQUARE_BITS) for s in bins.fold_squares]
    n, total1, total2 = sum(counts), sum(firsts), sum(seconds)
    out = []
    for count, first, second in zip(counts, firsts, seconds):
        rest = n - count
        mean = (total1 - first) / rest
        out.append((count, first, second, mean, (total2 - second) / rest - mean * mean))
    return out


def _training_normals(bins) -> list[tuple[float, float]]:
    """Each fold's training mean (Gyr) and variance (Gyr^2), rounded once."""
    return [(float(mean), float(variance)) for *_, mean, variance in _training_folds(bins)]


def _gaussian_sums(bins) -> tuple[float | None, int]:
    """The Gaussian's summed held-out log-likelihood from each fold's exact count, sum and sum of squares
    (``binned.heldout._gaussian_sums``, the sums as rationals), and how many training parts have no spread."""
    score, flat = 0.0, 0
    for count, first, second, mean, variance in _training_folds(bins):
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

    def cv_scorer(self, *, scott: float, precision: float | None) -> CvScorer:
        """The leave-one-out score of the merged CV counts, repaired exactly at the cells' values where the
        counts' density is not accurate enough (``binned.loo_scorer_from_counts``); point scores only.

        Raises
        ------
        NotAvailable
            With ``precision`` (interval scores): the exact interval sums would need every age in one array.
        """
        plan = self.sample.reduced.plan
        if precision is not None:
            raise NotAvailable(
                "interval scores: a partitioned catalog is scored at points (its interval scores would be exact "
                "sums over every pair of ages, not a sum of its merged counts)"
            )
        if scott != plan.scott_gyr:
            raise ValueError(f"cv_scorer: the CV nodes were laid out for Scott's bandwidth {plan.scott_gyr!r}, got {scott!r}")
        counts = self.sample.reduced.bins.cv_counts.astype(np.float64)
        values, cumulative = self.sample.distinct()
        weights = np.diff(cumulative, prepend=0).astype(np.float64)
        return loo_scorer_from_counts(
            counts, step=plan.cv.step_gyr, scott=scott, low=plan.cv.lo_gyr, cells=(values, weights)
        )

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
