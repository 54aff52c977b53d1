"""publish.site: staging and the atomic swap of the built site into place."""

import os
from pathlib import Path
import subprocess
import sys

import pypandoc
import pytest
import yaml

from analysis.errors import ReportError
from publish.site import swap, tempdirs
from publish.site import MARKER, is_site
from publish.project import Page
from publish.site import make_stage, publish, remove_leftovers, remove_stage, staged_quarto, write_staged_quarto

ROOT = Path(__file__).resolve().parents[2]
linux_only = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the exchange is Linux's renameat2")


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _site(folder: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text, encoding="utf-8")
    return folder


@pytest.fixture
def without_exchange(monkeypatch):
    """A system without renameat2's exchange: publishing falls back to two renames."""
    monkeypatch.setattr(swap, "_system_exchanger", lambda: None)


def test_stage_is_a_new_folder_beside_the_output(tmp_path):
    out = tmp_path / "site"
    first, second = make_stage(out), make_stage(out)
    assert first.parent == second.parent == tmp_path
    assert first != second and first.is_dir()
    assert [p.name for p in first.iterdir()] == [tempdirs.LOCK_NAME]  # nothing but its owner's lock
    remove_stage(first)
    assert not first.exists() and second.exists()
    remove_stage(second)


@pytest.mark.parametrize("exchange", [pytest.param(True, marks=linux_only), False])
def test_publish_replaces_the_old_site_and_leaves_nothing_behind(tmp_path, monkeypatch, exchange):
    if not exchange:
        monkeypatch.setattr(swap, "_system_exchanger", lambda: None)
    out = _site(tmp_path / "site", {"index.html": "old", "stale.html": "gone"})
    stage = make_stage(out)
    built = _site(stage / "_site", {"index.html": "new", "figures/a.svg": "<svg/>"})
    publish(built, out)
    assert _snapshot(out) == {"index.html": b"new", "figures/a.svg": b"<svg/>", MARKER: (out / MARKER).read_bytes()}
    assert is_site(out)
    remove_stage(stage)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]


def test_publish_into_a_new_output(tmp_path):
    out = tmp_path / "deeper" / "site"
    stage = make_stage(out)
    publish(_site(stage / "_site", {"index.html": "new"}), out)
    assert _snapshot(out).keys() == {"index.html", MARKER}
    remove_stage(stage)


@linux_only
def test_with_the_exchange_the_output_exists_at_every_moment(tmp_path, monkeypatch):
    out = _site(tmp_path / "site", {"index.html": "old"})
    stage = make_stage(out)
    built = _site(stage / "_site", {"index.html": "new"})
    seen = []
    real_exchange = swap.exchange

    def watched_exchange(a, b):
        seen.append(out.is_dir())
        done = real_exchange(a, b)
        seen.append(out.is_dir())
        return done

    def two_step_rename(*args):
        raise AssertionError("os.replace/os.rename used: the output would be missing between two renames")

    monkeypatch.setattr(swap, "exchange", watched_exchange)
    monkeypatch.setattr(os, "replace", two_step_rename)
    monkeypatch.setattr(os, "rename", two_step_rename)
    publish(built, out)
    assert seen == [True, True]  # one call, the output there before and after it
    assert (out / "index.html").read_text() == "new"
    remove_stage(stage)


def test_a_crash_between_the_two_renames_keeps_the_old_site_and_the_next_build_puts_it_back(tmp_path):
    out = _site(tmp_path / "site", {"index.html": "old", "report.pdf": "%PDF old"})
    before = _snapshot(out)
    # The build dies (SIGKILL) right after parking the old site, before renaming the new one in.
    code = f"""
import os, signal
from pathlib import Path
from publish import site
from publish.site import swap
swap._system_exchanger = lambda: None
real_replace, calls = os.replace, []
def crashing_replace(src, dst):
    calls.append(src)
    if len(calls) == 2:
        os.kill(os.getpid(), signal.SIGKILL)
    real_replace(src, dst)
os.replace = crashing_replace
out = Path({str(out)!r})
stage = site.make_stage(out)
(stage / "_site").mkdir()
(stage / "_site" / "index.html").write_text("new")
site.publish(stage / "_site", out)
"""
    crashed = subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=False)
    assert crashed.returncode == -9
    assert not out.exists()
    (parked,) = tmp_path.glob(".site-old-*/site")
    assert _snapshot(parked) == before  # the previous site is still there, whole

    removed = remove_leftovers(out)
    assert _snapshot(out) == before
    # The folder the old site was parked in, and the dead build's stage.
    assert sorted(p.name.rsplit("-", 1)[0] for p in removed) == [".site-old", ".site-stage"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]


