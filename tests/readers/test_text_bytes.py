"""Tests of analysis/text_scan.py: the numba reader gives the line-by-line parser's Table, or hands on.

The line-by-line parser (``fast_threshold`` above the file's size) is the
reference; ``parts`` forces the body to be cut into several threads' pieces.
"""

import codecs
import struct

from hypothesis import example, given, settings
from hypothesis import strategies as st
import numpy as np
import pytest

from analysis.readers.ages import MAX_AGE_GYR
from analysis.errors import DataError
from analysis.readers import parse_table
from analysis.readers.text_bytes import _MAX_SLOW, _OK, _SLOW, _cuts, _number, scan_table

SLOW = 1 << 62  # above any file's size: the line-by-line parser


def _reference(raw: bytes) -> object:
    """The line-by-line parser's Table, or its DataError message."""
    try:
        return parse_table(raw, "data/x.csv", fast_threshold=SLOW)
    except DataError as error:
        return str(error)


def _fast(raw: bytes) -> object:
    """parse_table with every fast reader allowed: a Table or the DataError message."""
    try:
        return parse_table(raw, "data/x.csv", fast_threshold=0)
    except DataError as error:
        return str(error)


def _bits(x: float) -> bytes:
    return struct.pack("<d", x)


# --- float conversion ---------------------------------------------------------

_digits = st.text("0123456789", max_size=20)


@st.composite
def _decimals(draw: st.DrawFn) -> str:
    """Decimal strings Python reads: [+]int[.frac][e[+-]exp], either digit run possibly empty."""
    whole, fraction = draw(_digits), draw(_digits)
    if not whole and not fraction:
        whole = draw(st.text("0123456789", min_size=1, max_size=17))
    text = draw(st.sampled_from(["", "+"])) + whole
    if fraction or draw(st.booleans()):
        text += "." + fraction
    if draw(st.booleans()):
        text += draw(st.sampled_from("eE")) + draw(st.sampled_from(["", "+", "-"])) + str(draw(st.integers(0, 400)))
    return text


def _read(text: str) -> tuple[float, int, int]:
    data = np.frombuffer(text.encode(), dtype=np.uint8)
    return _number(data, 0, len(data))


@settings(max_examples=2000, deadline=None)
@given(text=_decimals())
@example("9007199254740993")  # 2**53 + 1: not exact, flagged
@example("9007199254740992e-22")  # 2**53, the largest exact mantissa, smallest exact exponent
@example("0.1")
@example("123456789012345678e22")  # 18 digits but > 2**53: flagged
@example("5.")
@example(".5E+1")
@example("0000000000000000001")  # 19 digits counting leading zeros: flagged
def test_clinger_fast_path_is_bit_identical_to_float(text):
    value, end, status = _read(text)
    assert end == len(text)
    expected = float(text)
    digits = text.lstrip("+").split("e")[0].split("E")[0].replace(".", "")
    mantissa = int(digits)
    exponent = int(text.lower().split("e")[1]) if "e" in text.lower() else 0
    exponent -= len(text.lstrip("+").lower().split("e")[0].partition(".")[2])
    if expected == 0.0:
        assert status != _OK  # zero is an error: handed on, never converted
    elif len(digits) <= 18 and mantissa <= 2**53 and abs(exponent) <= 22:
        assert status == _OK and _bits(value) == _bits(expected), (value, expected)
    else:
        assert status == _SLOW  # converted by float() later


@settings(max_examples=300, deadline=None)
@given(text=_decimals())
def test_every_positive_finite_decimal_reads_as_float_does(text):
    """Through the whole reader: fast path or flagged field, the double is float()'s."""
    raw = f"age\n{text}\n{text}\n".encode()
    table = scan_table(raw, "x")
    expected = float(text)
    if 0 < expected <= MAX_AGE_GYR:
        assert table is not None and [_bits(v) for v in table.columns[0]] == [_bits(expected)] * 2
    else:
        assert table is None and isinstance(_reference(raw), str)  # zero, underflow, too old or overflow: an error


@pytest.mark.parametrize("text", ["nan", "NaN", "-nan", "+NAN"])
def test_nan_in_any_case_and_sign_is_missing(text):
    value, end, status = _read(text)
    assert status == _OK and np.isnan(value) and end == len(text)


@pytest.mark.parametrize("text", ["-1.5", "-0", "0", "0.000", "0e5", ".", "e5", "1e", "1e+", "inf", "+-1", "-inf"])
def test_non_positive_and_non_numbers_are_refused(text):
    assert _read(text)[2] not in (_OK, _SLOW)


