"""The pages: one template context from the result, Jinja2 templates -> Quarto markdown.

Face of the family: ``build_context`` (``context``: every number and finding,
with the views of ``views`` and the explorer's data of ``explorer``) and
``render_pages`` (``pages``: the one ``StrictUndefined`` environment with the
filters of ``filters``), the bibliography (``references``) and the escaping
filters other families use (``md``, ``safe_url``).
"""

from .context import build_context
from .explorer import (
    EXPLORER_BANDWIDTHS_GYR,
    EXPLORER_BIN_GYR,
    EXPLORER_MAX_AGES,
    EXPLORER_MAX_BINS,
    EXPLORER_MAX_SAMPLE,
    explorer_json,
    fine_histogram,
)
from .filters import FILTERS, md, safe_url
from .pages import REFERENCES_FILE, make_environment, render_pages
from .references import csl_entries, csl_json

__all__ = [
    "EXPLORER_BANDWIDTHS_GYR", "EXPLORER_BIN_GYR", "EXPLORER_MAX_AGES", "EXPLORER_MAX_BINS", "EXPLORER_MAX_SAMPLE",
    "FILTERS", "REFERENCES_FILE", "build_context", "csl_entries", "csl_json", "explorer_json", "fine_histogram",
    "make_environment", "md", "render_pages", "safe_url",
]  # fmt: skip
