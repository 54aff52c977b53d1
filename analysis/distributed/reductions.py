"""A catalog's merged reductions, their canonical bytes, and one column's view of them for the analysis.

``CatalogReductions`` is what a driver returns (``driver.reduce_source``):
the first pass, the plan it fixed and the second pass, all integers or exact
min/max. ``to_bytes`` serialises them field by field in a fixed order (name,
dtype, shape, raw bytes), so two runs compare byte for byte.
``ColumnReduction`` is one age column's part, what a
``partitioned.PartitionedDataset`` carries into the analysis:
``binned_moments`` and ``training_moments`` turn its integers into the float
moments of ``binned.BinnedData`` (shape (order, n_bins)), which the binned
engine's FFT evaluation and sampling take unchanged.
"""

from dataclasses import dataclass, fields, is_dataclass
import hashlib

import numpy as np

from ..binned import BinnedData
from .binning import BinReduction, ColumnBins, PairSample
from .fixedpoint import MOMENT_BITS, SQUARE_BITS, add128, to_float
from .plan import CellGrid, ColumnPlan, Plan
from .ranges import ColumnRange, PairRange, RangeReduction

__all__ = ["CatalogReductions", "ColumnReduction", "PairReduction", "digest", "to_bytes"]


@dataclass(frozen=True)
class CatalogReductions:
    """A catalog reduced: ``names`` of its age columns, the first pass, the plan, the second pass;
    ``partitions`` how many pieces were reduced (said on the pages; the numbers do not depend on it)."""

    names: tuple[str, ...]
    ranges: RangeReduction
    plan: Plan
    bins: BinReduction
    partitions: int

    def column(self, index: int) -> "ColumnReduction":
        """One column's view."""
        return ColumnReduction(
            self.ranges.columns[index], self.plan.columns[index], self.bins.columns[index], self.plan.cells,
            self.plan.folds, self.partitions, self, index,
        )  # fmt: skip

    def pair(self, i: int, j: int) -> "PairReduction | None":
        """Columns i < j's per-row differences, or ``None`` when no row has both."""
        k = len(self.names)
        index = sum(k - 1 - m for m in range(i)) + (j - i - 1)
        grid = self.plan.pair_cells[index] if self.plan.pair_cells else None
        if grid is None:
            return None
        return PairReduction(self.ranges.pairs[index], self.bins.pair_cells[index], grid, self.bins.sample, i, j)


def _encode(value, name: str, out: list[bytes]) -> None:
    if is_dataclass(value):
        for field in fields(value):
            _encode(getattr(value, field.name), f"{name}.{field.name}", out)
    elif isinstance(value, tuple):
        for i, item in enumerate(value):
            _encode(item, f"{name}[{i}]", out)
    elif isinstance(value, np.ndarray):
        data = np.ascontiguousarray(value)
        out.append(f"{name}:{data.dtype.str}:{data.shape}:".encode() + data.tobytes())
    else:
        out.append(f"{name}={value!r};".encode())


def to_bytes(value) -> bytes:
    """Canonical bytes of a (nested) frozen dataclass of arrays, tuples and scalars."""
    out: list[bytes] = []
    _encode(value, "", out)
    return b"\n".join(out)


def digest(value) -> str:
    """SHA-256 of ``to_bytes(value)``."""
    return hashlib.sha256(to_bytes(value)).hexdigest()


@dataclass(frozen=True, eq=False)
class ColumnReduction:
    """One age column of a reduced catalog: its first pass, its plan, its second pass, the shared cells."""

    ranges: ColumnRange
    plan: ColumnPlan
    bins: ColumnBins
    grid: CellGrid
    folds: int
    partitions: int
    catalog: CatalogReductions
    index: int

    @property
    def n(self) -> int:
        return self.ranges.n

    @property
    def n_missing(self) -> int:
        return self.ranges.n_missing

    def cells(self) -> np.ndarray:
        """Ages per cell, all folds (int64, shape (n_cells,))."""
        return self.bins.cells.sum(axis=0)

    def isj_weights(self) -> np.ndarray:
        """ISJ's linear binning weights (float, shape (ISJ_POINTS,)), each rounded once from its exact sum."""
        return to_float(self.bins.isj, SQUARE_BITS)

    def _binned(self, folds: list[int]) -> BinnedData:
        moments = self.bins.moments[folds[0]].copy()
        for f in folds[1:]:
            add128(moments, self.bins.moments[f])
        counts = self.bins.counts[folds].sum(axis=0)
        out = np.empty((moments.shape[0] + 1, counts.size))
        out[0] = counts
        out[1:] = to_float(moments, MOMENT_BITS)
        out.setflags(write=False)
        grid = self.plan.kde
        return BinnedData(lo_gyr=grid.lo_gyr, step_gyr=grid.step_gyr, n=int(counts.sum()), moments=out)

    def binned_moments(self) -> BinnedData:
        """All the column's ages binned: the folds' integer moments summed, then converted once."""
        return self._binned(list(range(self.folds)))

    def training_moments(self, fold: int) -> BinnedData:
        """The binning of every fold but ``fold`` (a held-out training set), summed exactly as integers."""
        return self._binned([f for f in range(self.folds) if f != fold])


@dataclass(frozen=True, eq=False)
class PairReduction:
    """Two columns' per-row differences (first - second, Gyr): sums, sign counts, cell counts, kept rows."""

    ranges: PairRange
    cells: np.ndarray
    grid: CellGrid
    sample: PairSample | None
    first: int
    second: int
