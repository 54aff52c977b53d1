"""The second pass: per-fold Taylor moments, CV counts, per-fold cell counts, ISJ weights, per-fold sums and
each column's normality subsample.

Every array is integer (int64 counts, 128-bit fixed-point moments and sums),
so ``merge_bins`` is exact and the merged catalog has the same bits however
it was partitioned. A fold's training binning is the sum of the other
folds' (the in-memory ``binned.grid.without`` without a subtraction), and the
whole binning the sum of all folds'. The stored per-star pairs (for the
figures) and each column's normality subsample (at most
``statistics.SHAPIRO_MAX_N`` ages, for Lilliefors and Shapiro-Wilk) are the
rows with the smallest seeded hashes of their identity: a uniform random
sample without replacement that does not depend on the partitioning.
"""

from dataclasses import dataclass
from itertools import combinations

import numpy as np

from ..errors import DataError
from ..statistics import SHAPIRO_MAX_N
from .fixedpoint import add128, zeros128
from .identity import fold_labels, splitmix64
from .plan import ISJ_POINTS, CellGrid, ColumnPlan, Plan

__all__ = ["BinReduction", "ColumnBins", "PairSample", "merge_bins", "reduce_bins"]


@dataclass(frozen=True)
class ColumnBins:
    """One column's second-pass reduction.

    Attributes
    ----------
    counts : ndarray of int64, shape (folds, n_bins)
        Ages per KDE node and fold (the moment p = 0).
    moments : ndarray of uint64, shape (folds, order - 1, n_bins, 2)
        128-bit sums of u**p, p = 1 .. order - 1, in units of 2**-90.
    cv_counts : ndarray of int64, shape (n_cv,)
        Ages per CV node (Scott/800 apart).
    cells : ndarray of int64, shape (folds, n_cells)
        Ages per fold and cell of the shared ``CellGrid``.
    isj : ndarray of uint64, shape (ISJ_POINTS, 2)
        ISJ's linear binning weights, 128-bit in units of 2**-60.
    fold_counts : ndarray of int64, shape (folds,)
    fold_sums, fold_squares : ndarray of uint64, shape (folds, 2)
        128-bit sums of ages (2**-80 Gyr) and squares (2**-60 Gyr^2) per fold.
    normality_hashes : ndarray of uint64, shape (k,)
    normality_ages : ndarray of float64, shape (k,)
        The normality subsample: the ages (Gyr) of the at most
        ``statistics.SHAPIRO_MAX_N`` present rows with the smallest seeded
        hashes of their identity, in hash order.
    """

    counts: np.ndarray
    moments: np.ndarray
    cv_counts: np.ndarray
    cells: np.ndarray
    isj: np.ndarray
    fold_counts: np.ndarray
    fold_sums: np.ndarray
    fold_squares: np.ndarray
    normality_hashes: np.ndarray
    normality_ages: np.ndarray


@dataclass(frozen=True)
class PairSample:
    """Rows kept for the per-star figures: their hash (uint64, sorted) and every column's age (NaN = missing)."""

    hashes: np.ndarray
    ages: np.ndarray  #: shape (columns, rows)


@dataclass(frozen=True)
class BinReduction:
    """The second pass over a partition or the catalog; ``pair_cells`` counts per-row differences (one
    array per pair of columns, ``None`` for a pair without rows), ``sample`` the kept rows."""

    columns: tuple[ColumnBins, ...]
    pair_cells: tuple[np.ndarray | None, ...]
    sample: PairSample | None


def count_cells(values: np.ndarray, labels: np.ndarray, grid: CellGrid, folds: int) -> tuple[np.ndarray, int]:
    """``(counts (folds, cells), skipped)`` of values (Gyr) on a cell grid; NaN is skipped."""
    from .kernels import count_decimal, count_floor  # numba, loaded only when a catalog is reduced

    counts = np.zeros((folds, grid.n_cells), dtype=np.int64)
    if grid.exact:
        skipped = count_decimal(values, labels, 10.0**grid.digits, grid.base, counts)
    else:
        skipped = count_floor(values, labels, grid.lo_gyr, 1.0 / grid.width_gyr, counts)
    return counts, int(skipped)


def _smallest(hashes: np.ndarray, ages: np.ndarray, keep: int) -> tuple[np.ndarray, np.ndarray]:
    """The ``keep`` smallest hashes, sorted, and their ages: a row's hash is its own, so the rows kept
    from any partitioning of the catalog, merged by this same rule, are the same."""
    if hashes.size > keep:
        chosen = np.argpartition(hashes, keep - 1)[:keep]
        hashes, ages = hashes[chosen], ages[chosen]
    order = np.argsort(hashes, kind="stable")
    return hashes[order], ages[order]


