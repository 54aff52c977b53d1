"""The first reader of ``parse_table`` for large text files: a numba scan of the bytes.

The body of a plain-ASCII table (after its comment/header lines) is cut at
line ends into one part per CPU; a compiled kernel, run from a thread per part
(it releases the GIL), converts each part's fields straight from the bytes to
float64 columns. Two passes: the first counts each part's rows and line ends
(so every part knows where its rows and line numbers start), the second
writes them.

The reader returns exactly ``parse_table``'s ``Table`` or ``None``, and never
raises: anything it does not read the way the line-by-line parser would goes
to the next reader, which reads it or raises the line-by-line parser's error.
It takes:

- a header found by ``text_header.find_header`` in the first 64 KiB;
- fields separated by ``,`` (with spaces or tabs around them, an empty field
  is missing; at least two columns) or by runs of spaces and tabs;
- ``#`` comment lines and blank lines anywhere, ``\\n``, ``\\r\\n`` or ``\\r``
  line ends, a UTF-8 byte-order mark;
- decimal numbers ``[+]digits[.digits][(e|E)[+|-]digits]`` (either digit run
  may be empty, not both), and ``nan`` in any case, optionally signed.

It hands the file on for any other byte or field (non-ASCII text, control
bytes, ``inf``, ``1_000``, signs other than on ``nan``), for a row of another
width, and for a value that is zero or, after the exact conversion below, not
an age (``ages``: positive, finite, at most 1000 Gyr): all of these
are errors or rarities that the other readers word or read.

Conversion: Clinger's fast path. A field whose digits form an integer
``M <= 2**53`` (at most 18 digits, leading zeros included) and whose decimal
exponent ``e`` (after folding in the fraction digits) has ``|e| <= 22`` is
``M * 10**e`` or ``M / 10**-e``: both operands are exact doubles, so the one
IEEE operation rounds the exact value correctly, as Python's ``float`` does.
Other decimal fields (e.g. 17 significant digits, as ``repr`` writes) are
flagged, up to ``_MAX_SLOW`` per part, and converted by ``float`` afterwards;
a part with more flagged fields hands the file on.

Longer than 300 lines: the compiled kernels must stay in one module for numba to inline its small
helpers into them (see ``_inline``), and this docstring states exactly what they take.
"""

import codecs
from concurrent.futures import ThreadPoolExecutor
import itertools
import os

import numba
import numpy as np

from .ages import invalid_ages
from ..errors import DataError
from .table import Table
from .text_header import find_header, head_lines
from .text_grammar import split_fields

__all__ = ["scan_table"]

#: Bytes allowed in the head (printable ASCII, tab, line ends); the kernel checks the body's itself.
_PLAIN = bytes(range(32, 127)) + b"\t\n\r"
#: Bodies smaller than this are not split further (thread start-up would cost more than it saves).
_MIN_PART_BYTES = 1 << 20
#: Fields per part that may need ``float`` (slow); more hands the file on.
_MAX_SLOW = 1024

#: 10**0 .. 10**22: every one an exact double (5**22 < 2**53).
_POW10 = np.array([float(10**k) for k in range(23)])
_MAX_MANTISSA = 2**53
_MAX_DIGITS = 18  # < 10**18 fits an int64; a longer mantissa may wrap around, and is flagged unused

_TAB, _LF, _CR, _SPACE, _HASH, _COMMA = 9, 10, 13, 32, 35, 44
#: Small helpers are inlined into the kernels at numba's level: a call per line or field made the
#: passes 2-3x slower (so did helpers with several ``return``s, hence ``_number``'s single one).
_inline = numba.njit(inline="always")

# Status of one field: converted, flagged for ``float``, or not a field this reader takes.
_OK, _SLOW, _BAD = 0, 1, 2


@_inline
def _skip_blanks(data, k, hi):
    while k < hi and (data[k] == _SPACE or data[k] == _TAB):
        k += 1
    return k


@_inline
def _line_end(data, k, hi):
    while k < hi and data[k] != _LF and data[k] != _CR:
        k += 1
    return k


@numba.njit(cache=True, nogil=True)
def _count_part(data, lo, hi):
    """(data rows, line ends) in ``data[lo:hi]``."""
    rows = 0
    lines = 0
    k = lo
    while k < hi:
        k = _skip_blanks(data, k, hi)
        if k < hi and data[k] != _LF and data[k] != _CR and data[k] != _HASH:
            rows += 1
        k = _line_end(data, k, hi)
        if k < hi:
            lines += 1
            k += 2 if data[k] == _CR and k + 1 < hi and data[k + 1] == _LF else 1
    return rows, lines


