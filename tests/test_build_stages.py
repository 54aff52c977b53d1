"""build.py's stages when something goes wrong: --out checked before any work, every failure one line.

The builds run in this process (``build.main``), so that a failure can be
injected into any stage, with the cache and the mirrored pages in temporary
folders. One small site is built first (a data file named ``results.json``,
HTML only); every failing build must leave it byte-identical.
"""

import errno
import os
from pathlib import Path
import re

from bs4 import BeautifulSoup
import numpy as np
import pytest

import build
from publish.site import outdir, tempdirs

ROOT = Path(__file__).resolve().parent.parent
EIO = os.strerror(errno.EIO)
FAILURES = {
    "OSError": (OSError(errno.EIO, EIO, "/data/disk/file.svg"), f"/data/disk/file.svg: {EIO}"),
    "MemoryError": (MemoryError(), "out of memory"),
    "ValueError": (
        ValueError("boom"),
        "internal error (ValueError: boom); this is a bug, please report it; run with --traceback to see where",
    ),
}


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    """A data file named like a generated download, and the build's cache and mirror in temporary folders."""
    folder = tmp_path_factory.mktemp("build-stages")
    ages = np.random.default_rng(7).gamma([6.0, 8.0], 1.4, size=(40, 2)).round(2)
    data = folder / "results.json"
    data.write_text("young old\n" + "".join(f"{a} {b}\n" for a, b in ages), encoding="utf-8")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(build, "ARTEFACT_CACHE", folder / "cache")
        patch.setattr(build, "GENERATED", folder / "generated")
        yield folder, data


def _main(data: Path, out: Path, *more: str) -> int:
    return build.main(
        ["--engine", "pandoc", "--format", "html", "--data", str(data), "--out", str(out), "--quiet", *more]
    )


@pytest.fixture(scope="module")
def built(project):
    """The site, built once."""
    folder, data = project
    out = folder / "out" / "site"
    assert _main(data, out) == 0
    return out


@pytest.fixture
def site(built):
    """The site with a stale build key, so that the next build runs every stage."""
    (built / ".build-key").write_text("0" * 64 + "\n")
    return built


def _one_line(capsys) -> str:
    err = capsys.readouterr().err
    assert "Traceback" not in err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    return lines[0]


def test_an_input_named_results_json_is_offered_beside_the_results(site, project):
    _, data = project
    assert (site / "downloads" / "input" / "results.json").read_bytes() == data.read_bytes()
    assert "datasets" in (site / "downloads" / "results.json").read_text()
    page = BeautifulSoup((site / "data.html").read_text(encoding="utf-8"), "html.parser")
    copy = page.find("td", string="Copy in this site").find_next_sibling("td").find("a")
    assert copy["href"] == "downloads/input/results.json"


@pytest.mark.parametrize("failure", FAILURES)
@pytest.mark.parametrize("stage", [name for name, _ in build.STAGES])
def test_a_failure_in_any_stage_is_one_line_and_keeps_the_site(site, project, monkeypatch, capsys, stage, failure):
    _, data = project
    error, message = FAILURES[failure]

    def failing(b):
        raise error

    monkeypatch.setattr(build, "STAGES", tuple((n, failing if n == stage else f) for n, f in build.STAGES))
    before = _snapshot(site)
    capsys.readouterr()
    assert _main(data, site) == 1
    assert _one_line(capsys) == f"build failed in stage '{stage}': {message}"
    assert _snapshot(site) == before
    assert sorted(p.name for p in site.parent.iterdir()) == ["site"]  # no stage left behind


def test_ctrl_c_in_a_stage_is_one_line_and_keeps_the_site(site, project, monkeypatch, capsys):
    _, data = project

    def interrupted(b):
        raise KeyboardInterrupt

    monkeypatch.setattr(build, "STAGES", tuple((n, interrupted if n == "engine" else f) for n, f in build.STAGES))
    before = _snapshot(site)
    capsys.readouterr()
    assert _main(data, site) == 130
    assert _one_line(capsys) == "build failed in stage 'engine': interrupted"
    assert _snapshot(site) == before
    assert sorted(p.name for p in site.parent.iterdir()) == ["site"]


def test_traceback_shows_where_a_bug_came_from(site, project, monkeypatch):
    _, data = project

    def buggy(b):
        raise ValueError("boom")

    monkeypatch.setattr(build, "STAGES", (("configure", buggy),))
    with pytest.raises(ValueError, match="boom"):
        _main(data, site, "--traceback")


