"""Turn the staged Quarto project into the HTML site and the PDF.

Two engines give the same pages, figures, tables, navigation and PDF:

- ``quarto``: one ``quarto render`` of the staged project, whose render list holds
  the website's pages and ``report.qmd`` (typst only, so it becomes ``report.pdf``);
- ``pandoc``: pandoc 3 (pypandoc-binary) with ``report/pandoc/page.html`` and the
  Lua filter ``report/pandoc/quarto-compat.lua`` for each page; the PDF is pandoc's
  typst writer compiled by the ``typst`` package.

Both read the PDF's layout (paper, numbering, title and contents pages) from
``report.qmd`` itself, a raw typst preamble that both pass through unchanged,
so their PDFs have the same structure. External programs run as argument
lists, never through a shell; a failure raises EngineError with the command
and the lines of its output that name the cause.
"""

from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
import importlib.metadata
import importlib.util
import json
import logging
from pathlib import Path
import re
import shutil
import subprocess
from typing import Any, Protocol

from analysis.errors import ConfigError, EngineError

from .filters import md
from .site_search import INDEX_FILE, search_index_js, sections_of

__all__ = [
    "ENGINES",
    "FORMATS",
    "PDF_NAME",
    "PAPER_CM",
    "MARGIN_CM",
    "SiteSpec",
    "site_spec",
    "run",
    "error_summary",
    "find_quarto",
    "select_engine",
    "QuartoEngine",
    "PandocEngine",
]

logger = logging.getLogger(__name__)

#: Engine names accepted by ``--engine``.
ENGINES = ("auto", "quarto", "pandoc")
#: Output formats: the multi-page website and the one-file PDF.
FORMATS = ("html", "pdf")
#: Paper sizes (width, height in cm) the PDF can be laid out on, by typst's name (``format.typst.papersize``).
PAPER_CM = {"a4": (21.0, 29.7), "a5": (14.8, 21.0), "us-letter": (21.59, 27.94), "us-legal": (21.59, 35.56)}
#: The PDF's page margins in cm: left and right, top, bottom.
MARGIN_CM = (2.2, 2.4, 2.6)
#: The PDF's file name in the site (Quarto names it after ``report.qmd``).
PDF_NAME = "report.pdf"
#: The staged page that is the whole report as one document.
REPORT_PAGE = "report.qmd"
#: Folders of the stage that the site serves as they are.
RESOURCE_DIRS = ("assets", "figures", "downloads")
#: Last lines of a failed program's output shown in the error, after the lines naming the cause.
_TAIL_LINES = 8
#: Most lines that name the cause (``error_summary``) shown in the error.
_CAUSE_LINES = 8
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
# Quarto's progress line for each page it renders: "[ 3/11] dataset-joyce.qmd".
_PROGRESS = re.compile(r"^\[\s*\d+/\d+\]\s+(\S+)")
# Lines that name a cause: "ERROR:", "error:", "Error running filter", "file.lua:76: ...", typst's "error: ...".
_CAUSE = re.compile(r"\b(error|exception|failed|fatal)\b|\.lua:\d+:|^\s*=?\s*hint:", re.IGNORECASE)
_PANDOC_DIR = Path(__file__).resolve().parent.parent / "report" / "pandoc"


class Page(Protocol):
    """A generated page: its ``.qmd`` file name in the stage and its title."""

    file: str
    title: str


@dataclass(frozen=True)
class SiteSpec:
    """The project settings both engines honour (from ``_quarto.yml``).

    Attributes
    ----------
    title : str
        ``website.title``, shown in every page's navigation bar.
    html_toc : bool
        ``format.html.toc``: a contents list on each page.
    pdf_toc : bool
        ``format.typst.toc``: a contents page in the PDF.
    number_sections : bool
        ``format.typst.number-sections``.
    papersize : str
        ``format.typst.papersize``, a typst paper name such as ``"a4"``.
    toc_depth : int
        ``format.typst.toc-depth``: heading levels in the PDF's contents.
    typst : dict
        The whole ``format.typst`` block, which Quarto reads from ``report.qmd``.
    """

    title: str
    html_toc: bool = True
    pdf_toc: bool = True
    number_sections: bool = True
    papersize: str = "a4"
    toc_depth: int = 2
    typst: Mapping[str, Any] = field(default_factory=dict)


