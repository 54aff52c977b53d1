"""Tests of analysis/table.py: every accepted layout and every rejected input."""

import codecs
import doctest
import math
import re

from hypothesis import given, settings
from hypothesis import strategies as st
import numpy as np
import pytest

import analysis.readers.text
from analysis.config import AGE_OF_UNIVERSE_GYR
from analysis.errors import DataError
from analysis.readers.manifest import DatasetSpec, SourceSpec
from analysis.readers import Table, datasets_from_table, parse_table
from analysis.readers.text_grammar import MAX_COLUMNS, MAX_LINE_BYTES


def _source(*columns: int | str, paired: bool = True) -> SourceSpec:
    datasets = tuple(
        DatasetSpec(column=c, name=f"set{i}", label=f"Set {i}", colour="#0072B2") for i, c in enumerate(columns)
    )
    return _spec(datasets, paired=paired)


def _spec(datasets: tuple[DatasetSpec, ...], *, paired: bool = True, id: str = "src") -> SourceSpec:
    return SourceSpec(
        id=id,
        file="x.csv",
        url=None,
        sha256=None,
        licence="",
        licence_url="",
        citation="",
        paired=paired,
        datasets=datasets,
    )


def _columns(table) -> list[list[float]]:
    return [column.tolist() for column in table.columns]


# --- accepted layouts -------------------------------------------------------


def test_whitespace_table_with_hash_header_comments_and_blank_lines():
    raw = b"# ages from a test\n#Joyce_age   Bensby_age\n\n9.31  6.4\n# a note\n7.76\t1.5\n"
    table = parse_table(raw, "x.dat")
    assert table.header == ("Joyce_age", "Bensby_age")
    assert _columns(table) == [[9.31, 7.76], [6.4, 1.5]]
    assert table.line_numbers.tolist() == [4, 6]


def test_header_without_hash():
    table = parse_table(b"joyce bensby\n9.31 6.4\n7.76 1.5\n", "x.dat")
    assert table.header == ("joyce", "bensby")
    assert table.line_numbers.tolist() == [2, 3]


def test_no_header_names_columns_by_number_in_errors():
    table = parse_table(b"9.31 6.4\n7.76 1.5\n", "x.dat")
    assert table.header == ()
    assert _columns(table) == [[9.31, 7.76], [6.4, 1.5]]
    with pytest.raises(DataError, match=r"^x\.dat:3: column 2: expected a positive number of Gyr, got 'abc'$"):
        parse_table(b"9.31 6.4\n7.76 1.5\n7.0 abc\n", "x.dat")


def test_descriptive_hash_comment_is_not_taken_for_the_header():
    # Only the '#' line as wide as the data names the columns.
    table = parse_table(b"# Stellar ages in Gyr from two studies\n# a b\n1 2\n3 4\n", "x.dat")
    assert table.header == ("a", "b")
    assert parse_table(b"# Stellar ages in Gyr\n1 2\n3 4\n", "x.dat").header == ()


def test_crlf_and_utf8_bom_are_accepted():
    raw = b"\xef\xbb\xbf#a,b\r\n1.5,2\r\n3,4.25\r\n"
    table = parse_table(raw, "x.csv")
    assert table.header == ("a", "b")
    assert _columns(table) == [[1.5, 3.0], [2.0, 4.25]]
    assert table.line_numbers.tolist() == [2, 3]


def test_csv_empty_field_and_nan_are_missing_and_counted():
    raw = b"a,b\n1,2\n3,\nNaN,5\n6,7\n"
    table = parse_table(raw, "x.csv")
    assert math.isnan(table.columns[1][1]) and math.isnan(table.columns[0][2])
    a, b = datasets_from_table(table, _source(0, "b"))
    assert (a.ages_gyr.tolist(), a.rows.tolist(), a.n_missing) == ([1.0, 3.0, 6.0], [0, 1, 3], 1)
    assert (b.ages_gyr.tolist(), b.rows.tolist(), b.n_missing) == ([2.0, 5.0, 7.0], [0, 2, 3], 1)


def test_ages_above_the_age_of_the_universe_are_kept():
    old = AGE_OF_UNIVERSE_GYR + 3.64
    (dataset,) = datasets_from_table(parse_table(f"age\n9.31\n{old!r}\n".encode(), "x.dat"), _source(0))
    assert dataset.ages_gyr.tolist() == [9.31, old]


