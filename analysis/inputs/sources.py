"""Load the manifest's data sets: read each source's verified bytes and parse them (``analysis.readers``).

Where a file is found, fetched and verified is ``fetch``; a file the
manifest does not name becomes one data set per chosen column, with its
uncertainty column when given; a partitioned catalog is listed, not read.
Longer than 300 lines: every kind of source (manifest, unlisted file, file
with uncertainties, partitioned catalog) is loaded through the one
``load_sources``, and its validation is read beside it.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
import hashlib
import logging
import os
from pathlib import Path

import yaml

from ..dataset import Dataset
from ..errors import ConfigError, DataError
from ..partitioned import PartitionedDataset
from ..readers import (
    Manifest,
    SourceSpec,
    Table,
    datasets_from_table,
    detect_format,
    first_repeat,
    manifest_for_file,
    parse_manifest,
    parse_table,
    read_catalog,
    resolve_columns,
)

from .fetch import CACHE_DIR_ENV, DATA_DIR_ENV, find_source_file
from .files import read_regular, regular_file
from .partitions import is_partitioned, open_partitioned

__all__ = [
    "DATA_DIR_ENV",
    "CACHE_DIR_ENV",
    "MAX_DEFAULT_DATASETS",
    "LoadedSource",
    "load_manifest",
    "find_source_file",
    "load_sources",
    "load_datasets",
]

logger = logging.getLogger(__name__)

#: page and figures and every pair a comparison: 20 make 190 comparisons, minutes of drawing and more
#: than a reader takes in. A wider file is seldom all ages (a catalog), so its age columns are chosen.
MAX_DEFAULT_DATASETS = 20
#: Columns named in an error message before "...": a catalog may have thousands.
_SHOWN_COLUMNS = 10


def load_manifest(path: Path) -> Manifest:
    """Read and validate the YAML manifest.

    Raises
    ------
    ConfigError
        When the file is unreadable, is not valid YAML (with
        ``file:line:column``), or fails validation (with the YAML path).
    """
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read the data manifest: {exc}") from None
    try:
        mapping = yaml.safe_load(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        at = f":{mark.line + 1}:{mark.column + 1}" if mark is not None else ""
        raise ConfigError(f"{path}{at}: invalid YAML: {exc.problem or exc.context}") from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: invalid YAML: {exc}") from None
    return parse_manifest(mapping, where=str(path))


@dataclass(frozen=True)
class LoadedSource:
    """One source as read: where its file was found, its hash and its data sets.

    ``sha256`` is the hash of the bytes actually parsed (equal to the pin
    when the manifest pins one).
    """

    spec: SourceSpec
    path: Path
    sha256: str
    datasets: tuple[Dataset | PartitionedDataset, ...]

    @property
    def partitioned(self) -> bool:
        """Whether this is a partitioned catalog (its ``sha256`` then fingerprints its files' names, sizes
        and times, not their bytes)."""
        return any(isinstance(d, PartitionedDataset) for d in self.datasets)


def _read_verified(path: Path, source: SourceSpec) -> bytes:
    raw = read_regular(path)
    if source.sha256 is not None and hashlib.sha256(raw).hexdigest() != source.sha256:
        # The file changed between its check and this read: use only what was verified.
        found = hashlib.sha256(raw).hexdigest()
        raise DataError(f"{path}: changed while being read: expected SHA-256 {source.sha256}, found {found}")
    return raw


def _loaded(
    path: Path, raw: bytes, source: SourceSpec, table: Table, read_as: SourceSpec | None = None
) -> LoadedSource:
    """``source`` as loaded; ``read_as`` (default ``source``) says which table column each data set reads."""
    datasets = datasets_from_table(table, read_as or source)
    # Errors name the path as found; the report shows only the file name, so
    # its pages do not depend on where this machine keeps the file.
    datasets = tuple(replace(d, source=source.file) for d in datasets)
    return LoadedSource(spec=source, path=path, sha256=hashlib.sha256(raw).hexdigest(), datasets=datasets)


def _load(path: Path, source: SourceSpec) -> LoadedSource:
    raw = _read_verified(path, source)
    fmt = detect_format(source.file, source.format)
    if fmt == "text":
        return _loaded(path, raw, source, parse_table(raw, str(path)))
    wanted = [d.column for d in source.datasets] + [c for d in source.datasets for c in d.errors]
    table = read_catalog(raw, str(path), format=fmt, columns=wanted)
    # The table holds the data sets' columns in their order (data set i reads column i), then their
    # uncertainty columns in the same order.
    by_position, start = [], len(source.datasets)
    for i, d in enumerate(source.datasets):
        by_position.append(replace(d, column=i, errors=tuple(range(start, start + len(d.errors)))))
        start += len(d.errors)
    return _loaded(path, raw, source, table, read_as=replace(source, datasets=tuple(by_position)))


def _load_unlisted(path: Path, columns: Sequence[str] | None, error_columns: Sequence[str] = ()) -> LoadedSource:
    """A file the manifest does not name: each chosen column (default all) is a data set.

    ``error_columns`` (``--error-column``), one per chosen column in order, hold their one-sigma uncertainties.
    """
    raw = read_regular(path)
    fmt = detect_format(path.name)
    if fmt == "text":
        table = parse_table(raw, str(path))
    else:
        table = read_catalog(raw, str(path), format=fmt, columns=None if columns is None else [*columns, *error_columns])
    if error_columns:
        return _with_errors(path, raw, table, columns, error_columns, fmt)
    n = len(table.columns)
    if columns is None and n > MAX_DEFAULT_DATASETS:
        raise DataError(
            f"{path}: its {n} columns would each become a data set ({n * (n - 1) // 2} comparisons); expected at "
            f"most {MAX_DEFAULT_DATASETS} unless chosen: choose the columns of ages with --column NAME (repeatable)"
        )
    if fmt == "text":
        names = table.header or ("",) * n
        chosen = None if columns is None else resolve_columns(columns, names, str(path))
        manifest = manifest_for_file(path.name, table.header, n_columns=n, columns=chosen)
    else:
        manifest = manifest_for_file(path.name, table.header)
    return _loaded(path, raw, manifest.sources[0], table)


def _load_partitioned(data: Path, columns: Sequence[str] | None, id_column: str | None) -> LoadedSource:
    """A partitioned catalog (folder or glob of Parquet files, HATS catalog): its pieces, one data set per
    chosen column (default every floating-point column), to be reduced before the analysis."""
    source = open_partitioned(data, columns, id_column=id_column)
    n = len(source.columns)
    if columns is None and n > MAX_DEFAULT_DATASETS:
        raise DataError(
            f"{data}: its {n} columns would each become a data set ({n * (n - 1) // 2} comparisons); expected at "
            f"most {MAX_DEFAULT_DATASETS} unless chosen: choose the columns of ages with --column NAME (repeatable)"
        )
    name = Path(str(data).rstrip("/")).name or str(data)
    spec = manifest_for_file(name, source.columns).sources[0]
    datasets = tuple(
        PartitionedDataset(
            name=d.name, label=d.label, colour=d.colour, source=name, partitions=source, column=i,
            pair_group=spec.id, units=d.units,
        )  # fmt: skip
        for i, d in enumerate(spec.datasets)
    )
    logger.info("%s: %s; %d rows", data, source.description, source.rows)
    return LoadedSource(spec=spec, path=Path(str(data)), sha256=source.fingerprint, datasets=datasets)


def _with_errors(
    path: Path, raw: bytes, table: Table, columns: Sequence[str] | None, error_columns: Sequence[str], fmt: str
) -> LoadedSource:
    """The chosen columns of a file the manifest does not name, each with its uncertainty column.

    Without ``columns`` the ages are every column not named in ``error_columns``, paired with them in order.
    """
    names = table.header or ("",) * len(table.columns)
    if fmt != "text" and columns is not None:  # the catalog reader returned the chosen columns, then theirs
        chosen, errors = list(range(len(columns))), list(range(len(columns), 2 * len(columns)))
    else:
        errors = resolve_columns(error_columns, names, str(path))
        if columns is not None:
            chosen = resolve_columns(columns, names, str(path))
        else:
            uncertainties = set(errors)
            chosen = [i for i in range(len(names)) if i not in uncertainties]
            if len(chosen) != len(errors):
                shown = ", ".join(names[i] or f"column {i + 1}" for i in chosen[:_SHOWN_COLUMNS])
                more = ", ..." if len(chosen) > _SHOWN_COLUMNS else ""
                raise ConfigError(
                    f"--error-column {error_columns[0]!r}: expected one per column of ages; without --column "
                    f"those are the file's other columns ({shown}{more}): {len(chosen)} for {len(errors)} "
                    "--error-column; name the ages with --column NAME, one per --error-column in the same order"
                )
    manifest = manifest_for_file(path.name, table.header, n_columns=len(table.columns), columns=chosen)
    (source,) = manifest.sources
    specs = tuple(replace(d, errors=(e,)) for d, e in zip(source.datasets, errors, strict=True))
    return _loaded(path, raw, replace(source, datasets=specs), table)


def _select(source: SourceSpec, columns: Sequence[str]) -> SourceSpec:
    """``source`` with only the data sets reading ``columns`` (names, or 0-based indices in digits)."""
    read = {str(d.column): d for d in source.datasets}
    missing = [c for c in columns if c not in read]
    if missing:
        raise ConfigError(
            f"--column {missing[0]!r}: source '{source.id}' ({source.file}) reads columns "
            f"{', '.join(read)} in the manifest; expected one of them"
        )
    return replace(source, datasets=tuple(read[c] for c in columns))


def load_sources(
    manifest_path: Path,
    *,
    data_file: Path | None = None,
    columns: Sequence[str] | None = None,
    env: Mapping[str, str] = os.environ,
    error_columns: Sequence[str] | None = None,
    id_column: str | None = None,
) -> tuple[LoadedSource, ...]:
    """Every source to analyse, found, verified and parsed.

    Parameters
    ----------
    manifest_path : Path
        The manifest (``data/datasets.yml``).
    data_file : Path, optional
        A file to analyse instead of every manifest source; it must be a
        regular file, and is used by its resolved path. If its name is a
        manifest source's file, that source's spec (and pinned hash) is used;
        otherwise every column becomes a data set (``manifest_for_file``).
        Its format follows its extension (``readers.detect_format``).
    columns : sequence of str, optional
        With ``data_file`` only (``--column``): the columns that become data
        sets, in this order, each a name or a 0-based index in digits. For a
        manifest source they choose among the manifest's data sets. Without
        them, a file unknown to the manifest may have at most
        ``MAX_DEFAULT_DATASETS`` (20) columns.
    env : mapping
        Environment for ``find_source_file``.
    id_column : str, optional
        With a partitioned ``data_file`` (``partitions.is_partitioned``: a
        folder or glob of Parquet files, or an LSDB/HATS catalog): an integer
        column naming each star (``--id-column``). Such a source is not read
        here: its pieces are listed (metadata only) and its data sets are
        ``PartitionedDataset`` s, reduced before the analysis
        (``distributed.reduce_datasets``).
    error_columns : sequence of str, optional
        With ``data_file`` and ``columns``, for a file the manifest does not
        name (``--error-column``): one column per chosen column, in the same
        order, holding its ages' one-sigma uncertainties (Gyr). A manifest
        source declares them in the manifest (``error_column(s)``).

    Raises
    ------
    ConfigError
        When the manifest is invalid, or ``columns`` is given without
        ``data_file``, repeats a column or names one the manifest does not read,
        or ``error_columns`` do not pair with ``columns`` of an unlisted file, or
        ``id_column`` is given without a partitioned ``data_file``, or
        ``error_columns`` with a partitioned one (its uncertainties are not read).
    DataError
        When a file is missing or is not a regular file (a folder, pipe,
        device, link loop), fails its hash check or is malformed, or a chosen
        column is not in it.
    """
    manifest = load_manifest(manifest_path)
    if columns is not None:
        if data_file is None:
            raise ConfigError(f"--column {columns[0]!r}: expected it with --data FILE, the file to take columns from")
        repeat = first_repeat(columns)
        if repeat is not None:
            raise ConfigError(f"--column {columns[repeat[1]]!r} is given twice; expected each column once")
    if data_file is not None and is_partitioned(data_file):
        if error_columns:
            raise ConfigError(
                f"--error-column {error_columns[0]!r}: a partitioned catalog's uncertainties are not read (its "
                "error-convolved KDE would need every star's sigma in memory); expected --error-column with a file"
            )
        return (_load_partitioned(data_file, columns, id_column),)
    if id_column is not None:
        raise ConfigError(f"--id-column {id_column!r}: expected it with --data naming a partitioned catalog")
    if data_file is None:
        chosen = [(source, None) for source in manifest.sources]
    else:
        # A link counts as the file it leads to: its target's name is looked up in the manifest.
        data_file = regular_file(data_file)
        chosen = [(source, data_file) for source in manifest.sources if source.file == data_file.name]
    if error_columns and columns is not None and len(error_columns) != len(columns):
        raise ConfigError(
            f"--error-column {error_columns[0]!r}: expected one per --column, in the same order "
            f"(got {len(error_columns)} for {len(columns)} columns)"
        )
    if error_columns and chosen:
        raise ConfigError(
            f"--error-column {error_columns[0]!r}: {data_file.name} is a manifest source; "
            "declare its uncertainties in the manifest (error_column or error_columns)"
        )
    if data_file is not None and not chosen:
        logger.info("%s: not in %s; each of its chosen columns is a data set", data_file, manifest_path)
        return (_load_unlisted(data_file, columns, error_columns or ()),)
    if columns is not None:
        chosen = [(_select(source, columns), explicit) for source, explicit in chosen]
    return tuple(
        _load(find_source_file(source, manifest_dir=manifest_path.parent, explicit=explicit, env=env), source)
        for source, explicit in chosen
    )


def load_datasets(
    manifest_path: Path,
    *,
    data_file: Path | None = None,
    columns: Sequence[str] | None = None,
    env: Mapping[str, str] = os.environ,
    error_columns: Sequence[str] | None = None,
    id_column: str | None = None,
) -> tuple[Dataset | PartitionedDataset, ...]:
    """The data sets of ``load_sources(...)``, in manifest order."""
    sources = load_sources(
        manifest_path, data_file=data_file, columns=columns, env=env, error_columns=error_columns,
        id_column=id_column,
    )  # fmt: skip
    return tuple(dataset for source in sources for dataset in source.datasets)