def site_spec(quarto: Mapping[str, Any]) -> SiteSpec:
    """The SiteSpec of a parsed ``_quarto.yml`` (without its ``analysis:`` block).

    Raises
    ------
    ConfigError
        If ``format.typst.papersize`` is not one of ``PAPER_CM``.
    """
    website = quarto.get("website") or {}
    formats = quarto.get("format") or {}
    html = formats.get("html") or {}
    typst_options = formats.get("typst") or {}
    papersize = str(typst_options.get("papersize", "a4"))
    if papersize not in PAPER_CM:
        raise ConfigError(f"format.typst.papersize: expected one of {', '.join(PAPER_CM)}, got {papersize!r}")
    return SiteSpec(
        title=str(website.get("title", "")),
        html_toc=bool(html.get("toc", False)),
        pdf_toc=bool(typst_options.get("toc", False)),
        number_sections=bool(typst_options.get("number-sections", False)),
        papersize=papersize,
        toc_depth=int(typst_options.get("toc-depth", 2)),
        typst=dict(typst_options),
    )


def run(command: Sequence[str], *, cwd: Path | None = None) -> str:
    """Run an external program and return its standard output.

    Raises
    ------
    EngineError
        If the program cannot be started or exits non-zero; the message gives
        the command line and ``error_summary`` of what it printed.
    """
    shown = " ".join(command)
    logger.debug("running: %s", shown)
    try:
        completed = subprocess.run(list(command), cwd=cwd, capture_output=True, text=True, check=False)
    except OSError as error:
        raise EngineError(f"cannot run `{shown}`: {error.strerror}") from error
    if completed.returncode != 0:
        summary = error_summary(completed.stderr + "\n" + completed.stdout) or "(no error output)"
        raise EngineError(f"`{shown}` exited with status {completed.returncode}: {summary}")
    return completed.stdout


def error_summary(output: str, *, tail: int = _TAIL_LINES, most: int = _CAUSE_LINES) -> str:
    """The lines of a failed program's output that name the cause, as one line.

    Quarto and pandoc print the cause (``ERROR: ...``, a Lua filter's
    ``file.lua:76: attempt to index a nil value``) and then a long stack trace,
    so the last lines alone often miss it: this keeps the page Quarto was
    rendering (its last ``[3/11] page.qmd`` line before the first cause), the
    first ``most`` lines that look like errors, then the last ``tail`` lines,
    without colour codes or repeats, joined by `` | ``.

    >>> error_summary("[1/2] a.qmd\\n[2/2] b.qmd\\n\\x1b[31mERROR: bad shortcode\\x1b[0m\\nstack 1\\nstack 2", tail=1)
    'rendering b.qmd | ERROR: bad shortcode | stack 2'
    """
    lines = [line.strip() for line in _ANSI.sub("", output).splitlines() if line.strip()]
    first = next((i for i, line in enumerate(lines) if _CAUSE.search(line)), len(lines))
    pages = [_PROGRESS.match(line) for line in lines[:first]]
    where = [f"rendering {match[1]}" for match in pages if match][-1:]
    causes = [line for line in lines if _CAUSE.search(line)][:most]
    return " | ".join(dict.fromkeys(where + causes + lines[-tail:]))