def test_dataset_fields_come_from_the_spec_and_pairing_from_the_source():
    table = parse_table(b"1 2\n3 4\n", "x.dat")
    b = DatasetSpec(
        column=1, name="b", label="B (2017)", colour="#D55E00", citation="B 2017", doi="10.1/x", method="isochrones"
    )
    (dataset,) = datasets_from_table(table, _spec((b,), id="pairs"))
    assert (dataset.name, dataset.label, dataset.colour, dataset.units) == ("b", "B (2017)", "#D55E00", "Gyr")
    assert (dataset.citation, dataset.doi, dataset.method) == ("B 2017", "10.1/x", "isochrones")
    assert (dataset.source, dataset.pair_group, dataset.ages_gyr.tolist()) == ("x.dat", "pairs", [2.0, 4.0])
    unpaired = datasets_from_table(table, _source(0, 1, paired=False))
    assert [d.pair_group for d in unpaired] == [None, None]


@settings(max_examples=50, deadline=None)
@given(
    rows=st.lists(
        st.tuples(*[st.floats(min_value=1e-3, max_value=20.0, allow_nan=False)] * 2), min_size=2, max_size=30
    ),
    comma=st.booleans(),
)
def test_written_values_are_read_back_exactly(rows, comma):
    separator = "," if comma else " \t "
    text = "a" + separator + "b\n" + "".join(f"{x!r}{separator}{y!r}\n" for x, y in rows)
    table = parse_table(text.encode(), "x")
    assert _columns(table) == [[x for x, _ in rows], [y for _, y in rows]]
    assert table.line_numbers.tolist() == list(range(2, len(rows) + 2))


def test_real_file_matches_numpy_loadtxt(real_data_dir):
    path = real_data_dir / "stellar_ages.dat"
    joyce, bensby = datasets_from_table(parse_table(path.read_bytes(), str(path)), _source(0, "Bensby_age"))
    reference = np.loadtxt(path)  # independent reader; '#' lines are comments
    assert len(joyce.ages_gyr) == len(bensby.ages_gyr) == 91
    np.testing.assert_array_equal(joyce.ages, reference[:, 0])
    np.testing.assert_array_equal(bensby.ages, reference[:, 1])
    assert joyce.ages.mean() == pytest.approx(10.8341, abs=1e-4)
    assert bensby.ages.mean() == pytest.approx(8.1703, abs=1e-4)
    assert joyce.rows.tolist() == bensby.rows.tolist() == list(range(91))


# --- rejected inputs --------------------------------------------------------


def test_row_of_the_wrong_width_names_line():
    raw = b"a,b\n1,2\n3,4\n5,6\n7,8\n9,10\n11,12,13\n"
    with pytest.raises(DataError, match=r"^data/x\.csv:7: expected 2 columns like the header, got 3$"):
        parse_table(raw, "data/x.csv")
    with pytest.raises(DataError, match=r"^x\.dat:3: expected 2 columns like line 1, got 1$"):
        parse_table(b"1 2\n3 4\n5\n", "x.dat")


def test_non_number_names_line_and_column():
    lines = ["#Joyce_age Bensby_age"] + ["9.31 6.4"] * 40 + ["7.76 abc"]
    raw = "\n".join(lines).encode()
    message = r"^data/my_ages\.csv:42: column 'Bensby_age': expected a positive number of Gyr, got 'abc'$"
    with pytest.raises(DataError, match=message):
        parse_table(raw, "data/my_ages.csv")


@pytest.mark.parametrize(
    ("word", "expected"),
    [("inf", "a finite positive number"), ("Infinity", "a finite positive number"), ("-inf", "a positive number")],
)
def test_infinity_is_rejected(word, expected):
    raw = f"a b\n1 2\n3 {word}\n".encode()
    with pytest.raises(DataError, match=rf"^x:3: column 'b': expected {expected} of Gyr, got '{word}'$"):
        parse_table(raw, "x")


@pytest.mark.parametrize("word", ["-1.5", "0", "0.0", "-0"])
def test_negative_or_zero_age_is_rejected(word):
    raw = f"a b\n1 2\n{word} 3\n".encode()
    with pytest.raises(DataError, match=rf"^x:3: column 'a': expected a positive number of Gyr, got '{word}'$"):
        parse_table(raw, "x")


