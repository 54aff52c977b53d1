"""The pyarrow path of ``parse_table`` for large text files.

``parse_table`` tries ``text_bytes`` first; the files it hands on
come here. Two readers, tried in order; each returns ``None`` for a file it cannot read
exactly as the line-by-line parser would, and the next one takes over:

1. ``_parse_regular``: after the comment/header lines, a body of one star per
   line, fields separated by one ``,`` or one space, no comment or blank line.
   pyarrow's CSV reader converts the numbers directly, in parallel. Any
   conversion error or invalid value hands the file on.
2. ``_parse_irregular``: pyarrow reads the file as one string per line (so a
   row's index is its line's index), and vectorised string kernels find
   comments, blank lines and fields; pyarrow converts the fields. Where it
   cannot (or a ``(`` is in the file), the first field outside the grammar
   (``text_grammar.FIELD_PATTERN``) marks a bad row. The first row with
   a wrong width, a bad field or a value that is not an age (``ages``) goes
   to the line-by-line row check (``text_grammar.row_ages``), which raises the
   error the line-by-line parser would raise for that line.

What pyarrow converts to a double is in the grammar of ``text_grammar``
and Python's ``float`` reads it as the same double (both round correctly),
except ``inf``/``infinity``, refused as infinite like the line-by-line parser
does, and ``nan(...)``, which only pyarrow accepts: a file with a ``(`` never
has its fields converted unchecked.
Both readers take only files of printable ASCII, tabs and line ends: NUL
bytes, non-UTF-8 or non-ASCII text and ``\\v``/``\\f`` are left to the
line-by-line parser, which reports or parses them. The header is found by
``text_header`` on the lines before the first data row.
"""

import codecs

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from .ages import invalid_ages
from .table import Table
from .text_header import find_header, head_lines
from .text_grammar import FIELD_PATTERN, row_ages, split_fields

__all__ = ["parse_large"]

#: Bytes this path handles; any other byte sends the file to the line-by-line parser.
_PLAIN = bytes(range(32, 127)) + b"\t\n\r"
#: pyarrow reads this many bytes per block (blocks are parsed in parallel).
_BLOCK_BYTES = 1 << 24
#: A byte that never occurs in a file this path handles: each line is one field.
_NO_DELIMITER = "\x01"


def _lines(buffer: pa.Buffer) -> pa.ChunkedArray:
    """One string per line (``\\n``, ``\\r\\n`` or ``\\r`` ends), blank lines kept."""
    table = pacsv.read_csv(
        pa.BufferReader(buffer),
        read_options=pacsv.ReadOptions(column_names=["line"], block_size=_BLOCK_BYTES),
        parse_options=pacsv.ParseOptions(
            delimiter=_NO_DELIMITER, quote_char=False, escape_char=False, ignore_empty_lines=False
        ),
        convert_options=pacsv.ConvertOptions(
            column_types={"line": pa.large_string()}, strings_can_be_null=False, quoted_strings_can_be_null=False
        ),
    )
    return table.column("line")


def _floats(fields: pa.ChunkedArray) -> np.ndarray | None:
    """The fields as doubles (an empty field is nan), or ``None`` if pyarrow cannot convert one."""
    try:
        converted = pc.cast(pc.if_else(pc.equal(fields, ""), pa.scalar(None, fields.type), fields), pa.float64())
    except pa.ArrowInvalid:
        return None
    return converted.to_numpy(zero_copy_only=False)


def _first(mask: np.ndarray) -> int:
    """Index of the first True, or ``len(mask)``."""
    hits = np.flatnonzero(mask)
    return int(hits[0]) if hits.size else len(mask)


