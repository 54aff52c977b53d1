"""The grammar of the lines of a text table of ages: fields, numbers, and the error for a bad row.

Every reader of ``analysis.table.parse_table`` (line by line, the numba scan,
pyarrow) accepts exactly this grammar, and the fast ones call ``row_ages``
on the first line they cannot take, so each path words the same error:

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
"""

import math
import re

from .errors import DataError

__all__ = ["BLANKS", "FIELD_PATTERN", "column_name", "is_number", "line_number", "row_ages", "shown", "split_fields"]

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


def _age(field: str, column: str, where: str) -> float:
    """One age in Gyr, ``nan`` when missing."""
    if not field or _NAN_RE.fullmatch(field):
        return math.nan
    value = float(field) if _NUMBER_RE.fullmatch(field) or _INFINITY_RE.fullmatch(field) else None
    if value is None or value <= 0:
        raise DataError(f"{where}: {column}: expected a positive number of Gyr, got {shown(field)}")
    if math.isinf(value):
        raise DataError(f"{where}: {column}: expected a finite positive number of Gyr, got {shown(field)}")
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
        raise DataError(f"{where}: expected {width} columns like {like}, got {len(fields)}")
    return [_age(field, column_name(header, c), where) for c, field in enumerate(fields)]
