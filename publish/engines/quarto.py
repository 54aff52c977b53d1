"""The Quarto engine: one ``quarto render`` of the staged project (Quarto bundles its pandoc and typst).

The staged ``_quarto.yml`` lists the website's pages and ``report.qmd``
(typst only, so it becomes ``report.pdf``).
"""

from collections.abc import Callable, Collection, Sequence
import importlib.util
from pathlib import Path
import shutil
from typing import Any

from ..project import PDF_NAME, Page, SiteSpec
from .run import check_outputs, run

__all__ = ["QuartoEngine", "find_quarto"]


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
        check_outputs(out, pages, formats)
        return out
