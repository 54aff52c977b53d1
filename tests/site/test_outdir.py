"""publish.outdir: what --out may name, checked before any work."""

import os
from pathlib import Path
import re

import pytest

from analysis.errors import ConfigError
from publish.site import outdir
from publish.site import MARKER, check_output, is_site, write_marker

PROTECTED = ("analysis", "publish", "tests", ".git")


@pytest.fixture
def project(tmp_path, monkeypatch) -> Path:
    """A project folder inside a home folder, the working folder being the project."""
    home = tmp_path / "home"
    root = home / "work" / "project"
    for name in PROTECTED:
        (root / name).mkdir(parents=True)
    (root / "analysis" / "kernel.py").write_text("X = 1\n")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.chdir(root)
    return root


def _check(out: Path | str, root: Path) -> Path:
    return check_output(Path(out), root=root, protected=PROTECTED)


@pytest.mark.parametrize(
    ("given", "reason"),
    [
        ("/", "is the root of the file system"),
        ("~", "is your home folder or holds it"),
        ("{home}/..", "is your home folder or holds it"),
        (".", "is the project folder or holds it"),
        ("..", "is the project folder or holds it"),
        ("{root}/../project", "is the project folder or holds it"),
        ("analysis", "is inside the project's own analysis/ folder"),
        ("tests/site", "is inside the project's own tests/ folder"),
        (".git", "is inside the project's own .git/ folder"),
    ],
)
def test_places_that_hold_what_is_not_ours_are_refused(project, given, reason):
    out = given.format(home=project.parent.parent, root=project)
    with pytest.raises(ConfigError, match=rf"^--out {re.escape(out)}( \(/.*\))?: {reason}, .*; choose "):
        _check(out, project)


def test_a_symlink_to_the_project_is_refused_by_where_it_leads(project, tmp_path):
    link = tmp_path / "link"
    link.symlink_to(project)
    with pytest.raises(ConfigError, match=rf"^--out {link} \({project}\): is the project folder"):
        _check(link, project)


def test_a_file_is_refused_and_kept(project, tmp_path):
    thesis = tmp_path / "thesis.tex"
    thesis.write_text("\\chapter{One}")
    with pytest.raises(ConfigError, match="exists and is not a folder; remove it or choose"):
        _check(thesis, project)
    with pytest.raises(ConfigError, match=r"thesis\.tex is not a folder"):
        _check(thesis / "site", project)
    assert thesis.read_text() == "\\chapter{One}"


@pytest.mark.parametrize("content", ["chapter1.tex", ".git/HEAD", "index.html"])
def test_a_folder_with_files_but_no_marker_is_refused(project, tmp_path, content):
    folder = tmp_path / "thesis"
    (folder / content).parent.mkdir(parents=True, exist_ok=True)
    (folder / content).write_text("mine")
    with pytest.raises(ConfigError, match=rf"holds files but is not a site this report built \(it has no {MARKER}"):
        _check(folder, project)


def test_new_empty_and_our_folders_are_accepted_as_real_paths(project, tmp_path):
    assert _check("_site", project) == project / "_site"
    assert _check(tmp_path / "new" / "deeper", project) == tmp_path / "new" / "deeper"
    (tmp_path / "empty").mkdir()
    assert _check(tmp_path / "empty", project) == tmp_path / "empty"
    ours = tmp_path / "ours"
    ours.mkdir()
    (ours / "index.html").write_text("<html>")
    write_marker(ours)
    assert is_site(ours) and _check(ours, project) == ours
    (tmp_path / "link").symlink_to(ours)
    assert _check(tmp_path / "link", project) == ours


def test_a_site_from_before_the_marker_is_known_by_its_build_key(tmp_path):
    site = tmp_path / "site"
    site.mkdir()
    (site / ".build-key").write_text("ab" * 32 + "\n")
    assert is_site(site)
    (site / ".build-key").write_text("my build notes\n")
    assert not is_site(site)


def test_a_parent_that_cannot_be_written_is_refused(project, tmp_path, monkeypatch):
    # Root ignores permissions, so chmod cannot show it here: the check asks os.access.
    locked = tmp_path / "locked"
    locked.mkdir()
    real_access = os.access
    monkeypatch.setattr(os, "access", lambda path, mode: Path(path) != locked and real_access(path, mode))
    with pytest.raises(ConfigError, match=rf"cannot create or replace folders in {locked} \(not writable\)"):
        _check(locked / "new" / "site", project)


def test_a_mount_point_is_refused(project, tmp_path, monkeypatch):
    (tmp_path / "usb").mkdir()
    monkeypatch.setattr(outdir.os.path, "ismount", lambda path: Path(path) == tmp_path / "usb")
    with pytest.raises(ConfigError, match="is a mount point, which cannot be replaced by a rename"):
        _check(tmp_path / "usb", project)