def test_a_full_disk_while_writing_pages_is_one_line(site, project, monkeypatch, capsys):
    _, data = project
    real_write_text = Path.write_text

    def full_disk(self, *args, **kwargs):
        if self.suffix == ".qmd":
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))  # as a write() reports it: no file name
        return real_write_text(self, *args, **kwargs)

    monkeypatch.setattr(Path, "write_text", full_disk)
    before = _snapshot(site)
    capsys.readouterr()
    assert _main(data, site) == 1
    assert _one_line(capsys) == (
        "build failed in stage 'render': No space left on device; free some space and build again"
    )
    assert _snapshot(site) == before


def test_an_out_whose_parent_cannot_be_written_is_refused_before_any_work(project, tmp_path, monkeypatch, capsys):
    # Root ignores permissions, so chmod 555 would not stop this test's writes: os.access decides instead.
    locked = tmp_path / "read-only"
    locked.mkdir()
    real_access = os.access
    monkeypatch.setattr(os, "access", lambda path, mode: Path(path) != locked and real_access(path, mode))
    capsys.readouterr()
    assert build.main(["--data", str(tmp_path / "absent.dat"), "--out", str(locked / "site"), "--quiet"]) == 2
    assert _one_line(capsys) == (
        f"build failed in stage 'configure': --out {locked / 'site'}: cannot create or replace folders in {locked} "
        "(not writable); choose a folder you can write to"
    )
    assert list(locked.iterdir()) == []


@pytest.mark.parametrize(
    ("out", "reason"),
    [
        ("/", "is the root of the file system"),
        ("~", "is your home folder or holds it"),
        (str(ROOT), "is the project folder or holds it"),
        (str(ROOT / ".."), "is the project folder or holds it"),
        (str(ROOT / "analysis"), "is inside the project's own analysis/ folder"),
        ("{tmp}/link-to-project", "is the project folder or holds it"),
        ("{tmp}/thesis", "holds files but is not a site this report built"),
        ("{tmp}/thesis/chapter1.tex", "exists and is not a folder"),
    ],
)
def test_an_out_that_is_not_ours_to_replace_is_refused_before_any_work(tmp_path, capsys, out, reason):
    thesis = tmp_path / "thesis"
    (thesis / ".git").mkdir(parents=True)
    (thesis / "chapter1.tex").write_text("\\chapter{One}")
    (tmp_path / "link-to-project").symlink_to(ROOT)
    before = _snapshot(thesis)
    out = os.path.expanduser(out.format(tmp=tmp_path))
    capsys.readouterr()
    # A data file that does not exist: the refusal must come before the data is looked for.
    assert build.main(["--data", str(tmp_path / "absent.dat"), "--out", out, "--quiet"]) == 2
    line = _one_line(capsys)
    assert re.match(rf"build failed in stage 'configure': --out {re.escape(out)}( \(.*\))?: {reason}", line), line
    assert _snapshot(thesis) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["link-to-project", "thesis"]


def test_a_bandwidth_that_would_overflow_is_refused_naming_the_option(site, project, capsys):
    _, data = project
    capsys.readouterr()
    assert _main(data, site, "--bandwidths", "1e-300") == 2
    assert _one_line(capsys) == (
        "build failed in stage 'configure': --bandwidths: expected a positive number of Gyr between 0.0001 and 1000, "
        "got 1e-300"
    )


def test_a_negative_seed_names_the_option(site, project, capsys):
    _, data = project
    capsys.readouterr()
    assert _main(data, site, "--seed", "-1") == 2
    assert _one_line(capsys) == "build failed in stage 'configure': --seed: expected a whole number >= 0, got -1"


def test_the_next_build_removes_what_killed_builds_left(site, project, capsys):
    folder, data = project
    stage = tempdirs.create(f".{site.name}-stage-", site.parent)
    entry = tempdirs.create(".entry-", folder / "cache")
    running = tempdirs.create(f".{site.name}-stage-", site.parent)
    for dead in (stage, entry):
        (dead / "index.html").write_text("half a site")
        tempdirs.release(dead)  # as if their builds had been killed
    assert _main(data, site) == 0
    assert not stage.exists() and not entry.exists()
    assert running.is_dir()  # a build still running keeps its stage
    tempdirs.remove(running)
    assert outdir.is_site(site)
