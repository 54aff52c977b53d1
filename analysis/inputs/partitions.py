"""Partitioned catalogs: find the partitions of a Parquet folder or glob, or of an LSDB/HATS catalog, and read one.

``--data`` names a partitioned catalog when it is

* a folder holding Parquet files (searched recursively, ``*.parquet``), or a
  glob (``'ages/*.parquet'``, quoted): the files in sorted path order, each
  cut into pieces of whole row groups of at most ``MAX_PIECE_ROWS`` rows,
  each piece with its global row offset (from the Parquet footers: metadata
  only, read here on the client);
* an LSDB/HATS catalog folder (it holds ``hats.properties``, ``properties``
  or ``collection.properties``): opened with ``lsdb.open_catalog``, one piece
  per HEALPix pixel in (order, pixel) order, each the pixel's Parquet file
  that the catalog names (``hats.io.paths.pixel_catalog_file``).

``read_piece`` reads one piece's age columns (and its row identities) on a
worker; a piece is read again in each pass, so no worker holds more than
one partition. Everything else in ``analysis`` is pure (``distributed``
reduces what is read here).
"""

import glob
import hashlib
import math
import os
from pathlib import Path

import numpy as np

from ..errors import DataError
from ..partitioned import PartitionedSource, Piece

__all__ = ["HATS_FILES", "MAX_PIECE_ROWS", "is_partitioned", "open_partitioned", "read_piece"]

#: Rows per Parquet piece: 32 MiB per float64 column, whatever the files' sizes.
MAX_PIECE_ROWS = 2**22
#: A folder holding one of these is an LSDB/HATS catalog (or collection).
HATS_FILES = ("hats.properties", "properties", "collection.properties")
#: The HATS spatial index column: a row's HEALPix pixel at order 29.
HEALPIX_COLUMN = "_healpix_29"
_GLOB_CHARACTERS = set("*?[")


def _is_hats(path: Path) -> bool:
    return path.is_dir() and any((path / name).is_file() for name in HATS_FILES)


def is_partitioned(data: Path) -> bool:
    """Whether ``--data`` names a partitioned catalog: a HATS folder, a folder of Parquet files, or a glob."""
    text = str(data)
    try:
        if _GLOB_CHARACTERS & set(text) and not data.exists():
            return True
        return data.is_dir() and (_is_hats(data) or next(data.rglob("*.parquet"), None) is not None)
    except OSError:  # a name too long for the system, a loop of links: the file checks say which
        return False


def _fingerprint(files: list[str]) -> str:
    """SHA-256 of every file's path, size and modification time: a change to any file changes it."""
    digest = hashlib.sha256()
    for path in files:
        info = os.stat(path)
        digest.update(f"{path}\0{info.st_size}\0{info.st_mtime_ns}\n".encode())
    return digest.hexdigest()


def _parquet_files(data: str) -> list[str]:
    path = Path(data)
    files = sorted(str(f) for f in path.rglob("*.parquet")) if path.is_dir() else sorted(glob.glob(data))
    files = [f for f in files if Path(f).is_file()]
    if not files:
        raise DataError(f"--data {data}: expected a folder or glob of Parquet files, or a HATS catalog; found no files")
    return files


def _float_columns(schema, exclude: set[str]) -> tuple[str, ...]:
    import pyarrow as pa

    return tuple(f.name for f in schema if pa.types.is_floating(f.type) and f.name not in exclude)


def _checked(columns, found, where: str) -> tuple[str, ...]:
    missing = [c for c in columns if c not in found]
    if missing:
        raise DataError(f"{where}: columns {missing} are not in the catalog; columns found: {sorted(found)}")
    return tuple(columns)


def _parquet_pieces(files: list[str], columns, id_column, max_rows: int) -> tuple[tuple[Piece, ...], tuple[str, ...]]:
    import pyarrow.parquet as pq

    pieces, offset, chosen = [], 0, None
    for index, path in enumerate(files):
        meta = pq.ParquetFile(path).metadata
        schema = meta.schema.to_arrow_schema()
        if chosen is None:
            chosen = _checked(columns, set(schema.names), path) if columns else _float_columns(schema, {id_column})
        _checked(chosen + ((id_column,) if id_column else ()), set(schema.names), path)
        group, rows = [], 0
        for g in range(meta.num_row_groups):
            size = meta.row_group(g).num_rows
            if group and rows + size > max_rows:
                pieces.append(_piece(index, path, group, offset, rows, cut=True))
                offset += rows
                group, rows = [], 0
            group.append(g)
            rows += size
        if group:
            pieces.append(_piece(index, path, group, offset, rows, cut=meta.num_row_groups > len(group)))
            offset += rows
    return tuple(pieces), chosen or ()


def _piece(index: int, path: str, groups: list[int], offset: int, rows: int, *, cut: bool) -> Piece:
    cut = cut or groups[0] > 0
    label = f"{path} (row groups {groups[0]}-{groups[-1]})" if cut else path
    return Piece(key=(index, groups[0]), label=label, path=path, row_groups=tuple(groups), offset=offset, rows=rows)


