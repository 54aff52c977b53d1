"""Write the Quarto pages: the one Jinja environment, the navigation and the writer.

Jinja comments are ``{## ... ##}`` because ``{#`` starts markdown ids
(``{#fig-x}``); every filter is registered in one place (``filters.FILTERS``).
"""

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import jinja2

from analysis.errors import RenderError

from ..project import Page
from .filters import FILTERS
from .references import csl_json

__all__ = ["REFERENCES_FILE", "TEMPLATE_DIR", "make_environment", "render_pages"]

TEMPLATE_DIR = Path(__file__).resolve().parents[2] / "templates"
#: The staged bibliography (CSL-JSON) that every page and the PDF cite from.
REFERENCES_FILE = "references.json"


def make_environment(template_dir: Path = TEMPLATE_DIR) -> jinja2.Environment:
    """The one Jinja environment: StrictUndefined, no autoescape, the filters above.

    Jinja comments are ``{## ... ##}`` because ``{#`` starts markdown ids (``{#fig-x}``).
    """
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(template_dir),
        undefined=jinja2.StrictUndefined,
        autoescape=False,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        comment_start_string="{##",
        comment_end_string="##}",
    )
    env.filters.update(FILTERS)
    return env


def _navigation(context: Mapping[str, Any]) -> list[tuple[Page, str, Any]]:
    """Pages in navigation order, each with its body partial and data set (or None)."""
    pages: list[tuple[Page, str, Any]] = [(Page("index.qmd", "Overview"), "partials/index.md.j2", None)]
    pages += [(Page(d["page"], d["label"]), "partials/dataset.md.j2", d) for d in context["datasets"]]
    pages += [
        (Page("bandwidth.qmd", "Bandwidth"), "partials/bandwidth.md.j2", None),
        (Page("generative.qmd", "Generative models"), "partials/generative.md.j2", None),
        (Page("comparison.qmd", "Comparison"), "partials/comparison.md.j2", None),
        (Page("methods.qmd", "Methods"), "partials/methods.md.j2", None),
        (Page("data.qmd", "Data"), "partials/data.md.j2", None),
    ]
    return pages


def _render(env: jinja2.Environment, template: str, context: Mapping[str, Any]) -> str:
    try:
        return env.get_template(template).render(context)
    except jinja2.TemplateError as exc:
        where = f"templates/{exc.name}:{exc.lineno}" if isinstance(exc, jinja2.TemplateSyntaxError) else f"templates/{template}"
        raise RenderError(f"{where}: {exc.message}") from exc


def _write_if_changed(path: Path, text: str) -> None:
    """Rewrite a file only when its content changes, so unchanged pages keep their timestamps."""
    if not path.exists() or path.read_text(encoding="utf-8") != text:
        path.write_text(text, encoding="utf-8")


def render_pages(context: dict[str, Any], out_dir: Path, *, pdf: bool = True) -> tuple[Page, ...]:
    """Write the ``.qmd`` pages (and ``references.json``) into ``out_dir``; return the pages in navigation order.

    Every page is rendered before any file is written. With ``pdf=True`` also
    writes ``report.qmd``: every page as one document for the typst PDF, with
    PNG figures and each page a level-1 section; it is not in the navigation.

    Raises
    ------
    RenderError
        If a template fails, e.g. it uses a key the context lacks (StrictUndefined).
    """
    env = make_environment()
    pages = _navigation(context)
    texts = {
        page.file: _render(
            env,
            "page.qmd.j2",
            {**context, "page_title": page.title, "body": body, "dataset": dataset, "pdf_document": False},
        )
        for page, body, dataset in pages
    }
    if pdf:
        sections = [{"title": page.title, "body": body, "dataset": dataset} for page, body, dataset in pages]
        texts["report.qmd"] = _render(env, "report.qmd.j2", {**context, "sections": sections, "pdf_document": True})
    if context["bibliography"]:
        texts[REFERENCES_FILE] = csl_json(context["bibliography"])
    out_dir.mkdir(parents=True, exist_ok=True)
    for file, text in texts.items():
        _write_if_changed(out_dir / file, text)
    return tuple(page for page, _, _ in pages)