@_inline
def _number(data, k, hi):
    """Read the field starting at ``k``: (value, index after it, status).

    One return statement: numba inlines that into a loop as fast as hand-written code.
    """
    value = np.nan
    status = _OK
    negative = data[k] == 45  # -
    if negative or data[k] == 43:  # + -
        k += 1
    if k + 2 < hi and (data[k] | 32) == 110 and (data[k + 1] | 32) == 97 and (data[k + 2] | 32) == 110:
        k += 3  # nan, any case, either sign
    elif negative:
        status = _BAD  # negative or -0: an error
    else:
        # Every digit goes into the mantissa; more than _MAX_DIGITS (leading zeros count) is
        # flagged before the possibly wrapped-around mantissa is looked at.
        start = k
        mantissa = 0
        while k < hi and 48 <= data[k] <= 57:
            mantissa = mantissa * 10 + (data[k] - 48)
            k += 1
        digits = k - start
        fraction = 0
        if k < hi and data[k] == 46:  # .
            k += 1
            point = k
            while k < hi and 48 <= data[k] <= 57:
                mantissa = mantissa * 10 + (data[k] - 48)
                k += 1
            fraction = k - point
        digits += fraction
        exponent = 0
        if digits and k < hi and (data[k] | 32) == 101:  # e E
            k += 1
            sign = 1
            if k < hi and (data[k] == 43 or data[k] == 45):
                sign = 44 - data[k]  # + -> 1, - -> -1
                k += 1
            start = k
            while k < hi and 48 <= data[k] <= 57:
                if exponent < 100000:  # far beyond any double; stop growing
                    exponent = exponent * 10 + (data[k] - 48)
                k += 1
            if k == start:
                digits = 0
            exponent *= sign
        exponent -= fraction
        if digits == 0:
            status = _BAD
        elif digits > _MAX_DIGITS or mantissa > _MAX_MANTISSA or exponent > 22 or exponent < -22:
            status = _SLOW
        elif mantissa == 0:
            status = _BAD  # zero: an error
        elif exponent >= 0:
            value = mantissa * _POW10[exponent]
        else:
            value = mantissa / _POW10[-exponent]
    return value, k, status


@numba.njit(cache=True, nogil=True)
def _scan_part(data, lo, hi, comma, line, row, out, line_numbers, slow):
    """Parse the rows of ``data[lo:hi]`` into ``out[:, row:]``; the first line there is 0-based ``line``.

    ``out`` is (n_columns, n_rows) float64, ``line_numbers`` (n_rows,) int64,
    ``slow`` (_MAX_SLOW, 4) int64 receiving (row, column, start, end) of each
    flagged field. Returns the number of flagged fields, or -1 to hand the
    file on.
    """
    width = out.shape[0]
    n_slow = 0
    k = lo
    while k < hi:
        first = _skip_blanks(data, k, hi)
        if first == hi or data[first] == _LF or data[first] == _CR or data[first] == _HASH:  # not a row
            k = _line_end(data, first, hi)
            for j in range(first, k):
                if data[j] < _SPACE and data[j] != _TAB or data[j] > 126:
                    return -1  # a byte the line-by-line parser decodes or refuses
        else:
            if row >= out.shape[1]:
                return -1  # cannot happen (the count pass saw the same rows); never write out of bounds
            k = first
            column = 0
            while True:  # one field per pass; k is at its first byte (a non-blank one unless CSV)
                if column == width:
                    return -1  # too many fields
                if comma:
                    k = _skip_blanks(data, k, hi)
                if comma and (k == hi or data[k] == _LF or data[k] == _CR or data[k] == _COMMA):
                    value = np.nan  # an empty CSV field is missing
                else:
                    start = k
                    value, k, status = _number(data, k, hi)
                    if status == _BAD:
                        return -1
                    if status == _SLOW:
                        if n_slow == slow.shape[0]:
                            return -1
                        slow[n_slow, 0] = row
                        slow[n_slow, 1] = column
                        slow[n_slow, 2] = start
                        slow[n_slow, 3] = k
                        n_slow += 1
                    k = _skip_blanks(data, k, hi)
                out[column, row] = value
                column += 1
                if k == hi or data[k] == _LF or data[k] == _CR:
                    break
                if comma:
                    if data[k] != _COMMA:
                        return -1  # e.g. "1 2" or "1x" in a CSV field
                    k += 1
                elif data[k - 1] != _SPACE and data[k - 1] != _TAB:
                    return -1  # the number ran into another byte, e.g. "1x" or "1,2"
            if column != width:
                return -1  # too few fields
            line_numbers[row] = line + 1
            row += 1
        if k < hi:
            k += 2 if data[k] == _CR and k + 1 < hi and data[k + 1] == _LF else 1  # parts never cut a \r\n
            line += 1
    return n_slow