@pytest.mark.parametrize(
    "word",
    ["1_000", "1_5", "\uff15", "\uff11.\uff15", "\u0663", "\U0001d7cf", "\u00a01.5", "1.5\u2003", "1.5\x0c", "\x0b2"],
)
@pytest.mark.parametrize("threshold", [1 << 62, 0])
def test_only_ascii_decimal_numbers_are_ages(word, threshold):
    # Python's float() reads every one of these (underscores, Unicode digits, Unicode and control spaces).
    raw = f"a,b\n1,2\n3,{word}\n".encode()
    message = rf"^x:3: column 'b': expected a positive number of Gyr, got {re.escape(repr(word))}"
    with pytest.raises(DataError, match=message + "( \\(the file seems to use .* as separator; use commas, spaces or tabs\\))?$"):
        parse_table(raw, "x", fast_threshold=threshold)


@pytest.mark.parametrize("blank", ["\u00a0", "\u2003", "\u3000", "\x0b", "\x0c", "\x1f", "\x85"])
@pytest.mark.parametrize("threshold", [1 << 62, 0])
def test_only_spaces_and_tabs_separate_fields(blank, threshold):
    raw = f"a b\n1 2\n3{blank}4\n".encode()
    message = rf"^x:3: expected 2 columns like the header, got 1$"
    with pytest.raises(DataError, match=message[:-1] + re.escape(f" (the file seems to use {blank!r} as separator; ")):
        parse_table(raw, "x", fast_threshold=threshold)
    assert parse_table(b"a b\n1 2\n3 \t 4\t\n", "x", fast_threshold=threshold).columns[1].tolist() == [2.0, 4.0]


@pytest.mark.parametrize("threshold", [1 << 62, 0])
def test_an_age_above_1000_gyr_is_refused_as_a_likely_unit_error(threshold):
    kept = parse_table(b"a,b\n1,2\n13.9,1000\n", "x", fast_threshold=threshold)
    assert kept.columns[1].tolist() == [2.0, 1000.0]
    for word in ("1e308", "1000.0000000000001", "4600"):
        message = (
            rf"^x:3: column 'b': expected at most 1000 Gyr \(72 times the age of the Universe\), got '{word}'; "
            r"is the unit wrong \(Myr or yr read as Gyr\)\?$"
        )
        with pytest.raises(DataError, match=message):
            parse_table(f"a,b\n1,2\n3,{word}\n4,5\n".encode(), "x", fast_threshold=threshold)


def test_ages_in_myr_in_a_large_file_are_refused_at_their_first_line():
    rows = [f"{9000 + i % 1000}.5" for i in range(160_000)]  # 1.1 MB of ages in Myr, read by the fast readers
    raw = ("age_myr\n" + "\n".join(rows) + "\n").encode()
    assert len(raw) > 1 << 20
    with pytest.raises(DataError, match=r"^x:2: column 'age_myr': expected at most 1000 Gyr .*, got '9000\.5'; is the"):
        parse_table(raw, "x")


@pytest.mark.parametrize("threshold", [1 << 62, 0])
@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("a;b;c\n1;2;3\n", r"x:2: column 'a;b;c': expected a positive number of Gyr, got '1;2;3'"),
        ("1;2;3\n4;5;6\n", r"x:2: column '1;2;3': expected a positive number of Gyr, got '4;5;6'"),
        ("a;b;c\n1; 2; 3\n", r"x:2: expected 1 column like the header, got 3"),
        ("age\n1.5 Gyr\n", r"x:2: expected 1 column like the header, got 2$"),  # no separator to suspect
        ("| a | b |\n| 1 | 2 |\n", r"x:1: the header names column '\|' twice \(columns 1 and 3\); expected distinct names"),
        ("| 1 | 2 |\n| 3 | 4 |\n", r"x:1: '\| 1 \| 2 \|' mixes numbers and names; expected a header of .* in Gyr"),
    ],
)
def test_a_semicolon_separated_file_is_named_as_such(raw, message, threshold):
    hint = rf" \(the file seems to use {re.escape(repr(';' if ';' in raw else '|'))} as separator; use commas, spaces or tabs\)$"
    with pytest.raises(DataError, match="^" + (message if message.endswith("$") else message + hint)):
        parse_table(raw.encode(), "x", fast_threshold=threshold)


def test_binary_files_are_named_as_such():
    with pytest.raises(DataError, match=r"^x\.xlsx:2: contains a NUL byte, so it looks like a binary file"):
        parse_table(b"1 2\n3\x004\n", "x.xlsx")
    with pytest.raises(DataError, match=r"^x\.txt:3: byte 0xe9 is not UTF-8"):
        parse_table("a b\n1 2\ncafé 3\n".encode("latin-1"), "x.txt")


