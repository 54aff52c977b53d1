"""Tests of analysis/table_fast.py: the pyarrow path gives parse_table's Table and errors exactly.

``fast_threshold=0`` forces the pyarrow path on small files; the line-by-line
parser (a threshold above the file's size) is the reference.
"""

import codecs

from hypothesis import given, settings
from hypothesis import strategies as st
import pytest

from analysis.errors import DataError
from analysis.readers import parse_table
from analysis.readers.text_arrow import parse_large

SLOW = 1 << 62  # above any file's size: the line-by-line parser


def _both(raw: bytes) -> tuple[object, object]:
    """(fast, slow): each a Table or the DataError message."""
    out = []
    for threshold in (0, SLOW):
        try:
            out.append(parse_table(raw, "data/x.csv", fast_threshold=threshold))
        except DataError as error:
            out.append(str(error))
    return out[0], out[1]


_AGE = st.floats(min_value=1e-3, max_value=50.0, allow_nan=False).map(repr)
_MISSING = st.sampled_from(["nan", "NaN", "NAN", "-nan"])


@st.composite
def _files(draw: st.DrawFn) -> bytes:
    """Random valid tables: either delimiter, any header style, comments, blank lines, CRLF, BOM, missing values."""
    comma = draw(st.booleans())
    width = draw(st.integers(1 if not comma else 2, 4))
    n_rows = draw(st.integers(1, 25))
    sep = "," if comma else draw(st.sampled_from([" ", "  ", "\t", " \t "]))
    names = [f"age_{c}" for c in range(width)]
    header = draw(st.sampled_from(["none", "plain", "hash"]))
    lines = draw(st.lists(st.sampled_from(["# a comment", "", "   "]), max_size=2))
    if header == "plain":
        lines.append(sep.join(names))
    elif header == "hash":
        lines.append("# " + sep.join(names))
    missing = _MISSING | st.just("") if comma else _MISSING
    for _ in range(n_rows):
        fields = [draw(missing if draw(st.integers(0, 5)) == 0 else _AGE) for _ in range(width)]
        pad = draw(st.sampled_from(["", " "])) if comma else ""
        lines.append(sep.join(pad + f + pad for f in fields))
        if draw(st.integers(0, 9)) == 0:
            lines.append(draw(st.sampled_from(["# note", "", " \t"])))
    end = draw(st.sampled_from(["\n", "\r\n", "\r"]))
    text = end.join(lines) + draw(st.sampled_from(["", end]))
    bom = codecs.BOM_UTF8 if draw(st.booleans()) else b""
    return bom + text.encode()


@settings(max_examples=300, deadline=None)
@given(raw=_files())
def test_fast_and_slow_paths_give_identical_tables(raw):
    fast, slow = _both(raw)
    assert fast == slow
    if not isinstance(slow, str):
        assert parse_large(raw, "data/x.csv") == slow  # read by pyarrow, not handed back


def test_regular_and_irregular_bodies_are_both_read_by_pyarrow():
    regular = b"# two studies\n#a,b\n1.5,2\n3,\n4,5e-1\n"
    irregular = b"a  b\n1.5\t2\n\n# note\n3 nan\n"
    for raw in (regular, irregular):
        table = parse_large(raw, "x")
        assert table is not None and table == parse_table(raw, "x", fast_threshold=SLOW)
    assert parse_large(regular, "x").line_numbers.tolist() == [3, 4, 5]
    assert parse_large(irregular, "x").line_numbers.tolist() == [2, 5]


_GOOD = "\n".join(["# ages", "a,b"] + ["1.5,2.5"] * 30)


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (_GOOD + "\n3,4,5\n", r"data/x.csv:33: expected 2 columns like the header, got 3"),
        (_GOOD + "\n3\n", r"data/x.csv:33: expected 2 columns like the header, got 1"),
        (_GOOD + "\n3,abc\n", r"data/x.csv:33: column 'b': expected a positive number of Gyr, got 'abc'"),
        (_GOOD + "\n0,1\n", r"data/x.csv:33: column 'a': expected a positive number of Gyr, got '0'"),
        (_GOOD + "\n-1.5,1\n", r"data/x.csv:33: column 'a': expected a positive number of Gyr, got '-1.5'"),
        (_GOOD + "\n1,inf\n", r"data/x.csv:33: column 'b': expected a finite positive number of Gyr, got 'inf'"),
        (_GOOD + "\n1,1e500\n", r"data/x.csv:33: column 'b': expected a finite positive number of Gyr, got '1e500'"),
        (_GOOD + "\n1,1e-400\n", r"data/x.csv:33: column 'b': expected a positive number of Gyr, got '1e-400'"),
        (_GOOD + "\n1,nan(1)\n", r"data/x.csv:33: column 'b': expected a positive number of Gyr, got 'nan(1)'"),
        ("a  b\n1 2\n# c\n3 nan()\n", r"data/x.csv:4: column 'b': expected a positive number of Gyr, got 'nan()'"),
        (_GOOD + "\n1, NA\n", r"data/x.csv:33: column 'b': expected a positive number of Gyr, got 'NA'"),
        (_GOOD + "\n# note\n1,2,3\n\n1,x\n", r"data/x.csv:34: expected 2 columns like the header, got 3"),
        (_GOOD + "\n\n1,x\n1,2,3\n", r"data/x.csv:34: column 'b': expected a positive number of Gyr, got 'x'"),
        ("1 2\n3 4\n5 6 7\n", r"data/x.csv:3: expected 2 columns like line 1, got 3"),
        ("\n# c\n1 2\n3\t  x\n", r"data/x.csv:4: column 2: expected a positive number of Gyr, got 'x'"),
        ("a b\n1 2\n3 \u00a04\n", r"data/x.csv:3: column 'b': expected a positive number of Gyr, got '"),  # no separator
        ("a b\n1 2\n3 caf\u00e9\n", r"data/x.csv:3: column 'b': expected a positive number of Gyr, got 'café'"),
        ("9.31 abc\n7.76 1.5\n", r"data/x.csv:1: '9\.31 abc' mixes numbers and names"),
        ("age,age\n1,2\n", r"data/x.csv:1: the header names column 'age' twice"),
        ("#a b\n\n# nothing here\n", r"data/x.csv: no data rows"),
        ("\ufeff", r"data/x.csv: no data rows"),  # only a byte-order mark
        ("a b\n1 2\n1_000 3\n", r"data/x.csv:3: column 'a': expected a positive number of Gyr, got '1_000'"),
    ],
)
def test_fast_and_slow_paths_give_identical_errors(raw, message):
    fast, slow = _both(raw.encode())
    assert fast == slow
    if message is not None:
        assert isinstance(slow, str) and slow.startswith(message.replace("\\", "")), slow


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b"1 2\n3\x004\n", "data/x.csv:2: contains a NUL byte, so it looks like a binary file"),
        ("a b\n1 2\ncafé 3\n".encode("latin-1"), "data/x.csv:3: byte 0xe9 is not UTF-8"),
    ],
)
def test_binary_input_gets_the_line_by_line_parsers_error(raw, message):
    fast, slow = _both(raw)
    assert fast == slow
    assert slow.startswith(message)