# --- whole files --------------------------------------------------------------

_AGE = st.floats(min_value=1e-3, max_value=50.0, allow_nan=False)
_FORMATS = st.sampled_from([repr, "{:.6g}".format, "{:.3e}".format, "{:.10f}".format, "{:E}".format])


@st.composite
def _files(draw: st.DrawFn) -> bytes:
    """Valid tables the reader takes: every layout, header style, comments, blank lines, line end, missing value."""
    layout = draw(st.sampled_from(["csv", "space", "runs"]))
    comma = layout == "csv"
    width = draw(st.integers(2 if comma else 1, 4))
    sep = {"csv": ",", "space": " ", "runs": None}[layout]
    names = [f"age_{c}" for c in range(width)]
    lines = draw(st.lists(st.sampled_from(["# a comment", "", "   "]), max_size=2))
    header = draw(st.sampled_from(["none", "plain", "hash"]))
    joiner = sep or "\t"
    if header == "plain":
        lines.append(joiner.join(names))
    elif header == "hash":
        lines.append("# " + joiner.join(names))
    missing = st.sampled_from(["nan", "NaN", "-nan", "+nan"] + ([""] if comma else []))
    fmt = draw(_FORMATS)
    for _ in range(draw(st.integers(2, 40))):
        fields = [draw(missing) if draw(st.integers(0, 6)) == 0 else fmt(draw(_AGE)) for _ in range(width)]
        if sep is None:
            gaps = [draw(st.sampled_from(["\t", "  ", " \t ", "   "])) for _ in fields]
            line = draw(st.sampled_from(["", " ", "\t"])) + "".join(f + g for f, g in zip(fields, gaps)).rstrip()
        else:
            pad = draw(st.sampled_from(["", " "])) if comma else ""
            line = sep.join(pad + f + pad for f in fields)
        lines.append(line)
        if draw(st.integers(0, 6)) == 0:
            lines.append(draw(st.sampled_from(["# note, with a comma" if comma else "# note", "", " \t", "  # x"])))
    end = draw(st.sampled_from(["\n", "\r\n", "\r"]))
    text = end.join(lines) + draw(st.sampled_from(["", end, end + end]))
    bom = codecs.BOM_UTF8 if draw(st.booleans()) else b""
    return bom + text.encode()


@settings(max_examples=400, deadline=None)
@given(raw=_files(), parts=st.integers(1, 4))
def test_reader_gives_the_line_by_line_parsers_table(raw, parts):
    reference = _reference(raw)
    assert not isinstance(reference, str), reference
    table = scan_table(raw, "data/x.csv", parts=parts)
    assert table is not None  # every generated layout is one the reader takes
    assert table == reference
    assert table.header == reference.header and table.line_numbers.tolist() == reference.line_numbers.tolist()
    assert _fast(raw) == reference  # and parse_table takes this reader first


def test_layouts_read_by_the_kernel_with_line_numbers():
    cases = {
        b"# two studies\n#a,b\n1.5,2\n3,\n# note\n\n4, 5e-1\n": ([[1.5, 3, 4], [2, np.nan, 0.5]], [3, 4, 7]),
        b"a b\r\n1.5 2\r\n\r\n3 NaN\r\n": ([[1.5, 3], [2, np.nan]], [2, 4]),
        b"1\t  2\r3 4\r  # x\r5\t6": ([[1, 3, 5], [2, 4, 6]], [1, 2, 4]),
        b",\n1,2\n": ([[np.nan, 1], [np.nan, 2]], [1, 2]),  # a CSV row of empty fields: all missing
    }
    for raw, (columns, lines) in cases.items():
        for parts in (1, 2, 3):
            table = scan_table(raw, "x", parts=parts)
            assert table is not None, raw
            np.testing.assert_array_equal(np.array(table.columns), columns)
            assert table.line_numbers.tolist() == lines
            assert table == parse_table(raw, "x", fast_threshold=SLOW)


@pytest.mark.parametrize("end", [b"\n", b"\r\n", b"\r"])
def test_parts_are_cut_just_after_line_ends(end):
    raw = end.join(b"%d %d" % (i + 1, i + 2) for i in range(998)) + end
    cuts = _cuts(raw, 0, len(raw), 7)
    assert cuts[0] == 0 and cuts[-1] == len(raw) and len(cuts) == 8 and cuts == sorted(set(cuts))
    assert all(raw[:c].endswith(end) for c in cuts[1:])
    table = scan_table(raw, "x", parts=7)
    assert table.columns[0].tolist() == list(range(1, 999)) and table.line_numbers.tolist() == list(range(1, 999))


