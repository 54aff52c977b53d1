"""Tests of publish/readers.py: Parquet, FITS and ECSV catalogs made in tmp_path, read as ages in Gyr."""

import gzip
import io

from astropy.table import MaskedColumn
from astropy.table import Table as AstropyTable
from hypothesis import given, settings
from hypothesis import strategies as st
import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from analysis.errors import DataError
from analysis.readers.catalogs import detect_format, read_catalog

AGES_MYR = [9310.0, 7760.0, 1500.0, 12000.0]


def _astropy_table() -> AstropyTable:
    table = AstropyTable()
    table["source_id"] = np.array([11, 12, 13, 14], dtype=np.int64)
    table["age_flame"] = MaskedColumn(AGES_MYR, mask=[False, True, False, False], unit="Myr")
    table["age_gyr"] = np.array([9.31, 7.76, np.nan, 12.0])
    table["distance"] = MaskedColumn([1.0, 2.0, 3.0, 4.0], unit="pc")
    table["name"] = ["a", "b", "c", "d"]
    return table


def _written(table: AstropyTable, fmt: str, tmp_path) -> bytes:
    """``table`` in a format, units kept (astropy writes a Parquet field's unit where pyarrow reads it)."""
    if fmt == "parquet":
        fields = [pa.field(n, pa.float64(), metadata={"unit": str(c.unit)} if c.unit else None) for n, c in table.items()]
        out = io.BytesIO()
        pq.write_table(pa.table([np.asarray(c, dtype=float) for c in table.columns.values()], schema=pa.schema(fields)), out)
        return out.getvalue()
    path = tmp_path / f"t.{fmt}"
    table.write(path, format="ascii.ecsv" if fmt == "ecsv" else "fits")
    return path.read_bytes()


def _fits(tmp_path) -> bytes:
    _astropy_table().write(tmp_path / "cat.fits")
    return (tmp_path / "cat.fits").read_bytes()


def _ecsv() -> bytes:
    out = io.StringIO()
    _astropy_table().write(out, format="ascii.ecsv")
    return out.getvalue().encode()


def _parquet() -> bytes:
    age = pa.field("age_flame", pa.float64(), metadata={"unit": "Myr"})
    schema = pa.schema(
        [pa.field("source_id", pa.int64()), age, pa.field("age_gyr", pa.float64()),
         pa.field("distance", pa.float64(), metadata={"unit": "pc"}), pa.field("name", pa.string())]
    )  # fmt: skip
    table = pa.table(
        [[11, 12, 13, 14], [AGES_MYR[0], None, *AGES_MYR[2:]], [9.31, 7.76, float("nan"), 12.0],
         [1.0, 2.0, 3.0, 4.0], ["a", "b", "c", "d"]],
        schema=schema,
    )  # fmt: skip
    out = io.BytesIO()
    pq.write_table(table, out)
    return out.getvalue()


@pytest.fixture(params=["parquet", "fits", "fits.gz", "ecsv"])
def catalog(request, tmp_path) -> tuple[bytes, str]:
    """(bytes, format) of the same catalog in each format."""
    if request.param == "parquet":
        return _parquet(), "parquet"
    if request.param == "ecsv":
        return _ecsv(), "ecsv"
    raw = _fits(tmp_path)
    return (gzip.compress(raw) if request.param == "fits.gz" else raw), "fits"


def test_ages_in_myr_are_converted_and_masked_values_are_missing(catalog):
    raw, fmt = catalog
    table = read_catalog(raw, "cat", format=fmt, columns=["age_flame", "age_gyr"])
    assert table.header == ("age_flame", "age_gyr")
    expected = [AGES_MYR[0] / 1000, np.nan, AGES_MYR[2] / 1000, AGES_MYR[3] / 1000]
    np.testing.assert_allclose(table.columns[0], expected, rtol=1e-15)
    np.testing.assert_array_equal(table.columns[1], [9.31, 7.76, np.nan, 12.0])
    assert table.line_numbers.tolist() == [1, 2, 3, 4]


def test_columns_chosen_by_index_and_integer_columns_are_read(catalog):
    raw, fmt = catalog
    table = read_catalog(raw, "cat", format=fmt, columns=[2, "0"])
    assert table.header == ("age_gyr", "source_id")
    assert table.columns[1].tolist() == [11.0, 12.0, 13.0, 14.0]


def test_a_column_not_in_time_units_is_refused_naming_file_and_column(catalog):
    raw, fmt = catalog
    message = r"^data/cat: column 'distance': unit 'pc' is not a time unit; expected ages in a unit of time"
    with pytest.raises(DataError, match=message):
        read_catalog(raw, "data/cat", format=fmt, columns=["distance"])


def test_text_and_missing_columns_are_refused(catalog):
    raw, fmt = catalog
    with pytest.raises(DataError, match=r"^cat: column 'name': holds text values, not numbers; expected ages in Gyr"):
        read_catalog(raw, "cat", format=fmt, columns=["age_gyr", "name"])
    with pytest.raises(
        DataError, match=r"^cat: column 'age' is not in the file; columns found: 0 = column 'source_id', "
    ):
        read_catalog(raw, "cat", format=fmt, columns=["age"])


