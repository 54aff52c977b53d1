"""Read a text table of ages (bytes in, ``Table`` out): the dispatcher and the line-by-line reader.

Accepted layout: whitespace- or comma-separated columns of ages in Gyr, one
star per line, an optional header naming the columns, ``#`` comment lines and
blank lines. ``\\n``, ``\\r\\n`` and ``\\r`` line ends and a UTF-8 byte-order
mark are accepted. A missing value is ``nan`` (any case) or, in CSV, an empty
field. The grammar of a line and its fields is ``text_grammar``; the header is found
by ``text_header``.

Files larger than ``FAST_THRESHOLD_BYTES`` go first to a compiled, threaded
scan of the bytes (``text_bytes``), which returns exactly the line-by-line
reader's ``Table`` or hands the file on, then to pyarrow (``text_arrow``);
that path returns exactly the same ``Table`` and, for a bad file, exactly the
line-by-line reader's error, because it locates the first
offending line with vectorised checks and then runs the line-by-line row check
(``text_grammar.row_ages``) on that line. The checks of the whole file's bytes
(binary, line length) run once, before any reader.
"""

import numpy as np

from ..errors import DataError
from .table import Table
from .text_grammar import BLANKS, check_bytes, row_ages, split_fields
from .text_header import decode, find_header

__all__ = ["FAST_THRESHOLD_BYTES", "parse_table"]

#: Files at least this large (bytes) take the fast readers: below it the
#: line-by-line parser is fast enough and numba's or pyarrow's import is not worth paying.
FAST_THRESHOLD_BYTES = 1 << 20


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
        bytes, not UTF-8) file, a line over ``text_grammar.MAX_LINE_BYTES`` (1
        MiB), a header or first row over ``text_grammar.MAX_COLUMNS`` (1000)
        columns, a header naming a column twice, a row whose width differs
        from the header's (or the first row's), or a field that is not a
        number of the grammar (``text_grammar``) or not an age
        (``ages``: positive, finite, at most 1000 Gyr), e.g.
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
    lines = decode(raw, source).split("\n")
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
