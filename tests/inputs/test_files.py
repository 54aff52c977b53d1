"""Tests of analysis/inputs/files.py: data files are regular files; pipes, devices, folders and link loops are refused.

A read of a named pipe blocks until someone writes to it, so the calls that
could block run in a daemon thread: a regression fails the test instead of
hanging the run.
"""

from collections.abc import Callable
import os
from pathlib import Path
import re
import threading

import pytest

from analysis.errors import DataError
from analysis.inputs import files
from analysis.inputs import open_regular, read_regular, regular_file
from analysis.inputs import find_source_file, load_datasets
from tests.support import run_build
from tests.inputs.test_sources import MANIFEST, SMALL, _spec


def _error_without_blocking(call: Callable[[], object]) -> str:
    """The DataError message of ``call()``; fails if it returns or is still blocked after a minute."""
    outcome: list[str] = []

    def run() -> None:
        try:
            call()
        except DataError as error:
            outcome.append(str(error))
        else:
            outcome.append("returned without an error")

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(60)
    assert outcome, "blocked (reading a pipe?)"
    return outcome[0]


@pytest.fixture
def fifo(tmp_path) -> Path:
    path = tmp_path / "ages.csv"
    os.mkfifo(path)
    return path


def test_a_named_pipe_is_refused_without_blocking(fifo):
    message = _error_without_blocking(lambda: load_datasets(MANIFEST, data_file=fifo, env={}))
    assert message == f"{fifo}: is a named pipe (FIFO), not a regular file; expected a data file saved on disk"


def test_a_pipe_swapped_in_after_the_check_is_refused_on_the_open_descriptor(fifo, monkeypatch):
    monkeypatch.setattr(files, "regular_file", lambda path: path)  # as if the check ran before the swap
    message = _error_without_blocking(lambda: open_regular(fifo))
    assert message.startswith(f"{fifo}: is a named pipe (FIFO), not a regular file")


def test_a_pipe_in_the_download_cache_is_refused_before_pooch_hashes_it(tmp_path):
    cache = tmp_path / "cache"
    cache.mkdir()
    os.mkfifo(cache / "ages.dat")
    spec = _spec(sha256="0" * 64, url="http://127.0.0.1:9/ages.dat")
    env = {"KDE_REPORT_CACHE_DIR": str(cache)}
    message = _error_without_blocking(lambda: find_source_file(spec, manifest_dir=tmp_path, env=env))
    assert message.startswith(f"{cache / 'ages.dat'}: is a named pipe (FIFO), not a regular file")


def test_a_link_to_a_character_device_is_refused_naming_its_target(tmp_path):
    link = tmp_path / "ages.csv"
    link.symlink_to("/dev/zero")
    message = _error_without_blocking(lambda: load_datasets(MANIFEST, data_file=link, env={}))
    assert message == (
        f"{link} (a link to /dev/zero): is a character device, not a regular file; expected a data file saved on disk"
    )


def test_a_folder_named_like_a_data_file_is_refused(tmp_path):
    folder = tmp_path / "ages.csv"
    folder.mkdir()
    with pytest.raises(DataError, match=rf"^{re.escape(str(folder))}: is a folder, not a regular file"):
        load_datasets(MANIFEST, data_file=folder, env={})


def test_a_folder_where_the_manifest_looks_first_is_refused_not_skipped(tmp_path):
    (tmp_path / "data" / "ages.dat").mkdir(parents=True)
    (tmp_path / "env").mkdir()
    (tmp_path / "env" / "ages.dat").write_bytes(SMALL)
    env = {"KDE_REPORT_DATA_DIR": str(tmp_path / "env")}
    with pytest.raises(DataError, match=r"data/ages\.dat: is a folder, not a regular file"):
        find_source_file(_spec(), manifest_dir=tmp_path / "data", env=env)


def test_a_loop_of_links_is_named(tmp_path):
    (tmp_path / "a.csv").symlink_to("b.csv")
    (tmp_path / "b.csv").symlink_to("a.csv")
    message = rf"^{re.escape(str(tmp_path / 'a.csv'))}: the symbolic links loop \(.*a\.csv -> b\.csv -> a\.csv\); "
    with pytest.raises(DataError, match=message + "expected a link that ends at a file$"):
        load_datasets(MANIFEST, data_file=tmp_path / "a.csv", env={})
    (tmp_path / "sub").symlink_to("sub")  # a folder on the way that loops
    with pytest.raises(DataError, match=r"the symbolic links loop \(.*sub -> sub\)"):
        regular_file(tmp_path / "sub" / "x.csv")


def test_a_name_too_long_for_the_system_is_one_line(tmp_path):
    path = tmp_path / ("a" * 300 + ".csv")
    with pytest.raises(DataError, match=r"the file name is too long for this system \(its longest part has 304 bytes"):
        load_datasets(MANIFEST, data_file=path, env={})
    with pytest.raises(DataError, match=r"the file name is too long"):
        find_source_file(_spec("b" * 300), manifest_dir=tmp_path, env={})


def test_a_broken_link_and_a_missing_file(tmp_path):
    (tmp_path / "ages.csv").symlink_to("gone.csv")
    with pytest.raises(DataError, match=r"ages\.csv: a symbolic link to 'gone\.csv', which does not exist$"):
        load_datasets(MANIFEST, data_file=tmp_path / "ages.csv", env={})
    with pytest.raises(DataError, match=r"nothing\.csv: no such file$"):
        read_regular(tmp_path / "nothing.csv")


def test_a_link_to_a_regular_file_is_read_by_its_targets_path(tmp_path):
    (tmp_path / "real.csv").write_bytes(b"a,b\n1,2\n3,4\n")
    (tmp_path / "link.csv").symlink_to("real.csv")
    assert regular_file(tmp_path / "link.csv") == tmp_path / "real.csv"
    assert read_regular(tmp_path / "link.csv") == b"a,b\n1,2\n3,4\n"
    (a, _) = load_datasets(MANIFEST, data_file=tmp_path / "link.csv", env={})
    assert (a.source, a.ages_gyr.tolist()) == ("real.csv", [1.0, 3.0])


def test_build_check_on_a_link_loop_prints_one_line(tmp_path):
    (tmp_path / "a.csv").symlink_to("a.csv")
    done = run_build("--data", str(tmp_path / "a.csv"), "--check", env={**os.environ, "KDE_REPORT_DATA_DIR": ""})
    assert done.returncode == 1
    assert done.stderr.strip().splitlines()[-1] == (
        f"build failed in stage 'load': {tmp_path / 'a.csv'}: the symbolic links loop "
        f"({tmp_path / 'a.csv'} -> a.csv); expected a link that ends at a file"
    )
    assert "Traceback" not in done.stderr
