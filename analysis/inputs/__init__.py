"""The one part of ``analysis`` that reads files: the settings file, the data files, the command line.

Face of the family: ``project`` (``_quarto.yml`` and its ``analysis:``
block), ``options`` (the options ``build.py`` and ``python -m analysis`` share),
``sources`` (find, fetch with pooch and verify the manifest's files, then
parse them with ``analysis.readers``), ``files`` (regular files only: no
pipe, device or link loop) and ``partitions`` (a partitioned catalog's pieces,
and the reading of one piece on a worker). Everything else in ``analysis`` is pure; the
build (``publish``) reads its inputs through this face too.
"""

from .files import open_regular, present, read_regular, regular_file
from .options import add_analysis_options, settings
from .partitions import is_partitioned, open_partitioned, read_piece
from .project import Project, load_project, parse_bandwidths, with_overrides
from .sources import (
    CACHE_DIR_ENV,
    DATA_DIR_ENV,
    MAX_DEFAULT_DATASETS,
    LoadedSource,
    find_source_file,
    load_datasets,
    load_manifest,
    load_sources,
)

__all__ = [
    "CACHE_DIR_ENV", "DATA_DIR_ENV", "MAX_DEFAULT_DATASETS", "LoadedSource", "Project", "add_analysis_options",
    "find_source_file", "is_partitioned", "load_datasets", "load_manifest", "load_project", "load_sources",
    "open_partitioned", "open_regular", "parse_bandwidths", "present", "read_piece", "read_regular", "regular_file",
    "settings", "with_overrides",
]  # fmt: skip
