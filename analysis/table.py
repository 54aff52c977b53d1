"""Read a text table of ages (bytes in) and cut it into data sets.

Accepted layout: whitespace- or comma-separated columns of ages in Gyr, one
star per line, an optional header naming the columns, ``#`` comment lines and
blank lines. CRLF line ends and a UTF-8 byte-order mark are accepted. A
missing value is ``nan`` (any case) or, in CSV, an empty field.
"""

import codecs
from dataclasses import dataclass
import math

from .dataset import Dataset
from .errors import DataError
from .manifest import SourceSpec

__all__ = ["Table", "parse_table", "datasets_from_table"]


@dataclass(frozen=True)
class Table:
    """The numbers of one file, column by column.

    Attributes
    ----------
    source : str
        Display name of the file, used in every error message.
    header : tuple of str
        Column names, or ``()`` when the file has none.
    columns : tuple of tuple of float, shape (n_columns, n_rows)
        Ages in Gyr; ``nan`` marks a missing value.
    line_numbers : tuple of int, length n_rows
        1-based line of each data row in the file.
    """

    source: str
    header: tuple[str, ...]
    columns: tuple[tuple[float, ...], ...]
    line_numbers: tuple[int, ...]

    def column_name(self, index: int) -> str:
        """``"column 'Bensby_age'"`` from the header, else ``"column 2"`` (1-based)."""
        return _column_name(self.header, index)


def _column_name(header: tuple[str, ...], index: int) -> str:
    return f"column {header[index]!r}" if header and header[index] else f"column {index + 1}"


def _line_of(raw: bytes, offset: int) -> int:
    return raw.count(b"\n", 0, offset) + 1


def _decode(raw: bytes, source: str) -> str:
    """UTF-8 text with one ``\\n`` per line end; binary input is a DataError."""
    if not raw:
        raise DataError(f"{source}: the file is empty; expected one star per line with ages in Gyr")
    nul = raw.find(b"\0")
    if nul >= 0:
        raise DataError(
            f"{source}:{_line_of(raw, nul)}: contains a NUL byte, so it looks like a binary file; "
            "expected plain text with one star per line (export spreadsheets as CSV)"
        )
    start = len(codecs.BOM_UTF8) if raw.startswith(codecs.BOM_UTF8) else 0
    try:
        text = raw[start:].decode("utf-8")
    except UnicodeDecodeError as exc:
        bad = start + exc.start
        raise DataError(
            f"{source}:{_line_of(raw, bad)}: byte 0x{raw[bad]:02x} is not UTF-8, so this is not a text "
            "table; expected plain UTF-8 text with one star per line (export spreadsheets as CSV)"
        ) from None
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _is_number(field: str) -> bool:
    try:
        float(field)
    except ValueError:
        return False
    return True


def _split(line: str, comma: bool) -> list[str]:
    return [f.strip() for f in line.split(",")] if comma else line.split()


def _find_header(lines: list[str], comma: bool, source: str) -> tuple[int | None, tuple[str, ...]]:
    """The header's 0-based line index and names, or ``(None, ())``.

    A first non-comment line whose fields are not all numbers is the header.
    Otherwise, of the ``#`` lines before the first data row, the last one with
    as many fields as that row names the columns (so a descriptive ``#``
    comment above a ``#col_a col_b`` line stays a comment).
    """
    comments = []
    for i, line in enumerate(lines):
        if not line.strip():
            continue
        if line.lstrip().startswith("#"):
            comments.append(i)
            continue
        fields = _split(line, comma)
        numbers = [_is_number(f) for f in fields if f]
        if all(numbers):
            break
        if any(numbers):
            # A typo in the first row must not silently turn it into a header.
            raise DataError(
                f"{source}:{i + 1}: {' '.join(fields)!r} mixes numbers and names; expected a header "
                "of column names or a row of ages in Gyr"
            )
        return i, tuple(fields)
    else:
        return None, ()
    for j in reversed(comments):
        names = _split(lines[j].lstrip()[1:], comma)
        if len(names) == len(fields):
            return j, tuple(names)
    return None, ()


