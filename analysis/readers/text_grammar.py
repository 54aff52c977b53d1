"""The grammar of the lines of a text table of ages: fields, numbers, and the error for a bad row.

Every reader of ``text.parse_table`` (line by line, the numba scan,
pyarrow) reads this grammar and no more (the fast ones hand on what they do
not take), and the pyarrow path calls ``row_ages`` on the first line it
refuses, so each path words the same error:

- line ends: ``\\n``, ``\\r\\n`` or a lone ``\\r``, each ending one line;
- blanks: spaces and tabs only (not other control or Unicode spaces);
- fields: separated by commas (blanks around a field are ignored, an empty
  field is missing) or by runs of blanks;
- a number: ``[+-]`` ASCII digits with an optional decimal point (``1``,
  ``1.``, ``.5``, ``1.5``) and an optional exponent (``e`` or ``E``, a
  sign, digits); ``nan`` in any case, optionally signed, is missing.

``inf`` and ``infinity`` (any case) are read only to be refused as not
finite; anything else Python's ``float`` would take (``1_000``, full-width
or other Unicode digits, surrounding Unicode spaces) is refused as not a
number.

Limits, checked before any line is split (``check_bytes``) or any header
name compared (``check_width``), so a hostile file costs linear time: at
most ``MAX_LINE_BYTES`` per line and ``MAX_COLUMNS`` columns.
"""

import codecs
import math
import re

from .ages import MAX_AGE_GYR, UNIT_HINT, age_problem
from ..errors import DataError

__all__ = [
    "BLANKS",
    "FIELD_PATTERN",
    "MAX_COLUMNS",
    "MAX_LINE_BYTES",
    "check_bytes",
    "check_width",
    "column_name",
    "is_number",
    "line_number",
    "row_ages",
    "separator_hint",
    "shown",
    "split_fields",
]

#: Longest line, in bytes without its line end. A row of 1000 ages written by ``repr`` (at most
#: 24 bytes each) is 25 kB; a longer line is not one star's ages, and a line of megabytes would
#: be split, quoted and compared at a cost the reader of an age table should never pay.
MAX_LINE_BYTES = 1 << 20
#: Most columns in a file. A per-star age table has a handful and a catalog exported as text a few
#: dozen (Gaia DR3's main source table has 152); every column read becomes a data set (or could),
#: so tens of thousands of columns are a file that is not a table of ages.
MAX_COLUMNS = 1000

#: The bytes that separate fields on a line that has no comma, and are stripped around CSV fields.
BLANKS = " \t"
_NUMBER = r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?"
_NAN = r"[+-]?[nN][aA][nN]"
#: One field as pyarrow's RE2 sees it: a number, nan or (an empty CSV field) nothing.
FIELD_PATTERN = rf"^(?:{_NUMBER}|{_NAN})?$"

_NUMBER_RE = re.compile(_NUMBER)
_NAN_RE = re.compile(_NAN)
# re.ASCII: under Unicode case folding the dotless i of "ınf" would match, and float() refuses it.
_INFINITY_RE = re.compile(r"[+-]?inf(?:inity)?", re.IGNORECASE | re.ASCII)
_BLANK_RUN = re.compile(f"[{BLANKS}]+")
#: Longest field or name quoted whole in a message.
_SHOWN_CHARS = 60


def _line_end(raw: bytes, start: int, stop: int) -> int:
    """Offset of the first ``\\n`` or ``\\r`` in ``raw[start:stop]``, else ``stop``."""
    ends = [end for end in (raw.find(b"\n", start, stop), raw.find(b"\r", start, stop)) if end >= 0]
    return min(ends, default=stop)


def _first_long_line(raw: bytes) -> tuple[int, int] | None:
    """(start, length) of the first line longer than ``MAX_LINE_BYTES``, or ``None``.

    Such a line holds a whole block of ``MAX_LINE_BYTES // 2`` bytes without a
    line end wherever the blocks start, so only blocks are searched (in text,
    memchr meets a line end a few bytes into each) and the line around a block
    without one is measured, looking at most ``MAX_LINE_BYTES`` either side:
    linear time, no copies.
    """
    block = MAX_LINE_BYTES // 2
    lo = 0
    while lo + block <= len(raw):
        hi = lo + block
        if raw.find(b"\n", lo, hi) >= 0 or raw.find(b"\r", lo, hi) >= 0:
            lo = hi
            continue
        floor = max(0, lo - MAX_LINE_BYTES)
        start = max(raw.rfind(b"\n", floor, lo), raw.rfind(b"\r", floor, lo)) + 1
        if start == 0 and floor > 0:  # no line end within reach: found the long line; where does it start?
            start = max(raw.rfind(b"\n", 0, floor), raw.rfind(b"\r", 0, floor)) + 1
        end = _line_end(raw, hi, min(len(raw), start + MAX_LINE_BYTES + 1))
        if end - start > MAX_LINE_BYTES:
            return start, _line_end(raw, end, len(raw)) - start
        lo = end
    return None


