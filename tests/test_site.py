"""publish.site: staging and the atomic swap of the built site into place."""

import os
from pathlib import Path

import pypandoc
import pytest
import yaml

from analysis.errors import ReportError
from publish.render import Page
from publish.site import make_stage, publish, remove_stage, staged_quarto, write_staged_quarto


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _site(folder: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def test_stage_is_a_new_folder_beside_the_output(tmp_path):
    out = tmp_path / "site"
    first, second = make_stage(out), make_stage(out)
    assert first.parent == second.parent == tmp_path
    assert first != second and first.is_dir() and not any(first.iterdir())
    remove_stage(first)
    assert not first.exists() and second.exists()


def test_publish_replaces_the_old_site_and_leaves_nothing_behind(tmp_path):
    out = _site(tmp_path / "site", {"index.html": "old", "stale.html": "gone"})
    stage = make_stage(out)
    built = _site(stage / "_site", {"index.html": "new", "figures/a.svg": "<svg/>"})
    publish(built, out)
    assert _snapshot(out) == {"index.html": b"new", "figures/a.svg": b"<svg/>"}
    remove_stage(stage)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]


def test_publish_into_a_new_output(tmp_path):
    out = tmp_path / "deeper" / "site"
    stage = make_stage(out)
    publish(_site(stage / "_site", {"index.html": "new"}), out)
    assert _snapshot(out) == {"index.html": b"new"}


def test_failed_swap_leaves_the_old_site_byte_identical(tmp_path, monkeypatch):
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
