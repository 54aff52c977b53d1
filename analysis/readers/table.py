"""The ``Table`` every reader returns (bytes in, ``Table`` out), and the data sets cut from it.

A ``Table`` is the numbers of one file, column by column, with the line (or
row) each came from; ``datasets_from_table`` makes one ``Dataset`` per data
set of a manifest source, missing values dropped.
"""

from dataclasses import dataclass

import numpy as np

from ..dataset import Dataset, too_few_ages
from ..errors import DataError
from .manifest import SourceSpec
from .text_grammar import column_name

__all__ = ["Table", "datasets_from_table"]


@dataclass(frozen=True, eq=False)
class Table:
    """The numbers of one file, column by column.

    Attributes
    ----------
    source : str
        Display name of the file, used in every error message.
    header : tuple of str
        Column names, or ``()`` when the file has none.
    columns : tuple of ndarray of float, n_columns arrays of shape (n_rows,)
        Ages in Gyr, read-only; ``nan`` marks a missing value.
    line_numbers : ndarray of int, shape (n_rows,)
        1-based line of each data row in a text file (the 1-based row in a
        binary table), read-only.
    """

    source: str
    header: tuple[str, ...]
    columns: tuple[np.ndarray, ...]
    line_numbers: np.ndarray

    def __post_init__(self) -> None:
        # Any sequences are accepted; keep read-only arrays so the record stays immutable.
        columns = tuple(_frozen(c, np.float64) for c in self.columns)
        object.__setattr__(self, "columns", columns)
        object.__setattr__(self, "line_numbers", _frozen(self.line_numbers, np.int64))
        n = len(self.line_numbers)
        if any(c.shape != (n,) for c in columns) or (self.header and len(self.header) != len(columns)):
            raise ValueError(f"Table {self.source!r}: columns, header and line_numbers disagree in shape")

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Table):
            return NotImplemented
        return (
            (self.source, self.header) == (other.source, other.header)
            and len(self.columns) == len(other.columns)
            and all(np.array_equal(a, b, equal_nan=True) for a, b in zip(self.columns, other.columns))
            and np.array_equal(self.line_numbers, other.line_numbers)
        )

    __hash__ = None  # array-valued

    def column_name(self, index: int) -> str:
        """``"column 'Bensby_age'"`` from the header, else ``"column 2"`` (1-based)."""
        return column_name(self.header, index)


def _frozen(values: object, dtype: type) -> np.ndarray:
    """A read-only array of ``values``: a copy, unless they are already a read-only array of
    ``dtype`` over read-only memory (the fast readers' columns: copying 10^7 rows costs 0.3 s)."""
    if isinstance(values, np.ndarray) and values.dtype == dtype and not values.flags.writeable:
        base = values.base
        if base is None or (isinstance(base, np.ndarray) and not base.flags.writeable):
            return values
    array = np.array(values, dtype=dtype)
    array.setflags(write=False)
    return array


def _column_index(table: Table, column: int | str, name: str, by_name: dict[str, int]) -> int:
    if isinstance(column, int) and column < len(table.columns):
        return column
    if isinstance(column, str) and column in by_name:
        return by_name[column]
    found = ", ".join(f"{i} = {table.column_name(i)}" for i in range(len(table.columns)))
    raise DataError(
        f"{table.source}: data set '{name}': column {column!r} is not in the file; columns found: {found}"
    )


def datasets_from_table(table: Table, source: SourceSpec) -> tuple[Dataset, ...]:
    """One ``Dataset`` per data set of ``source``, missing values dropped.

    Ages above the age of the Universe are kept (the summary counts them).
    Data sets of a ``paired`` source share ``pair_group = source.id``.

    Raises
    ------
    DataError
        When a data set's column is not in the file (listing the columns
        found), or holds fewer than ``dataset.MIN_DISTINCT_AGES`` distinct ages.
    """
    datasets = []
    by_name = {name: i for i, name in enumerate(table.header)}  # names are distinct (or empty)
    for spec in source.datasets:
        index = _column_index(table, spec.column, spec.name, by_name)
        values = table.columns[index]
        rows = np.flatnonzero(~np.isnan(values))
        ages = values[rows]
        too_few = too_few_ages(ages, len(values) - len(ages))
        if too_few:
            raise DataError(f"{table.source}: {table.column_name(index)} (data set '{spec.name}'): {too_few}")
        errors = None
        if spec.errors:
            found = [_column_index(table, c, spec.name, by_name) for c in spec.errors]
            errors = np.column_stack([table.columns[j][rows] for j in found])
            bad = ~np.all(np.isfinite(errors) & (errors >= 0), axis=1)
            if bad.any():
                columns = " and ".join(table.column_name(j) for j in found)
                first = int(table.line_numbers[rows[np.argmax(bad)]])
                raise DataError(
                    f"{table.source}:{first}: {columns} (uncertainties of data set '{spec.name}'): {int(bad.sum())} of "
                    f"the {ages.size} stars with an age have a missing or negative uncertainty, the first on line "
                    f"{first}; expected one >= 0 Gyr each"
                )
            errors = errors[:, 0] if len(found) == 1 else errors
        datasets.append(
            Dataset(
                name=spec.name,
                label=spec.label,
                colour=spec.colour,
                ages_gyr=ages,
                rows=rows,
                n_missing=len(values) - len(ages),
                source=table.source,
                pair_group=source.id if source.paired else None,
                units=spec.units,
                citation=spec.citation,
                doi=spec.doi,
                method=spec.method,
                role=spec.role,
                errors_gyr=errors,
            )
        )
    return tuple(datasets)
