"""Jinja filters: escaping for markdown and HTML, and number formatting for readers.

Text that comes from data or the manifest goes through ``md``, ``attr`` or
``html`` so that neither Quarto nor pandoc interprets it; numbers go through
``gyr``, ``num``, ``score``, ``pvalue``, ``pct`` or ``level``, which refuse NaN, infinity and None so
that "nan" or "None" never reaches a reader. A value the data are too small
for (``None``, with its reason beside it in the result) is printed through
``na``, which says "not available" where the number would be; the page states
the reason in a note.
"""

from collections.abc import Callable
import html as html_module
import json
import re
from typing import Any
import urllib.parse

import markupsafe

from analysis.errors import RenderError
from analysis.formatting import gyr, level, num, pct, pvalue, quantum, sci, score

__all__ = ["ALLOWED_SCHEMES", "FILTERS", "NOT_AVAILABLE", "md", "na", "safe_url", "url"]

#: What a table cell or sentence shows for a value that is not available; a note beside it says why.
NOT_AVAILABLE = "not available"

_MD_PUNCTUATION = frozenset("\\`*_{}[]()#+-.!|~^$@:;,\"'=/?%")
_ENTITIES = {"<": "&lt;", ">": "&gt;", "&": "&amp;"}
# Neighbours that begin or end a Quarto shortcode ("{{<", ">}}"): md() puts an empty span between them.
_SHORTCODE_PAIRS = frozenset({("{", "{"), ("{", "<"), (">", "}"), ("}", "}")})


def _text(value: Any, filter_name: str) -> str:
    if value is None:
        raise RenderError(f"template filter '{filter_name}': expected text, got None")
    return " ".join(str(value).split())


def md(value: Any) -> str:
    """Text from data or the manifest as literal markdown (pandoc and Quarto).

    ASCII punctuation is backslash-escaped and ``< > &`` become HTML
    entities. An empty span separates ``{{``, ``}}``, ``{<`` and ``>}``, so no
    Quarto shortcode (``{{< include ... >}}``) can form, neither in the source
    nor in the text pandoc parses from it (Quarto looks for shortcodes in both,
    titles included).

    >>> md("*x* <b>")
    '\\\\*x\\\\* &lt;b&gt;'
    >>> md("{{< meta x >}}")
    '\\\\{[]{}\\\\{[]{}&lt; meta x &gt;[]{}\\\\}[]{}\\\\}'
    """
    out: list[str] = []
    previous = ""
    for char in _text(value, "md"):
        if (previous, char) in _SHORTCODE_PAIRS:
            out.append("[]{}")
        if char in _ENTITIES:
            out.append(_ENTITIES[char])
        elif char in _MD_PUNCTUATION:
            out.append("\\" + char)
        else:
            out.append(char)
        previous = char
    return "".join(out)


def attr(value: Any) -> str:
    """Text for a double-quoted markdown attribute value such as ``fig-alt="..."``."""
    text = _text(value, "attr").replace("\\", "\\\\").replace('"', '\\"')
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("{", "&#123;")


def html(value: Any) -> str:
    """Text for a raw HTML block; ``{`` too is an entity so Quarto finds no shortcode."""
    return str(markupsafe.escape(_text(value, "html"))).replace("{", "&#123;")


#: Schemes a report may link to; everything else (javascript:, data:, vbscript:, file:...) is refused.
ALLOWED_SCHEMES = ("http", "https", "mailto", "doi")
# What a browser ignores in a URL before reading its scheme (WHATWG URL: C0 controls and spaces
# at the ends, tabs and newlines anywhere), so "java\tscript:" is "javascript:" to it.
_URL_IGNORED = re.compile(r"^[\x00-\x20]+|[\x00-\x20]+$|[\t\n\r]")
# Characters that stay as they are in a link target; everything else is percent-encoded.
_URL_SAFE = ":/?#@!$&'*+,;=%~"


def safe_url(value: Any, *, where: str = "link") -> str:
    """A link target that cannot run code: the URL as a browser will read it, its scheme checked.

    HTML character references are decoded first, as pandoc does in link
    targets (``javascript&colon;`` and ``&#106;avascript:`` are
    ``javascript:``), and what browsers ignore is dropped; the scheme must then
    be one of ``ALLOWED_SCHEMES`` or absent (a site-relative link).

    Raises
    ------
    RenderError
        Naming ``where`` (e.g. the manifest field), the URL and its scheme.
    """
    if value is None:
        raise RenderError(f"{where}: expected a URL, got None")
    text = _URL_IGNORED.sub("", html_module.unescape(str(value)))
    scheme = urllib.parse.urlsplit(text).scheme.lower()
    if scheme and scheme not in ALLOWED_SCHEMES:
        raise RenderError(
            f"{where}: expected an {', '.join(ALLOWED_SCHEMES[:-1])} or {ALLOWED_SCHEMES[-1]} URL "
            f"or a site-relative path, got {text!r} (scheme {scheme!r})"
        )
    return text


def url(value: Any, where: str = "link") -> str:
    """A link target for markdown, ``[text](target)``: ``safe_url``, percent-encoded.

    ``&`` becomes ``&amp;``, which pandoc decodes back to ``&``, so no
    character reference can form in the output. Spaces, quotes and brackets
    are percent-encoded.

    >>> url("https://example.org/a b?x=1&y=2")
    'https://example.org/a%20b?x=1&amp;y=2'

    Raises
    ------
    RenderError
        As ``safe_url``.
    """
    quoted = urllib.parse.quote(safe_url(value, where=where), safe=_URL_SAFE)
    return quoted.replace("&", "&amp;")


def typst_str(value: Any) -> str:
    r"""Text as a typst string literal, quotes included, with ``\`` and ``"`` escaped.

    >>> print(typst_str('a "b" \\ c'))
    "a \"b\" \\ c"
    """
    text = _text(value, "typst_str").replace("\\", "\\\\").replace('"', '\\"')
    return f'"{text}"'


def yaml_md(value: Any) -> str:
    """Text from data as a YAML double-quoted scalar whose content is literal markdown (titles)."""
    return json.dumps(md(value), ensure_ascii=False)


def yaml_value(value: Any) -> str:
    """A configuration value (from ``_quarto.yml``) as a YAML flow value: JSON, which YAML reads as is.

    >>> yaml_value("a4"), yaml_value(True), yaml_value({"x": "2cm"})
    ('"a4"', 'true', '{"x": "2cm"}')
    """
    return json.dumps(value, ensure_ascii=False, allow_nan=False)


def na(value: Any, fmt: str, *args: Any, **kwargs: Any) -> str:
    """``value`` through the number filter ``fmt``, or ``NOT_AVAILABLE`` when it is None.

    For values a result may lack (``None`` beside a reason); every other
    ``None`` still stops the render.

    >>> na(1.5234, "gyr"), na(None, "gyr"), na(0.2, "pvalue", relation=True)
    ('1.52', 'not available', '= 0.200')
    """
    return NOT_AVAILABLE if value is None else FILTERS[fmt](value, *args, **kwargs)


FILTERS: dict[str, Callable[..., str]] = {
    "md": md,
    "attr": attr,
    "html": html,
    "url": url,
    "typst_str": typst_str,
    "yaml_md": yaml_md,
    "yaml_value": yaml_value,
    "gyr": gyr,
    "num": num,
    "pvalue": pvalue,
    "pct": pct,
    "level": level,
    "sci": sci,
    "score": score,
    "quantum": quantum,
    "na": na,
}
