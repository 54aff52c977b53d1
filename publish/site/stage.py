"""Build in a temporary folder next to the output, then swap it into place.

The stage is a flat Quarto project (see ARCHITECTURE.md, "Rendering model").
It lives on the output's file system so that publishing is a rename: on Linux
one atomic exchange of the new site and the old (``swap.exchange``), so the
output path names a whole site at every moment; elsewhere two renames, the old
site parked aside and put back if the second fails. The old site is deleted
only once the new one is in place. Until the swap, the previous site is never
touched.

The stage and the parked site are folders the build owns (``tempdirs``): a
killed build leaves them behind, and the next build removes them, putting a
parked site back first if the output is missing.
"""

from collections.abc import Collection, Mapping, Sequence
import copy
import logging
import os
from pathlib import Path
import shutil
from typing import Any

import yaml

from analysis.errors import ReportError

from . import swap, tempdirs
from ..project import PDF_NAME, REPORT_PAGE, Page
from ..render import md
from .outdir import write_marker

__all__ = [
    "make_stage", "remove_stage", "remove_leftovers", "stage_tree", "staged_quarto", "write_staged_quarto", "publish",
]  # fmt: skip

logger = logging.getLogger(__name__)



def _stage_prefix(out: Path) -> str:
    return f".{out.name}-stage-"


def _aside_prefix(out: Path) -> str:
    return f".{out.name}-old-"


def make_stage(out: Path) -> Path:
    """A new empty folder beside ``out`` (same file system, so the swap is a rename), owned until removed."""
    parent = out.resolve().parent
    parent.mkdir(parents=True, exist_ok=True)
    return tempdirs.create(_stage_prefix(out), parent)


def remove_stage(stage: Path) -> None:
    """Delete the stage and everything in it (after success or failure)."""
    tempdirs.remove(stage)


def remove_leftovers(out: Path) -> list[Path]:
    """Delete the stages and parked sites that killed builds left beside ``out``.

    A site parked by a build killed between its two renames is first put back
    at ``out`` if ``out`` is missing. Folders of builds still running are kept.

    Returns
    -------
    list of Path
        The folders deleted.
    """
    out = out.resolve()

    def rescue(aside: Path) -> None:
        parked = aside / out.name
        if parked.is_dir() and not os.path.lexists(out):
            os.rename(parked, out)
            logger.warning("%s: put back the previous site, which a killed build had left in %s", out, aside)

    return tempdirs.remove_leftovers(out.parent, _aside_prefix(out), rescue) + tempdirs.remove_leftovers(
        out.parent, _stage_prefix(out)
    )


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
    """Replace ``out`` by the folder ``built`` (on the same file system), marked as our site.

    A missing ``out`` is a rename. An existing one is exchanged with ``built``
    in one step where the system can (so ``out`` is never missing) and the old
    site, now at ``built``, deleted; elsewhere the old site is renamed aside,
    the new one renamed in, and the old one deleted last, or put back
    unchanged if the second rename fails.

    Raises
    ------
    ReportError
        If ``out`` exists but is not a folder, or a rename fails.
    """
    if os.path.lexists(out) and not out.is_dir():
        raise ReportError(f"{out}: the output exists and is not a folder; remove it or choose another --out")
    try:
        write_marker(built)
        if swap.move_into_place(built, out):
            _delete(built)
        else:
            _publish_by_renames(built, out)
    except OSError as error:
        raise ReportError(f"{out}: cannot publish the new site: {error.strerror}") from error
    logger.info("published %s", out)


def _delete(path: Path) -> None:
    """Delete what is left at ``path`` after it was swapped out (nothing after a plain rename)."""
    if path.is_symlink():
        path.unlink()
    else:
        shutil.rmtree(path, ignore_errors=True)


def _publish_by_renames(built: Path, out: Path) -> None:
    """The two-rename swap, for systems without the exchange; the old site is put back on failure."""
    # A fresh folder to park the old site in, so no leftover can block the rename; owned, so
    # that if this build dies between the renames the next one puts the old site back.
    aside = tempdirs.create(_aside_prefix(out), out.parent)
    parked = aside / out.name
    try:
        os.replace(out, parked)
        try:
            os.replace(built, out)
        except BaseException as error:
            try:
                os.replace(parked, out)
            except OSError:
                tempdirs.release(aside)  # keep it: it holds the only copy of the old site
                raise ReportError(
                    f"{out}: cannot publish the new site ({getattr(error, 'strerror', None) or error!r}) nor restore the "
                    f"old one; it is kept in {parked}"
                ) from error
            raise
    except BaseException:
        if os.path.lexists(out):
            tempdirs.remove(aside)
        raise
    tempdirs.remove(aside)
