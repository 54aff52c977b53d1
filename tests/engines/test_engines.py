"""publish.engines: Quarto command lines, engine choice, the pandoc engine's HTML and PDF."""

import logging
from pathlib import Path
import re
import struct
import sys
from types import SimpleNamespace
import zlib

from bs4 import BeautifulSoup
import pypdf
import pytest
import yaml

from analysis.errors import EngineError
from analysis.errors import ConfigError
from publish.engines import PandocEngine, QuartoEngine, error_summary, find_quarto, run, select_engine
from publish.project import SiteSpec, site_spec
from publish.project import Page
from publish.site import staged_quarto, write_staged_quarto
from tests.support import require

ROOT = Path(__file__).resolve().parents[2]
SITE = SiteSpec(title="Stellar Age KDE Report")
PAGES = (Page("index.qmd", "Overview"), Page("joyce.qmd", "Joyce et al. (2023)"))

INDEX = """---
title: "Overview"
---

# Ages {#sec-ages}

The mean is $\\mu = 10.83$ Gyr; see @fig-hist and @tbl-summary, and [the lecture](https://example.org/kde).

![Histogram of the ages of 91 stars](figures/hist.svg){#fig-hist fig-alt="Bars rising to a peak near 11 Gyr"}

| Data set | n |
|----------|---|
| Joyce    | 91 |

: Summary of the data sets {#tbl-summary}

::: {.callout-note}
## Heavy ties
Many ages repeat exactly.
:::

::: {.callout-warning title="Older than the Universe"}
Two ages exceed 13.8 Gyr.
:::

```{=html}
<div id="explorer-root">interactive explorer</div>
```
"""

JOYCE = """---
title: "Joyce et al. (2023)"
---

# Fit {#sec-fit}

Gaussian $\\sigma = 3.43$ Gyr.
"""

REPORT = """---
format:
  typst:
    citeproc: true
---

```{=typst}
#set document(title: "Stellar ages report", date: none)
#set page(paper: "a4", numbering: "1")
#set heading(numbering: "1.1")
```

# Ages {#sec-ages}

See @fig-hist and @tbl-summary.

![Histogram of the ages of 91 stars](figures/hist.png){#fig-hist fig-alt="Bars rising to a peak near 11 Gyr"}

| Data set | n |
|----------|---|
| Joyce    | 91 |

: Summary of the data sets {#tbl-summary}

::: {.callout-note}
## Heavy ties
Many ages repeat exactly.
:::

{{< pagebreak >}}

# Fit {#sec-fit}

As @sec-ages shows, $\\sigma = 3.43$ Gyr.

```{=html}
<div id="explorer-root">interactive explorer</div>
```
"""


def _png(width: int, height: int) -> bytes:
    """A grey RGB PNG written by hand (PNG spec, ISO/IEC 15948)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(b"\x00" + b"\x80\x80\x80" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


def make_stage(folder: Path, *, index: str = INDEX) -> Path:
    """A tiny staged project as build.py lays it out."""
    (folder / "figures").mkdir(parents=True)
    (folder / "assets").mkdir()
    (folder / "downloads").mkdir()
    (folder / "figures" / "hist.svg").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10"/></svg>'
    )
    (folder / "figures" / "hist.png").write_bytes(_png(40, 30))
    (folder / "assets" / "styles.css").write_text("body { margin: 0; }\n")
    (folder / "downloads" / "results.json").write_text("{}\n")
    (folder / "index.qmd").write_text(index, encoding="utf-8")
    (folder / "joyce.qmd").write_text(JOYCE, encoding="utf-8")
    (folder / "report.qmd").write_text(REPORT, encoding="utf-8")
    return folder


def _pandoc() -> PandocEngine:
    return select_engine("pandoc")


@pytest.fixture(scope="module")
def rendered(tmp_path_factory) -> Path:
    stage = make_stage(tmp_path_factory.mktemp("stage"))
    return _pandoc().render(stage, PAGES, ("html", "pdf"), SITE)


def _soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


# --- Quarto -------------------------------------------------------------------------------------


FAKE_QUARTO = """#!{python}
import pathlib, sys
stage = pathlib.Path(sys.argv[2])
(stage / "argv.txt").write_text(" ".join(sys.argv[1:]))
out = stage / "_site"
out.mkdir()
for name in {written!r}:
    (out / name).write_text("written by the fake quarto")
