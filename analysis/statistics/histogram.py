"""The binned and cumulative views of the ages that figures and envelopes share."""

import numpy as np

from ..results import Ecdf, Histogram

__all__ = ["auto_histogram", "empirical_cdf"]

#: Above this many distinct ages the ECDF is summarised at evenly spaced fractions.
ECDF_MAX_POINTS = 4096


def auto_histogram(ages: np.ndarray) -> Histogram:
    """``np.histogram(ages, bins="auto")``.

    numpy's ``"auto"`` takes the smaller bin width of the Freedman-Diaconis
    and Sturges rules, so the bins adapt to the sample size and spread.

    Parameters
    ----------
    ages : ndarray, shape (n,)
        Ages in Gyr.

    Returns
    -------
    Histogram
        ``edges`` in Gyr (length k + 1) and integer ``counts`` (length k).

    Examples
    --------
    >>> h = auto_histogram(np.array([0.0, 1.0, 1.0, 2.0]))
    >>> sum(h.counts), len(h.edges) == len(h.counts) + 1
    (4, True)
    """
    counts, edges = np.histogram(np.asarray(ages, dtype=float), bins="auto")
    return Histogram(
        edges=tuple(float(e) for e in edges),
        counts=tuple(int(c) for c in counts),
    )


def empirical_cdf(ages: np.ndarray, *, max_points: int = ECDF_MAX_POINTS) -> Ecdf:
    """The fraction of ages at or below each distinct age.

    Parameters
    ----------
    ages : ndarray, shape (n,)
        Ages in Gyr.
    max_points : int
        Beyond this many distinct ages, return the ages at ``max_points``
        evenly spaced fractions (``np.quantile``, ``inverted_cdf``) instead,
        so a catalog of millions of stars gives a small record.

    Examples
    --------
    >>> e = empirical_cdf(np.array([3.0, 1.0, 3.0, 2.0]))
    >>> e.x, e.fraction
    ((1.0, 2.0, 3.0), (0.25, 0.5, 1.0))
    """
    ages = np.sort(np.asarray(ages, dtype=float))
    values, counts = np.unique(ages, return_counts=True)
    if values.size <= max_points:
        fraction = np.cumsum(counts) / ages.size
        return Ecdf(x=tuple(float(v) for v in values), fraction=tuple(float(f) for f in fraction), exact=True)
    fraction = np.linspace(1.0 / max_points, 1.0, max_points)
    x = np.quantile(ages, fraction, method="inverted_cdf")
    return Ecdf(x=tuple(float(v) for v in x), fraction=tuple(float(f) for f in fraction), exact=False)