def find_quarto(
    *,
    which: Callable[[str], str | None] = shutil.which,
    find_spec: Callable[[str], Any] = importlib.util.find_spec,
) -> tuple[str | None, str]:
    """The Quarto executable, if any, and a sentence saying where it was looked for."""
    on_path = which("quarto")
    if on_path:
        return on_path, f"found `quarto` on PATH at {on_path}"
    spec = find_spec("quarto_cli")
    if spec is not None and spec.origin:
        # The quarto-cli wheel ships the binary inside the package.
        bundled = Path(spec.origin).parent / "bin" / "quarto"
        if bundled.is_file():
            return str(bundled), f"found the quarto-cli package's binary at {bundled}"
        return None, f"the quarto-cli package has no binary at {bundled}"
    return None, "no `quarto` executable on PATH and no quarto-cli package installed"


class QuartoEngine:
    """Render with ``quarto render`` (Quarto bundles its own pandoc and typst)."""

    name = "quarto"

    def __init__(self, executable: str) -> None:
        self.executable = executable

    def version(self) -> str:
        """``"quarto 1.x.y"``."""
        return f"quarto {run([self.executable, '--version']).strip()}"

    def render(self, stage: Path, pages: Sequence[Page], formats: Collection[str], site: SiteSpec) -> Path:
        """Render the stage into ``stage/_site`` with one ``quarto render``.

        The staged ``_quarto.yml`` lists what to render (``site.staged_quarto``).

        Raises
        ------
        EngineError
            If Quarto fails, or exits 0 without writing a page or the PDF.
        """
        run([self.executable, "render", str(stage)], cwd=stage)
        out = stage / "_site"
        # Quarto copies what report.qmd shows into the site too; the PDF embeds its PNG figures and
        # the pages show SVGs, so the site serves no PNG (as with the pandoc engine).
        for png in (out / "figures").glob("*.png"):
            png.unlink()
        if "html" not in formats:
            # A website project writes its resources and an index page even for the PDF alone;
            # a PDF-only build holds the PDF alone, as with the pandoc engine.
            for path in out.iterdir():
                if path.name != PDF_NAME:
                    shutil.rmtree(path) if path.is_dir() else path.unlink()
        _check_outputs(out, pages, formats)
        return out


class PandocEngine:
    """Render each page with pandoc; compile the PDF with typst.

    Parameters
    ----------
    pandoc : str
        The pandoc 3 executable.
    template, pdf_template, lua_filter : Path
        The HTML page template, the typst template of the PDF and the
        Quarto-compatibility filter.
    """

    name = "pandoc"

    def __init__(
        self,
        pandoc: str,
        *,
        template: Path = _PANDOC_DIR / "page.html",
        pdf_template: Path = _PANDOC_DIR / "report.typ",
        lua_filter: Path = _PANDOC_DIR / "quarto-compat.lua",
    ) -> None:
        self.pandoc = pandoc
        self.template = template
        self.pdf_template = pdf_template
        self.lua_filter = lua_filter

    def version(self) -> str:
        """``"pandoc 3.x, typst 0.y"``."""
        first_line = run([self.pandoc, "--version"]).splitlines()[0]
        return f"{first_line}, typst {importlib.metadata.version('typst')}"

    def render(self, stage: Path, pages: Sequence[Page], formats: Collection[str], site: SiteSpec) -> Path:
        """Render the stage into ``stage/_site`` (pages as ``<stem>.html``, ``report.pdf``)."""
        out = stage / "_site"
        out.mkdir(exist_ok=True)
        if "html" in formats:
            for name in RESOURCE_DIRS:
                if (stage / name).is_dir():
                    # PNG figures feed only the PDF, which embeds them: the site serves SVGs.
                    shutil.copytree(stage / name, out / name, dirs_exist_ok=True, ignore=shutil.ignore_patterns("*.png"))
            site_pages = [page for page in pages if page.file != REPORT_PAGE]
            for page in site_pages:
                self._page(stage, page, pages, site, pdf="pdf" in formats)
            sections = [s for page in site_pages for s in sections_of(out / _html_name(page.file), page.title)]
            (out / INDEX_FILE).write_text(search_index_js(sections), encoding="utf-8")
        if "pdf" in formats:
            self._pdf(stage)
        _check_outputs(out, pages, formats)
        return out

    def _page(self, stage: Path, page: Page, pages: Sequence[Page], site: SiteSpec, *, pdf: bool) -> None:
        meta = stage / ".pandoc" / f"{Path(page.file).stem}.json"
        meta.parent.mkdir(exist_ok=True)
        # pandoc reads metadata strings as markdown, and titles can be data (a column header):
        # literal markdown (filters.md) shows them as text, never as HTML or a link.
        nav = [
            {"href": _html_name(p.file), "title": md(p.title), "current": p.file == page.file}
            for p in pages
            if p.file != REPORT_PAGE
        ]
        metadata = {"site-title": md(site.title), "nav": nav, "css": ["assets/styles.css"], "lang": "en"}
        if pdf:
            metadata["pdf-href"] = PDF_NAME
        meta.write_text(json.dumps(metadata, indent=1), encoding="utf-8")
        command = [
            self.pandoc, page.file, "--from", "markdown", "--to", "html5", "--standalone",
            "--template", str(self.template), "--lua-filter", str(self.lua_filter),
            "--mathml", "--citeproc", "--metadata-file", str(meta), "--output", f"_site/{_html_name(page.file)}",
        ]  # fmt: skip
        if site.html_toc:
            command.append("--toc")
        run(command, cwd=stage)

    def _pdf(self, stage: Path) -> None:
        # Imported here: only this engine needs the typst compiler.
        import typst

        command = [
            self.pandoc, REPORT_PAGE, "--from", "markdown", "--to", "typst", "--standalone",
            "--template", str(self.pdf_template), "--lua-filter", str(self.lua_filter), "--citeproc",
            "--output", "report.typ",
        ]  # fmt: skip
        run(command, cwd=stage)
        try:
            # System fonts are ignored so that the PDF is the same on every machine;
            # typst embeds its own fonts (Libertinus Serif, New Computer Modern).
            typst.compile(
                str(stage / "report.typ"),
                output=str(stage / "_site" / PDF_NAME),
                root=str(stage),
                ignore_system_fonts=True,
            )
        except typst.TypstError as error:
            raise EngineError(f"typst could not compile {stage / 'report.typ'}: {error}") from error


