"""The pandoc engine: pandoc 3 (pypandoc-binary) for each page, pandoc's typst writer and typst for the PDF.

Each page is converted with ``report/pandoc/page.html`` and the Lua filter
``report/pandoc/quarto-compat.lua``; the pages are then indexed for search
(``search``). The PDF reads its layout from ``report.qmd`` itself, as
Quarto's does.
"""

from collections.abc import Collection, Sequence
import importlib.metadata
import json
import shutil
from pathlib import Path

from analysis.errors import EngineError

from ..project import PDF_NAME, REPORT_PAGE, Page, SiteSpec
from ..render import md
from .run import RESOURCE_DIRS, check_outputs, html_name, run
from .search import INDEX_FILE, search_index_js, sections_of

__all__ = ["PandocEngine", "pandoc_path"]

_PANDOC_DIR = Path(__file__).resolve().parents[2] / "report" / "pandoc"


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
            sections = [s for page in site_pages for s in sections_of(out / html_name(page.file), page.title)]
            (out / INDEX_FILE).write_text(search_index_js(sections), encoding="utf-8")
        if "pdf" in formats:
            self._pdf(stage)
        check_outputs(out, pages, formats)
        return out

    def _page(self, stage: Path, page: Page, pages: Sequence[Page], site: SiteSpec, *, pdf: bool) -> None:
        meta = stage / ".pandoc" / f"{Path(page.file).stem}.json"
        meta.parent.mkdir(exist_ok=True)
        # pandoc reads metadata strings as markdown, and titles can be data (a column header):
        # literal markdown (filters.md) shows them as text, never as HTML or a link.
        nav = [
            {"href": html_name(p.file), "title": md(p.title), "current": p.file == page.file}
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
            "--mathml", "--citeproc", "--metadata-file", str(meta), "--output", f"_site/{html_name(page.file)}",
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



def pandoc_path() -> str:
    import pypandoc

    try:
        return pypandoc.get_pandoc_path()
    except OSError as error:
        raise EngineError(f"--engine pandoc: pandoc is not available ({error}); pip install pypandoc-binary") from error