def _age(field: str, column: str, where: str) -> float:
    """One age in Gyr, ``nan`` when missing."""
    if not field:
        return math.nan
    try:
        value = float(field)
    except ValueError:
        value = None
    if value is not None and math.isnan(value):
        return math.nan
    if value is None or value <= 0:
        raise DataError(f"{where}: {column}: expected a positive number of Gyr, got {field!r}")
    if math.isinf(value):
        raise DataError(f"{where}: {column}: expected a finite positive number of Gyr, got {field!r}")
    return value


def parse_table(raw: bytes, source: str) -> Table:
    """Parse the bytes of a table of ages.

    Parameters
    ----------
    raw : bytes
        The file's content.
    source : str
        Display name of the file, e.g. ``"data/ages.csv"``, used in messages.

    Returns
    -------
    Table
        Columns of ages in Gyr with ``nan`` for missing values.

    Raises
    ------
    DataError
        Naming the file, line and column: an empty or binary (NUL bytes, not
        UTF-8) file, a header naming a column twice, a row whose width differs
        from the header's (or the first row's), or a value that is not a
        positive finite number, e.g. ``data/x.csv:42: column 'Bensby_age':
        expected a positive number of Gyr, got 'abc'``.

    Examples
    --------
    >>> t = parse_table(b"#a b\\n9.31 6.4\\n7.76 nan\\n", "x.dat")
    >>> t.header, t.columns[1], t.line_numbers
    (('a', 'b'), (6.4, nan), (2, 3))
    """
    lines = _decode(raw, source).split("\n")
    data = [(i, line) for i, line in enumerate(lines) if line.strip() and not line.lstrip().startswith("#")]
    comma = any("," in line for _, line in data)
    header_index, header = _find_header(lines, comma, source)
    repeated = sorted({name for name in header if name and header.count(name) > 1})
    if repeated:
        raise DataError(
            f"{source}:{header_index + 1}: the header names column {repeated[0]!r} twice; expected distinct names"
        )
    rows = [(i, _split(line, comma)) for i, line in data if i != header_index]
    if not rows:
        raise DataError(f"{source}: no data rows; expected one star per line with ages in Gyr")
    width = len(header) if header else len(rows[0][1])
    like = "the header" if header else f"line {rows[0][0] + 1}"
    values = []
    for i, fields in rows:
        if len(fields) != width:
            raise DataError(f"{source}:{i + 1}: expected {width} columns like {like}, got {len(fields)}")
        values.append([_age(f, _column_name(header, c), f"{source}:{i + 1}") for c, f in enumerate(fields)])
    return Table(
        source=source,
        header=header,
        columns=tuple(tuple(row[c] for row in values) for c in range(width)),
        line_numbers=tuple(i + 1 for i, _ in rows),
    )


def _column_index(table: Table, column: int | str, name: str) -> int:
    if isinstance(column, int) and column < len(table.columns):
        return column
    if isinstance(column, str) and column in table.header:
        return table.header.index(column)
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
        found), or holds fewer than 2 distinct ages.
    """
    datasets = []
    for spec in source.datasets:
        index = _column_index(table, spec.column, spec.name)
        values = table.columns[index]
        rows = tuple(r for r, v in enumerate(values) if not math.isnan(v))
        ages = tuple(values[r] for r in rows)
        where = f"{table.source}: {table.column_name(index)} (data set '{spec.name}')"
        if not ages:
            raise DataError(f"{where}: all {len(values)} values are missing; expected at least 2 distinct ages")
        if len(set(ages)) < 2:
            raise DataError(
                f"{where}: every age is {ages[0]!r} Gyr; expected at least 2 distinct ages for a density estimate"
            )
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