def _check_outputs(out: Path, pages: Sequence[Page], formats: Collection[str]) -> None:
    """An EngineError naming the first page or PDF that an engine should have written but did not."""
    expected = [_html_name(page.file) for page in pages if page.file != REPORT_PAGE] if "html" in formats else []
    expected += [PDF_NAME] if "pdf" in formats else []
    missing = [name for name in expected if not (out / name).is_file()]
    if missing:
        raise EngineError(f"the engine finished without writing {', '.join(missing)} into {out}")


def _html_name(qmd: str) -> str:
    return f"{Path(qmd).stem}.html"


def select_engine(
    name: str,
    *,
    which: Callable[[str], str | None] = shutil.which,
    find_spec: Callable[[str], Any] = importlib.util.find_spec,
) -> QuartoEngine | PandocEngine:
    """The engine for ``--engine NAME``; ``auto`` prefers Quarto and logs why.

    Raises
    ------
    EngineError
        If the name is unknown, or the requested engine is not installed.
    """
    if name not in ENGINES:
        raise EngineError(f"--engine: unknown engine {name!r}; allowed: {', '.join(ENGINES)}")
    if name in ("auto", "quarto"):
        quarto, why = find_quarto(which=which, find_spec=find_spec)
        if quarto is not None:
            logger.info("engine: quarto (%s)", why)
            return QuartoEngine(quarto)
        if name == "quarto":
            raise EngineError(f"--engine quarto: Quarto is not available: {why}; install it or use --engine pandoc")
        logger.info("engine: pandoc (%s; using pandoc from pypandoc-binary and the typst package)", why)
    return PandocEngine(_pandoc_path())


def _pandoc_path() -> str:
    import pypandoc

    try:
        return pypandoc.get_pandoc_path()
    except OSError as error:
        raise EngineError(f"--engine pandoc: pandoc is not available ({error}); pip install pypandoc-binary") from error
