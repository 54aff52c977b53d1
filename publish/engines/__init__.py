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

from collections.abc import Callable
import importlib.util
import logging
import shutil
from typing import Any

from analysis.errors import EngineError

from .pandoc import PandocEngine, pandoc_path
from .quarto import QuartoEngine, find_quarto
from .run import error_summary, run

__all__ = ["ENGINES", "PandocEngine", "QuartoEngine", "error_summary", "find_quarto", "run", "select_engine"]

logger = logging.getLogger(__name__)

#: Engine names accepted by ``--engine``.
ENGINES = ("auto", "quarto", "pandoc")


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
    return PandocEngine(pandoc_path())
