"""report.pdf as a collaborator reads it, from each engine: title page, contents, chapters, references.

The PDF is read with pypdf (text, outline, links, page size) and rendered with
poppler's ``pdftoppm`` to measure how full each page is.
"""

from pathlib import Path
import re
import shutil
import subprocess

import numpy as np
from PIL import Image
import pypdf
import pytest

from publish.project import MARGIN_CM, PAPER_CM
from tests.support import require

#: The chapters of the default report, in order: the site's pages.
CHAPTERS = [
    "Overview", "Joyce et al. (2023)", "Bensby et al. (2017)", "Bandwidth", "Generative models",
    "Comparison", "Methods", "Data",
]  # fmt: skip
#: A page less full than this (fraction of the text area's height) must end a chapter.
MIN_FULLNESS = 1 / 3


def _reader(site: Path) -> pypdf.PdfReader:
    return pypdf.PdfReader(site / "report.pdf")


def _text(page: pypdf.PageObject) -> str:
    return " ".join(page.extract_text().split())


def outline(reader: pypdf.PdfReader) -> list[tuple[int, str, int]]:
    """(level, title, 0-based page) of every bookmark, depth first."""
    found: list[tuple[int, str, int]] = []

    def walk(items, level: int) -> None:
        for item in items:
            if isinstance(item, list):
                walk(item, level + 1)
            else:
                found.append((level, item.title, reader.get_destination_page_number(item)))

    walk(reader.outline, 1)
    return found


def fullness(pdf: Path, tmp_path: Path) -> list[float]:
    """How far down each page's text area the lowest ink reaches (0 empty, 1 full), the page number ignored."""
    require(shutil.which("pdftoppm") is not None, "poppler's pdftoppm is not installed")
    subprocess.run(["pdftoppm", "-r", "30", "-gray", str(pdf), str(tmp_path / "page")], check=True)
    width_cm, height_cm = PAPER_CM["a4"]
    _, top_cm, bottom_cm = MARGIN_CM
    result = []
    for png in sorted(tmp_path.glob("page-*.pgm")):
        ink = np.asarray(Image.open(png)) < 160
        rows = np.flatnonzero(ink.any(axis=1))
        scale = ink.shape[0] / height_cm
        top, bottom = top_cm * scale, ink.shape[0] - bottom_cm * scale
        inside = rows[(rows >= top - 2) & (rows <= bottom)]
        result.append(0.0 if inside.size == 0 else float((inside.max() - top) / (bottom - top)))
    return result


def test_a4_with_10_to_40_pages_numbered_after_the_front_matter(built):
    reader = _reader(built.site)
    assert 10 <= len(reader.pages) <= 40
    for page in reader.pages:
        assert [round(float(v)) for v in page.mediabox[2:]] == [595, 842]  # a4 in points
    footers = [_text(page).split()[-1] for page in reader.pages[2:6]]
    assert footers == ["1", "2", "3", "4"]  # the title and contents pages carry no number


def test_title_page_names_the_data_version_commit_and_date(built):
    reader = _reader(built.site)
    title = _text(reader.pages[0])
    assert title.startswith("Stellar ages: histograms, kernel density estimates and generative models")
    assert reader.metadata.title == "Stellar ages: histograms, kernel density estimates and generative models"
    version = re.search(r'^version = "(.+)"$', (Path(__file__).parents[1] / "pyproject.toml").read_text(), re.M)[1]
    assert f"version {version}" in title
    assert "stellar_ages.dat (M. Joyce 2022), MIT licence, (c) 2022 M. Joyce, SHA-256 f150cadef67543fc" in title
    assert "Joyce et al. (2023) (91 stars, Joyce et al. 2023)" in title
    assert "Bensby et al. (2017) (91 stars, Bensby et al. 2017)" in title
    assert f"by the {built.engine} engine" in title and "root seed 20230301" in title
    build = re.search(r"Build\. (Built from commit [0-9a-f]{7}|Built outside a git checkout)", title)
    assert build, title


