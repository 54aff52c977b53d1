"""Descriptive statistics of one data set's ages."""

import numpy as np

from ..config import AGE_OF_UNIVERSE_GYR
from ..results import Summary

__all__ = ["summarise"]

#: Sample standard deviation (divide by n - 1), stated in the result so readers never guess.
_STD_DDOF = 1


def summarise(ages: np.ndarray, *, n_missing: int) -> Summary:
    """Count, centre, spread and range of the ages.

    Parameters
    ----------
    ages : ndarray, shape (n,)
        Ages in Gyr, missing values already removed; n >= 2.
    n_missing : int
        Stars dropped because their value was missing (reported, not used).

    Returns
    -------
    Summary
        Mean, median, standard deviation (``ddof=1``), min, max, quartiles
        (numpy's default linear interpolation), the number of ages above the
        age of the Universe (13.8 Gyr; kept in the data) and the number of
        distinct values (ties matter for cross-validated bandwidths).

    Raises
    ------
    ValueError
        If fewer than two ages are given (the sample standard deviation is undefined).

    Examples
    --------
    >>> s = summarise(np.array([1.0, 2.0, 3.0, 14.0]), n_missing=1)
    >>> s.mean, s.median, s.n_above_universe, s.n_distinct
    (5.0, 2.5, 1, 4)
    """
    ages = np.asarray(ages, dtype=float)
    if ages.ndim != 1 or ages.size < 2:
        raise ValueError(f"summarise: expected at least 2 ages in a 1-D array, got shape {ages.shape}")
    q25, q75 = np.percentile(ages, [25.0, 75.0])
    return Summary(
        n=int(ages.size),
        n_missing=int(n_missing),
        mean=float(np.mean(ages)),
        median=float(np.median(ages)),
        std=float(np.std(ages, ddof=_STD_DDOF)),
        std_ddof=_STD_DDOF,
        min=float(np.min(ages)),
        max=float(np.max(ages)),
        q25=float(q25),
        q75=float(q75),
        n_above_universe=int(np.count_nonzero(ages > AGE_OF_UNIVERSE_GYR)),
        n_distinct=int(np.unique(ages).size),
    )
