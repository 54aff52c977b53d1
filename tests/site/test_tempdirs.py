"""publish.tempdirs: folders owned by a running build; leftovers of killed builds, and only those, removed."""

from pathlib import Path
import subprocess
import sys

from publish.site import tempdirs

ROOT = Path(__file__).resolve().parents[2]
PREFIX = ".site-stage-"


def _owner(parent: Path, *, wait: bool) -> subprocess.Popen:
    """Another process that creates an owned folder, prints it, then waits on stdin or is killed."""
    end = "sys.stdin.read()" if wait else "os.kill(os.getpid(), signal.SIGKILL)"
    code = (
        "import os, signal, sys\nfrom pathlib import Path\nfrom publish.site import tempdirs\n"
        f"print(tempdirs.create({PREFIX!r}, Path({str(parent)!r})), flush=True)\n{end}\n"
    )
    return subprocess.Popen(
        [sys.executable, "-c", code], cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )


def test_a_folder_holds_the_lock_file_and_is_gone_after_remove(tmp_path):
    folder = tempdirs.create(PREFIX, tmp_path)
    assert folder.parent == tmp_path and folder.name.startswith(PREFIX)
    assert "holds a lock on this file while it runs" in (folder / tempdirs.LOCK_NAME).read_text()
    assert tempdirs.remove_leftovers(tmp_path, PREFIX) == []  # this process still owns it
    tempdirs.remove(folder)
    assert list(tmp_path.iterdir()) == []


def test_a_killed_builds_folder_is_removed(tmp_path):
    owner = _owner(tmp_path, wait=False)
    folder = Path(owner.stdout.readline().strip())
    assert owner.wait() == -9
    (folder / "index.html").write_text("half a site")
    assert tempdirs.remove_leftovers(tmp_path, PREFIX) == [folder]
    assert list(tmp_path.iterdir()) == []


def test_a_running_builds_folder_is_kept_until_it_ends(tmp_path):
    owner = _owner(tmp_path, wait=True)
    folder = Path(owner.stdout.readline().strip())
    try:
        assert tempdirs.remove_leftovers(tmp_path, PREFIX) == []
        assert folder.is_dir()
    finally:
        owner.stdin.close()
        owner.wait()
    assert tempdirs.remove_leftovers(tmp_path, PREFIX) == [folder]


def test_nothing_without_our_name_and_our_lock_is_removed(tmp_path):
    folder = tempdirs.create(PREFIX, tmp_path)
    lock = (folder / tempdirs.LOCK_NAME).read_bytes()
    tempdirs.release(folder)  # now it looks like a killed build's
    others = {
        "no lock": tmp_path / f"{PREFIX}abcdefgh",
        "other name": tmp_path / "thesis",
        "longer name": tmp_path / f"{PREFIX}abcdefgh-mine",
        "empty lock, its creator still starting": tmp_path / f"{PREFIX}starting",
    }
    for path in others.values():
        path.mkdir()
    for name in ("other name", "longer name"):
        (others[name] / tempdirs.LOCK_NAME).write_bytes(lock)
    (others["empty lock, its creator still starting"] / tempdirs.LOCK_NAME).write_bytes(b"")
    (tmp_path / f"{PREFIX}a_file__").write_text("a file")
    (tmp_path / f"{PREFIX}symlink_").symlink_to(others["other name"])

    assert tempdirs.remove_leftovers(tmp_path, PREFIX) == [folder]
    assert all(path.is_dir() for path in others.values())
    assert (tmp_path / f"{PREFIX}a_file__").is_file() and (tmp_path / f"{PREFIX}symlink_").is_symlink()


def test_the_hook_runs_before_a_leftover_is_deleted(tmp_path):
    folder = tempdirs.create(PREFIX, tmp_path)
    (folder / "site").mkdir()
    tempdirs.release(folder)
    rescued = tmp_path / "rescued"
    assert tempdirs.remove_leftovers(tmp_path, PREFIX, lambda f: (f / "site").rename(rescued)) == [folder]
    assert rescued.is_dir() and not folder.exists()


def test_a_missing_parent_holds_no_leftovers(tmp_path):
    assert tempdirs.remove_leftovers(tmp_path / "absent", PREFIX) == []