def _cuts(raw: bytes, lo: int, hi: int, parts: int) -> list[int]:
    """Offsets ``lo = c0 < c1 < ... = hi``, each inner one just after a line end, about evenly spaced."""
    cuts = [lo]
    for p in range(1, parts):
        at = max(lo + (hi - lo) * p // parts, cuts[-1])
        ends = [e for e in (raw.find(b"\n", at, hi), raw.find(b"\r", at, hi)) if e >= 0]
        if not ends:
            break
        end = min(ends)
        end += 2 if raw[end : end + 2] == b"\r\n" else 1
        if end < hi and end > cuts[-1]:
            cuts.append(end)
    cuts.append(hi)
    return cuts


def scan_table(raw: bytes, source: str, *, parts: int | None = None) -> Table | None:
    """Parse a text table with the compiled kernel, exactly as ``parse_table`` would.

    Parameters
    ----------
    raw : bytes
        The file's content.
    source : str
        Display name of the file (the ``Table``'s ``source``).
    parts : int, optional
        Number of pieces the body is cut into, each parsed by its own thread.
        Default: one per CPU, but no piece under ``_MIN_PART_BYTES``.

    Returns
    -------
    Table or None
        The table, or ``None`` when the file must go to the next reader (see
        the module docstring). Never raises ``DataError``.
    """
    start = len(codecs.BOM_UTF8) if raw.startswith(codecs.BOM_UTF8) else 0
    head = head_lines(raw, start)
    if head is None:
        return None
    lines, ends = head
    if raw[start : ends[-1]].translate(None, _PLAIN):
        return None  # the kernel checks the body's bytes
    first = len(lines) - 1
    first_start = ends[first - 1] if first else start
    # Only data lines decide the delimiter; a comma that is only in body comments makes the
    # guess wrong, and then no row parses (width >= 2 needs a comma in every row).
    comma = raw.find(b",", first_start) >= 0
    try:
        header_index, header = find_header(lines, comma, source)
    except DataError:
        return None  # the next reader raises it
    body_line, body = (first + 1, ends[first]) if header_index == first else (first, first_start)
    width = len(header) if header else len(split_fields(lines[first], comma))
    if comma and width < 2:
        return None

    data = np.frombuffer(raw, dtype=np.uint8)
    if parts is None:
        parts = max(1, min(os.cpu_count() or 1, (len(raw) - body) // _MIN_PART_BYTES))
    cuts = _cuts(raw, body, len(raw), parts)
    spans = list(itertools.pairwise(cuts))
    with ThreadPoolExecutor(max_workers=len(spans)) as pool:
        counts = list(pool.map(lambda span: _count_part(data, *span), spans))
        n_rows = sum(rows for rows, _ in counts)
        if n_rows == 0:
            return None
        out = np.empty((width, n_rows))
        line_numbers = np.empty(n_rows, dtype=np.int64)
        first_rows = np.cumsum([0] + [rows for rows, _ in counts])
        first_lines = body_line + np.cumsum([0] + [lines for _, lines in counts])
        slows = [np.empty((_MAX_SLOW, 4), dtype=np.int64) for _ in spans]
        jobs = [
            pool.submit(_scan_part, data, lo, hi, comma, first_lines[p], first_rows[p], out, line_numbers, slows[p])
            for p, (lo, hi) in enumerate(spans)
        ]
        n_slow = [job.result() for job in jobs]
    if min(n_slow) < 0:
        return None
    for slow, n in zip(slows, n_slow):
        for row, column, lo, hi in slow[:n].tolist():
            out[column, row] = float(raw[lo:hi])
    if invalid_ages(out).any():
        return None  # zero or infinite after rounding, or above the largest age: an error the next reader words
    # Read-only, so that Table keeps these arrays instead of copying them.
    out.setflags(write=False)
    line_numbers.setflags(write=False)
    return Table(source=source, header=header, columns=tuple(out), line_numbers=line_numbers)
