"""Read the columns of a catalog in Parquet, FITS or ECSV (bytes in) into a ``Table``.

Text tables are read by ``text.parse_table``; this module reads the
formats catalogs come in, chosen by file extension or the manifest's
``format:``. Only the requested columns are converted. A column's unit
(FITS ``TUNITn``, ECSV ``unit``, a Parquet field's ``unit`` metadata) is
converted to Gyr when it is a time unit and refused otherwise; a column
without a unit is taken to be in Gyr, like a text table. Masked, null and
NaN values are missing.
"""

from collections.abc import Callable, Sequence
import gzip
import io
import math
import warnings
import zlib

import numpy as np

from .ages import MAX_AGE_GYR, UNIT_HINT, age_problem, invalid_ages
from ..errors import DataError
from .manifest import FORMATS
from .names import named_twice
from .table import Table
from .text_grammar import MAX_COLUMNS

__all__ = ["FORMAT_BY_EXTENSION", "detect_format", "resolve_columns", "read_catalog"]

#: File-name endings (lower case) and their format; any other file is a text table.
FORMAT_BY_EXTENSION = {
    ".parquet": "parquet", ".pq": "parquet",
    ".fits": "fits", ".fit": "fits", ".fits.gz": "fits", ".fit.gz": "fits",
    ".ecsv": "ecsv",
}  # fmt: skip
_GZIP_MAGIC = b"\x1f\x8b"
#: Every FITS file starts with this keyword and is a whole number of these blocks.
_FITS_START = b"SIMPLE  ="
_FITS_BLOCK = 2880


def detect_format(file_name: str, declared: str | None = None) -> str:
    """The format of a file: ``declared`` when given, else from its name (default ``"text"``)."""
    if declared is not None:
        return declared
    name = file_name.lower()
    return next((fmt for ext, fmt in FORMAT_BY_EXTENSION.items() if name.endswith(ext)), "text")


def resolve_columns(wanted: Sequence[int | str], names: Sequence[str], source: str) -> list[int]:
    """0-based indices of the ``wanted`` columns among ``names``.

    A string is a column name, or else a 0-based index written in digits (as
    given on the command line); an int is an index. An empty name stands for
    a header-less text column, shown as ``column 3`` (1-based).

    Raises
    ------
    DataError
        For a column not in the file, listing the columns found.
    """
    index = {}
    for i, name in enumerate(names):
        index.setdefault(name, i)  # one pass: a catalog may have thousands of columns
    indices = []
    for column in wanted:
        if isinstance(column, str) and column in index:
            indices.append(index[column])
        elif isinstance(column, str) and column.isdigit() and int(column) < len(names):
            indices.append(int(column))
        elif isinstance(column, int) and 0 <= column < len(names):
            indices.append(column)
        else:
            found = ", ".join(f"{i} = column {n!r}" if n else f"{i} = column {i + 1}" for i, n in enumerate(names))
            raise DataError(f"{source}: column {column!r} is not in the file; columns found: {found}")
    return indices


def _one_line(exc: BaseException) -> str:
    """A library's message on one line, at most about 200 characters."""
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text if len(text) <= 200 else text[:197] + "..."


def _parquet(raw: bytes, source: str) -> tuple[list[str], Callable[[str], tuple[np.ndarray, str | None]]]:
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        file = pq.ParquetFile(pa.BufferReader(raw))
        schema = file.schema_arrow
        names = list(schema.names)
    except (pa.ArrowException, OSError, UnicodeDecodeError) as exc:  # a name that is not UTF-8, too
        raise DataError(f"{source}: cannot read it as Parquet: {_one_line(exc)}") from None
    repeat = named_twice(names)
    if repeat is not None:
        raise DataError(f"{source}: the Parquet file {repeat}")

    def column(name: str) -> tuple[np.ndarray, str | None]:
        field = schema.field(name)
        kind = field.type
        if not (pa.types.is_floating(kind) or pa.types.is_integer(kind) or pa.types.is_decimal(kind)):
            raise _not_numeric(source, name, "text" if pa.types.is_string(kind) else str(kind))
        try:
            values = file.read(columns=[name]).column(0)
        except (pa.ArrowException, OSError) as exc:
            raise DataError(
                f"{source}: column {name!r}: cannot read it ({_one_line(exc)}); the file is truncated or corrupt"
            ) from None
        # An integer beyond 2**53 becomes the nearest double, as a long decimal in a text table does
        # (a checked cast refuses it); nulls become nan.
        values = values.cast(pa.float64(), safe=False).to_numpy()
        unit = (field.metadata or {}).get(b"unit")
        try:
            return values, unit.decode("utf-8") if unit else None
        except UnicodeDecodeError:
            raise DataError(
                f"{source}: column {name!r}: its unit {unit[:40]!r} is not UTF-8 text; "
                "expected a time unit such as 'Myr'"
            ) from None

    return names, column