# --- hand-ons: None here, and parse_table's Table or error is unchanged -----------

_GOOD = "\n".join(["# ages", "a,b"] + ["1.5,2.5"] * 30)


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (_GOOD + "\n3,4,5\n", "data/x.csv:33: expected 2 columns like the header, got 3"),
        (_GOOD + "\n3\n", "data/x.csv:33: expected 2 columns like the header, got 1"),
        (_GOOD + "\n3,abc\n", "data/x.csv:33: column 'b': expected a positive number of Gyr, got 'abc'"),
        (_GOOD + "\n3,1 2\n", "data/x.csv:33: column 'b': expected a positive number of Gyr, got '1 2'"),
        (_GOOD + "\n0,1\n", "data/x.csv:33: column 'a': expected a positive number of Gyr, got '0'"),
        (_GOOD + "\n-1.5,1\n", "data/x.csv:33: column 'a': expected a positive number of Gyr, got '-1.5'"),
        (_GOOD + "\n1,inf\n", "data/x.csv:33: column 'b': expected a finite positive number of Gyr, got 'inf'"),
        (_GOOD + "\n1,1e500\n", "data/x.csv:33: column 'b': expected a finite positive number of Gyr, got '1e500'"),
        (_GOOD + "\n1,1e-400\n", "data/x.csv:33: column 'b': expected a positive number of Gyr, got '1e-400'"),
        (_GOOD + "\n1,nan(1)\n", "data/x.csv:33: column 'b': expected a positive number of Gyr, got 'nan(1)'"),
        (_GOOD + "\n1,2#x\n", "data/x.csv:33: column 'b': expected a positive number of Gyr, got '2#x'"),
        ("a b\n1 2\n3 caf\u00e9\n", "data/x.csv:3: column 'b': expected a positive number of Gyr, got 'café'"),
        ("a b\n1 2\n3 4x\n", "data/x.csv:3: column 'b': expected a positive number of Gyr, got '4x'"),
        ("1 2\n3 4\n5 6 7\n", "data/x.csv:3: expected 2 columns like line 1, got 3"),
        ("9.31 abc\n7.76 1.5\n", "data/x.csv:1: '9.31 abc' mixes numbers and names"),
        ("age,age\n1,2\n3,4\n", "data/x.csv:1: the header names column 'age' twice"),
        ("#a b\n\n# nothing here\n", "data/x.csv: no data rows"),
        ("a b\n1 2\n3\x004\n", "data/x.csv:3: contains a NUL byte"),
    ],
)
def test_bad_files_are_handed_on_and_keep_their_error(raw, message):
    raw = raw.encode()
    assert scan_table(raw, "data/x.csv") is None
    assert _fast(raw) == _reference(raw)
    assert _reference(raw).startswith(message), _reference(raw)


@pytest.mark.parametrize(
    "raw",
    [
        b"a b\n1 2\n3 1_000\n",  # Python reads 1_000; the grammar does not
        "a b\n1 2\n3 \u00a04\n".encode(),  # non-ASCII whitespace, not a separator
        "# \u00e2ges\na b\n1 2\n3 4\n".encode(),  # non-ASCII comment in the head
        "a b\n1 2\n# caf\u00e9\n3 4\n".encode(),  # and in the body
        b"a b\n1 2\n3\x0b4\n",  # a control byte Python counts as whitespace, not a separator
        b"#a b\n1 2\n# x, y\n3 4\n",  # a comma only in a comment: the guessed delimiter is wrong
        b"age\n1\n# x, y\n3\n",  # one column with a comma in a comment
        b"1 2",  # the first data line does not end (within the first 64 KiB)
    ],
)
def test_files_outside_the_kernels_grammar_are_handed_on_unchanged(raw):
    assert scan_table(raw, "data/x.csv") is None
    assert _fast(raw) == _reference(raw)


def test_too_many_inexact_fields_in_a_part_hand_the_file_on():
    rows = [f"1.{i:016d},1.5" for i in range(2 * _MAX_SLOW)]  # 17-digit mantissas > 2**53: each one flagged
    raw = ("a,b\n" + "\n".join(rows) + "\n").encode()
    assert scan_table(raw, "x", parts=1) is None
    table = scan_table(raw, "x", parts=4)  # under the limit per part
    assert table is not None and table == parse_table(raw, "x", fast_threshold=SLOW)
    assert table.columns[0][5] == float(rows[5].split(",")[0])
