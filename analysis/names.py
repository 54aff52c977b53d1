"""Names of columns, sources and data sets: the first repeated one.

A file may hold up to ``text_rows.MAX_COLUMNS`` columns and a catalog more, so
every check over names is one pass with a dict, never a comparison of every
pair.
"""

from collections.abc import Hashable, Iterable

__all__ = ["first_repeat"]


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