def _unreadable(raw: bytes, source: str, fmt: str, exc: Exception, caught: list[warnings.WarningMessage]) -> DataError:
    """The DataError for FITS or ECSV bytes astropy could not read, saying when a FITS file is cut short."""
    detail = _one_line(exc)
    if not isinstance(exc, (OSError, ValueError, TypeError)):
        detail = f"{type(exc).__name__}: {detail}"  # e.g. a bare "'datatype'" from a KeyError
    if fmt != "fits" or not raw.startswith(_FITS_START):
        return DataError(f"{source}: cannot read it as {fmt.upper()}: {detail}")
    truncated = next((_one_line(w.message) for w in caught if "truncated" in str(w.message)), None)
    if truncated is not None or len(raw) % _FITS_BLOCK:
        why = truncated or f"{len(raw)} bytes, not a whole number of {_FITS_BLOCK}-byte FITS blocks"
        return DataError(
            f"{source}: the FITS file is truncated or corrupt ({why}; {detail}); expected a complete FITS file "
            "with a table: download or export it again"
        )
    return DataError(
        f"{source}: cannot read it as FITS: {detail}; expected a FITS file with a binary or ASCII table "
        "(this one has none, or is corrupt)"
    )


def _astropy(raw: bytes, source: str, fmt: str) -> tuple[list[str], Callable[[str], tuple[np.ndarray, str | None]]]:
    from astropy.table import Table as AstropyTable
    from astropy.units import UnitsWarning

    if fmt == "fits" and raw.startswith(_GZIP_MAGIC):
        try:
            raw = gzip.decompress(raw)  # astropy recognises gzip only in files it opens itself
        except (OSError, EOFError, zlib.error) as exc:
            raise DataError(
                f"{source}: the gzip-compressed FITS file is truncated or corrupt ({_one_line(exc)}); "
                "expected a complete .fits.gz file: download or export it again"
            ) from None
    # Recorded, not printed: a truncation warning explains the error below, and otherwise the data read whole.
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        warnings.simplefilter("ignore", UnitsWarning)  # an unknown unit is reported per column below
        try:
            table = AstropyTable.read(io.BytesIO(raw), format="fits" if fmt == "fits" else "ascii.ecsv")
        except Exception as exc:  # noqa: BLE001 - corrupt bytes raise KeyError, VerifyError, IndexError... in astropy
            raise _unreadable(raw, source, fmt, exc, caught) from None

    def column(name: str) -> tuple[np.ndarray, str | None]:
        data = table[name]
        if data.dtype.kind not in "iuf":
            raise _not_numeric(source, name, "text" if data.dtype.kind in "US" else data.dtype.name)
        values = np.ma.filled(np.ma.asarray(data, dtype=np.float64), np.nan)
        return values, data.unit.to_string() if data.unit is not None else None

    return list(table.colnames), column


def _not_numeric(source: str, name: str, kind: str) -> DataError:
    return DataError(
        f"{source}: column {name!r}: holds {kind} values, not numbers; expected ages in Gyr "
        "(choose the age columns with the manifest's 'column:' or --column)"
    )


