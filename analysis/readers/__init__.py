"""The readers: bytes in, ``Table`` out, and the manifest that says which columns are data sets.

Face of the family; the modules behind it:

- ``table``: the ``Table`` every reader returns; ``datasets_from_table``.
- ``text``: ``parse_table``, the text reader (line by line, and the dispatch to
  the fast readers of large files: ``text_bytes``, a numba scan of the bytes,
  imported only for them, and ``text_arrow``, pyarrow's), which share the
  grammar of a line (``text_grammar``) and the header (``text_header``).
- ``catalogs``: Parquet, FITS and ECSV columns, units converted to Gyr.
- ``manifest``: ``data/datasets.yml`` validated into frozen specs.
- ``ages`` (what an age in Gyr may be) and ``names`` (repeated names, slugs).

Pure: no file is opened here (``analysis.inputs`` reads the bytes).
"""

from .ages import MAX_AGE_GYR, age_problem, invalid_ages
from .catalogs import FORMAT_BY_EXTENSION, detect_format, read_catalog, resolve_columns
from .manifest import FORMATS, OKABE_ITO, DatasetSpec, Manifest, SourceSpec, manifest_for_file, parse_manifest
from .names import MAX_NAME_CHARS, first_repeat, named_twice, slug
from .table import Table, datasets_from_table
from .text import FAST_THRESHOLD_BYTES, parse_table
from .text_grammar import MAX_COLUMNS, MAX_LINE_BYTES

__all__ = [
    "FAST_THRESHOLD_BYTES", "FORMATS", "FORMAT_BY_EXTENSION", "MAX_AGE_GYR", "MAX_COLUMNS", "MAX_LINE_BYTES",
    "MAX_NAME_CHARS", "OKABE_ITO", "DatasetSpec", "Manifest", "SourceSpec", "Table", "age_problem",
    "datasets_from_table", "detect_format", "first_repeat", "invalid_ages", "manifest_for_file", "named_twice",
    "parse_manifest", "parse_table", "read_catalog", "resolve_columns", "slug",
]  # fmt: skip
