"""Results a data set is too small or too tied for: the signal that says so and its wording.

A statistic that is undefined for some ages (ISJ with no root, cross-validation
of 2 stars, a p-value that small samples make unreliable) is not an error: the
rest of the report still stands. The code that guards it raises
``NotAvailable(not_available(subject, why))``, worded where the minimum is
known; its caller stores ``None`` where the value would be and, beside it, the
reason (see ``results``). Each minimum is a named constant beside the code it
guards; ``minimums.MINIMUMS`` lists them for the pages.
"""

from collections.abc import Callable
from typing import TypeVar

__all__ = ["NotAvailable", "attempt", "not_available"]

T = TypeVar("T")


class NotAvailable(Exception):
    """A statistic is undefined for these ages; ``str(error)`` is the reason readers see.

    Not a ``ReportError``: nothing is wrong with the data, and the build goes
    on without this one value.
    """


def not_available(subject: str, why: str) -> str:
    """The reason stored beside a value that is ``None``.

    Parameters
    ----------
    subject : str
        Which ages the statement is about: ``"n = 5"``, ``"n = 3 and 91"``,
        ``"2 pairs"``.
    why : str
        What the statistic needs and the data lack.

    Examples
    --------
    >>> not_available("n = 2", "cross-validation needs at least 3 ages")
    'not available for n = 2: cross-validation needs at least 3 ages'
    """
    return f"not available for {subject}: {why}"


def attempt(compute: Callable[[], T]) -> tuple[T | None, str | None]:
    """``(compute(), None)``, or ``(None, reason)`` when it raises ``NotAvailable``.

    >>> def isj():
    ...     raise NotAvailable(not_available("n = 2", "too few distinct ages"))
    >>> attempt(isj)
    (None, 'not available for n = 2: too few distinct ages')
    """
    try:
        return compute(), None
    except NotAvailable as error:
        return None, str(error)
