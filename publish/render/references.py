"""The report's bibliography: CSL-JSON entries from the manifest's citations and DOIs.

Both engines format it with pandoc's citeproc (``--citeproc``; Quarto with
``citeproc: true``), so the web pages and the PDF cite and list the same
entries the same way. A manifest citation is free text; when it reads
"Authors YEAR, where published" (``Joyce et al. 2023, ApJ 946, 31``), the
entry gets an author and a year, and "Journal VOLUME, PAGE" (``ApJ 946, 31``)
becomes a journal reference; any other text after the year is its title.
A citation without a year is the entry's author, shown as given.

CSL-JSON strings are "mini-HTML" to citeproc (``<i>``, ``<b>``, ``<sup>``...),
so user text is kept literal by ``_literal``.
"""

from collections.abc import Sequence
import json
import re
from typing import Any

from analysis.dataset import Dataset

from ..buildinfo import SourceInfo
from .filters import safe_url

__all__ = ["dataset_key", "source_key", "csl_entries", "csl_json"]

_AUTHOR_YEAR = re.compile(r"^(?P<author>.+?),?\s+(?P<year>(?:1[6-9]|20)\d\d)[a-z]?(?:,\s*(?P<where>.+?))?\.?$")
# "Journal VOLUME, PAGE" as astronomers abbreviate it: "ApJ 946, 31", "A&A 605, A89".
_JOURNAL = re.compile(r"^(?P<journal>\D.*?)\s+(?P<volume>\d+),\s*(?P<page>[A-Za-z]?\d+)$")
# A tag citeproc would read as formatting: "<" then a letter or "/" (e.g. "<i>", "</b>", "<span").
_TAG = re.compile(r"<(?=[A-Za-z/])")
_ZERO_WIDTH_SPACE = "\u200b"


def dataset_key(name: str) -> str:
    """The citation key of a data set's reference, e.g. ``"ds-joyce"`` (cited as ``[@ds-joyce]``)."""
    return f"ds-{name}"


def source_key(source_id: str) -> str:
    """The citation key of a source file's reference, e.g. ``"src-kde-exercise"``."""
    return f"src-{source_id}"


def _literal(text: str) -> str:
    """Text citeproc shows as written: a zero-width space after ``<`` keeps a tag from forming."""
    return _TAG.sub("<" + _ZERO_WIDTH_SPACE, " ".join(text.split()))


def _entry(key: str, citation: str, *, doi: str = "", url: str | None = None) -> dict[str, Any]:
    """One CSL-JSON entry from a free-text citation (see the module docstring)."""
    entry: dict[str, Any] = {"id": key, "type": "document"}
    text = " ".join(citation.split())
    match = _AUTHOR_YEAR.match(text)
    if match is None:
        entry["author"] = [{"literal": _literal(text)}]
    else:
        entry["author"] = [{"literal": _literal(match["author"])}]
        entry["issued"] = {"date-parts": [[int(match["year"])]]}
        where = match["where"] or ""
        journal = _JOURNAL.match(where)
        if journal:
            entry.update(
                {"type": "article-journal", "container-title": _literal(journal["journal"]),
                 "volume": journal["volume"], "page": journal["page"]}
            )  # fmt: skip
        elif where:
            # Free text: citeproc would title-case it ("Github Repository").
            entry["title"] = f'<span class="nocase">{_literal(where)}</span>'
    if doi:
        entry["DOI"] = doi
    elif url:
        entry["URL"] = safe_url(url, where=f"citation {key}")
    return entry


def csl_entries(sources: Sequence[SourceInfo], datasets: Sequence[Dataset]) -> list[dict[str, Any]]:
    """Entries for every source and data set with a citation, in manifest order (sources first).

    A data set's entry carries its DOI; a source's, its download URL.
    """
    entries = [
        _entry(source_key(s.id), s.citation, url=s.url) for s in sources if s.citation.strip()
    ]
    entries += [_entry(dataset_key(d.name), d.citation, doi=d.doi) for d in datasets if d.citation.strip()]
    return entries


def csl_json(entries: Sequence[dict[str, Any]]) -> str:
    """The entries as CSL-JSON text (deterministic, UTF-8)."""
    return json.dumps(list(entries), indent=1, ensure_ascii=False) + "\n"