def test_leftovers_of_a_running_build_are_kept(tmp_path):
    out = _site(tmp_path / "site", {"index.html": "old"})
    stage = make_stage(out)
    assert remove_leftovers(out) == [] and stage.is_dir()
    tempdirs.release(stage)  # as if its build had been killed
    assert remove_leftovers(out) == [stage]


def test_failed_swap_leaves_the_old_site_byte_identical(tmp_path, monkeypatch, without_exchange):
    out = _site(tmp_path / "site", {"index.html": "old", "report.pdf": "%PDF old"})
    before = _snapshot(out)
    stage = make_stage(out)
    built = _site(stage / "_site", {"index.html": "new"})
    real_replace = os.replace

    def failing_replace(src, dst):
        if Path(src) == built:
            raise OSError(28, "No space left on device")
        return real_replace(src, dst)

    monkeypatch.setattr(os, "replace", failing_replace)
    with pytest.raises(ReportError, match=r"site: cannot publish the new site: No space left on device"):
        publish(built, out)
    assert _snapshot(out) == before
    # Only the site and the stage remain: nothing parked aside is left over.
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["site", stage.name])


def test_output_that_is_a_file_is_refused(tmp_path):
    out = tmp_path / "site"
    out.write_text("not a folder", encoding="utf-8")
    stage = make_stage(out)
    with pytest.raises(ReportError, match="exists and is not a folder"):
        publish(_site(stage / "_site", {"index.html": "new"}), out)
    assert out.read_text(encoding="utf-8") == "not a folder"


PAGES = (Page("index.qmd", "Overview"), Page("dataset-joyce.qmd", "Joyce et al. (2023)"))


def test_staged_quarto_merges_the_navigation_and_render_list():
    root = {"project": {"type": "website", "output-dir": "_site"}, "website": {"title": "T", "navbar": {"left": []}}}
    staged = staged_quarto(root, (*PAGES, Page("report.qmd", "Report")), ("html", "pdf"))
    # One `quarto render` writes the pages and the PDF (report.qmd) into _site.
    assert staged["project"] == {
        "type": "website", "output-dir": "_site", "render": ["index.qmd", "dataset-joyce.qmd", "report.qmd"],
    }  # fmt: skip
    assert staged["website"]["navbar"]["left"] == [
        {"href": "index.qmd", "text": "Overview"},
        {"href": "dataset-joyce.qmd", "text": r"Joyce et al\. \(2023\)"},
        {"href": "report.pdf", "text": "PDF"},
    ]
    assert root["website"]["navbar"]["left"] == []  # the root settings are not modified
    html_only = staged_quarto(root, PAGES, ("html",))
    assert [item["text"] for item in html_only["website"]["navbar"]["left"]] == ["Overview", r"Joyce et al\. \(2023\)"]
    assert html_only["project"]["render"] == ["index.qmd", "dataset-joyce.qmd"]
    assert staged_quarto(root, PAGES, ("pdf",))["project"]["render"] == ["report.qmd"]


def test_staged_quarto_moves_the_pdf_options_out_of_the_project():
    # At project level, `format: typst` would make Quarto render every page to a PDF of its own.
    root = {"format": {"html": {"toc": True}, "typst": {"papersize": "a4"}}}
    assert staged_quarto(root, PAGES, ("html", "pdf"))["format"] == {"html": {"toc": True}}
    assert root["format"]["typst"] == {"papersize": "a4"}


def test_staged_quarto_navigation_text_is_literal_markdown():
    # Quarto reads navbar text as markdown and expands shortcodes in it (a column header can be a title).
    hostile = Page("dataset-x.qmd", "{{< include /etc/passwd >}} <script>x</script>")
    text = staged_quarto({}, (hostile,), ("html",))["website"]["navbar"]["left"][0]["text"]
    assert "{{" not in text and "<" not in text
    assert pypandoc.convert_text(text, "plain", format="markdown").strip() == hostile.title


def test_staged_quarto_file_round_trips(tmp_path):
    settings = staged_quarto({"website": {"title": "Stellar Age KDE Report"}}, PAGES, ("html", "pdf"))
    path = write_staged_quarto(tmp_path, settings)
    assert yaml.safe_load(path.read_text(encoding="utf-8")) == settings
