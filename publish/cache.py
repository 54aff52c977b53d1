"""Whether anything that shapes the report changed since the last build.

The build key is a SHA-256 over the bytes of the data files, the settings
(analysis configuration, output formats, engine) and the code: every file
under ``analysis/``, ``publish/``, ``templates/``, ``report/`` (except the
generated pages) plus ``_quarto.yml``, ``build.py`` and the data manifest.
The site stores its key in ``.build-key``; an unchanged key means an
unchanged build, which is therefore skipped.

Both keys are derived from folders, not lists of file names, so that a new
module is covered without editing a list. Data files count by name and bytes:
the site shows the file name.

The analysis result and the figures (the slow part of a build) are also kept
in ``.cache/``, under a key over the data, the analysis settings and the code
of ``analysis/`` and ``publish/`` (not the templates or the stylesheet, whose
edits need no figure redrawn). An entry records the SHA-256 of each of its
files when it is stored; one whose files no longer match, or whose pickle
cannot be read back (e.g. it names a module that is gone), is a cache miss,
discarded and rebuilt.
"""

from collections.abc import Iterable, Mapping, Sequence
import hashlib
import json
import logging
from pathlib import Path
import pickle
import shutil
from typing import Any

from .site import KEY_FILE, swap, tempdirs

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
    "remove_leftovers",
]

logger = logging.getLogger(__name__)

#: Folders whose every file is code for the key (relative to the repository root).
CODE_FOLDERS = ("analysis", "publish", "templates", "report")
#: Single files that are code or configuration for the key.
CODE_FILES = ("_quarto.yml", "build.py", "data/datasets.yml")
#: The code and configuration that shape the analysis result and the figures: all of analysis/
#: (the readers and the numerics) and all of publish/ (the figures and their captions), every
#: subpackage included, walked, so that a new module of any family is covered.
ARTEFACT_FOLDERS = ("analysis", "publish")
ARTEFACT_FILES = ("data/datasets.yml",)
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
        The data files read, in reading order (hashed by name and content).
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
        _update_file(digest, f"data[{i}]:{path.name}", path)
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
_FIGURES = "figures"
#: Each file of an entry and its SHA-256, one ``<hex>  <path>`` line each (as sha256sum writes).
_SUMS = "SHA256SUMS"
_ENTRY_PREFIX = ".entry-"


class _Damaged(Exception):
    """A cache entry whose files are missing or differ from their recorded SHA-256."""


class _Unreadable(_Damaged):
    """A cache entry whose pickle does not load with this code."""


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _figure_sums(figures_dir: Path) -> dict[str, str]:
    """``{"figures/<name>": sha256}`` for every file under ``figures_dir``."""
    return {
        f"{_FIGURES}/{path.relative_to(figures_dir).as_posix()}": _sha256(path.read_bytes())
        for path in sorted(figures_dir.rglob("*"))
        if path.is_file()
    }


def _read_sums(entry: Path) -> dict[str, str]:
    sums = {}
    for line in (entry / _SUMS).read_text(encoding="utf-8").splitlines():
        digest, _, name = line.partition("  ")
        if len(digest) != 64 or not name:
            raise _Damaged(f"{_SUMS}: malformed line {line!r}")
        sums[name] = digest
    return sums