def test_a_negative_age_names_its_row(tmp_path):
    table = AstropyTable({"age": MaskedColumn([1.0, 2.0, -3.0], unit="Gyr")})
    table.write(tmp_path / "neg.fits")
    with pytest.raises(
        DataError, match=r"^x\.fits: row 3: column 'age': expected a positive number of Gyr, got -3\.0 Gyr$"
    ):
        read_catalog((tmp_path / "neg.fits").read_bytes(), "x.fits", format="fits")


@pytest.mark.parametrize("fmt", ["parquet", "fits", "ecsv"])
def test_ages_are_checked_against_the_largest_age_after_their_unit_is_converted(fmt, tmp_path):
    table = AstropyTable()
    table["age_yr"] = MaskedColumn([4.6e9, 1.2e10], unit="yr")  # 4.6 and 12 Gyr: ages
    table["age_myr"] = MaskedColumn([4600.0, 5.0e6], unit="Myr")  # 5e6 Myr = 5000 Gyr: not an age
    table["age"] = np.array([9.31, 4600.0])  # no unit: Gyr, and 4600 Gyr is not an age either
    raw = _written(table, fmt, tmp_path)
    ages = read_catalog(raw, "cat", format=fmt, columns=["age_yr"])
    np.testing.assert_allclose(ages.columns[0], [4.6, 12.0], rtol=1e-15)
    hint = r"; is the unit wrong \(Myr or yr read as Gyr\)\?$"
    with pytest.raises(
        DataError, match=r"^cat: row 2: column 'age_myr': expected at most 1000 Gyr \(72 times the age of the Universe\), "
        r"got 5000000\.0 Myr \(5000\.0 Gyr\)" + hint
    ):
        read_catalog(raw, "cat", format=fmt, columns=["age_myr"])
    with pytest.raises(DataError, match=r"^cat: row 2: column 'age': expected at most 1000 Gyr .*, got 4600\.0" + hint):
        read_catalog(raw, "cat", format=fmt, columns=["age"])


@pytest.mark.parametrize("fmt", ["parquet", "fits", "ecsv"])
def test_bytes_of_another_kind_are_a_data_error_naming_the_format(fmt):
    with pytest.raises(DataError, match=rf"^x: cannot read it as {fmt.upper() if fmt != 'parquet' else 'Parquet'}"):
        read_catalog(b"PK\x03\x04 a zip file, not a catalog" * 10, "x", format=fmt)


@pytest.mark.parametrize(
    ("name", "declared", "expected"),
    [
        ("gaia.parquet", None, "parquet"), ("g.PQ", None, "parquet"), ("cat.fits", None, "fits"),
        ("cat.fit", None, "fits"), ("cat.fits.gz", None, "fits"), ("cat.ecsv", None, "ecsv"),
        ("ages.csv", None, "text"), ("ages.xlsx", None, "text"), ("ages.bin", "parquet", "parquet"),
    ],
)  # fmt: skip
def test_format_from_extension_or_manifest(name, declared, expected):
    assert detect_format(name, declared) == expected


# --- hostile and damaged catalogs: one line each, never a traceback ---------------


def _parquet_of(*columns: pa.Array, names: list[str], units: list[bytes | None] | None = None) -> bytes:
    units = units or [None] * len(columns)
    fields = [pa.field(n, c.type, metadata={b"unit": u} if u else None) for n, c, u in zip(names, columns, units)]
    out = io.BytesIO()
    pq.write_table(pa.table(list(columns), schema=pa.schema(fields)), out)
    return out.getvalue()


def test_parquet_integers_beyond_2_53_become_the_nearest_double_and_absurd_ones_are_refused():
    import astropy.units as u

    big = 2**60 + 1  # seconds: 36.5 Gyr, not a double; the nearest double is float(big)
    raw = _parquet_of(pa.array([big, 10**9], pa.int64()), pa.array([1, 2**62], pa.int64()), names=["t", "age"],
                      units=[b"s", None])  # fmt: skip
    (ages,) = read_catalog(raw, "x", format="parquet", columns=["t"]).columns
    assert ages.tolist() == [float(big) * u.s.to(u.Gyr), 10**9 * u.s.to(u.Gyr)]
    message = r"^x: row 2: column 'age': expected at most 1000 Gyr \(72 times the age of the Universe\), got 4\.6116"
    with pytest.raises(DataError, match=message):
        read_catalog(raw, "x", format="parquet", columns=["age"])


def test_parquet_naming_a_column_twice_is_refused():
    raw = _parquet_of(pa.array([1.0, 2.0]), pa.array([3.0, 4.0]), pa.array([5.0, 6.0]), names=["a", "age", "age"])
    message = r"^x: the Parquet file names column 'age' twice \(columns 2 and 3\); expected distinct names$"
    for columns in (None, ["a"]):
        with pytest.raises(DataError, match=message):
            read_catalog(raw, "x", format="parquet", columns=columns)


