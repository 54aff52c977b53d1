"""Temporary folders owned by a running build, and the removal of those whose build is gone.

A build works in temporary folders: its stage beside the output
(``.<out>-stage-*``, a whole site), the old site it parks while publishing by
two renames (``.<out>-old-*``) and a cache entry being stored
(``.cache/artefacts/.entry-*``). A build killed with SIGKILL cannot remove
them, so they would pile up.

Each such folder holds ``LOCK_NAME``, a file on which the build keeps an
exclusive ``flock`` for as long as it runs. The kernel drops the lock when the
process ends, however it ends, and a lock cannot outlive a reboot. So a folder
whose lock can be taken is a leftover, and one whose lock is held belongs to a
build still running, which is never touched. Only folders whose name is a
prefix we chose plus ``mkdtemp``'s random suffix, and that carry our lock
file, are ever removed.
"""

from collections.abc import Callable
import fcntl
import logging
import os
from pathlib import Path
import re
import shutil
import tempfile

__all__ = ["LOCK_NAME", "create", "release", "remove", "remove_leftovers"]

logger = logging.getLogger(__name__)

#: The lock file inside every folder a build owns.
LOCK_NAME = ".owner.lock"
_LOCK_TEXT = (
    "A build of the Stellar Age KDE Report (build.py, pid {pid}) holds a lock on this file while it runs;\n"
    "when no process holds it, the folder is a leftover of a killed build and the next build removes it.\n"
)
# mkdtemp's suffix: 8 characters from its alphabet.
_SUFFIX = r"[a-z0-9_]{8}"

# The open lock file of each folder this process owns; closing it releases the lock.
_held: dict[Path, int] = {}


def create(prefix: str, parent: Path) -> Path:
    """A new empty folder ``parent/<prefix><random>`` holding our lock, held until :func:`remove`.

    Raises
    ------
    OSError
        If the folder or its lock file cannot be written (nothing is left behind).
    """
    folder = Path(tempfile.mkdtemp(prefix=prefix, dir=parent))
    try:
        fd = os.open(folder / LOCK_NAME, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    except OSError:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    try:
        # Blocks only while a cleaner holds it; the lock file is written only once locked,
        # so a cleaner that finds it empty knows its creator is still starting.
        fcntl.flock(fd, fcntl.LOCK_EX)
        os.write(fd, _LOCK_TEXT.format(pid=os.getpid()).encode())
    except OSError:
        os.close(fd)
        shutil.rmtree(folder, ignore_errors=True)
        raise
    _held[folder] = fd
    return folder


def release(folder: Path) -> None:
    """Let go of the lock of ``folder`` (e.g. once it was renamed to its final name)."""
    fd = _held.pop(folder, None)
    if fd is not None:
        os.close(fd)


def remove(folder: Path) -> None:
    """Delete a folder made by :func:`create` and everything in it, then let go of its lock."""
    shutil.rmtree(folder, ignore_errors=True)
    release(folder)


def remove_leftovers(parent: Path, prefix: str, before: Callable[[Path], None] | None = None) -> list[Path]:
    """Delete the folders ``parent/<prefix>*`` made by :func:`create` whose build has ended.

    Parameters
    ----------
    parent : Path
        Where to look (a missing folder holds no leftovers).
    prefix : str
        The prefix given to :func:`create`.
    before : callable, optional
        Called with each leftover, while its lock is held, before it is
        deleted (e.g. to rescue a parked site).

    Returns
    -------
    list of Path
        The folders deleted.
    """
    pattern = re.compile(re.escape(prefix) + _SUFFIX)
    try:
        names = sorted(entry.name for entry in os.scandir(parent) if pattern.fullmatch(entry.name))
    except OSError:
        return []
    removed = []
    for name in names:
        folder = parent / name
        if folder.is_symlink() or not folder.is_dir():
            continue
        try:
            fd = os.open(folder / LOCK_NAME, os.O_RDONLY | os.O_NOFOLLOW)
        except OSError:
            continue  # no lock file of ours: not ours to remove
        try:
            if _take(fd):
                if before is not None:
                    before(folder)
                shutil.rmtree(folder, ignore_errors=True)
                removed.append(folder)
        finally:
            os.close(fd)
    if removed:
        logger.info("removed %d folder(s) left by killed builds: %s", len(removed), ", ".join(map(str, removed)))
    return removed


def _take(fd: int) -> bool:
    """Whether the lock could be taken, meaning its owner is gone (and not just starting)."""
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return False  # held: its build is running
    return os.fstat(fd).st_size > 0