def load_artefacts(cache_dir: Path, key: str, figures_dir: Path) -> tuple[Any, Any] | None:
    """The cached ``(result, figures)`` for ``key``, copying its figure files to ``figures_dir``.

    Every file is checked against the SHA-256 recorded when it was stored.

    Returns
    -------
    tuple or None
        None when nothing is cached under the key, or the entry is damaged or
        unreadable; such an entry is deleted (and ``figures_dir`` with what was
        copied into it), so the build redraws and stores it again.
    """
    entry = cache_dir / key
    if not entry.is_dir():
        logger.debug("no cache entry %s", entry)
        return None
    try:
        sums = _read_sums(entry)
        data = (entry / _ARTEFACTS).read_bytes()
        if sums.pop(_ARTEFACTS, None) != _sha256(data):
            raise _Damaged(f"{_ARTEFACTS}: SHA-256 differs from the one recorded")
        # The copies are checked, not the entry, so that what the site gets is what was verified.
        shutil.copytree(entry / _FIGURES, figures_dir, dirs_exist_ok=True)
        copied = _figure_sums(figures_dir)
        if copied != sums:
            wrong = sorted(name for name in copied.keys() | sums.keys() if copied.get(name) != sums.get(name))
            raise _Damaged(f"{', '.join(wrong)}: missing, extra or SHA-256 differs from the one recorded")
        result, figures = _unpickle(data)
    except (OSError, UnicodeDecodeError, _Damaged) as error:
        # A pickle that no longer loads (e.g. a library upgraded since) is routine; damaged bytes are worth a word.
        level = logging.DEBUG if isinstance(error, _Unreadable) else logging.INFO
        logger.log(level, "cache entry %s is unusable (%s); redrawing", entry, error)
        _discard(entry, figures_dir)
        return None
    logger.info("analysis and figures: reused from %s", entry)
    return result, figures


def _unpickle(data: bytes) -> Any:
    try:
        # Our own cache, written by store_artefacts and checked against its SHA-256.
        result, figures = pickle.loads(data)
    except Exception as error:
        # Unpickling runs the named classes' code, so anything may come out of it:
        # ModuleNotFoundError or AttributeError for a renamed module or class, TypeError...
        raise _Unreadable(f"{type(error).__name__}: {error}") from error
    return result, figures


def _discard(entry: Path, figures_dir: Path) -> None:
    shutil.rmtree(entry, ignore_errors=True)
    shutil.rmtree(figures_dir, ignore_errors=True)


def store_artefacts(cache_dir: Path, key: str, result: Any, figures: Any, figures_dir: Path) -> None:
    """Keep ``(result, figures)`` and the figure files under ``key``, replacing older entries.

    An entry already under ``key`` is replaced too: this one was just built
    and checked, and the old one may be the damaged entry that was redrawn
    (e.g. by ``--force``). A cache that cannot be written only costs time: it
    is logged, not raised.
    """
    try:
        cache_dir.mkdir(parents=True, exist_ok=True)
        work = tempdirs.create(_ENTRY_PREFIX, cache_dir)
    except OSError as error:
        _cannot_store(cache_dir, error)
        return
    try:
        fresh = work / key
        shutil.copytree(figures_dir, fresh / _FIGURES)
        data = pickle.dumps((result, figures), protocol=pickle.HIGHEST_PROTOCOL)
        (fresh / _ARTEFACTS).write_bytes(data)
        sums = {_ARTEFACTS: _sha256(data), **_figure_sums(fresh / _FIGURES)}
        (fresh / _SUMS).write_text("".join(f"{digest}  {name}\n" for name, digest in sums.items()), encoding="utf-8")
        for old in cache_dir.iterdir():
            # Entries are named by their key; half-written ones (".entry-*") may be another build's.
            if len(old.name) == 64 and old.name != key:
                shutil.rmtree(old, ignore_errors=True)
        if not swap.move_into_place(fresh, cache_dir / key):
            shutil.rmtree(cache_dir / key, ignore_errors=True)
            fresh.rename(cache_dir / key)
    except OSError as error:
        _cannot_store(cache_dir, error)
    finally:
        # Also deletes the entry this one replaced, which the exchange left here.
        tempdirs.remove(work)


def _cannot_store(cache_dir: Path, error: OSError) -> None:
    logger.warning("%s: cannot cache the analysis and figures (%s); the next build redraws them", cache_dir, error)


def remove_leftovers(cache_dir: Path) -> list[Path]:
    """Delete the half-written entries that killed builds left in ``cache_dir`` (running builds' are kept)."""
    return tempdirs.remove_leftovers(cache_dir, _ENTRY_PREFIX)
