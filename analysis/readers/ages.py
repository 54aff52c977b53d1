"""What a value must be to be an age in Gyr: positive, finite and at most ``MAX_AGE_GYR``.

One rule for every reader: the fields of a text table (``text_grammar``), the
columns the fast text readers convert, and catalog columns once their unit
has been converted to Gyr (``catalogs``).
"""

import math

import numpy as np

from ..config import AGE_OF_UNIVERSE_GYR

__all__ = ["MAX_AGE_GYR", "UNIT_HINT", "age_problem", "invalid_ages"]

#: Largest age read, in Gyr: about 72 times the age of the Universe. Ages somewhat above 13.8 Gyr
#: are real measurements with their errors and are kept; 1000 Gyr is not a measurement in Gyr but,
#: almost certainly, a unit error (a column in Myr or yr read as Gyr). Without this limit such a
#: column passes the reader and fails deep in the analysis ("are nearly all ages tied?").
MAX_AGE_GYR = 1000.0
#: Appended to the error for an age above ``MAX_AGE_GYR``.
UNIT_HINT = "is the unit wrong (Myr or yr read as Gyr)?"


def age_problem(value: float) -> str | None:
    """What was expected instead of ``value`` Gyr, or ``None`` when it is an age.

    ``nan`` (a missing value) is not a problem.

    Examples
    --------
    >>> age_problem(9.31) is None, age_problem(float("nan")) is None
    (True, True)
    >>> age_problem(0.0)
    'expected a positive number of Gyr'
    >>> age_problem(5000.0)
    'expected at most 1000 Gyr (72 times the age of the Universe)'
    """
    if value <= 0:
        return "expected a positive number of Gyr"
    if math.isinf(value):
        return "expected a finite positive number of Gyr"
    if value > MAX_AGE_GYR:
        times = MAX_AGE_GYR / AGE_OF_UNIVERSE_GYR
        return f"expected at most {MAX_AGE_GYR:g} Gyr ({times:.0f} times the age of the Universe)"
    return None


def invalid_ages(values: np.ndarray) -> np.ndarray:
    """Where ``values`` (Gyr) are not ages (``age_problem`` is not ``None``): a boolean array of their shape."""
    return (values <= 0) | (values > MAX_AGE_GYR)  # inf is above the limit; nan compares False
