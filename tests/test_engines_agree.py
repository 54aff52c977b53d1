"""Both engines, one report: the Quarto site (the published one) and the pandoc site say the same.

Each page's main text is compared number by number, its links and figures
file by file, and the two PDFs by their outlines (sections, in order, at the
same levels) and their text's numbers.
"""

from collections import Counter
from pathlib import Path
import re

from bs4 import BeautifulSoup
import pypdf
import pytest

from tests.test_report_pdf import outline

#: A number as a reader sees it: optional sign (hyphen or minus), digits, decimals.
NUMBER = re.compile(r"[-−]?\d+(?:\.\d+)?")


@pytest.fixture(scope="module")
def sites(built_site, quarto_site) -> dict[str, Path]:
    return {"pandoc": built_site, "quarto": quarto_site}


def _main(page: Path) -> BeautifulSoup:
    main = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser").find("main")
    assert main is not None, f"{page}: no <main>"
    # TeX sources of MathML, the explorer's data, and the one thing that differs: the engine's version.
    for hidden in main.select("annotation, script, style, .engine-version"):
        hidden.decompose()
    return main


def _engine_version(site: Path) -> str:
    """What the Methods page says the engine was (e.g. "quarto 1.10.18")."""
    soup = BeautifulSoup((site / "methods.html").read_text(encoding="utf-8"), "html.parser")
    return " ".join(soup.select_one(".engine-version").get_text().split())


def _files(site: Path, pattern: str) -> set[str]:
    return {p.relative_to(site).as_posix() for p in site.glob(pattern) if p.is_file()}


def test_same_pages_figures_and_downloads(sites):
    pandoc, quarto = sites["pandoc"], sites["quarto"]
    for pattern in ("*.html", "figures/*", "downloads/**/*", "assets/*.js", "*.pdf"):
        assert _files(pandoc, pattern) == _files(quarto, pattern), pattern
    for name in _files(pandoc, "figures/*") | _files(pandoc, "downloads/**/*"):
        assert (pandoc / name).read_bytes() == (quarto / name).read_bytes(), name


@pytest.mark.parametrize(
    "page",
    ["index", "dataset-joyce", "dataset-bensby", "bandwidth", "generative", "comparison", "methods", "data"],
)
def test_each_page_states_the_same_numbers_and_links(sites, page):
    mains = {engine: _main(site / f"{page}.html") for engine, site in sites.items()}
    numbers = {engine: Counter(NUMBER.findall(main.get_text(" ").replace("\u2212", "-"))) for engine, main in mains.items()}
    # Both number figures and tables ("Figure 3", "Table 2") and cite the same references.
    only_pandoc, only_quarto = numbers["pandoc"] - numbers["quarto"], numbers["quarto"] - numbers["pandoc"]
    assert not only_pandoc and not only_quarto, f"{page}: only pandoc {only_pandoc}; only Quarto {only_quarto}"
    links = {
        engine: sorted(
            a["href"].removeprefix("./") for a in main.find_all("a", href=True) if not a["href"].startswith("#")
        )
        for engine, main in mains.items()
    }
    assert links["pandoc"] == links["quarto"], page
    images = {engine: sorted(img["src"].removeprefix("./") for img in main.find_all("img")) for engine, main in mains.items()}
    assert images["pandoc"] == images["quarto"], page


def test_pdfs_have_the_same_outline_and_numbers(sites):
    readers = {engine: pypdf.PdfReader(site / "report.pdf") for engine, site in sites.items()}
    outlines = {engine: [(level, title) for level, title, _ in outline(r)] for engine, r in readers.items()}
    assert outlines["pandoc"] == outlines["quarto"]
    assert len(outlines["pandoc"]) > 30
    texts = {
        engine: " ".join(" ".join(page.extract_text().split()) for page in r.pages).replace(
            _engine_version(sites[engine]), ""
        )
        for engine, r in readers.items()
    }
    numbers = {engine: Counter(NUMBER.findall(text.replace("\u2212", "-"))) for engine, text in texts.items()}
    assert numbers["pandoc"] == numbers["quarto"]
    assert len(readers["pandoc"].pages) == len(readers["quarto"].pages)
