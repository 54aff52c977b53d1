"""The data histogram every figure and the generative envelopes share."""

import numpy as np

from .results import Histogram

__all__ = ["auto_histogram"]


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
