"""Exchange two folders in one step, so that a path naming a site always names a whole one.

Linux's ``renameat2(..., RENAME_EXCHANGE)`` (kernel 3.15, glibc 2.28) swaps two
directory entries atomically: at every moment each path names one complete
folder, and a crash leaves either the old pair or the swapped pair, never a
missing output. Where the call does not exist (another OS, an old kernel) or
the file system refuses it, :func:`exchange` returns False and the caller
falls back to two renames.

References
----------
renameat2(2), Linux man-pages: ``RENAME_EXCHANGE`` and its errors (EINVAL when
the file system does not support the flag).
"""

from collections.abc import Callable
import ctypes
import errno
import functools
import os
from pathlib import Path
import platform
import sys
from typing import Any

__all__ = ["exchange", "move_into_place"]

_AT_FDCWD = -100
_RENAME_EXCHANGE = 2
# renameat2's system call number, for a glibc older than 2.28 that lacks the wrapper
# (from the kernel's syscall tables; architectures not listed fall back to two renames).
_SYSCALL_NUMBERS = {
    "x86_64": 316, "aarch64": 276, "riscv64": 276, "i386": 353, "i686": 353,
    "armv7l": 382, "ppc64le": 357, "ppc64": 357, "s390x": 347,
}  # fmt: skip
# What a kernel or file system without the exchange answers (ENOTSUP is EOPNOTSUPP on Linux).
_UNSUPPORTED = frozenset({errno.EINVAL, errno.ENOSYS, errno.ENOTSUP, errno.EOPNOTSUPP})

_Exchanger = Callable[[bytes, bytes], int]


def _exchanger(libc: Any, machine: str) -> _Exchanger | None:
    """A call ``(a, b) -> 0 or -1`` that exchanges two paths, from libc's wrapper or the raw syscall."""
    wrapper = getattr(libc, "renameat2", None)
    if wrapper is not None:
        wrapper.argtypes = (ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint)
        wrapper.restype = ctypes.c_int
        return lambda a, b: wrapper(_AT_FDCWD, a, _AT_FDCWD, b, _RENAME_EXCHANGE)
    number = _SYSCALL_NUMBERS.get(machine)
    syscall = getattr(libc, "syscall", None)
    if number is None or syscall is None:
        return None
    syscall.restype = ctypes.c_long
    return lambda a, b: syscall(
        ctypes.c_long(number), ctypes.c_int(_AT_FDCWD), a, ctypes.c_int(_AT_FDCWD), b, ctypes.c_uint(_RENAME_EXCHANGE)
    )


@functools.cache
def _system_exchanger() -> _Exchanger | None:
    if not sys.platform.startswith("linux"):
        return None
    return _exchanger(ctypes.CDLL(None, use_errno=True), platform.machine())


def exchange(a: Path, b: Path) -> bool:
    """Swap the entries ``a`` and ``b`` atomically; False when this system cannot.

    Parameters
    ----------
    a, b : Path
        Two existing paths on the same file system.

    Returns
    -------
    bool
        True when swapped; False when the exchange is unavailable here (not
        Linux, no ``renameat2``, or the file system answers EINVAL/ENOSYS), in
        which case nothing was changed.

    Raises
    ------
    OSError
        Any other failure (e.g. ENOENT, EXDEV, EACCES), naming both paths.
    """
    call = _system_exchanger()
    if call is None:
        return False
    ctypes.set_errno(0)
    if call(os.fsencode(a), os.fsencode(b)) == 0:
        return True
    code = ctypes.get_errno()
    if code in _UNSUPPORTED:
        return False
    raise OSError(code, os.strerror(code), str(a), None, str(b))


def move_into_place(new: Path, target: Path) -> bool:
    """Put the folder ``new`` at ``target`` in one step; False when that needs two renames here.

    A missing ``target`` is a plain rename. An existing one is exchanged with
    ``new`` (:func:`exchange`), so that the old folder is then at ``new`` for
    the caller to delete, and ``target`` is never missing.

    Returns
    -------
    bool
        True when ``new`` is at ``target``; False when ``target`` exists and
        this system cannot exchange (nothing was changed).

    Raises
    ------
    OSError
        If a rename fails for another reason.
    """
    if not os.path.lexists(target):
        try:
            os.rename(new, target)
            return True
        except OSError as error:
            # Another process put something there meanwhile: exchange with it instead.
            if error.errno not in (errno.EEXIST, errno.ENOTEMPTY):
                raise
    return exchange(new, target)
