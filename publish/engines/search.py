"""The pandoc engine's site search: every section of every page, as a script the pages load.

Quarto writes ``search.json`` for its own search box; the pandoc engine's
pages get the same from ``search-index.js`` (``window.SITE_SEARCH_INDEX``),
read by ``report/assets/site.js``. It is a script rather than JSON because
browsers refuse ``fetch`` from ``file://``, where these pages must work.
"""

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from html.parser import HTMLParser
import json
from pathlib import Path

__all__ = ["INDEX_FILE", "Section", "sections_of", "search_index_js"]

#: The index's file name at the site's root.
INDEX_FILE = "search-index.js"
# Text in these elements is not what a reader reads (MathML's TeX source, scripts and their data).
_SKIPPED = {"script", "style", "annotation", "noscript"}
_HEADINGS = {"h2", "h3"}


@dataclass(frozen=True)
class Section:
    """One searchable section: where it is, what it is called, and its words.

    ``href`` is ``page.html#id`` (or ``page.html`` for the text before the
    first heading); ``page`` is the page's title; ``section`` the heading
    ("" before the first one).
    """

    href: str
    page: str
    section: str
    text: str


class _Sections(HTMLParser):
    """Cuts a page's ``<main>`` into sections at its h2 and h3 headings (pandoc gives them ids)."""

    def __init__(self, file: str) -> None:
        super().__init__(convert_charrefs=True)
        self.file = file
        self.found: list[list[str]] = [[file, "", ""]]  # [href, heading, text]
        self._in_main = 0
        self._skip = 0
        self._heading: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "main":
            self._in_main += 1
        elif tag in _SKIPPED:
            self._skip += 1
        elif self._in_main and tag in _HEADINGS:
            anchor = dict(attrs).get("id") or ""
            self._heading = []
            self.found.append([f"{self.file}#{anchor}" if anchor else self.file, "", ""])

    def handle_endtag(self, tag: str) -> None:
        if tag == "main":
            self._in_main -= 1
        elif tag in _SKIPPED:
            self._skip = max(0, self._skip - 1)
        elif tag in _HEADINGS and self._heading is not None:
            self.found[-1][1] = " ".join("".join(self._heading).split())
            self._heading = None

    def handle_data(self, data: str) -> None:
        if self._skip or not self._in_main:
            return
        if self._heading is not None:
            self._heading.append(data)
        else:
            self.found[-1][2] += " " + data


def sections_of(page: Path, title: str) -> list[Section]:
    """The sections of one built HTML page (its ``<main>``), empty ones dropped."""
    parser = _Sections(page.name)
    parser.feed(page.read_text(encoding="utf-8"))
    return [
        Section(href=href, page=title, section=heading, text=" ".join(text.split()))
        for href, heading, text in parser.found
        if heading or text.strip()
    ]


def search_index_js(sections: Sequence[Section]) -> str:
    """The script that defines ``window.SITE_SEARCH_INDEX``.

    ``<``, ``>``, ``&`` and the JavaScript line separators are ``\\u``
    escapes, so no text of a page can end the script or change its meaning.
    """
    text = json.dumps([asdict(s) for s in sections], ensure_ascii=True, separators=(",", ":"))
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return f"window.SITE_SEARCH_INDEX = {text};\n"