"""


def _fake_quarto(folder: Path, written: tuple[str, ...]) -> QuartoEngine:
    """A stand-in ``quarto`` that records its command line and writes ``written`` into ``_site``."""
    executable = folder / "quarto"
    executable.write_text(FAKE_QUARTO.format(python=sys.executable, written=written))
    executable.chmod(0o755)
    return QuartoEngine(str(executable))


def test_quarto_renders_the_staged_project_in_one_command(tmp_path):
    stage = make_stage(tmp_path / "stage")
    engine = _fake_quarto(tmp_path, ("index.html", "joyce.html", "report.pdf"))
    out = engine.render(stage, PAGES, ("html", "pdf"), SITE)
    assert out == stage / "_site"
    assert (stage / "argv.txt").read_text() == f"render {stage}"


def test_quarto_pdf_only_build_holds_the_pdf_alone(tmp_path):
    stage = make_stage(tmp_path / "stage")
    engine = _fake_quarto(tmp_path, ("index.html", "report.pdf", "search.json"))
    out = engine.render(stage, PAGES, ("pdf",), SITE)
    assert sorted(p.name for p in out.iterdir()) == ["report.pdf"]


def test_quarto_that_writes_no_pdf_is_an_engine_error(tmp_path):
    # Quarto renders a qmd outside the project's render list next to it, not into _site,
    # and still exits 0: the PDF would silently be missing from the published site.
    stage = make_stage(tmp_path / "stage")
    engine = _fake_quarto(tmp_path, ("index.html", "joyce.html"))
    with pytest.raises(EngineError, match=r"finished without writing report\.pdf into .*_site"):
        engine.render(stage, PAGES, ("html", "pdf"), SITE)


def test_auto_without_quarto_chooses_pandoc_and_says_why(caplog):
    with caplog.at_level(logging.INFO, logger="publish.engines"):
        engine = select_engine("auto", which=lambda name: None, find_spec=lambda name: None)
    assert isinstance(engine, PandocEngine)
    assert "engine: pandoc (no `quarto` executable on PATH and no quarto-cli package installed" in caplog.text


def test_auto_prefers_quarto_on_path(caplog):
    with caplog.at_level(logging.INFO, logger="publish.engines"):
        engine = select_engine("auto", which={"quarto": "/opt/q/bin/quarto"}.get, find_spec=lambda name: None)
    assert isinstance(engine, QuartoEngine) and engine.executable == "/opt/q/bin/quarto"
    assert "engine: quarto (found `quarto` on PATH at /opt/q/bin/quarto)" in caplog.text


def test_quarto_cli_package_binary_is_found(tmp_path):
    package = tmp_path / "quarto_cli"
    (package / "bin").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "bin" / "quarto").write_text("")
    spec = SimpleNamespace(origin=str(package / "__init__.py"))
    found, why = find_quarto(which=lambda name: None, find_spec={"quarto_cli": spec}.get)
    assert found == str(package / "bin" / "quarto")
    assert "quarto-cli package" in why


def test_requested_quarto_that_is_missing_is_an_error():
    with pytest.raises(EngineError, match="--engine quarto: Quarto is not available: no `quarto` executable"):
        select_engine("quarto", which=lambda name: None, find_spec=lambda name: None)


def test_unknown_engine_lists_the_allowed_ones():
    with pytest.raises(EngineError, match="unknown engine 'latex'; allowed: auto, quarto, pandoc"):
        select_engine("latex")


def test_real_quarto_renders_the_stage_into_one_site_with_its_pdf(tmp_path):
    require(find_quarto()[0] is not None, "Quarto is not installed (no quarto on PATH, no quarto-cli package)")
    stage = make_stage(tmp_path / "stage")
    quarto_settings = yaml.safe_load((ROOT / "_quarto.yml").read_text())
    quarto_settings.pop("analysis")
    write_staged_quarto(stage, staged_quarto(quarto_settings, PAGES, ("html", "pdf")))
    (stage / "quarto").mkdir()
    (stage / "quarto" / "theme.scss").write_text((ROOT / "report" / "quarto" / "theme.scss").read_text())
    out = select_engine("quarto").render(stage, PAGES, ("html", "pdf"), site_spec(quarto_settings))
    assert (out / "index.html").is_file() and (out / "joyce.html").is_file()
    reader = pypdf.PdfReader(out / "report.pdf")
    text = " ".join(" ".join(page.extract_text().split()) for page in reader.pages)
    assert "Heavy ties" in text and "See Figure 1 and Table 1." in text and "As Section 1 shows" in text
    assert [round(float(v)) for v in reader.pages[0].mediabox[2:]] == [595, 842]  # a4, in points
    # Only the report is a PDF: no page offers "Other formats" of itself.
    assert sorted(p.name for p in out.glob("*.pdf")) == ["report.pdf"]
    assert "Other formats" not in (out / "index.html").read_text(encoding="utf-8")


# --- running programs ---------------------------------------------------------------------------


def test_failing_command_raises_with_command_and_the_lines_naming_the_cause():
    # As Quarto fails in a Lua filter: the cause first, then a long stack trace.
    script = (
        "import sys; sys.stderr.write('\\x1b[31mERROR: shortcodes.lua:76: attempt to index a nil value\\x1b[0m\\n'"
        " + ''.join(f'  at frame {i}\\n' for i in range(40))); sys.exit(3)"
    )
    with pytest.raises(EngineError) as caught:
        run([sys.executable, "-c", script])
    message = str(caught.value)
    assert message.startswith(f"`{sys.executable} -c import sys;")
    assert "exited with status 3: ERROR: shortcodes.lua:76: attempt to index a nil value | at frame 32 |" in message
    assert message.endswith("at frame 39")
    assert "at frame 31 " not in message and "\x1b" not in message


def test_error_summary_keeps_causes_and_tail_without_repeats():
    output = "ok\nerror: first\nnoise\nerror: first\nWARN x\nlast"
    assert error_summary(output, tail=2) == "error: first | WARN x | last"


def test_missing_program_raises():
    with pytest.raises(EngineError, match="cannot run `/nonexistent/pandoc --version`"):
        run(["/nonexistent/pandoc", "--version"])


def test_run_returns_stdout():
    assert run([sys.executable, "-c", "print('ok')"]) == "ok\n"


# --- pandoc: HTML ---------------------------------------------------------------------------------


def test_pandoc_version_names_pandoc_3_and_typst():
    assert re.fullmatch(r"pandoc 3\.[\d.]+, typst [\d.]+", _pandoc().version())


def test_every_page_and_resource_is_written(rendered):
    names = {p.relative_to(rendered).as_posix() for p in rendered.rglob("*") if p.is_file()}
    assert names == {
        "index.html", "joyce.html", "report.pdf", "figures/hist.svg",
        "assets/styles.css", "downloads/results.json", "search-index.js",
    }  # fmt: skip  (no PNG: the PDF embeds those)


def test_navigation_lists_pages_marks_current_and_links_pdf(rendered):
    for page, current in (("index.html", "Overview"), ("joyce.html", "Joyce et al. (2023)")):
        nav = _soup(rendered / page).find("nav", attrs={"aria-label": "Report pages"})
        links = [(a["href"], " ".join(a.get_text().split())) for a in nav.select("li a")]
        assert links == [("index.html", "Overview"), ("joyce.html", "Joyce et al. (2023)"), ("report.pdf", "PDF")]
        marked = [" ".join(a.get_text().split()) for a in nav.select('a[aria-current="page"]')]
        assert marked == [current]
        assert " ".join(nav.find("a", class_="navbar-brand").get_text().split()) == "Stellar Age KDE Report"


def test_page_has_title_stylesheet_and_toc(rendered):
    soup = _soup(rendered / "index.html")
    assert soup.title.get_text() == "Overview – Stellar Age KDE Report"
    assert soup.find("h1", class_="title").get_text() == "Overview"
    assert [link["href"] for link in soup.find_all("link", rel="stylesheet")] == ["assets/styles.css"]
    assert soup.select_one("nav#TOC a[href='#sec-ages']") is not None


def test_math_is_mathml(rendered):
    soup = _soup(rendered / "index.html")
    math = soup.find("math")
    assert math is not None and "10.83" in math.get_text()
    assert "\\mu" not in soup.find("main").get_text().replace(math.get_text(), "")


def test_figure_alt_caption_and_cross_references(rendered):
    soup = _soup(rendered / "index.html")
    figure = soup.find("figure", id="fig-hist")
    assert figure.img["alt"] == "Bars rising to a peak near 11 Gyr"
    assert figure.img["src"] == "figures/hist.svg"
    assert not figure.img.has_attr("data-fig-alt")
    assert " ".join(figure.figcaption.get_text().split()) == "Figure 1: Histogram of the ages of 91 stars"
    assert " ".join(soup.find("table", id="tbl-summary").caption.get_text().split()) == (
        "Table 1: Summary of the data sets"
    )
    refs = {a["href"]: a.get_text() for a in soup.select("a.quarto-xref")}
    assert refs == {"#fig-hist": "Figure 1", "#tbl-summary": "Table 1"}


def test_callouts_get_quarto_markup_and_titles(rendered):
    callouts = _soup(rendered / "index.html").select("div.callout")
    titles = [" ".join(c.select_one(".callout-title-container").get_text().split()) for c in callouts]
    assert titles == ["Heavy ties", "Older than the Universe"]
    assert [c["class"][2] for c in callouts] == ["callout-note", "callout-warning"]
    assert all(c["role"] == "note" for c in callouts)
    assert callouts[0].select_one(".callout-body").get_text(strip=True) == "Many ages repeat exactly."
    assert not callouts[1].has_attr("title")


def test_raw_html_passes_through(rendered):
    assert _soup(rendered / "index.html").find("div", id="explorer-root").get_text() == "interactive explorer"


def test_no_remote_resources_only_the_explicit_external_link(rendered):
    for page in ("index.html", "joyce.html"):
        soup = _soup(rendered / page)
        remote = [
            (tag.name, tag.get(attr))
            for attr in ("src", "href")
            for tag in soup.find_all(attrs={attr: True})
            if re.match(r"(https?:)?//", tag[attr])
        ]
        assert remote == ([("a", "https://example.org/kde")] if page == "index.html" else [])


# --- pandoc: PDF ----------------------------------------------------------------------------------


def test_pdf_keeps_the_documents_own_layout_numbered_sections_figures_tables_and_pages(rendered):
    reader = pypdf.PdfReader(rendered / "report.pdf")
    pages = [" ".join(page.extract_text().split()) for page in reader.pages]
    text = " ".join(pages)
    assert len(pages) == 2  # the pagebreak shortcode
    assert pages[0].startswith("1 Ages")  # no title block or contents of the template's own
    assert reader.metadata.title == "Stellar ages report"
    assert [round(float(v)) for v in reader.pages[0].mediabox[2:]] == [595, 842]  # a4, in points
    assert "1 Ages" in text and "2 Fit" in text
    assert "See Figure 1 and Table 1." in text
    assert "As Section 1 shows" in text
    assert re.search(r"Figure 1: ?Histogram of the ages of 91 stars", text)
    assert "Table 1: Summary of the data sets" in text
    assert "Heavy ties Many ages repeat exactly." in text
    assert [page.split()[-1] for page in pages] == ["1", "2"]  # footer page numbers
    assert "interactive explorer" not in text


def test_pdf_embeds_its_fonts_and_the_png_figure(rendered):
    reader = pypdf.PdfReader(rendered / "report.pdf")
    fonts = {
        str(font.get_object()["/BaseFont"])
        for page in reader.pages
        for font in page["/Resources"]["/Font"].values()
    }
    assert any("Libertinus" in name for name in fonts)
    images = [image for page in reader.pages for image in page.images]
    assert [image.image.size for image in images] == [(40, 30)]


def test_pandoc_output_is_byte_identical_across_builds(rendered, tmp_path):
    # Another folder and another moment: neither may show in the output (the document's date is none).
    assert "/CreationDate" not in pypdf.PdfReader(rendered / "report.pdf").metadata
    again = _pandoc().render(make_stage(tmp_path / "elsewhere"), PAGES, ("html", "pdf"), SITE)
    for name in ("index.html", "joyce.html", "report.pdf"):
        assert (again / name).read_bytes() == (rendered / name).read_bytes(), name


def test_html_only_build_has_no_pdf_or_pdf_link(tmp_path):
    out = _pandoc().render(make_stage(tmp_path / "stage"), PAGES, ("html",), SITE)
    assert not (out / "report.pdf").exists()
    assert "report.pdf" not in (out / "index.html").read_text(encoding="utf-8")


def test_unresolved_cross_reference_is_an_engine_error(tmp_path):
    stage = make_stage(tmp_path / "stage", index=INDEX.replace("see @fig-hist", "see @fig-missing"))
    with pytest.raises(EngineError, match="unresolved cross-reference @fig-missing"):
        _pandoc().render(stage, PAGES, ("html",), SITE)


def test_typst_failure_is_an_engine_error(tmp_path):
    stage = make_stage(tmp_path / "stage")
    (stage / "report.qmd").write_text(REPORT + "\n```{=typst}\n#undefined-function()\n```\n", encoding="utf-8")
    with pytest.raises(EngineError, match="typst could not compile .*report.typ: .*unknown variable: undefined-function"):
        _pandoc().render(stage, PAGES, ("pdf",), SITE)


def test_site_spec_reads_the_project_file():
    settings = yaml.safe_load((ROOT / "_quarto.yml").read_text())
    spec = site_spec(settings)
    assert (spec.title, spec.html_toc, spec.pdf_toc, spec.number_sections, spec.papersize, spec.toc_depth) == (
        "Stellar Age KDE Report", True, True, True, "a4", 2
    )
    assert spec.typst == settings["format"]["typst"]


def test_unknown_paper_size_is_a_configuration_error():
    with pytest.raises(ConfigError, match="format.typst.papersize: expected one of a4, a5, us-letter, us-legal, got 'a0'"):
        site_spec({"format": {"typst": {"papersize": "a0"}}})


HOSTILE_TITLE = "<script>alert(1)</script> [x](javascript:alert(2)) <img src=x onerror=alert(3)> {{< meta title >}} $x$"


def test_page_titles_from_data_are_text_in_the_navigation_and_title(tmp_path):
    stage = make_stage(tmp_path / "stage")
    (stage / "joyce.qmd").write_text('---\ntitle: "Fit"\n---\n\nText.\n', encoding="utf-8")
    pages = (Page("index.qmd", "Overview"), Page("joyce.qmd", HOSTILE_TITLE))
    out = _pandoc().render(stage, pages, ("html",), SiteSpec(title="<b>Site</b> *x*"))
    for name in ("index.html", "joyce.html"):
        html = (out / name).read_text(encoding="utf-8")
        soup = BeautifulSoup(html, "html.parser")
        assert [tag.get("src") for tag in soup.find_all("script")] == ["search-index.js", "assets/site.js"]
        assert soup.find("img", src="x") is None and soup.find("b") is None
        assert not [a for a in soup.find_all("a") if a.get("href", "").lower().startswith("javascript")]
        nav = soup.find("nav", attrs={"aria-label": "Report pages"})
        assert [" ".join(a.get_text().split()) for a in nav.select("li a")][1] == HOSTILE_TITLE
        assert " ".join(nav.find("a", class_="navbar-brand").get_text().split()) == "<b>Site</b> *x*"