def _column(ages, labels, hashes, plan: ColumnPlan, cells: CellGrid, folds: int, order: int, where: str) -> ColumnBins:
    from .kernels import bin_moments, count_nearest, fold_sums, linear_weights

    kde, cv = plan.kde, plan.cv
    counts = np.zeros((folds, kde.n_bins), dtype=np.int64)
    moments = zeros128((folds, order - 1, kde.n_bins))
    missed = bin_moments(ages, labels, kde.lo_gyr, 1.0 / kde.step_gyr, counts, moments.reshape(-1, 2))
    cv_counts = np.zeros(cv.n_bins, dtype=np.int64)
    missed_cv = count_nearest(ages, cv.lo_gyr, 1.0 / cv.step_gyr, cv_counts)
    cell_counts, missed_cells = count_cells(ages, labels, cells, folds)
    present = int(np.count_nonzero(~np.isnan(ages)))
    if present != ages.size - missed or missed_cv != missed or missed_cells != missed:
        # The first pass saw these ages inside [min, max]; a mismatch means the files changed between passes.
        raise DataError(f"{where}: column '{plan.name}': ages changed between the two passes over the data")
    isj = zeros128(ISJ_POINTS)
    linear_weights(ages, plan.isj_start_gyr, plan.isj_width_gyr, ISJ_POINTS, isj)
    f_counts, f_sums, f_squares = np.zeros(folds, dtype=np.int64), zeros128(folds), zeros128(folds)
    fold_sums(ages, labels, f_counts, f_sums, f_squares)
    present_rows = ~np.isnan(ages)
    kept_hashes, kept_ages = _smallest(hashes[present_rows], ages[present_rows], SHAPIRO_MAX_N)
    return ColumnBins(counts, moments, cv_counts, cell_counts, isj, f_counts, f_sums, f_squares, kept_hashes, kept_ages)


def _sample(arrays: list[np.ndarray], keys: np.ndarray, plan: Plan) -> PairSample:
    hashes = splitmix64(splitmix64(keys) ^ np.uint64(plan.sample_word))
    kept = np.flatnonzero(hashes < np.uint64(plan.sample_threshold))
    order = kept[np.argsort(hashes[kept], kind="stable")]
    return PairSample(hashes[order], np.stack([a[order] for a in arrays]))


def reduce_bins(arrays: list[np.ndarray], keys: np.ndarray, plan: Plan, *, where: str) -> BinReduction:
    """The second pass over one partition.

    Parameters
    ----------
    arrays : list of ndarray, shape (rows,)
        Age columns (Gyr, float64, NaN = missing), in the plan's order.
    keys : ndarray of uint64, shape (rows,)
        Row identities (``identity``); fold labels are hashed from them.
    plan : Plan
    where : str
        The partition, for error messages.
    """
    from .kernels import count_pair_cells

    arrays = [np.ascontiguousarray(a, dtype=np.float64) for a in arrays]
    reduced = []
    hashes = splitmix64(splitmix64(keys) ^ np.uint64(plan.normality_word))
    for ages, column in zip(arrays, plan.columns):
        labels = fold_labels(keys, plan.folds, np.uint64(column.fold_word))
        reduced.append(_column(ages, labels, hashes, column, plan.cells, plan.folds, plan.order, where))
    pairs = []
    for (i, j), grid in zip(combinations(range(len(arrays)), 2), plan.pair_cells):
        if grid is None:
            pairs.append(None)
            continue
        counts = np.zeros(grid.n_cells, dtype=np.int64)
        scale = 10.0**grid.digits if grid.exact else 1.0 / grid.width_gyr
        if count_pair_cells(arrays[i], arrays[j], grid.exact, grid.lo_gyr, scale, grid.base, counts):
            raise DataError(f"{where}: age differences changed between the two passes over the data")
        pairs.append(counts)
    sample = _sample(arrays, keys, plan) if plan.pair_cells else None
    return BinReduction(columns=tuple(reduced), pair_cells=tuple(pairs), sample=sample)


def _merge_column(a: ColumnBins, b: ColumnBins) -> ColumnBins:
    moments, isj, sums, squares = a.moments.copy(), a.isj.copy(), a.fold_sums.copy(), a.fold_squares.copy()
    add128(moments, b.moments)
    add128(isj, b.isj)
    add128(sums, b.fold_sums)
    add128(squares, b.fold_squares)
    kept_hashes, kept_ages = _smallest(
        np.concatenate([a.normality_hashes, b.normality_hashes]), np.concatenate([a.normality_ages, b.normality_ages]),
        SHAPIRO_MAX_N,
    )
    return ColumnBins(
        a.counts + b.counts, moments, a.cv_counts + b.cv_counts, a.cells + b.cells, isj,
        a.fold_counts + b.fold_counts, sums, squares, kept_hashes, kept_ages,
    )  # fmt: skip


def _merge_sample(a: PairSample | None, b: PairSample | None, keep: int) -> PairSample | None:
    if a is None:
        return b
    hashes = np.concatenate([a.hashes, b.hashes])
    order = np.argsort(hashes, kind="stable")[:keep]
    return PairSample(hashes[order], np.concatenate([a.ages, b.ages], axis=1)[:, order])


def merge_bins(a: BinReduction, b: BinReduction, *, keep: int) -> BinReduction:
    """Two partitions' second passes together: integer addition, exact in any order; the kept rows are the
    ``keep`` smallest hashes of both (a row's hash is its own, so any order keeps the same rows)."""
    pairs = tuple(None if x is None else x + y for x, y in zip(a.pair_cells, b.pair_cells))
    return BinReduction(
        columns=tuple(_merge_column(x, y) for x, y in zip(a.columns, b.columns)),
        pair_cells=pairs,
        sample=_merge_sample(a.sample, b.sample, keep),
    )