def _hats_pieces(data: str, columns, id_column) -> tuple[tuple[Piece, ...], tuple[str, ...], list[str]]:
    import lsdb
    from hats.io import paths

    catalog = lsdb.open_catalog(data)
    info = catalog.hc_structure.catalog_info
    names = set(catalog.columns)
    spatial = {info.ra_column, info.dec_column, HEALPIX_COLUMN, id_column}
    chosen = _checked(columns, names, data) if columns else _float_columns(catalog.hc_structure.schema, spatial)
    if id_column:
        _checked((id_column,), names, data)
    base = catalog.hc_structure.catalog_path
    pixels = sorted(catalog.get_healpix_pixels(), key=lambda p: (p.order, p.pixel))
    pieces, files = [], []
    for pixel in pixels:
        path = str(paths.pixel_catalog_file(base, pixel))
        files.append(path)
        label = f"{path} (HEALPix order {pixel.order}, pixel {pixel.pixel})"
        pieces.append(Piece(key=(int(pixel.order), int(pixel.pixel)), label=label, path=path, row_groups=(), offset=0, rows=0))
    return tuple(pieces), chosen, files


def open_partitioned(
    data: Path, columns=None, *, id_column: str | None = None, max_rows: int = MAX_PIECE_ROWS
) -> PartitionedSource:
    """The pieces of a Parquet folder or glob, or of a HATS catalog folder, in a fixed order (metadata only).

    Parameters
    ----------
    data : Path
        A folder of Parquet files, a glob, or an LSDB/HATS catalog folder.
    columns : sequence of str, optional
        The age columns (``--column``); default every floating-point column
        (of a HATS catalog: except its ra, dec and ``_healpix_29``).
    id_column : str, optional
        An integer column naming each star (``--id-column``): the row identity
        the held-out folds are hashed from.

    Raises
    ------
    DataError
        If nothing is found, or a column is not in a file.
    """
    text = str(data)
    # The pages name the catalog by its folder (or glob), not where this machine keeps it.
    shown = Path(text).name if _GLOB_CHARACTERS.isdisjoint(Path(text).name) else f"{Path(text).parent.name}/{Path(text).name}"
    if _is_hats(Path(text)):
        pieces, chosen, files = _hats_pieces(text, columns, id_column)
        kind, description = "hats", f"HATS catalog {shown}, {len(pieces)} HEALPix pixels"
    else:
        files = _parquet_files(text)
        pieces, chosen = _parquet_pieces(files, columns, id_column, max_rows)
        kind, description = "parquet", f"{shown}, {len(files)} Parquet files in {len(pieces)} partitions"
    if not chosen:
        raise DataError(f"--data {text}: no floating-point columns of ages found; name them with --column NAME")
    return PartitionedSource(text, kind, description, pieces, chosen, id_column, _fingerprint(sorted(files)))


def _as_float(column, name: str, where: str) -> np.ndarray:
    """A column as float64 with NaN for nulls (a null is a missing age, as the readers take it)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if not (pa.types.is_floating(column.type) or pa.types.is_integer(column.type)):
        raise DataError(f"{where}: column '{name}': expected numbers (ages in Gyr), got type {column.type}")
    return np.ascontiguousarray(pc.fill_null(column.cast(pa.float64()), math.nan).to_numpy(), dtype=np.float64)


def _ids(column, name: str, where: str) -> np.ndarray:
    if column.null_count:
        raise DataError(f"{where}: id column '{name}': expected an id on every row, got {column.null_count} nulls")
    array = np.asarray(column.to_numpy())
    if array.dtype.kind not in "iu":
        raise DataError(f"{where}: id column '{name}': expected integers, got {array.dtype}")
    return np.ascontiguousarray(array).astype(np.int64, copy=False).view(np.uint64)


def read_piece(piece: Piece, source: PartitionedSource) -> tuple[list[np.ndarray], np.ndarray | None, np.ndarray | None]:
    """``(age columns, ids, healpix)`` of one piece: float64 ages (NaN = missing) in ``source.columns``' order.

    ``ids`` is the id column (uint64) when the source has one; ``healpix``
    the ``_healpix_29`` column of a HATS piece without ids; else ``None``.

    Raises
    ------
    DataError
        If a column is not numeric, or an id is missing.
    """
    import pyarrow.parquet as pq

    wanted = list(source.columns)
    if source.id_column:
        wanted.append(source.id_column)
    elif source.kind == "hats":
        wanted.append(HEALPIX_COLUMN)
    if source.kind == "hats":
        table = pq.read_table(piece.path, columns=wanted)
    else:
        table = pq.ParquetFile(piece.path).read_row_groups(list(piece.row_groups), columns=wanted)
    ages = [_as_float(table.column(c), c, piece.label) for c in source.columns]
    ids = healpix = None
    if source.id_column:
        ids = _ids(table.column(source.id_column), source.id_column, piece.label)
    elif source.kind == "hats":
        healpix = np.asarray(table.column(HEALPIX_COLUMN).to_numpy()).astype(np.int64)
    return ages, ids, healpix

