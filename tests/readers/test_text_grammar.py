"""Tests of analysis/text_rows.py: every text reader against a small reference grammar written here.

Random files of valid and invalid rows, separated by commas or by spaces and
tabs, with ``\\n``, ``\\r\\n`` or ``\\r`` line ends (mixed too), an optional
header (plain or ``#``), comments, blank lines and a byte-order mark. The
reference below reads them with a line splitter, a regex per field and
``float``; the line-by-line parser, the numba scan, the pyarrow path and
``parse_table`` with every reader allowed must give its ages, or its first
error at the same line and column.
"""

import codecs
import math
import re

from hypothesis import example, given, settings
from hypothesis import strategies as st
import numpy as np

from analysis.errors import DataError
from analysis.readers import Table, parse_table
from analysis.readers.text_arrow import parse_large
from analysis.readers.text_bytes import scan_table

SLOW = 1 << 62  # above any file's size: the line-by-line parser

# --- the reference ------------------------------------------------------------------

NUMBER = re.compile(r"[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?")
NAN = re.compile(r"[+-]?nan", re.IGNORECASE)
INFINITY = re.compile(r"[+-]?inf(inity)?", re.IGNORECASE)
LARGEST_AGE_GYR = 1000.0


def _lines(raw: bytes) -> list[str]:
    text = raw.decode("utf-8")
    return re.split(r"\r\n|\r|\n", text.removeprefix("\ufeff"))


def _skipped(line: str) -> bool:
    return re.fullmatch(r"[ \t]*(#.*)?", line) is not None


def _fields(line: str, comma: bool) -> list[str]:
    if comma:
        return [f.strip(" \t") for f in line.split(",")]
    return re.split(r"[ \t]+", line.strip(" \t"))


def _number_like(field: str) -> bool:
    return any(p.fullmatch(field) for p in (NUMBER, NAN, INFINITY))


def _age(field: str) -> float | None:
    """The age, nan when missing, None when the field is not an age."""
    if field == "" or NAN.fullmatch(field):
        return math.nan
    if not (NUMBER.fullmatch(field) or INFINITY.fullmatch(field)):
        return None
    value = float(field)
    return value if 0 < value <= LARGEST_AGE_GYR else None


def reference(raw: bytes) -> tuple | str:
    """``(header, columns, line_numbers)`` or the start of the first error's message."""
    lines = _lines(raw)
    data = [i for i, line in enumerate(lines) if not _skipped(line)]
    if not data:
        return "x: no data rows"
    comma = any("," in lines[i] for i in data)
    first = _fields(lines[data[0]], comma)
    kinds = [_number_like(f) for f in first if f]
    header: tuple[str, ...] = ()
    if not all(kinds) and any(kinds):
        return f"x:{data[0] + 1}: "  # mixes numbers and names
    if not any(kinds) and kinds:
        header, at, data = tuple(first), data[0], data[1:]
    else:
        comments = [i for i in range(data[0]) if lines[i].lstrip(" \t").startswith("#")]
        for i in reversed(comments):
            names = _fields(lines[i].lstrip(" \t")[1:], comma)
            if len(names) == len(first):
                header, at = tuple(names), i
                break
    named = [name for name in header if name]
    if len(set(named)) < len(named):
        return f"x:{at + 1}: the header names column "
    if not data:
        return "x: no data rows"
    width = len(header) if header else len(first)
    rows = []
    for i in data:
        fields = _fields(lines[i], comma)
        if len(fields) != width:
            return f"x:{i + 1}: expected {width} column"
        ages = [_age(f) for f in fields]
        bad = [c for c, age in enumerate(ages) if age is None]
        if bad:
            column = f"column {header[bad[0]]!r}" if header and header[bad[0]] else f"column {bad[0] + 1}"
            return f"x:{i + 1}: {column}: expected "
        rows.append(ages)
    columns = [[row[c] for row in rows] for c in range(width)]
    return header, columns, [i + 1 for i in data]


# --- random files ---------------------------------------------------------------------

_AGE = st.floats(min_value=1e-3, max_value=LARGEST_AGE_GYR)
_WRITE = st.sampled_from([repr, "{:.6g}".format, "{:.3e}".format, "{:E}".format, lambda x: "+" + repr(x),
                          lambda x: repr(x).lstrip("0") or "0", lambda x: f"{x:.0f}."])  # fmt: skip
