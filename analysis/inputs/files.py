"""Open data files: regular files only, never a pipe, device, socket or folder.

A named pipe (or ``/dev/stdin``) blocks a read until someone writes to it and
``/dev/zero`` never ends, so either would hang the build. Every data file is
checked after its symbolic links are resolved, before it is opened; it is then
opened without blocking and checked again on the open descriptor, so a file
swapped for a pipe in between cannot hang the read either. Every problem is a
one-line ``DataError`` naming the path: a folder, pipe, device or socket, a
loop of links (naming the links), a name too long for the system.
"""

import errno
import os
from pathlib import Path
import stat
from typing import BinaryIO

from ..errors import DataError

__all__ = ["present", "regular_file", "open_regular", "read_regular"]

#: Links followed when naming a loop; Linux gives up (ELOOP) after 40.
_MAX_HOPS = 40
#: Longest path shown in a message whole; a longer one keeps its head and tail.
_SHOWN_PATH_CHARS = 120

_KINDS = (
    (stat.S_ISDIR, "a folder"),
    (stat.S_ISFIFO, "a named pipe (FIFO)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


def _shown(path: Path | str) -> str:
    text = str(path)
    if len(text) <= _SHOWN_PATH_CHARS:
        return text
    return f"{text[:60]}...{text[-40:]} ({len(text)} characters)"


def _link_chain(path: str) -> str:
    """``a -> b -> a``: the links from ``path`` (or from the first looping folder on it) until one repeats."""
    parts = Path(path).parts
    for i in range(1, len(parts) + 1):
        start = os.path.join(*parts[:i])
        if not os.path.islink(start):
            continue
        chain, seen, current = [start], {os.path.normpath(start)}, start
        for _ in range(_MAX_HOPS):
            try:
                target = os.readlink(current)
            except OSError:
                break
            current = os.path.normpath(os.path.join(os.path.dirname(current), target))
            chain.append(target)
            if current in seen:
                return " -> ".join(chain)
            seen.add(current)
        else:
            return " -> ".join(chain[:3] + ["..."]) + f" (more than {_MAX_HOPS} links)"
    return _shown(path)


def _name_max(path: Path) -> int:
    try:
        return os.pathconf(path.parent if path.parent.is_dir() else "/", "PC_NAME_MAX")
    except (OSError, ValueError):
        return 255


def _os_error(path: Path, exc: OSError) -> DataError:
    """The one-line DataError for a failed ``stat`` or ``open`` of ``path``."""
    if exc.errno == errno.ELOOP:
        return DataError(
            f"{_shown(path)}: the symbolic links loop ({_link_chain(str(path))}); expected a link that ends at a file"
        )
    if exc.errno == errno.ENAMETOOLONG:
        longest = max((len(os.fsencode(part)) for part in path.parts), default=0)
        return DataError(
            f"{_shown(path)}: the file name is too long for this system (its longest part has {longest} bytes, "
            f"at most {_name_max(path)} are allowed, and the whole path {len(os.fsencode(path))}); "
            "expected a shorter name or folder"
        )
    if exc.errno in (errno.ENOENT, errno.ENOTDIR):
        if os.path.islink(path):
            return DataError(f"{_shown(path)}: a symbolic link to {os.readlink(path)!r}, which does not exist")
        return DataError(f"{_shown(path)}: no such file")
    return DataError(f"{_shown(path)}: cannot read: {exc.strerror}")


def _refuse_irregular(path: Path, mode: int) -> None:
    if stat.S_ISREG(mode):
        return
    kind = next((name for test, name in _KINDS if test(mode)), "not a regular file")
    link = f" (a link to {_shown(os.path.realpath(path))})" if os.path.islink(path) else ""
    raise DataError(f"{_shown(path)}{link}: is {kind}, not a regular file; expected a data file saved on disk")


def present(path: Path) -> bool:
    """Whether anything (a file, folder, pipe, even a broken or looping link) is at ``path``.

    Raises
    ------
    DataError
        When the path cannot even be looked at (e.g. a name too long for the system).
    """
    try:
        os.lstat(path)
    except ValueError:
        raise DataError(f"{_shown(path)!r}: the path contains a NUL character; expected a file name") from None
    except OSError as exc:
        if exc.errno in (errno.ENOENT, errno.ENOTDIR):
            return False
        raise _os_error(path, exc) from None
    return True


def regular_file(path: Path) -> Path:
    """The absolute path of the regular file ``path`` leads to, its links resolved.

    Raises
    ------
    DataError
        When ``path`` does not exist, is or leads to a folder, named pipe,
        device or socket, is a loop of symbolic links, or is too long a name.
    """
    try:
        mode = os.stat(path).st_mode
    except ValueError:
        raise DataError(f"{_shown(path)!r}: the path contains a NUL character; expected a file name") from None
    except OSError as exc:
        raise _os_error(path, exc) from None
    _refuse_irregular(path, mode)
    return Path(os.path.realpath(path))


def open_regular(path: Path) -> BinaryIO:
    """``path`` opened for reading in binary, refused unless it is a regular file (see ``regular_file``).

    The file is opened with ``O_NONBLOCK`` (so a pipe put in its place after
    the check cannot block) and checked again on the open descriptor.
    """
    regular_file(path)
    flags = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_NOCTTY", 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        raise _os_error(path, exc) from None
    try:
        _refuse_irregular(path, os.fstat(fd).st_mode)
    except BaseException:
        os.close(fd)
        raise
    return os.fdopen(fd, "rb")


def read_regular(path: Path) -> bytes:
    """The bytes of the regular file ``path`` (see ``open_regular``).

    Raises
    ------
    DataError
        As ``regular_file``, or when reading fails (naming the system's reason).
    """
    with open_regular(path) as stream:
        try:
            return stream.read()
        except OSError as exc:
            raise DataError(f"{_shown(path)}: cannot read: {exc.strerror}") from None
