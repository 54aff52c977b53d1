"""publish.swap: the one-step exchange of two folders, and its fallback signal."""

import ctypes
import errno
import os
from pathlib import Path
import platform
import sys
from types import SimpleNamespace

import pytest

from publish.site import swap

linux_only = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="renameat2 is Linux's")


def _folder(path: Path, text: str) -> Path:
    path.mkdir(parents=True)
    (path / "index.html").write_text(text, encoding="utf-8")
    return path


def _text(path: Path) -> str:
    return (path / "index.html").read_text(encoding="utf-8")


@linux_only
def test_exchange_swaps_two_folders(tmp_path):
    a, b = _folder(tmp_path / "a", "new"), _folder(tmp_path / "b", "old")
    assert swap.exchange(a, b) is True
    assert (_text(a), _text(b)) == ("old", "new")


@linux_only
def test_the_raw_system_call_exchanges_where_glibc_has_no_wrapper(tmp_path, monkeypatch):
    libc = ctypes.CDLL(None, use_errno=True)
    call = swap._exchanger(SimpleNamespace(syscall=libc.syscall), platform.machine())
    assert call is not None, f"no renameat2 syscall number for {platform.machine()}"
    monkeypatch.setattr(swap, "_system_exchanger", lambda: call)
    a, b = _folder(tmp_path / "a", "new"), _folder(tmp_path / "b", "old")
    assert swap.exchange(a, b) is True
    assert (_text(a), _text(b)) == ("old", "new")


def test_no_wrapper_and_an_unknown_machine_means_no_exchange():
    assert swap._exchanger(SimpleNamespace(syscall=print), "pdp11") is None


@pytest.mark.parametrize("code", [errno.EINVAL, errno.ENOSYS])
def test_a_file_system_that_refuses_says_false_and_changes_nothing(tmp_path, monkeypatch, code):
    def refusing(a: bytes, b: bytes) -> int:
        ctypes.set_errno(code)
        return -1

    monkeypatch.setattr(swap, "_system_exchanger", lambda: refusing)
    a, b = _folder(tmp_path / "a", "new"), _folder(tmp_path / "b", "old")
    assert swap.exchange(a, b) is False
    assert (_text(a), _text(b)) == ("new", "old")


@linux_only
def test_other_failures_raise_naming_both_paths(tmp_path):
    a = _folder(tmp_path / "a", "new")
    with pytest.raises(FileNotFoundError) as caught:
        swap.exchange(a, tmp_path / "absent")
    assert (caught.value.filename, caught.value.filename2) == (str(a), str(tmp_path / "absent"))


def test_move_into_a_missing_place_is_a_rename(tmp_path, monkeypatch):
    monkeypatch.setattr(swap, "_system_exchanger", lambda: None)
    new = _folder(tmp_path / "new", "new")
    assert swap.move_into_place(new, tmp_path / "deeper") is True
    assert _text(tmp_path / "deeper") == "new" and not new.exists()


@linux_only
def test_move_into_an_occupied_place_exchanges_without_os_replace(tmp_path, monkeypatch):
    def forbidden(*args):
        raise AssertionError("a two-step rename was used")

    monkeypatch.setattr(os, "replace", forbidden)
    monkeypatch.setattr(os, "rename", forbidden)
    new, target = _folder(tmp_path / "new", "new"), _folder(tmp_path / "target", "old")
    assert swap.move_into_place(new, target) is True
    assert (_text(target), _text(new)) == ("new", "old")


def test_move_into_an_occupied_place_without_exchange_says_false(tmp_path, monkeypatch):
    monkeypatch.setattr(swap, "_system_exchanger", lambda: None)
    new, target = _folder(tmp_path / "new", "new"), _folder(tmp_path / "target", "old")
    assert swap.move_into_place(new, target) is False
    assert (_text(target), _text(new)) == ("old", "new")
