"""Tests of publish/readers.py: Parquet, FITS and ECSV catalogs made in tmp_path, read as ages in Gyr."""

import gzip
import io

from astropy.table import MaskedColumn
from astropy.table import Table as AstropyTable
import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from analysis.errors import DataError
from publish.readers import detect_format, read_catalog

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
