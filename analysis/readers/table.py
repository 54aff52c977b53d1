"""Read a text table of ages (bytes in) and cut it into data sets.

Accepted layout: whitespace- or comma-separated columns of ages in Gyr, one
star per line, an optional header naming the columns, ``#`` comment lines and
blank lines. ``\\n``, ``\\r\\n`` and ``\\r`` line ends and a UTF-8 byte-order
mark are accepted. A missing value is ``nan`` (any case) or, in CSV, an empty
field. The grammar of a line and its fields is ``analysis.text_rows``.

Files larger than ``FAST_THRESHOLD_BYTES`` go first to a compiled, threaded
scan of the bytes (``analysis.text_scan``), which returns exactly this
module's ``Table`` or hands the file on, then to pyarrow
(``analysis.table_fast``); that path returns exactly this module's ``Table``
and, for a bad file, exactly this module's error, because it locates the first
offending line with vectorised checks and then runs the line-by-line row check
(``text_rows.row_ages``) on that line. The checks of the whole file's bytes
(binary, line length) run once, before any reader.
"""

import codecs
from dataclasses import dataclass
import re

import numpy as np

from ..dataset import Dataset, too_few_ages
from ..errors import DataError
from .manifest import SourceSpec
from .names import named_twice
from .text_grammar import (
    BLANKS,
    check_bytes,
    check_width,
    column_name,
    is_number,
    line_number,
    row_ages,
    separator_hint,
    shown,
    split_fields,
)

__all__ = ["FAST_THRESHOLD_BYTES", "Table", "datasets_from_table", "find_header", "head_lines", "parse_table"]

#: Files at least this large (bytes) take the fast readers: below it the
#: line-by-line parser is fast enough and numba's or pyarrow's import is not worth paying.
FAST_THRESHOLD_BYTES = 1 << 20
#: Where the fast readers look for the first data line and the header.
_HEAD_BYTES = 1 << 16
_LINE_END = re.compile(rb"\r\n|\r|\n")


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


def _decode(raw: bytes, source: str) -> str:
    """UTF-8 text with one ``\\n`` per line end; bytes that are not UTF-8 are a DataError."""
    start = len(codecs.BOM_UTF8) if raw.startswith(codecs.BOM_UTF8) else 0
    try:
        text = raw[start:].decode("utf-8")
    except UnicodeDecodeError as exc:
        bad = start + exc.start
        raise DataError(
            f"{source}:{line_number(raw, bad)}: byte 0x{raw[bad]:02x} is not UTF-8, so this is not a text "
            "table; expected plain UTF-8 text with one star per line (export spreadsheets as CSV)"
        ) from None
    return text.replace("\r\n", "\n").replace("\r", "\n")


def find_header(lines: list[str], comma: bool, source: str) -> tuple[int | None, tuple[str, ...]]:
    """The header's 0-based line index and names, or ``(None, ())``.

    A first non-comment line whose fields are not all numbers is the header.
    Otherwise, of the ``#`` lines before the first data row, the last one with
    as many fields as that row names the columns (so a descriptive ``#``
    comment above a ``#col_a col_b`` line stays a comment). Only the lines up
    to the first non-comment line are looked at.
    """
    comments = []
    for i, line in enumerate(lines):
        if not line.strip(BLANKS):
            continue
        if line.lstrip(BLANKS).startswith("#"):
            comments.append(i)
            continue
        fields = split_fields(line, comma)
        check_width(len(fields), f"{source}:{i + 1}")
        numbers = [is_number(f) for f in fields if f]
        if all(numbers):
            break
        if any(numbers):
            # A typo in the first row must not silently turn it into a header.
            raise DataError(
                f"{source}:{i + 1}: {shown(' '.join(fields))} mixes numbers and names; expected a header "
                f"of column names or a row of ages in Gyr{separator_hint(line)}"
            )
        return _distinct(i, tuple(fields), source)
    else:
        return None, ()
    for j in reversed(comments):
        names = split_fields(lines[j].lstrip(BLANKS)[1:], comma)
        if len(names) == len(fields):
            return _distinct(j, tuple(names), source)
    return None, ()


