"""Names of columns, sources and data sets: the first repeated one, and bounded slugs.

A file may hold up to ``text_grammar.MAX_COLUMNS`` columns and a catalog more, so
every check over names is one pass with a dict, never a comparison of every
pair. A data set's name becomes part of file names and URLs, so a name derived
from a column header is bounded, whatever the header's length.
"""

from collections.abc import Hashable, Iterable, Sequence
import hashlib
import re

from .text_grammar import shown

__all__ = ["MAX_NAME_CHARS", "first_repeat", "named_twice", "slug"]

#: Longest name of a data set or source. Names become file names and URLs (``dataset-<name>.html``,
#: ``figures/pair-<a>-<b>.svg``, two names in one); 40 characters keep the longest of them far below
#: the 255 bytes a file name may have on common file systems, and keep a name readable.
MAX_NAME_CHARS = 40
#: Longest slug: room is left for the ``-2`` ... ``-1000`` that keeps derived names unique.
_SLUG_CHARS = 32
_HASH_CHARS = 7


def first_repeat(values: Iterable[Hashable], *, skip: Hashable = None) -> tuple[int, int] | None:
    """0-based positions ``(first, again)`` of the first value seen a second time, or ``None``.

    Values equal to ``skip`` (e.g. ``""`` for unnamed columns) never count.

    Examples
    --------
    >>> first_repeat(["a", "b", "c", "b", "a"])
    (1, 3)
    >>> first_repeat(["", "x", ""], skip="") is None
    True
    """
    seen: dict[Hashable, int] = {}
    for i, value in enumerate(values):
        if value == skip and skip is not None:
            continue
        if value in seen:
            return seen[value], i
        seen[value] = i
    return None


def named_twice(names: Sequence[str]) -> str | None:
    """``"names column 'age' twice (columns 2 and 4); expected distinct names"``, or ``None``.

    The first name (not ``""``, an unnamed column) that comes again, with
    both 1-based column numbers; the caller says who names it.
    """
    repeat = first_repeat(names, skip="")
    if repeat is None:
        return None
    first, again = repeat
    return f"names column {shown(names[first])} twice (columns {first + 1} and {again + 1}); expected distinct names"


def slug(text: str) -> str:
    """A name for file names and URLs made from ``text``: ``[a-z0-9_-]``, at most 32 characters, maybe empty.

    A longer slug keeps its start and ends in 7 hex digits of the SHA-256 of
    ``text``, so two long headers that differ only at the end still get
    different names, and the same header always the same name.

    Examples
    --------
    >>> slug("Joyce age (Gyr)")
    'joyce-age-gyr'
    >>> slug("Age from isochrone fitting with MIST v1.2 models (Gyr)")
    'age-from-isochrone-fitti-6fef3e2'
    """
    full = re.sub(r"[^a-z0-9_]+", "-", text.lower()).strip("-_")
    if len(full) <= _SLUG_CHARS:
        return full
    digest = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:_HASH_CHARS]
    return f"{full[: _SLUG_CHARS - _HASH_CHARS - 1].rstrip('-_')}-{digest}"
