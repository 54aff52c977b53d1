"""Build in a temporary folder next to the output, then swap it into place.

The stage is a flat Quarto project (see ARCHITECTURE.md, "Rendering model").
It lives on the output's file system so that publishing is two renames: the
old site is renamed away, the new one renamed in, and only then is the old
one deleted. Until the swap, the previous site is never touched.
"""

from collections.abc import Collection, Mapping, Sequence
import copy
import logging
import os
from pathlib import Path
import shutil
import tempfile
from typing import Any, Protocol

import yaml

from analysis.errors import ReportError

from .filters import md

from .engines import PDF_NAME, REPORT_PAGE

__all__ = ["make_stage", "remove_stage", "stage_tree", "staged_quarto", "write_staged_quarto", "publish"]

logger = logging.getLogger(__name__)


class Page(Protocol):
    """A generated page: its ``.qmd`` file name in the stage and its title."""

    file: str
    title: str


def make_stage(out: Path) -> Path:
    """A new empty folder beside ``out`` (same file system, so the swap is a rename)."""
    parent = out.resolve().parent
    parent.mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(prefix=f".{out.name}-stage-", dir=parent))


def remove_stage(stage: Path) -> None:
    """Delete the stage and everything in it (after success or failure)."""
    shutil.rmtree(stage, ignore_errors=True)


def stage_tree(source: Path, stage: Path, name: str) -> None:
    """Copy the folder ``source`` into ``stage/name`` (e.g. ``report/assets`` -> ``assets``)."""
    shutil.copytree(source, stage / name, dirs_exist_ok=True)


def staged_quarto(quarto: Mapping[str, Any], pages: Sequence[Page], formats: Collection[str]) -> dict[str, Any]:
    """The project settings with the generated pages merged in.

    ``project.render`` lists the website's pages (with ``--format html`` or
    ``all``) and ``report.qmd`` (with ``pdf`` or ``all``), so one ``quarto
    render`` writes both into ``_site/``. The project renders only HTML:
    ``format.typst`` moves into ``report.qmd``'s own front matter (see
    ``render.render_pages``), otherwise Quarto would also render every page
    to a PDF of its own and link it as "Other formats". ``website.navbar.left``
    links the pages in order, plus the PDF when one is built. Page titles are
    data (a column header can be one), so they arrive here as literal
    markdown (``filters.md``): Quarto reads navbar text as markdown and
    expands shortcodes in it.
    """
    settings = copy.deepcopy(dict(quarto))
    site_pages = [page for page in pages if page.file != REPORT_PAGE] if "html" in formats else []
    project = settings.setdefault("project", {})
    project["render"] = [page.file for page in site_pages] + ([REPORT_PAGE] if "pdf" in formats else [])
    (settings.get("format") or {}).pop("typst", None)
    navbar = settings.setdefault("website", {}).setdefault("navbar", {})
    navbar["left"] = [{"href": page.file, "text": md(page.title)} for page in site_pages]
    if "pdf" in formats and site_pages:
        navbar["left"].append({"href": PDF_NAME, "text": "PDF"})
    return settings


def write_staged_quarto(stage: Path, settings: Mapping[str, Any]) -> Path:
    """Write the staged ``_quarto.yml`` (keys in their given order)."""
    path = stage / "_quarto.yml"
    path.write_text(yaml.safe_dump(dict(settings), sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path


def publish(built: Path, out: Path) -> None:
    """Replace ``out`` by the folder ``built`` (on the same file system).

    The old output is renamed aside, the new one renamed in, and the old one
    deleted last; if the second rename fails, the old output is put back
    unchanged.

    Raises
    ------
    ReportError
        If ``out`` exists but is not a folder, or a rename fails.
    """
    if out.exists() and not out.is_dir():
        raise ReportError(f"{out}: the output exists and is not a folder; remove it or choose another --out")
    # A fresh folder to park the old site in, so no leftover can block the rename.
    aside = Path(tempfile.mkdtemp(prefix=f".{out.name}-old-", dir=out.resolve().parent))
    parked = aside / out.name
    try:
        if out.exists():
            os.replace(out, parked)
        os.replace(built, out)
    except OSError as error:
        if parked.exists():
            try:
                os.replace(parked, out)
            except OSError:
                raise ReportError(
                    f"{out}: cannot publish the new site ({error.strerror}) nor restore the old one; "
                    f"it is kept in {parked}"
                ) from error
        shutil.rmtree(aside, ignore_errors=True)
        raise ReportError(f"{out}: cannot publish the new site: {error.strerror}") from error
    shutil.rmtree(aside, ignore_errors=True)
    logger.info("published %s", out)