def head_lines(raw: bytes, start: int) -> tuple[list[str], list[int]] | None:
    """The lines from byte ``start`` up to the first data line, and the offset just past each one's end.

    For the fast readers, which run ``find_header`` on these lines only. ``None``
    when the first data line does not end within the first 64 KiB.
    """
    chunk = raw[start : start + _HEAD_BYTES]
    lines, ends, pos = [], [], 0
    for match in _LINE_END.finditer(chunk):
        if match.end() == len(chunk) and chunk.endswith(b"\r"):
            return None  # the chunk may have cut a \r\n in two
        line = chunk[pos : match.start()].decode("latin-1")
        lines.append(line)
        ends.append(start + match.end())
        pos = match.end()
        if line.strip(BLANKS) and not line.lstrip(BLANKS).startswith("#"):
            return lines, ends
    return None


def _distinct(index: int, header: tuple[str, ...], source: str) -> tuple[int, tuple[str, ...]]:
    repeat = named_twice(header)
    if repeat is not None:
        raise DataError(f"{source}:{index + 1}: the header {repeat}{separator_hint(''.join(header))}")
    return index, header


def parse_table(raw: bytes, source: str, *, fast_threshold: int = FAST_THRESHOLD_BYTES) -> Table:
    """Parse the bytes of a table of ages.

    Parameters
    ----------
    raw : bytes
        The file's content.
    source : str
        Display name of the file, e.g. ``"data/ages.csv"``, used in messages.
    fast_threshold : int, optional
        Files of at least this many bytes are parsed by the numba scan or
        pyarrow; the result and every error are the same either way. Default
        ``FAST_THRESHOLD_BYTES`` (1 MiB).

    Returns
    -------
    Table
        Columns of ages in Gyr with ``nan`` for missing values.

    Raises
    ------
    DataError
        Naming the file, line and column: an empty or binary (UTF-16, NUL
        bytes, not UTF-8) file, a line over ``text_rows.MAX_LINE_BYTES`` (1
        MiB), a header or first row over ``text_rows.MAX_COLUMNS`` (1000)
        columns, a header naming a column twice, a row whose width differs
        from the header's (or the first row's), or a field that is not a
        number of the grammar (``analysis.text_rows``) or not an age
        (``analysis.ages``: positive, finite, at most 1000 Gyr), e.g.
        ``data/x.csv:42: column 'Bensby_age': expected a positive number of
        Gyr, got 'abc'``.

    Examples
    --------
    >>> t = parse_table(b"#a b\\n9.31 6.4\\n7.76 nan\\n", "x.dat")
    >>> t.header, t.columns[1].tolist(), t.line_numbers.tolist()
    (('a', 'b'), [6.4, nan], [2, 3])
    """
    if not raw:
        raise DataError(f"{source}: the file is empty; expected one star per line with ages in Gyr")
    check_bytes(raw, source)  # before any reader: every path refuses the same binary or overlong lines
    if len(raw) >= fast_threshold:
        # numba and pyarrow are imported only for large files, pyarrow only if the kernel hands on.
        from .text_bytes import scan_table

        table = scan_table(raw, source)
        if table is not None:
            return table
        from .text_arrow import parse_large

        table = parse_large(raw, source)
        if table is not None:
            return table
    return _parse_lines(raw, source)


def _parse_lines(raw: bytes, source: str) -> Table:
    """The line-by-line parser: the reference for every result and message."""
    lines = _decode(raw, source).split("\n")
    data = [(i, line) for i, line in enumerate(lines) if line.strip(BLANKS) and not line.lstrip(BLANKS).startswith("#")]
    comma = any("," in line for _, line in data)
    header_index, header = find_header(lines, comma, source)
    rows = [(i, line) for i, line in data if i != header_index]
    if not rows:
        raise DataError(f"{source}: no data rows; expected one star per line with ages in Gyr")
    width = len(header) if header else len(split_fields(rows[0][1], comma))
    like = "the header" if header else f"line {rows[0][0] + 1}"
    values = np.array(
        [row_ages(line, comma, header, width, like, f"{source}:{i + 1}") for i, line in rows], dtype=np.float64
    ).reshape(len(rows), width)
    return Table(
        source=source,
        header=header,
        columns=tuple(np.ascontiguousarray(values[:, c]) for c in range(width)),
        line_numbers=[i + 1 for i, _ in rows],
    )


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
            )
        )
    return tuple(datasets)