@pytest.mark.parametrize("end", [b"\n", b"\r\n", b"\r"])
@pytest.mark.parametrize(
    ("bad", "message"),
    [
        (b"5 x", "column 'b': expected a positive number of Gyr, got 'x'"),
        (b"5 \x00", "contains a NUL byte"),
        (b"5 caf\xe9", "byte 0xe9 is not UTF-8"),
        (b"5 6 7", "expected 2 columns like the header, got 3"),
    ],
)
@pytest.mark.parametrize(("n_rows", "threshold"), [(2, 1 << 62), (2, 0), (70000, 0)])
def test_errors_name_the_line_whatever_the_line_ends(end, bad, message, n_rows, threshold):
    # Written with the line number counted here: header, n_rows rows, a blank line, then the bad row.
    lines = [b"a b"] + [b"%d.5 2" % (i % 9 + 1) for i in range(n_rows)] + [b"", bad, b"1 2"]
    raw = end.join(lines) + end
    with pytest.raises(DataError, match=rf"^x:{n_rows + 3}: {re.escape(message)}"):
        parse_table(raw, "x", fast_threshold=threshold)


@pytest.mark.parametrize("threshold", [1 << 62, 0])
def test_utf16_text_is_named_as_such(threshold):
    for encoding in ("utf-16", "utf-16-be", "utf-32"):
        raw = codecs.BOM_UTF16_BE + "a,b\n1,2\n".encode(encoding) if encoding == "utf-16-be" else "a,b\n1,2\n".encode(encoding)
        with pytest.raises(DataError, match=r"^x:1: starts with a UTF-16 or UTF-32 byte-order mark; expected UTF-8 text"):
            parse_table(raw, "x", fast_threshold=threshold)


def test_empty_file_and_file_without_rows():
    with pytest.raises(DataError, match=r"^x: the file is empty"):
        parse_table(b"", "x")
    with pytest.raises(DataError, match=r"^x: no data rows"):
        parse_table(b"#a b\n\n# nothing here\n", "x")


def test_first_row_mixing_names_and_numbers_is_not_a_header():
    with pytest.raises(DataError, match=r"^x:1: '9\.31 abc' mixes numbers and names"):
        parse_table(b"9.31 abc\n7.76 1.5\n", "x")


def test_header_naming_a_column_twice():
    with pytest.raises(DataError, match=r"^x:1: the header names column 'age' twice"):
        parse_table(b"age,age\n1,2\n", "x")


@pytest.mark.parametrize("threshold", [1 << 62, 0])
def test_a_repeated_name_among_many_columns_names_both(threshold):
    names = [f"c{i}" for i in range(MAX_COLUMNS)]
    names[700] = "c3"
    raw = (" ".join(names) + "\n" + " ".join(["1"] * MAX_COLUMNS) + "\n").encode()
    message = r"^x:1: the header names column 'c3' twice \(columns 4 and 701\); expected distinct names$"
    with pytest.raises(DataError, match=message):
        parse_table(raw, "x", fast_threshold=threshold)


@pytest.mark.parametrize("threshold", [1 << 62, 0])
@pytest.mark.parametrize("header", [True, False])
def test_at_most_max_columns(header, threshold):
    def table(n: int) -> bytes:
        names = ",".join(f"age{i}" for i in range(n)) + "\r\n" if header else ""
        return ("# ages\r\n" + names + ",".join(["1.5"] * n) + "\r\n").encode()

    assert len(parse_table(table(MAX_COLUMNS), "x", fast_threshold=threshold).columns) == MAX_COLUMNS == 1000
    with pytest.raises(DataError, match=r"^x:2: expected at most 1000 columns, got 1001$"):
        parse_table(table(MAX_COLUMNS + 1), "x", fast_threshold=threshold)


@pytest.mark.parametrize("threshold", [1 << 62, 0])
def test_at_most_one_mib_per_line(threshold):
    line = b"1" * MAX_LINE_BYTES  # the longest line: read, and refused as a number too large to be finite
    shown = rf"'{'1' * 50}'\.\.\. \({MAX_LINE_BYTES} characters\)"
    with pytest.raises(DataError, match=rf"^x:3: column 'age': expected a finite positive number of Gyr, got {shown}$"):
        parse_table(b"age\r\n2\r" + line + b"\r", "x", fast_threshold=threshold)
    message = r"^x:3: the line is 1048577 bytes long; expected at most 1048576 bytes \(1 MiB\) per line, one star per line$"
    for raw in (b"age\r2\r\n" + line + b"1\r\n3\n", b"age\n2\n1" + line, b"x" * 5 + b"\n\r" + line + b"1"):
        with pytest.raises(DataError, match=message):
            parse_table(raw, "x", fast_threshold=threshold)