def _parse_regular(raw: bytes, start: int, source: str) -> Table | None:
    """pyarrow's numeric CSV reader on a body without comments, blank lines or extra spaces."""
    head = head_lines(raw, start)
    if head is None:
        return None
    lines, ends = head
    first = len(lines) - 1
    first_start = ends[first - 1] if first else start
    comma = raw.find(b",", first_start) >= 0
    header_index, header = find_header(lines, comma, source)
    body_line, body = (first + 1, ends[first]) if header_index == first else (first, first_start)
    end = len(raw)
    while end > body and raw[end - 1] in b"\r\n":
        end -= 1  # trailing blank lines are not rows
    if end <= body or raw.find(b"#", body) >= 0 or raw.find(b"(", body) >= 0:
        # No body; a comment in it (line numbers are the irregular reader's job); or
        # "nan(...)", which pyarrow reads as nan and Python refuses.
        return None
    width = len(header) if header else len(split_fields(lines[first], comma))
    names = [str(c) for c in range(width)]
    try:
        table = pacsv.read_csv(
            pa.BufferReader(pa.py_buffer(raw).slice(body, end - body)),
            read_options=pacsv.ReadOptions(column_names=names, block_size=_BLOCK_BYTES),
            parse_options=pacsv.ParseOptions(
                delimiter="," if comma else " ", quote_char=False, escape_char=False, ignore_empty_lines=False
            ),
            convert_options=pacsv.ConvertOptions(
                column_types=dict.fromkeys(names, pa.float64()),
                # An empty CSV field is missing, nothing else is. A blank line is then a row
                # of nulls in CSV (refused below) and a conversion error otherwise.
                null_values=[""] if comma else [],
                strings_can_be_null=False,
            ),
        )
    except pa.ArrowInvalid:
        return None
    columns = tuple(table.column(c).to_numpy() for c in range(width))
    if any(invalid_ages(column).any() for column in columns):
        return None
    if comma and np.logical_and.reduce([np.isnan(column) for column in columns]).any():
        return None  # a blank line, or a star with every value missing: let the irregular reader tell
    return Table(
        source=source,
        header=header,
        columns=columns,
        line_numbers=np.arange(body_line + 1, body_line + 1 + table.num_rows),
    )


def parse_large(raw: bytes, source: str) -> Table | None:
    """Parse a large text table with pyarrow, exactly as ``parse_table`` would.

    Parameters
    ----------
    raw : bytes
        The file's content (not empty).
    source : str
        Display name of the file, used in messages.

    Returns
    -------
    Table or None
        The table, or ``None`` when the file must go to the line-by-line
        parser (see the module docstring).

    Raises
    ------
    DataError
        The line-by-line parser's error for the first bad line.
    """
    start = len(codecs.BOM_UTF8) if raw.startswith(codecs.BOM_UTF8) else 0
    if raw.translate(None, _PLAIN) != raw[:start] or len(raw) == start:
        return None  # pyarrow refuses an empty body: a file of only a byte-order mark is the line parser's
    table = _parse_regular(raw, start, source)
    return table if table is not None else _parse_irregular(raw, start, source)


def _parse_irregular(raw: bytes, start: int, source: str) -> Table | None:
    """Line by line, but each step vectorised over all lines (see the module docstring)."""
    lines = _lines(pa.py_buffer(raw).slice(start))
    trimmed = pc.ascii_trim_whitespace(lines)
    skipped = pc.or_(pc.equal(trimmed, ""), pc.starts_with(trimmed, "#"))
    data_lines = np.flatnonzero(~skipped.to_numpy(zero_copy_only=False))
    if not data_lines.size:
        return None  # no data rows: the line-by-line parser words that error
    data = trimmed.filter(pc.invert(skipped))
    comma = pc.any(pc.match_substring(data, ",")).as_py()
    head = lines.slice(0, int(data_lines[0]) + 1).to_pylist()
    header_index, header = find_header(head, comma, source)
    if header_index == data_lines[0]:
        data_lines, data = data_lines[1:], data.slice(1)
    if not data_lines.size:
        return None
    fields = pc.split_pattern(data, ",") if comma else pc.ascii_split_whitespace(data)
    widths = pc.list_value_length(fields).to_numpy()
    width = len(header) if header else int(widths[0])
    flat = pc.list_flatten(fields)
    if comma:
        flat = pc.ascii_trim_whitespace(flat)
    # Rows before the first of the wrong width have exactly `width` fields each.
    bad_row = _first(widths != width)
    flat = flat.slice(0, bad_row * width)
    # What pyarrow converts, Python reads alike, except "nan(...)", which Python refuses.
    values = _floats(flat) if raw.find(b"(", start) < 0 else None
    if values is None:
        in_grammar = pc.match_substring_regex(flat, FIELD_PATTERN).to_numpy(zero_copy_only=False)
        bad_row = min(bad_row, _first(~in_grammar) // width)
        flat = flat.slice(0, bad_row * width)
        values = _floats(flat)
        if values is None:
            return None
    bad_row = min(bad_row, _first(invalid_ages(values)) // width)
    if bad_row < len(data_lines):
        line = int(data_lines[bad_row])
        like = "the header" if header else f"line {data_lines[0] + 1}"
        row_ages(lines[line].as_py(), comma, header, width, like, f"{source}:{line + 1}")  # raises for the bad row
        return None  # cannot happen: the row check refuses what the masks above flag
    values = values.reshape(len(data_lines), width)
    return Table(
        source=source,
        header=header,
        columns=tuple(np.ascontiguousarray(values[:, c]) for c in range(width)),
        line_numbers=data_lines + 1,
    )