def _in_gyr(values: np.ndarray, unit: str | None, where: str) -> np.ndarray:
    """``values`` converted from ``unit`` (a time unit; ``None`` or empty means Gyr) to Gyr."""
    if not unit:
        return values
    import astropy.units as u

    parsed = u.Unit(unit, parse_strict="silent")
    if isinstance(parsed, u.UnrecognizedUnit) or parsed.physical_type != "time":
        raise DataError(
            f"{where}: unit {unit!r} is not a time unit; expected ages in a unit of time such as Gyr or Myr"
        )
    if isinstance(parsed, u.FunctionUnitBase):
        # dex(yr) holds log10 ages, and its physical type is still "time": a linear factor would be wrong.
        raise DataError(
            f"{where}: unit {unit!r} is logarithmic; expected ages in a linear unit of time such as Gyr or Myr "
            "(convert log ages x to 10**x in a column of their own)"
        )
    factor = parsed.to(u.Gyr)
    return values * factor if factor != 1 else values


def _checked(ages: np.ndarray, values: np.ndarray, unit: str | None, source: str, name: str) -> None:
    """A DataError naming the first row whose age (in Gyr, ``values`` converted) is not an age (nan is missing)."""
    bad = np.flatnonzero(invalid_ages(ages))
    if bad.size:
        row = int(bad[0])
        age = float(ages[row])
        got = f"{float(values[row])!r}" + (f" {unit}" if unit else "")
        if ages is not values:
            got += f" ({age!r} Gyr)"
        hint = f"; {UNIT_HINT}" if MAX_AGE_GYR < age < math.inf else ""
        raise DataError(f"{source}: row {row + 1}: column {name!r}: {age_problem(age)}, got {got}{hint}")


def read_catalog(raw: bytes, source: str, *, format: str, columns: Sequence[int | str] | None = None) -> Table:
    """The chosen columns of a Parquet, FITS or ECSV catalog, as ages in Gyr.

    Parameters
    ----------
    raw : bytes
        The file's content (hashed by the caller: exactly these bytes are read).
    source : str
        Display name of the file, used in messages.
    format : {"parquet", "fits", "ecsv"}
        The file's format (``detect_format``). FITS reads the first table HDU.
    columns : sequence of int or str, optional
        Columns to read, in order (see ``resolve_columns``); default all.

    Returns
    -------
    Table
        ``header`` holds the names of the columns read, in the order asked;
        ``line_numbers`` are 1-based row numbers.

    Raises
    ------
    DataError
        When the bytes are not that format or are truncated or corrupt, the
        file names a column twice, a column is not in the file, is not
        numeric, has a unit that is not a time unit, or holds an age that
        is not positive, finite and at most ``ages.MAX_AGE_GYR`` once
        converted to Gyr, naming the file, row and column.
    """
    if format not in FORMATS or format == "text":
        raise ValueError(f"read_catalog reads {[f for f in FORMATS if f != 'text']}, got {format!r}")
    names, column = _parquet(raw, source) if format == "parquet" else _astropy(raw, source, format)
    chosen = [names[i] for i in resolve_columns(names if columns is None else columns, names, source)]
    if len(chosen) > MAX_COLUMNS:  # the text reader's limit: a column is read and checked at a time
        raise DataError(
            f"{source}: expected at most {MAX_COLUMNS} columns to read, got {len(chosen)}; choose the columns of "
            "ages with --column or the manifest's 'column:'"
        )
    arrays = []
    for name in chosen:
        values, unit = column(name)
        ages = _in_gyr(values, unit, f"{source}: column {name!r}")
        _checked(ages, values, unit, source, name)  # after the conversion: 5e6 Myr is too old, 5e6 yr is not
        if arrays and len(ages) != len(arrays[0]):
            raise DataError(
                f"{source}: column {name!r} has {len(ages)} rows and column {chosen[0]!r} {len(arrays[0])}; "
                "expected columns of one length: the file is corrupt"
            )
        arrays.append(ages)
    n_rows = len(arrays[0]) if arrays else 0
    return Table(source=source, header=tuple(chosen), columns=tuple(arrays), line_numbers=np.arange(1, n_rows + 1))
