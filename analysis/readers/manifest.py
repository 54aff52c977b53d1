"""The data manifest (``data/datasets.yml``): which files hold which data sets.

Pure validation: a mapping (the parsed YAML) goes in, frozen dataclasses come
out. Every error is a ``ConfigError`` naming the manifest and the YAML path of
the offending value, what is allowed and what was found.

Longer than 300 lines: the specs, their validation and ``manifest_for_file`` share the key rules
and messages, and are read together when the manifest's format changes.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
import re
from typing import Any

from ..errors import ConfigError
from .names import MAX_NAME_CHARS, first_repeat, slug

__all__ = ["DatasetSpec", "SourceSpec", "Manifest", "FORMATS", "OKABE_ITO", "ROLES", "parse_manifest", "manifest_for_file"]

#: File formats a source may declare with ``format:`` (else chosen by its file name).
FORMATS = ("text", "parquet", "fits", "ecsv")

#: What a data set is for (``role:``): analysed and compared, or scored as an independent benchmark.
ROLES = ("training", "benchmark")

#: Okabe & Ito (2008) colour-blind-safe palette, in its published order.
OKABE_ITO = ("#000000", "#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7")

_NAME = re.compile(rf"[a-z0-9][a-z0-9_-]{{0,{MAX_NAME_CHARS - 1}}}")
_NAME_EXPECTED = f"a name of at most {MAX_NAME_CHARS} characters matching [a-z0-9][a-z0-9_-]*"
_COLOUR = re.compile(r"#[0-9A-Fa-f]{6}")
_SHA256 = re.compile(r"[0-9A-Fa-f]{64}")
# Link targets: http(s) only, checked on the raw text ("javascript&colon;..." has no "https://"
# to start with), with no character that would end a link in HTML or markdown.
_URL = re.compile(r"https?://[^\s<>\"'`]+")
# A DOI as registered: "10.", a registrant code, "/", a suffix without spaces or markup characters.
_DOI = re.compile(r"10\.\d{4,9}/[^\s<>\"'`]+")
_OPTIONAL_URL = re.compile(f"(?:{_URL.pattern})?")
_OPTIONAL_DOI = re.compile(f"(?:{_DOI.pattern})?")


@dataclass(frozen=True)
class DatasetSpec:
    """One column of a source file, read as one data set.

    Attributes
    ----------
    column : int or str
        0-based column index, or the column's name in the file's header.
    name : str
        Identifier (``[a-z0-9][a-z0-9_-]*``), unique across the manifest.
    label : str
        Name shown to readers, e.g. ``"Joyce et al. (2023)"``.
    colour : str
        Hex colour ``#RRGGBB`` used for this data set in every figure.
    units : str
        Always ``"Gyr"``.
    citation, doi, method : str
        Provenance of the ages (may be empty).
    role : str
        One of ``ROLES``: ``"training"`` (the default: analysed and compared)
        or ``"benchmark"`` (independent ages, e.g. asteroseismic or cluster
        ages of some of the stars: every model of every training set is scored
        on them; not trained on, not compared as a training set).
    errors : tuple of (int or str)
        The columns of the ages' one-sigma uncertainties (Gyr), as ``column``:
        ``()`` (none, the default), one column (manifest ``error_column``) or a
        lower and an upper one (``error_columns: [lower, upper]``).
    """

    column: int | str
    name: str
    label: str
    colour: str
    units: str = "Gyr"
    citation: str = ""
    doi: str = ""
    method: str = ""
    role: str = "training"
    errors: tuple[int | str, ...] = ()


@dataclass(frozen=True)
class SourceSpec:
    """One data file, where it comes from, and the data sets it holds.

    Attributes
    ----------
    id : str
        Identifier (``[a-z0-9][a-z0-9_-]*``), unique among sources.
    file : str
        File name (no folders) searched for locally and used in the cache.
    url : str or None
        Pinned download URL; requires ``sha256``.
    sha256 : str or None
        Lower-case hex SHA-256 every copy of the file must have.
    licence, licence_url, citation : str
        Terms and credit of the file (may be empty).
    paired : bool
        True when the file's columns are the same stars row by row.
    datasets : tuple of DatasetSpec
        At least one.
    format : str or None
        One of ``FORMATS``; ``None`` (the default) chooses by file extension.
    """

    id: str
    file: str
    url: str | None
    sha256: str | None
    licence: str
    licence_url: str
    citation: str
    paired: bool
    datasets: tuple[DatasetSpec, ...]
    format: str | None = None


@dataclass(frozen=True)
class Manifest:
    """All sources, in manifest order (which is the report's order)."""

    sources: tuple[SourceSpec, ...]


_SOURCE_KEYS = {
    "id": True, "file": True, "datasets": True, "url": False, "sha256": False,
    "licence": False, "licence_url": False, "citation": False, "paired": False, "format": False,
}
_DATASET_KEYS = {
    "column": True, "name": True, "label": True, "colour": True,
    "units": False, "citation": False, "doi": False, "method": False, "role": False,
    "error_column": False, "error_columns": False,
}


def _keys(block: Any, path: str, where: str, spec: Mapping[str, bool]) -> Mapping[str, Any]:
    """Check that ``block`` is a mapping with only known keys and every required one."""
    at = f"{where}: {path}" if path else where  # path "" is the document itself
    if not isinstance(block, Mapping):
        raise ConfigError(f"{at}: expected a mapping, got {block!r}")
    allowed = ", ".join(spec)
    for key in block:
        if key not in spec:
            raise ConfigError(f"{where}: {f'{path}.{key}' if path else key}: unknown key; allowed: {allowed}")
    for key, required in spec.items():
        if required and key not in block:
            raise ConfigError(f"{at}: missing required key '{key}'")
    return block


def _text(
    block: Mapping[str, Any],
    key: str,
    path: str,
    where: str,
    *,
    pattern: re.Pattern[str] | None = None,
    expected: str = "text",
) -> str:
    value = block.get(key, "")
    if not isinstance(value, str) or (pattern is not None and not pattern.fullmatch(value)):
        raise ConfigError(f"{where}: {path}.{key}: expected {expected}, got {value!r}")
    return value


def _column_ref(column: Any, at: str) -> int | str:
    """A 0-based column index or a header name, else a ``ConfigError`` at ``at`` (``where: path.key``)."""
    if isinstance(column, bool) or not (
        (isinstance(column, int) and column >= 0) or (isinstance(column, str) and column.strip())
    ):
        raise ConfigError(f"{at}: expected a 0-based column index or a header name, got {column!r}")
    return column


def _error_columns(block: Mapping[str, Any], path: str, where: str) -> tuple[int | str, ...]:
    """``error_column`` (one sigma) or ``error_columns`` ([lower, upper]) as a tuple of column references."""
    if "error_column" in block and "error_columns" in block:
        raise ConfigError(f"{where}: {path}: expected 'error_column' or 'error_columns', not both")
    if "error_column" in block:
        errors: tuple[int | str, ...] = (_column_ref(block["error_column"], f"{where}: {path}.error_column"),)
    elif "error_columns" in block:
        pair = block["error_columns"]
        if not isinstance(pair, Sequence) or isinstance(pair, str) or len(pair) != 2:
            raise ConfigError(f"{where}: {path}.error_columns: expected [lower, upper], two columns, got {pair!r}")
        errors = tuple(_column_ref(c, f"{where}: {path}.error_columns[{i}]") for i, c in enumerate(pair))
    else:
        return ()
    if block["column"] in errors or len(set(errors)) != len(errors):
        raise ConfigError(f"{where}: {path}: the uncertainty columns {list(errors)} repeat a column; expected "
                          f"columns other than the ages' ({block['column']!r}), each once")  # fmt: skip
    return errors


def _parse_dataset(block: Any, path: str, where: str) -> DatasetSpec:
    block = _keys(block, path, where, _DATASET_KEYS)
    column = _column_ref(block["column"], f"{where}: {path}.column")
    units = block.get("units", "Gyr")
    if units != "Gyr":
        raise ConfigError(f"{where}: {path}.units: expected 'Gyr' (the only unit supported), got {units!r}")
    role = block.get("role", "training")
    if role not in ROLES:
        raise ConfigError(f"{where}: {path}.role: expected one of {', '.join(ROLES)}, got {role!r}")
    return DatasetSpec(
        column=column,
        name=_text(block, "name", path, where, pattern=_NAME, expected=_NAME_EXPECTED),
        label=_text(block, "label", path, where, pattern=re.compile(r".*\S.*"), expected="a non-empty label"),
        colour=_text(block, "colour", path, where, pattern=_COLOUR, expected="a hex colour like '#0072B2'"),
        units=units,
        citation=_text(block, "citation", path, where),
        doi=_text(block, "doi", path, where, pattern=_OPTIONAL_DOI, expected="a DOI like '10.3847/1538-4357/acb692'"),
        method=_text(block, "method", path, where),
        role=role,
        errors=_error_columns(block, path, where),
    )


def _parse_source(block: Any, path: str, where: str) -> SourceSpec:
    block = _keys(block, path, where, _SOURCE_KEYS)
    file = block["file"]
    if (
        not isinstance(file, str)
        or not file.strip()
        or file in {".", ".."}
        or any(char in "/\\" or ord(char) < 32 for char in file)
    ):
        raise ConfigError(
            f"{where}: {path}.file: expected a file name without folders or control characters, got {file!r}"
        )
    url = _text(block, "url", path, where, pattern=_URL, expected="an http(s) URL") if "url" in block else None
    sha256 = None
    if "sha256" in block:
        sha256 = _text(block, "sha256", path, where, pattern=_SHA256, expected="64 hex digits").lower()
    if url is not None and sha256 is None:
        # Nothing unverified is ever downloaded: a URL needs its hash.
        raise ConfigError(f"{where}: {path}: 'url' needs 'sha256' (the pinned hash of the file), got none")
    fmt = block.get("format")
    if fmt is not None and fmt not in FORMATS:
        raise ConfigError(f"{where}: {path}.format: expected one of {', '.join(FORMATS)}, got {fmt!r}")
    paired = block.get("paired", True)
    if not isinstance(paired, bool):
        raise ConfigError(f"{where}: {path}.paired: expected true or false, got {paired!r}")
    entries = block["datasets"]
    if not isinstance(entries, Sequence) or isinstance(entries, str) or not entries:
        raise ConfigError(f"{where}: {path}.datasets: expected a non-empty list of data sets, got {entries!r}")
    datasets = tuple(_parse_dataset(d, f"{path}.datasets[{i}]", where) for i, d in enumerate(entries))
    repeat = first_repeat(d.column for d in datasets)
    if repeat is not None:
        first, i = repeat
        raise ConfigError(
            f"{where}: {path}.datasets[{i}].column: column {datasets[i].column!r} is already read by "
            f"data set '{datasets[first].name}'; expected each column once"
        )
    return SourceSpec(
        id=_text(block, "id", path, where, pattern=_NAME, expected=_NAME_EXPECTED),
        file=file,
        url=url,
        sha256=sha256,
        licence=_text(block, "licence", path, where),
        licence_url=_text(block, "licence_url", path, where, pattern=_OPTIONAL_URL, expected="an http(s) URL"),
        citation=_text(block, "citation", path, where),
        paired=paired,
        datasets=datasets,
        format=fmt,
    )


def parse_manifest(mapping: Any, *, where: str) -> Manifest:
    """Validate the parsed manifest into frozen specs.

    Parameters
    ----------
    mapping : mapping
        The YAML document: ``{"sources": [...]}``.
    where : str
        Display name of the manifest, prefixed to every error message.

    Raises
    ------
    ConfigError
        On an unknown or missing key, a malformed value, or a repeated source
        id, file name or data-set name, naming the YAML path, e.g.
        ``data/datasets.yml: sources[0].datasets[1].colour: expected a hex
        colour like '#0072B2', got 'blue'``.
    """
    block = _keys(mapping, "", where, {"sources": True})
    entries = block["sources"]
    if not isinstance(entries, Sequence) or isinstance(entries, str) or not entries:
        raise ConfigError(f"{where}: sources: expected a non-empty list of sources, got {entries!r}")
    sources = tuple(_parse_source(s, f"sources[{i}]", where) for i, s in enumerate(entries))
    for attribute in ("id", "file"):
        repeat = first_repeat(getattr(s, attribute) for s in sources)
        if repeat is not None:
            i = repeat[1]
            raise ConfigError(
                f"{where}: sources[{i}].{attribute}: {getattr(sources[i], attribute)!r} is used by "
                "an earlier source; expected each source's to be unique"
            )
    paths = [(f"sources[{i}].datasets[{j}]", d.name) for i, s in enumerate(sources) for j, d in enumerate(s.datasets)]
    repeat = first_repeat(name for _, name in paths)
    if repeat is not None:
        i = repeat[1]
        raise ConfigError(
            f"{where}: {paths[i][0]}.name: {paths[i][1]!r} is already a data set name; "
            "expected names unique across the manifest"
        )
    return Manifest(sources=sources)


def manifest_for_file(
    file_name: str,
    header: tuple[str, ...],
    *,
    n_columns: int | None = None,
    columns: Sequence[int] | None = None,
) -> Manifest:
    """A manifest for a file the manifest does not know: one data set per column.

    Parameters
    ----------
    file_name : str
        The file's name; its slug becomes the source id.
    header : tuple of str
        The file's column names, or ``()`` when it has no header.
    n_columns : int, optional
        Number of columns; required when ``header`` is empty.
    columns : sequence of int, optional
        0-based indices of the columns to make data sets of, in this order;
        default every column.

    Returns
    -------
    Manifest
        One paired source. Data-set names are slugs of the header names
        (``names.slug``: at most 32 characters, a long header's cut short with
        a hash; ``col1``, ``col2``, ... without a header or when a slug is
        empty; ``-2``, ``-3`` suffixes keep them unique); labels are the full
        header names;
        colours follow the Okabe-Ito palette without black in the order of
        ``columns``, repeating after 7.

    Examples
    --------
    >>> m = manifest_for_file("ages.csv", ("Joyce age", "Bensby age"))
    >>> [(d.name, d.label, d.colour) for d in m.sources[0].datasets]
    [('joyce-age', 'Joyce age', '#E69F00'), ('bensby-age', 'Bensby age', '#56B4E9')]
    """
    if not header and not n_columns:
        raise ValueError("manifest_for_file needs a header or n_columns")
    names = header or tuple(f"Column {i + 1}" for i in range(n_columns or 0))
    palette = OKABE_ITO[1:]
    used: set[str] = set()
    suffixes: dict[str, int] = {}  # the next suffix to try per base: linear even if every slug is alike
    datasets = []
    for k, i in enumerate(range(len(names)) if columns is None else columns):
        label = names[i]
        base = (slug(label) if header else "") or f"col{i + 1}"
        name, suffix = base, suffixes.get(base, 2)
        while name in used:
            name, suffix = f"{base}-{suffix}", suffix + 1
        suffixes[base] = suffix
        used.add(name)
        label = label or f"Column {i + 1}"
        datasets.append(DatasetSpec(column=i, name=name, label=label, colour=palette[k % len(palette)]))
    source = SourceSpec(
        id=slug(file_name) or "file",
        file=file_name,
        url=None,
        sha256=None,
        licence="",
        licence_url="",
        citation="",
        paired=True,
        datasets=tuple(datasets),
    )
    return Manifest(sources=(source,))
