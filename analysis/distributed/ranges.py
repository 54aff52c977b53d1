"""The first, cheap pass: n, min, max, exact sums and decimal places of each age column.

It fixes everything the second pass needs before that pass starts (the grids
of ``plan``) without holding the ages: min and max are exact and
order-independent, the sums are 128-bit fixed point (``fixedpoint``), the
decimal-place histogram is integer counts. So the grids, and with them every
later bit, are the same for any partitioning.
"""

from dataclasses import dataclass
from itertools import combinations

import numpy as np

from ..errors import DataError
from ..readers import MAX_AGE_GYR, age_problem
from .fixedpoint import add128, zeros128

__all__ = ["MAX_DIGITS", "ColumnRange", "PairRange", "RangeReduction", "merge_ranges", "reduce_ranges"]

#: Decimal places tried by the precision detector: 10**-0 .. 10**-9 Gyr (1 Gyr to 1 yr).
MAX_DIGITS = 9


@dataclass(frozen=True)
class ColumnRange:
    """One age column's first-pass reduction.

    ``sum_acc`` and ``square_acc`` are 128-bit accumulators (shape (2,)) of
    sum a (2**-80 Gyr units) and sum a**2 (2**-60 Gyr^2 units); ``digits``
    (shape (MAX_DIGITS + 2,)) counts ages by decimal places, the last entry
    those with more than MAX_DIGITS. ``min_gyr`` is +inf, ``max_gyr`` -inf
    when no age is present.
    """

    n: int
    n_missing: int
    min_gyr: float
    max_gyr: float
    sum_acc: np.ndarray
    square_acc: np.ndarray
    digits: np.ndarray


@dataclass(frozen=True)
class PairRange:
    """Rows where both columns are present: d = first - second (Gyr, A minus B), reduced row-wise.

    ``sums`` (7, 2): 128-bit sum d (2**-80 Gyr), sum d**2, sum a*b (2**-60 Gyr^2),
    sum a, sum b (2**-80), sum a**2, sum b**2 (2**-60) over the pairs;
    ``signs`` int64[3]: d < 0, d == 0, d > 0.
    """

    n: int
    min_gyr: float
    max_gyr: float
    sums: np.ndarray
    signs: np.ndarray


@dataclass(frozen=True)
class RangeReduction:
    """The first pass over a partition, or over the merged catalog; ``pairs`` one per pair of columns
    (i < j, in ``itertools.combinations`` order) when the columns are the same stars row by row."""

    rows: int
    columns: tuple[ColumnRange, ...]
    pairs: tuple[PairRange, ...]


def _column(ages: np.ndarray, name: str, where: str, max_age: float) -> ColumnRange:
    from .kernels import range_sums  # numba, loaded only when a catalog is reduced

    extremes = np.array([np.inf, -np.inf])
    sums, squares = zeros128(1), zeros128(1)
    digits = np.zeros(MAX_DIGITS + 2, dtype=np.int64)
    n, missing, bad = range_sums(ages, max_age, extremes, sums, squares, digits)
    if bad >= 0:
        raise DataError(f"{where}: row {bad}: column '{name}': {age_problem(float(ages[bad]))}, got {float(ages[bad])!r}")
    return ColumnRange(int(n), int(missing), float(extremes[0]), float(extremes[1]), sums[0], squares[0], digits)


def reduce_ranges(
    columns: dict[str, np.ndarray], *, paired: bool, where: str, max_age: float = MAX_AGE_GYR
) -> RangeReduction:
    """The first pass over one partition's age columns (float64, NaN = missing).

    Parameters
    ----------
    columns : dict of name -> ndarray, shape (rows,)
        The age columns in Gyr, in the report's order.
    paired : bool
        Reduce the per-row differences of every pair of columns as well.
    where : str
        The partition, for error messages (a file path or a HATS pixel).

    Raises
    ------
    DataError
        Naming the partition, the row within it and the column, for an age
        that is not positive, infinite or above ``max_age`` (``readers.age_problem``).
    """
    arrays = [np.ascontiguousarray(a, dtype=np.float64) for a in columns.values()]
    reduced = tuple(_column(a, name, where, max_age) for name, a in zip(columns, arrays))
    from .kernels import pair_range

    pairs = []
    for i, j in combinations(range(len(arrays)), 2) if paired else ():
        extremes, sums, signs = np.array([np.inf, -np.inf]), zeros128(7), np.zeros(3, dtype=np.int64)
        n = pair_range(arrays[i], arrays[j], extremes, sums, signs)
        pairs.append(PairRange(int(n), float(extremes[0]), float(extremes[1]), sums, signs))
    return RangeReduction(rows=int(arrays[0].size), columns=reduced, pairs=tuple(pairs))


def _merge_column(a: ColumnRange, b: ColumnRange) -> ColumnRange:
    sums, squares = a.sum_acc.copy(), a.square_acc.copy()
    add128(sums, b.sum_acc)
    add128(squares, b.square_acc)
    return ColumnRange(
        a.n + b.n, a.n_missing + b.n_missing, min(a.min_gyr, b.min_gyr), max(a.max_gyr, b.max_gyr),
        sums, squares, a.digits + b.digits,
    )  # fmt: skip


def merge_ranges(a: RangeReduction, b: RangeReduction) -> RangeReduction:
    """The first pass of two partitions together: exact, so any merge order gives the same bits."""
    columns = tuple(_merge_column(x, y) for x, y in zip(a.columns, b.columns))
    return RangeReduction(rows=a.rows + b.rows, columns=columns, pairs=tuple(_merge_pair(x, y) for x, y in zip(a.pairs, b.pairs)))


def _merge_pair(a: PairRange, b: PairRange) -> PairRange:
    sums = a.sums.copy()
    add128(sums, b.sums)
    return PairRange(a.n + b.n, min(a.min_gyr, b.min_gyr), max(a.max_gyr, b.max_gyr), sums, a.signs + b.signs)
