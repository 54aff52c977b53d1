"""The head of a text table: decoding, the header line, and the lines before the first data row.

Shared by every text reader (line by line, the numba scan, pyarrow), so that
they find the same header and refuse the same one.
"""

import codecs
import re

from ..errors import DataError
from .names import named_twice
from .text_grammar import BLANKS, check_width, is_number, line_number, separator_hint, shown, split_fields

__all__ = ["decode", "find_header", "head_lines"]

#: Where the fast readers look for the first data line and the header.
_HEAD_BYTES = 1 << 16
_LINE_END = re.compile(rb"\r\n|\r|\n")


def decode(raw: bytes, source: str) -> str:
    """UTF-8 text with one ``\\n`` per line end; bytes that are not UTF-8 are a DataError."""
    start = len(codecs.BOM_UTF8) if raw.startswith(codecs.BOM_UTF8) else 0
    try:
        text = raw[start:].decode("utf-8")
    except UnicodeDecodeError as exc:
        bad = start + exc.start
        raise DataError(
            f"{source}:{line_number(raw, bad)}: byte 0x{raw[bad]:02x} is not UTF-8, so this is not a text "
            "table; expected plain UTF-8 text with one star per line (export spreadsheets as CSV)"
        ) from None
    return text.replace("\r\n", "\n").replace("\r", "\n")


def find_header(lines: list[str], comma: bool, source: str) -> tuple[int | None, tuple[str, ...]]:
    """The header's 0-based line index and names, or ``(None, ())``.

    A first non-comment line whose fields are not all numbers is the header.
    Otherwise, of the ``#`` lines before the first data row, the last one with
    as many fields as that row names the columns (so a descriptive ``#``
    comment above a ``#col_a col_b`` line stays a comment). Only the lines up
    to the first non-comment line are looked at.
    """
    comments = []
    for i, line in enumerate(lines):
        if not line.strip(BLANKS):
            continue
        if line.lstrip(BLANKS).startswith("#"):
            comments.append(i)
            continue
        fields = split_fields(line, comma)
        check_width(len(fields), f"{source}:{i + 1}")
        numbers = [is_number(f) for f in fields if f]
        if all(numbers):
            break
        if any(numbers):
            # A typo in the first row must not silently turn it into a header.
            raise DataError(
                f"{source}:{i + 1}: {shown(' '.join(fields))} mixes numbers and names; expected a header "
                f"of column names or a row of ages in Gyr{separator_hint(line)}"
            )
        return _distinct(i, tuple(fields), source)
    else:
        return None, ()
    for j in reversed(comments):
        names = split_fields(lines[j].lstrip(BLANKS)[1:], comma)
        if len(names) == len(fields):
            return _distinct(j, tuple(names), source)
    return None, ()


def head_lines(raw: bytes, start: int) -> tuple[list[str], list[int]] | None:
    """The lines from byte ``start`` up to the first data line, and the offset just past each one's end.

    For the fast readers, which run ``find_header`` on these lines only. ``None``
    when the first data line does not end within the first 64 KiB.
    """
    chunk = raw[start : start + _HEAD_BYTES]
    lines, ends, pos = [], [], 0
    for match in _LINE_END.finditer(chunk):
        if match.end() == len(chunk) and chunk.endswith(b"\r"):
            return None  # the chunk may have cut a \r\n in two
        line = chunk[pos : match.start()].decode("latin-1")
        lines.append(line)
        ends.append(start + match.end())
        pos = match.end()
        if line.strip(BLANKS) and not line.lstrip(BLANKS).startswith("#"):
            return lines, ends
    return None


def _distinct(index: int, header: tuple[str, ...], source: str) -> tuple[int, tuple[str, ...]]:
    repeat = named_twice(header)
    if repeat is not None:
        raise DataError(f"{source}:{index + 1}: the header {repeat}{separator_hint(''.join(header))}")
    return index, header
