"""Whether anything that shapes the report changed since the last build.

The build key is a SHA-256 over the bytes of the data files, the settings
(analysis configuration, output formats, engine) and the code: every file
under ``analysis/``, ``publish/``, ``templates/``, ``report/`` (except the
generated pages) plus ``_quarto.yml``, ``build.py`` and the data manifest.
The site stores its key in ``.build-key``; an unchanged key means an
unchanged build, which is therefore skipped.

The analysis result and the figures (the slow part of a build) are also kept
in ``.cache/``, under a key over the data, the analysis settings and only the
code that produces them, so that editing a template or the stylesheet does
not redraw every figure.
"""

from collections.abc import Iterable, Mapping, Sequence
import hashlib
import json
import logging
from pathlib import Path
import pickle
import shutil
import tempfile
from typing import Any

__all__ = [
    "KEY_FILE",
    "CODE_FOLDERS",
    "CODE_FILES",
    "ARTEFACT_FOLDERS",
    "ARTEFACT_FILES",
    "code_files",
    "build_key",
    "read_key",
    "write_key",
    "load_artefacts",
    "store_artefacts",
]

logger = logging.getLogger(__name__)

#: The key's file name inside the output folder.
KEY_FILE = ".build-key"
#: Folders whose every file is code for the key (relative to the repository root).
CODE_FOLDERS = ("analysis", "publish", "templates", "report")
#: Single files that are code or configuration for the key.
CODE_FILES = ("_quarto.yml", "build.py", "data/datasets.yml")
#: The code and configuration that shape the analysis result and the figures.
ARTEFACT_FOLDERS = ("analysis",)
ARTEFACT_FILES = ("data/datasets.yml", "publish/sources.py", "publish/figures.py", "publish/figure_style.py")
# Outputs and byte-code that live inside code folders but are not code.
_SKIPPED_PARTS = {"__pycache__", "_generated"}


def code_files(root: Path, *, folders: Sequence[str] = CODE_FOLDERS, files: Sequence[str] = CODE_FILES) -> list[Path]:
    """Every code file under ``root``, sorted by relative path (missing ones skipped).

    ``folders`` and ``files`` default to the whole report's code; pass
    ``ARTEFACT_FOLDERS`` and ``ARTEFACT_FILES`` for what the analysis and
    figures depend on.
    """
    found = [root / name for name in files if (root / name).is_file()]
    for folder in folders:
        found += [
            path
            for path in (root / folder).rglob("*")
            if path.is_file() and not _SKIPPED_PARTS.intersection(path.relative_to(root).parts)
        ]
    return sorted(found, key=lambda path: path.relative_to(root).as_posix())


def _update_file(digest: Any, label: str, path: Path) -> None:
    # Lengths and labels are hashed too, so moving bytes between files changes the key.
    data = path.read_bytes()
    digest.update(f"{label}\0{len(data)}\0".encode())
    digest.update(data)


def build_key(
    data_files: Sequence[Path], settings: Mapping[str, Any], *, root: Path, code: Iterable[Path] | None = None
) -> str:
    """The hex SHA-256 of data, settings and code.

    Parameters
    ----------
    data_files : sequence of Path
        The data files read, in reading order (hashed by content, not name).
    settings : mapping
        JSON-serialisable settings, e.g. the analysis config as a dict, the
        formats and the engine name. Key order does not matter.
    root : Path
        The repository root that code paths are relative to.
    code : iterable of Path, optional
        The code files; ``code_files(root)`` when omitted.

    Returns
    -------
    str
        64 hex digits.
    """
    digest = hashlib.sha256()
    for i, path in enumerate(data_files):
        _update_file(digest, f"data[{i}]", path)
    digest.update(json.dumps(settings, sort_keys=True, default=str).encode())
    for path in code_files(root) if code is None else code:
        _update_file(digest, f"code:{path.relative_to(root).as_posix()}", path)
    return digest.hexdigest()


def read_key(out: Path) -> str | None:
    """The key stored in the output folder by the last build, if any."""
    try:
        return (out / KEY_FILE).read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError):
        return None


def write_key(site: Path, key: str) -> None:
    """Store the key in the (staged) site folder, so it is published with it."""
    (site / KEY_FILE).write_text(key + "\n", encoding="utf-8")


_ARTEFACTS = "artefacts.pickle"


def load_artefacts(cache_dir: Path, key: str, figures_dir: Path) -> tuple[Any, Any] | None:
    """The cached ``(result, figures)`` for ``key``, copying its figure files to ``figures_dir``.

    Returns None when nothing is cached under the key (or the entry is unreadable).
    """
    entry = cache_dir / key
    try:
        with (entry / _ARTEFACTS).open("rb") as stream:
            # Our own cache, written by store_artefacts; never a file from elsewhere.
            result, figures = pickle.load(stream)
        shutil.copytree(entry / "figures", figures_dir, dirs_exist_ok=True)
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ValueError) as error:
        logger.debug("no usable cache entry %s: %s", entry, error)
        return None
    logger.info("analysis and figures: reused from %s", entry)
    return result, figures


def store_artefacts(cache_dir: Path, key: str, result: Any, figures: Any, figures_dir: Path) -> None:
    """Keep ``(result, figures)`` and the figure files under ``key``, replacing older entries.

    A cache that cannot be written only costs time: it is logged, not raised.
    """
    try:
        cache_dir.mkdir(parents=True, exist_ok=True)
        fresh = Path(tempfile.mkdtemp(prefix=".entry-", dir=cache_dir))
        shutil.copytree(figures_dir, fresh / "figures")
        with (fresh / _ARTEFACTS).open("wb") as stream:
            pickle.dump((result, figures), stream, protocol=pickle.HIGHEST_PROTOCOL)
    except OSError as error:
        logger.warning("%s: cannot cache the analysis and figures (%s); the next build redraws them", cache_dir, error)
        return
    for old in cache_dir.iterdir():
        # Entries are named by their key; half-written ones (".entry-*") may be another build's.
        if len(old.name) == 64 and old.name != key:
            shutil.rmtree(old, ignore_errors=True)
    try:
        fresh.rename(cache_dir / key)
    except OSError:
        # Another build stored the same key meanwhile: its entry is as good as ours.
        shutil.rmtree(fresh, ignore_errors=True)