def test_parquet_unit_metadata_that_is_not_utf8_is_refused_naming_the_column():
    raw = _parquet_of(pa.array([1.0, 2.0]), names=["age"], units=[b"\xffMyr"])
    message = r"^x: column 'age': its unit b'\\xffMyr' is not UTF-8 text; expected a time unit such as 'Myr'$"
    with pytest.raises(DataError, match=message):
        read_catalog(raw, "x", format="parquet")


def test_parquet_with_damaged_column_data_is_refused_naming_the_column():
    raw = bytearray(_parquet_of(pa.array(np.linspace(1.0, 13.0, 500)), names=["age"]))
    raw[4:12] = b"\xff" * 8  # the first page header, just after the magic; the footer still describes the file
    with pytest.raises(DataError, match=r"^x: column 'age': cannot read it \(.*\); the file is truncated or corrupt$"):
        read_catalog(bytes(raw), "x", format="parquet")


@pytest.mark.parametrize("cut", ["half", "header and a bit"])
def test_a_truncated_fits_file_is_named_truncated(tmp_path, cut):
    AstropyTable({"age": np.linspace(1.0, 13.0, 3000)}).write(tmp_path / "c.fits")
    raw = (tmp_path / "c.fits").read_bytes()
    raw = raw[: len(raw) // 2] if cut == "half" else raw[: 2880 + 100]
    with pytest.raises(
        DataError, match=r"^x\.fits: the FITS file is truncated or corrupt \(.*\); expected a complete FITS file with a table"
    ):
        read_catalog(raw, "x.fits", format="fits")


def test_a_truncated_or_corrupt_gzip_fits_file_is_named_as_such(tmp_path):
    AstropyTable({"age": np.linspace(1.0, 13.0, 3000)}).write(tmp_path / "c.fits")
    packed = gzip.compress((tmp_path / "c.fits").read_bytes())
    for raw in (packed[: len(packed) // 2], packed[:-8] + b"\0" * 8):
        with pytest.raises(DataError, match=r"^x: the gzip-compressed FITS file is truncated or corrupt \(.+\); expected"):
            read_catalog(raw, "x", format="fits")


def test_an_ecsv_header_without_a_datatype_is_one_line():
    raw = b"# %ECSV 1.0\n# ---\n# datatype:\n# - {name: age}\nage\n1.5\n"
    with pytest.raises(DataError, match=r"^x: cannot read it as ECSV: KeyError: 'datatype'$"):
        read_catalog(raw, "x", format="ecsv")


def test_a_logarithmic_unit_is_refused(tmp_path):
    raw = _parquet_of(pa.array([9.5, 9.9]), names=["logage"], units=[b"dex(yr)"])
    with pytest.raises(DataError, match=r"^x: column 'logage': unit 'dex\(yr\)' is logarithmic; expected ages in a linear"):
        read_catalog(raw, "x", format="parquet")


def _damaged_catalogs() -> dict[str, tuple[bytes, str]]:
    table = AstropyTable()
    table["age"] = MaskedColumn(np.linspace(1000.0, 13000.0, 200), unit="Myr", mask=[False, True] * 100)
    table["id"] = np.arange(200)
    buffer = io.BytesIO()
    table.write(buffer, format="fits")
    fits = buffer.getvalue()
    text = io.StringIO()
    table.write(text, format="ascii.ecsv")
    parquet = io.BytesIO()
    pq.write_table(pa.table({"age": np.linspace(1.0, 13.0, 200), "id": np.arange(200)}), parquet)
    return {
        "fits": (fits, "fits"), "fits.gz": (gzip.compress(fits), "fits"),
        "ecsv": (text.getvalue().encode(), "ecsv"), "parquet": (parquet.getvalue(), "parquet"),
    }  # fmt: skip


_DAMAGED = _damaged_catalogs()


@settings(max_examples=150, deadline=None)
@given(
    kind=st.sampled_from(sorted(_DAMAGED)),
    cut=st.floats(0.0, 1.0),
    flips=st.lists(st.tuples(st.floats(0.0, 1.0), st.integers(0, 255)), max_size=6),
)
def test_a_damaged_catalog_is_read_or_refused_with_one_line(kind, cut, flips):
    raw, fmt = _DAMAGED[kind]
    damaged = bytearray(raw)
    for where, byte in flips:
        damaged[int(where * (len(damaged) - 1))] = byte
    damaged = bytes(damaged[: max(1, int(cut * len(damaged)))])
    try:
        read_catalog(damaged, "x", format=fmt)
    except DataError as error:
        assert "\n" not in str(error) and str(error).startswith("x: ")


def test_at_most_1000_columns_are_read_from_a_catalog():
    raw = _parquet_of(*[pa.array([1.0, 2.0])] * 1001, names=[f"c{i}" for i in range(1001)])
    assert len(read_catalog(raw, "x", format="parquet", columns=list(range(1000))).columns) == 1000
    with pytest.raises(DataError, match=r"^x: expected at most 1000 columns to read, got 1001; choose the columns"):
        read_catalog(raw, "x", format="parquet")