def test_all_missing_column_is_an_empty_data_set():
    table = parse_table(b"a,b\n1,\n2,nan\n3,\n", "data/x.csv")
    with pytest.raises(DataError, match=r"^data/x\.csv: column 'b' \(data set 'set0'\): all 3 values are missing"):
        datasets_from_table(table, _source("b"))


def test_column_with_one_distinct_age_is_rejected():
    table = parse_table(b"a b\n1 5\n2 5\n3 5\n", "x")
    message = r"^x: column 'b' \(data set 'set0'\): every age is 5\.0 Gyr \(3 stars\); expected at least 2 distinct ages"
    with pytest.raises(DataError, match=message):
        datasets_from_table(table, _source(1))


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b"a b\n1 5\n2 nan\n", r"^x: column 'b' \(data set 'set0'\): only 1 age \(1 missing value dropped\); expected "
         r"at least 2 distinct ages, the fewest the report is built from$"),
        (b"a b\n1 5\n", r"^x: column 'b' \(data set 'set0'\): only 1 age; expected at least 2 distinct ages"),
    ],
)
def test_column_with_one_star_is_rejected(raw, message):
    with pytest.raises(DataError, match=message):
        datasets_from_table(parse_table(raw, "x"), _source(1))


@pytest.mark.parametrize("column", [2, "Age"])
def test_column_not_in_file_lists_the_columns_found(column):
    table = parse_table(b"a b\n1 5\n2 6\n", "x")
    found = "columns found: 0 = column 'a', 1 = column 'b'"
    message = rf"^x: data set 'set0': column {column!r} is not in the file; {found}$"
    with pytest.raises(DataError, match=message):
        datasets_from_table(table, _source(column))


_LENGTHS = st.sampled_from([0, 1, 7, MAX_LINE_BYTES // 2 - 1, MAX_LINE_BYTES // 2, MAX_LINE_BYTES - 1, MAX_LINE_BYTES,
                             MAX_LINE_BYTES + 1, 2 * MAX_LINE_BYTES])  # fmt: skip


@settings(max_examples=60, deadline=None)
@given(
    lines=st.lists(st.tuples(_LENGTHS, st.sampled_from([b"\n", b"\r\n", b"\r"])), min_size=1, max_size=6),
    last_end=st.booleans(),
)
def test_the_first_line_over_the_limit_is_named(lines, last_end):
    raw = b"".join(b"9" * n + end for n, end in lines)
    raw = raw if last_end else raw.rstrip(b"\r\n") + b"9"
    lengths = [len(line) for line in re.split(rb"\r\n|\r|\n", raw)]  # the reference: a regex split
    too_long = [i for i, n in enumerate(lengths) if n > MAX_LINE_BYTES]
    try:
        parse_table(raw, "x", fast_threshold=1 << 62)
    except DataError as error:
        message = str(error)
    else:
        message = ""
    if too_long:
        assert message == (
            f"x:{too_long[0] + 1}: the line is {lengths[too_long[0]]} bytes long; "
            "expected at most 1048576 bytes (1 MiB) per line, one star per line"
        )
    else:
        assert "bytes long" not in message


def test_docstring_examples():
    assert doctest.testmod(analysis.readers.text, raise_on_error=True).attempted >= 1


def test_table_copies_writable_arrays_and_keeps_read_only_ones():
    values = np.array([1.0, 2.0])
    table = Table(source="t", header=(), columns=(values,), line_numbers=np.array([1, 2]))
    values[0] = 99.0  # the caller's array changes; the table's does not
    assert table.columns[0][0] == 1.0 and not table.columns[0].flags.writeable
    frozen = np.array([[3.0, 4.0]])
    frozen.setflags(write=False)
    kept = Table(source="t", header=(), columns=tuple(frozen), line_numbers=np.array([1, 2]))
    assert np.shares_memory(kept.columns[0], frozen)  # a read-only view of read-only memory: no copy
    view = np.array([[5.0, 6.0]])
    row = view[0]
    row.setflags(write=False)  # read-only, but its base can still change: copied
    assert not np.shares_memory(Table(source="t", header=(), columns=(row,), line_numbers=np.array([1, 2])).columns[0], view)
