"""Numbers as the report prints them: Gyr, significant figures, p-values, percentages, levels, small bounds.

Pure text formatting, shared by the template filters (``publish.render``) and
``python -m analysis``, so a number reads the same on a page and in a
terminal. Each refuses NaN, infinity and ``None`` (a ``RenderError``), so that
"nan" or "None" never reaches a reader. One quantity has one format on every
page, table, figure and in the PDF: bandwidths and ages through ``gyr``,
p-values through ``pvalue``, fractions of stars through ``pct``, significance
and confidence levels through ``level``.
"""

import math
from typing import Any

from .errors import RenderError

__all__ = ["gyr", "level", "num", "pct", "pvalue", "quantum", "sci", "score"]


def _finite(value: Any, filter_name: str) -> float:
    """The value as a float, or a RenderError: the report never prints nan or None."""
    if value is None or isinstance(value, bool) or not isinstance(value, (int, float)):
        raise RenderError(f"template filter '{filter_name}': expected a number, got {value!r}")
    if not math.isfinite(value):
        raise RenderError(f"template filter '{filter_name}': expected a finite number, got {value!r}")
    return float(value)


def gyr(value: Any) -> str:
    """A number of Gyr: two decimals from 1 Gyr up, three significant figures below.

    Trailing zeros below 1 Gyr are dropped down to two decimals, so the
    lecture's 0.01 Gyr prints as given.

    >>> gyr(7.456), gyr(0.0123), gyr(0.01), gyr(-0.6), gyr(0)
    ('7.46', '0.0123', '0.01', '-0.60', '0.00')
    """
    x = _finite(value, "gyr")
    if abs(x) >= 1 or x == 0:
        return f"{x:.2f}"
    text = f"{x:.{2 - math.floor(math.log10(abs(x)))}f}"
    while text.endswith("0") and len(text.split(".")[1]) > 2:
        text = text[:-1]
    return text


def num(value: Any, digits: int = 3) -> str:
    """A number with ``digits`` significant figures (integers exactly), never in e-notation.

    >>> num(-212.34), num(0.08312), num(42)
    ('-212', '0.0831', '42')
    """
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    x = _finite(value, "num")
    if x == 0:
        return "0"
    decimals = max(0, digits - 1 - math.floor(math.log10(abs(x))))
    return f"{x:.{decimals}f}"


def score(value: Any, signed: bool = False) -> str:
    """A log-likelihood per star (nats, log 1/Gyr) or a difference or SE of such: three decimals everywhere,
    so a score, its standard error and the differences between models read alike in every table and sentence.

    >>> score(-2.63912), score(0.0551), score(2.1408, signed=True)
    ('-2.639', '0.055', '+2.141')
    """
    x = _finite(value, "score")
    return f"{x:+.3f}" if signed else f"{x:.3f}"


def quantum(value: Any) -> str:
    """The grid ages are stored on (Gyr), as written in the file: shortest digits, never e-notation.

    >>> quantum(0.1), quantum(0.25), quantum(1e-06)
    ('0.1', '0.25', '0.000001')
    """
    x = _finite(value, "quantum")
    text = repr(x)
    return text if "e" not in text else f"{x:.{-math.floor(math.log10(abs(x))) + 15}f}".rstrip("0")


#: The p-value bounds a test's own table clips to, as ``pvalue``'s ``bound`` names them.
_BOUND_SIGNS = {"floor": "≤", "cap": "≥"}


def pvalue(value: Any, relation: bool = False, bound: str | None = None) -> str:
    """A p-value: ``"< 0.001"`` or three decimals; with ``relation`` prefixed for prose (``p = ...``).

    ``bound`` says the value is where a test's table clips it (scipy's
    Anderson-Darling p-value at 0.001 or 0.25, statsmodels' Lilliefors p-value
    at 0.001 or 0.99): ``"floor"`` prints ``"≤ 0.001"`` (the true value is at
    most that), ``"cap"`` ``"≥ 0.250"``, in a table and in prose alike.

    >>> pvalue(0.0004), pvalue(0.0342), pvalue(0.0342, relation=True), pvalue(0.0001, relation=True)
    ('< 0.001', '0.034', '= 0.034', '< 0.001')
    >>> pvalue(0.001, bound="floor"), pvalue(0.25, relation=True, bound="cap")
    ('≤ 0.001', '≥ 0.250')
    """
    p = _finite(value, "pvalue")
    if bound is not None:
        if bound not in _BOUND_SIGNS:
            raise RenderError(f"template filter 'pvalue': expected bound floor, cap or None, got {bound!r}")
        return f"{_BOUND_SIGNS[bound]} {p:.3f}"
    if p < 0.0005:
        return "< 0.001"
    return f"= {p:.3f}" if relation else f"{p:.3f}"


def pct(value: Any) -> str:
    """A fraction (0-1) of stars or draws as a percentage, by one rule wherever it is printed.

    One decimal from 0.1 % up (``"22.0 %"`` beside ``"22.7 %"``, never
    ``"22 %"``), two decimals from 0.01 % to 0.1 %, ``"< 0.01 %"`` below that
    and ``"0 %"`` for exactly none.

    >>> pct(0.0321), pct(0.22), pct(0.95), pct(0.00032), pct(0.00001), pct(0)
    ('3.2 %', '22.0 %', '95.0 %', '0.03 %', '< 0.01 %', '0 %')
    """
    percent = 100.0 * _finite(value, "pct")
    if percent == 0:
        return "0 %"
    if percent < 0.01:
        return "< 0.01 %"
    return f"{percent:.2f} %" if percent < 0.1 else f"{percent:.1f} %"


def level(value: Any) -> str:
    """A significance or confidence level (0-1) as a percentage: chosen, not measured, so as given.

    >>> level(0.95), level(0.05), level(0.025)
    ('95 %', '5 %', '2.5 %')
    """
    return f"{100.0 * _finite(value, 'level'):.4g} %"


def sci(value: Any) -> str:
    """A small positive bound in markdown scientific notation, two significant figures.

    Values from 0.001 up print as ``num`` does; the exponent is a pandoc
    superscript with a true minus sign, which both engines render.

    >>> sci(4.4e-7), sci(0.0123), sci(0)
    ('4.4 × 10^−7^', '0.0123', '0')
    """
    x = _finite(value, "sci")
    if x == 0 or abs(x) >= 1e-3:
        return num(x)
    exponent = math.floor(math.log10(abs(x)))
    mantissa = f"{x / 10**exponent:.1f}"
    if mantissa.lstrip("-") == "10.0":  # 9.96e-8 rounds up to the next power of ten
        mantissa, exponent = mantissa.replace("10.0", "1.0"), exponent + 1
    return f"{mantissa} × 10^{str(exponent).replace('-', '−')}^"
