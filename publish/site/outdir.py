"""What ``--out`` may name: a new folder, an empty one, or a site this report built.

Publishing replaces the output folder whole, and everything that was in it is
deleted. So before any work the build refuses an ``--out`` whose contents are
not ours to delete: the file system root, the home folder, the project or a
folder holding it, the project's own source folders, any non-empty folder
without ``MARKER`` (the file every published site carries) and anything that
is not a folder. It also refuses an output it could not publish: a mount point
(which cannot be renamed) or one whose parent cannot be written.
"""

from collections.abc import Iterable
import os
from pathlib import Path
import re

from analysis.errors import ConfigError


__all__ = ["KEY_FILE", "MARKER", "check_output", "is_site", "write_marker"]

#: The build key's file name inside a site (``publish.cache`` writes it).
KEY_FILE = ".build-key"
#: The file in every site the build publishes: what lets the next build replace it.
MARKER = ".stellar-age-kde-report"
_MARKER_TEXT = (
    "This folder is a site built by the Stellar Age KDE Report (python build.py --out).\n"
    "The next build into it replaces the whole folder: keep nothing else here.\n"
)
# Sites published before the marker existed carry only their build key (64 hex digits).
_KEY = re.compile(r"[0-9a-f]{64}\n?")
_CHOOSE = "choose a new folder, an empty one, or a site this report built (default: _site)"


def write_marker(site: Path) -> None:
    """Mark the (staged) site folder as ours, so that the next build may replace it."""
    (site / MARKER).write_text(_MARKER_TEXT, encoding="utf-8")


def is_site(folder: Path) -> bool:
    """Whether ``folder`` holds our marker, or the build key of a site built before the marker."""
    if (folder / MARKER).is_file():
        return True
    try:
        return _KEY.fullmatch((folder / KEY_FILE).read_text(encoding="ascii")) is not None
    except (OSError, UnicodeDecodeError):
        return False


def check_output(out: Path, *, root: Path, protected: Iterable[str]) -> Path:
    """The real path of ``out`` if the build may replace it, else a ConfigError saying why.

    Parameters
    ----------
    out : Path
        ``--out`` as given (relative to the working folder; symlinks followed).
    root : Path
        The project folder (resolved).
    protected : iterable of str
        The project's folders (relative to ``root``) that the output must not
        be in, e.g. ``analysis`` or ``.git``.

    Returns
    -------
    Path
        The absolute, resolved output path, which the build publishes to.

    Raises
    ------
    ConfigError
        Naming ``--out``, the reason and what to do.
    """
    path = out.expanduser().resolve()
    reason = _forbidden_place(path, root, protected) or _unusable(path)
    if reason:
        shown = str(out) if str(out) == str(path) else f"{out} ({path})"
        raise ConfigError(f"--out {shown}: {reason}")
    return path


def _forbidden_place(path: Path, root: Path, protected: Iterable[str]) -> str | None:
    if path.parent == path:
        return f"is the root of the file system, and publishing deletes what the output holds; {_CHOOSE}"
    home = _home()
    if home is not None and home.is_relative_to(path):
        return f"is your home folder or holds it, and publishing deletes what the output holds; {_CHOOSE}"
    if root.is_relative_to(path):
        return f"is the project folder or holds it, and publishing deletes what the output holds; {_CHOOSE}"
    for name in protected:
        if path.is_relative_to(root / name):
            return f"is inside the project's own {name}/ folder, which holds its files, not outputs; {_CHOOSE}"
    return None


def _unusable(path: Path) -> str | None:
    if os.path.lexists(path):
        if not path.is_dir():
            return f"exists and is not a folder; remove it or {_CHOOSE}"
        if os.path.ismount(path):
            return "is a mount point, which cannot be replaced by a rename; choose a folder inside it"
        if any(path.iterdir()) and not is_site(path):
            return (
                f"holds files but is not a site this report built (it has no {MARKER} file), "
                f"and publishing would delete them; {_CHOOSE}"
            )
    parent = path.parent
    while not os.path.lexists(parent):
        parent = parent.parent
    if not parent.is_dir():
        return f"{parent} is not a folder; {_CHOOSE}"
    if not os.access(parent, os.W_OK | os.X_OK):
        return f"cannot create or replace folders in {parent} (not writable); choose a folder you can write to"
    return None


def _home() -> Path | None:
    try:
        return Path.home().resolve()
    except (RuntimeError, KeyError):
        return None