def check_bytes(raw: bytes, source: str) -> None:
    """Refuse a UTF-16 file, a file with a NUL byte (a binary file) or a line longer than ``MAX_LINE_BYTES``.

    Raises
    ------
    DataError
        Naming the file and the line.
    """
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):  # UTF-32-LE's mark starts alike
        raise DataError(
            f"{source}:1: starts with a UTF-16 or UTF-32 byte-order mark; expected UTF-8 text "
            "(save or export it as UTF-8 CSV)"
        )
    nul = raw.find(b"\0")
    if nul >= 0:
        raise DataError(
            f"{source}:{line_number(raw, nul)}: contains a NUL byte, so it looks like a binary file; "
            "expected plain text with one star per line (export spreadsheets as CSV)"
        )
    long_line = _first_long_line(raw)
    if long_line is not None:
        start, length = long_line
        raise DataError(
            f"{source}:{line_number(raw, start)}: the line is {length} bytes long; expected at most "
            f"{MAX_LINE_BYTES} bytes (1 MiB) per line, one star per line"
        )


def check_width(n_columns: int, where: str) -> None:
    """Refuse a header or first row of more than ``MAX_COLUMNS`` fields (``where`` is ``file:line``)."""
    if n_columns > MAX_COLUMNS:
        raise DataError(f"{where}: expected at most {MAX_COLUMNS} columns, got {n_columns}")


def line_number(raw: bytes, offset: int) -> int:
    """1-based line of byte ``offset``: every ``\\n``, ``\\r\\n`` and lone ``\\r`` before it ends one line."""
    return raw.count(b"\n", 0, offset) + raw.count(b"\r", 0, offset) - raw.count(b"\r\n", 0, offset) + 1


def shown(text: str) -> str:
    """``repr(text)`` for a message, cut to its start when longer than 60 characters."""
    if len(text) <= _SHOWN_CHARS:
        return repr(text)
    return f"{text[:_SHOWN_CHARS - 10]!r}... ({len(text)} characters)"


def split_fields(line: str, comma: bool) -> list[str]:
    """The fields of a line that is neither blank nor a comment."""
    if comma:
        return [field.strip(BLANKS) for field in line.split(",")]
    return _BLANK_RUN.split(line.strip(BLANKS))


def is_number(field: str) -> bool:
    """Whether a field reads as a number (``nan`` and ``inf`` included): for telling a header from a row."""
    return bool(_NUMBER_RE.fullmatch(field) or _NAN_RE.fullmatch(field) or _INFINITY_RE.fullmatch(field))


def column_name(header: tuple[str, ...], index: int) -> str:
    """``"column 'Bensby_age'"`` from the header, else ``"column 2"`` (1-based)."""
    return f"column {shown(header[index])}" if header and header[index] else f"column {index + 1}"


def separator_hint(text: str) -> str:
    """What to say when ``text`` (a bad field or row, or the header) holds a character that looks like a separator.

    Semicolons (a spreadsheet's CSV in many locales), bars, and spaces other than
    space and tab (no-break, em or ideographic spaces, form feeds) split nothing
    here, so the error would otherwise read as a wrong count or a bad number.
    """
    for char in text:
        if char in ";|" or (char.isspace() and char not in BLANKS):
            return f" (the file seems to use {char!r} as separator; use commas, spaces or tabs)"
    return ""


def _age(field: str, column: str, where: str) -> float:
    """One age in Gyr, ``nan`` when missing."""
    if not field or _NAN_RE.fullmatch(field):
        return math.nan
    if not (_NUMBER_RE.fullmatch(field) or _INFINITY_RE.fullmatch(field)):
        hint = separator_hint(field)
        raise DataError(f"{where}: {column}: expected a positive number of Gyr, got {shown(field)}{hint}")
    value = float(field)
    problem = age_problem(value)
    if problem is not None:
        hint = f"; {UNIT_HINT}" if MAX_AGE_GYR < value < math.inf else ""
        raise DataError(f"{where}: {column}: {problem}, got {shown(field)}{hint}")
    return value


def row_ages(line: str, comma: bool, header: tuple[str, ...], width: int, like: str, where: str) -> list[float]:
    """The ages of one data line, or the DataError for its first problem (width, then column by column).

    Parameters
    ----------
    line : str
        The line, neither blank nor a comment, without its line end.
    comma : bool
        Whether the file's fields are separated by commas.
    header : tuple of str
        Column names, or ``()``.
    width : int
        Number of columns every row must have.
    like : str
        What set the width, for the message: ``"the header"`` or ``"line 3"``.
    where : str
        ``"file:line"`` prefixed to the message.

    Returns
    -------
    list of float
        ``width`` ages in Gyr, ``nan`` for a missing value.
    """
    fields = split_fields(line, comma)
    if len(fields) != width:
        hint = separator_hint(line) or separator_hint("".join(header))
        raise DataError(f"{where}: expected {width} column{'s' * (width != 1)} like {like}, got {len(fields)}{hint}")
    return [_age(field, column_name(header, c), where) for c, field in enumerate(fields)]