_INVALID = st.sampled_from(
    ["abc", "1_000", "\uff15", "\u0663", "inf", "-Infinity", "-1.5", "0", "0e7", "1e400", "1e-400", "4600",
     "1000.0000000000001", "1;2", "1\u00a02", "nan(1)", "0x1", "1e", ".", "+-1", "1.5.2", "2#", "NA"]
)  # fmt: skip
_MISSING = st.sampled_from(["nan", "NaN", "-nan", "+NAN"])
_NOISE = st.sampled_from(["# a comment", "#", "", "  ", "\t", " # note, with a comma", "# age_0 age_1", "#age_0,age_1"])


@st.composite
def files(draw: st.DrawFn) -> bytes:
    comma = draw(st.booleans())
    width = draw(st.integers(1, 4))
    sep = st.sampled_from([",", " ,", ", ", "\t,\t"] if comma else [" ", "\t", "  ", " \t "])
    names = [f"age_{c}" for c in range(width)]
    lines = draw(st.lists(_NOISE, max_size=2))
    style = draw(st.sampled_from(["none", "plain", "hash"]))
    if style != "none":
        lines.append(("# " if style == "hash" else "") + draw(sep).join(names))
    for _ in range(draw(st.integers(1, 12))):
        n = width if draw(st.integers(0, 12)) else draw(st.integers(1, width + 1))
        fields = []
        for _ in range(n):
            roll = draw(st.integers(0, 19))
            if roll == 0:
                fields.append(draw(_INVALID))
            elif roll == 1:
                fields.append(draw(_MISSING | st.just("")) if comma else draw(_MISSING))
            else:
                fields.append(draw(_WRITE)(draw(_AGE)))
        pad = draw(st.sampled_from(["", " ", "\t"]))
        lines.append(pad + "".join(f + draw(sep) for f in fields[:-1]) + fields[-1] + draw(st.sampled_from(["", " "])))
        if not draw(st.integers(0, 5)):
            lines.append(draw(_NOISE))
    if draw(st.booleans()):
        ends = [draw(st.sampled_from(["\n", "\r\n", "\r"]))] * len(lines)
    else:
        ends = [draw(st.sampled_from(["\n", "\r\n", "\r"])) for _ in lines]
    text = "".join(line + end for line, end in zip(lines, ends))
    text = text if draw(st.booleans()) else text.rstrip("\r\n")
    return (codecs.BOM_UTF8 if draw(st.booleans()) else b"") + text.encode()


# --- the readers against the reference ----------------------------------------------------


def _matches(result: Table | str, expected: tuple | str) -> bool:
    if isinstance(expected, str):
        return isinstance(result, str) and result.startswith(expected)
    header, columns, line_numbers = expected
    return (
        isinstance(result, Table)
        and result.header == header
        and len(result.columns) == len(columns)
        and all(np.array_equal(a, b, equal_nan=True) for a, b in zip(result.columns, columns))
        and result.line_numbers.tolist() == line_numbers
    )


def _read(reader, raw: bytes) -> Table | str | None:
    try:
        return reader(raw)
    except DataError as error:
        return str(error)


@settings(max_examples=600, deadline=None)
@given(raw=files(), parts=st.integers(1, 3))
@example(raw=b"a b\r\r\n1 2\r\n\r3 x\n", parts=1)  # \r then \r\n: two line ends, the error on line 5
@example(raw=b"1;2;3\r4;5;6\r", parts=1)  # a ';' file: one column named '1;2;3'
@example(raw=b"# age_0 age_1\n1 2\n3 1_000\n", parts=2)
@example(raw=b"age_0,age_1\n\xef\xbc\x95,2\n", parts=1)  # a full-width 5
@example(raw=b"abc abc", parts=1)  # a header naming a column twice
def test_every_reader_agrees_with_the_reference_grammar(raw, parts):
    expected = reference(raw)
    for name, reader in [
        ("line by line", lambda r: parse_table(r, "x", fast_threshold=SLOW)),
        ("every reader", lambda r: parse_table(r, "x", fast_threshold=0)),
    ]:
        result = _read(reader, raw)
        assert _matches(result, expected), (name, result, expected)
    scanned = scan_table(raw, "x", parts=parts)  # never raises; None hands the file on
    assert scanned is None or (not isinstance(expected, str) and _matches(scanned, expected)), (scanned, expected)
    large = _read(lambda r: parse_large(r, "x"), raw)  # raises the reference's error, or hands on
    assert large is None or _matches(large, expected), (large, expected)