def test_contents_page_and_numbered_chapters_in_the_outline(built):
    reader = _reader(built.site)
    assert _text(reader.pages[1]).startswith("Contents 1 Overview")
    chapters = [(title, page) for level, title, page in outline(reader) if level == 1]
    assert [title for title, _ in chapters] == [f"{i} {name}" for i, name in enumerate(CHAPTERS, 1)] + ["References"]
    assert chapters[0][1] == 2  # after the title and contents pages
    for title, page in chapters:
        assert _text(reader.pages[page]).startswith(title), f"chapter {title!r} does not open page {page + 1}"
    sections = [title for level, title, _ in outline(reader) if level == 2]
    assert "2.1 The lecture's steps" in sections and "8.1 Sources" in sections


def test_figures_and_tables_are_numbered_with_captions(built):
    text = " ".join(_text(page) for page in _reader(built.site).pages)
    figures = [int(n) for n in re.findall(r"Figure (\d+): ", text)]
    tables = [int(n) for n in re.findall(r"Table (\d+): ", text)]
    assert figures == list(range(1, len(figures) + 1)) and len(figures) == 15
    assert tables == list(range(1, len(tables) + 1)) and len(tables) >= 20
    assert "Table 1: Every data set at a glance" in text
    assert re.search(r"Figure 1: Each data set's ages \(bars\)", text)


def test_no_nearly_empty_page_except_before_a_chapter_break(built, tmp_path):
    reader = _reader(built.site)
    starts = {page for level, _, page in outline(reader) if level == 1}
    full = fullness(built.site / "report.pdf", tmp_path)
    assert len(full) == len(reader.pages)
    short = [
        (i + 1, round(f, 2))
        for i, f in enumerate(full)
        if f < MIN_FULLNESS and i + 1 not in starts and i + 1 < len(full) and i >= 2
    ]
    assert short == [], f"pages less than a third full in the middle of a chapter (page, fullness): {short}"
    assert all(f > 0.05 for f in full[2:]), "an empty page"


def test_references_list_the_manifest_citations_with_their_links(built):
    reader = _reader(built.site)
    last = _text(reader.pages[-1])
    assert last.startswith("References")
    assert "Joyce et al. 2023. ApJ 946: 31. https://doi.org/10.3847/1538-4357/acb692." in last
    assert "Bensby et al. 2017. A&A 605: A89. https://doi.org/10.1051/0004-6361/201730560." in last
    assert "M. Joyce. 2022. “KDE_exercise, GitHub repository mjoyceGR/KDE_exercise, commit 03f94c2.”" in last


def _link_targets(reader: pypdf.PdfReader) -> list[str]:
    targets = []
    for page in reader.pages:
        for annotation in page.get("/Annots") or []:
            action = annotation.get_object().get("/A")
            if action is not None and "/URI" in action:
                targets.append(str(action["/URI"]))
    return targets


def test_every_link_is_safe_and_every_local_one_resolves_in_the_site(built):
    targets = _link_targets(_reader(built.site))
    assert targets, "the PDF has no links"
    for target in targets:
        scheme = re.match(r"^([a-zA-Z][a-zA-Z0-9+.-]*):", target)
        if scheme:
            assert scheme[1].lower() in ("http", "https", "mailto"), target
        else:
            assert (built.site / target.partition("#")[0]).is_file(), f"the PDF links {target!r}, not in the site"
    assert "bandwidth.html#explore-the-bandwidth" in targets  # the explorer, which the PDF cannot hold
    assert "https://doi.org/10.3847/1538-4357/acb692" in targets


@pytest.mark.parametrize("page", [0, 1])
def test_front_matter_pages_are_not_blank(built, page, tmp_path):
    assert fullness(built.site / "report.pdf", tmp_path)[page] > 0.1
