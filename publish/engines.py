"""Turn the staged Quarto project into the HTML site and the PDF.

Two engines give the same pages, figures, tables, navigation and PDF:

- ``quarto``: ``quarto render`` on the staged project (website, then the typst PDF);
- ``pandoc``: pandoc 3 (pypandoc-binary) with ``report/pandoc/page.html`` and the
  Lua filter ``report/pandoc/quarto-compat.lua`` for each page; the PDF is pandoc's
  typst writer compiled by the ``typst`` package.

External programs run as argument lists, never through a shell; a failure
raises EngineError with the command and the tail of its error output.
"""

from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
import importlib.metadata
import importlib.util
import json
import logging
from pathlib import Path
import shutil
import subprocess
from typing import Any, Protocol

from analysis.errors import EngineError

__all__ = [
    "ENGINES",
    "FORMATS",
    "PDF_NAME",
    "SiteSpec",
    "site_spec",
    "run",
    "quarto_commands",
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
#: The PDF's file name in the site (Quarto names it after ``report.qmd``).
PDF_NAME = "report.pdf"
#: The staged page that is the whole report as one document.
REPORT_PAGE = "report.qmd"
#: Folders of the stage that the site serves as they are.
RESOURCE_DIRS = ("assets", "figures", "downloads")
_STDERR_TAIL_LINES = 15
# typst stamps the PDF with the compile time unless the document's date is none.
_TYPST_HEADER = "// No creation date, so that an unchanged report gives a byte-identical PDF.\n#set document(date: none)\n"
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
        ``format.typst.toc``: a contents list in the PDF.
    number_sections : bool
        ``format.typst.number-sections``.
    papersize : str
        ``format.typst.papersize``, a typst paper name such as ``"a4"``.
    """

    title: str
    html_toc: bool = True
    pdf_toc: bool = True
    number_sections: bool = True
    papersize: str = "a4"


def site_spec(quarto: Mapping[str, Any]) -> SiteSpec:
    """The SiteSpec of a parsed ``_quarto.yml`` (without its ``analysis:`` block)."""
    website = quarto.get("website") or {}
    formats = quarto.get("format") or {}
    html = formats.get("html") or {}
    typst_options = formats.get("typst") or {}
    return SiteSpec(
        title=str(website.get("title", "")),
        html_toc=bool(html.get("toc", False)),
        pdf_toc=bool(typst_options.get("toc", False)),
        number_sections=bool(typst_options.get("number-sections", False)),
        papersize=str(typst_options.get("papersize", "a4")),
    )


def run(command: Sequence[str], *, cwd: Path | None = None) -> str:
    """Run an external program and return its standard output.

    Raises
    ------
    EngineError
        If the program cannot be started or exits non-zero; the message gives
        the command line and the last lines of its standard error.
    """
    shown = " ".join(command)
    logger.debug("running: %s", shown)
    try:
        completed = subprocess.run(list(command), cwd=cwd, capture_output=True, text=True, check=False)
    except OSError as error:
        raise EngineError(f"cannot run `{shown}`: {error.strerror}") from error
    if completed.returncode != 0:
        tail = " | ".join(completed.stderr.strip().splitlines()[-_STDERR_TAIL_LINES:]) or "(no error output)"
        raise EngineError(f"`{shown}` exited with status {completed.returncode}: {tail}")
    return completed.stdout


def quarto_commands(stage: Path, formats: Collection[str], *, quarto: str = "quarto") -> list[list[str]]:
    """The command lines that render the staged project with Quarto.

    The website comes first because rendering a whole project clears its
    output folder; the PDF is then rendered into the same folder.
    """
    commands = []
    if "html" in formats:
        commands.append([quarto, "render", str(stage), "--to", "html"])
    if "pdf" in formats:
        commands.append([quarto, "render", str(stage / REPORT_PAGE), "--to", "typst"])
    return commands


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
        """Render the stage (its ``_quarto.yml`` already lists ``pages``) into ``stage/_site``."""
        for command in quarto_commands(stage, formats, quarto=self.executable):
            run(command, cwd=stage)
        return stage / "_site"


class PandocEngine:
    """Render each page with pandoc; compile the PDF with typst.

    Parameters
    ----------
    pandoc : str
        The pandoc 3 executable.
    template, lua_filter : Path
        The HTML page template and the Quarto-compatibility filter.
    """

    name = "pandoc"

    def __init__(
        self,
        pandoc: str,
        *,
        template: Path = _PANDOC_DIR / "page.html",
        lua_filter: Path = _PANDOC_DIR / "quarto-compat.lua",
    ) -> None:
        self.pandoc = pandoc
        self.template = template
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
            for page in pages:
                self._page(stage, page, pages, site, pdf="pdf" in formats)
        if "pdf" in formats:
            self._pdf(stage, site)
        return out

    def _page(self, stage: Path, page: Page, pages: Sequence[Page], site: SiteSpec, *, pdf: bool) -> None:
        meta = stage / ".pandoc" / f"{Path(page.file).stem}.json"
        meta.parent.mkdir(exist_ok=True)
        nav = [
            {"href": _html_name(p.file), "title": p.title, "current": p.file == page.file} for p in pages
        ]
        metadata = {"site-title": site.title, "nav": nav, "css": ["assets/styles.css"], "lang": "en"}
        if pdf:
            metadata["pdf-href"] = PDF_NAME
        meta.write_text(json.dumps(metadata, indent=1), encoding="utf-8")
        command = [
            self.pandoc, page.file, "--from", "markdown", "--to", "html5", "--standalone",
            "--template", str(self.template), "--lua-filter", str(self.lua_filter),
            "--mathml", "--metadata-file", str(meta), "--output", f"_site/{_html_name(page.file)}",
        ]  # fmt: skip
        if site.html_toc:
            command.append("--toc")
        run(command, cwd=stage)

    def _pdf(self, stage: Path, site: SiteSpec) -> None:
        # Imported here: only this engine needs the typst compiler.
        import typst

        header = stage / ".pandoc" / "typst-header.typ"
        header.parent.mkdir(exist_ok=True)
        header.write_text(_TYPST_HEADER, encoding="utf-8")
        command = [
            self.pandoc, REPORT_PAGE, "--from", "markdown", "--to", "typst", "--standalone",
            "--lua-filter", str(self.lua_filter), "--variable", f"papersize={site.papersize}",
            "--variable", "page-numbering=1", "--include-in-header", str(header), "--output", "report.typ",
        ]  # fmt: skip
        if site.pdf_toc:
            command.append("--toc")
        if site.number_sections:
            command += ["--variable", "section-numbering=1.1"]
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
