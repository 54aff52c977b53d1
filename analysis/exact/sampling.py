"""The KDE as a generative model, exactly: draw synthetic ages from the ages themselves, and bin many draws."""

import numpy as np

from ..config import AGE_OF_UNIVERSE_GYR
from ..engine import Draws
from ..results import SyntheticSample
from ..statistics import synthetic

__all__ = ["draws", "sample_kde", "synthetic_sample"]

#: Largest number of replicate ages drawn at once, so memory stays bounded for big n.
_MAX_DRAWS_PER_CHUNK = 10_000_000


def sample_kde(ages: np.ndarray, bandwidth: float, size: int, *, rng: np.random.Generator) -> np.ndarray:
    """Draw ages from the Gaussian KDE of ``ages``.

    A Gaussian KDE is an equal-weight mixture of normals centred on the data,
    so one draw is a uniformly chosen data point plus normal noise of standard
    deviation ``bandwidth``: the same model as scikit-learn's
    ``KernelDensity(kernel="gaussian").sample``, in O(size).

    Parameters
    ----------
    ages : ndarray, shape (n,)
        Ages in Gyr (n >= 1).
    bandwidth : float
        Kernel standard deviation in Gyr (> 0).
    size : int
        Number of draws (>= 0).
    rng : numpy.random.Generator
        Source of randomness; draws the indices, then the noise.

    Returns
    -------
    ndarray, shape (size,)
        Synthetic ages in Gyr. They are not truncated, so they may fall below
        0 Gyr or above the age of the Universe; callers report how often.

    Raises
    ------
    ValueError
        If ``ages`` is empty, ``bandwidth`` is not a positive finite number or
        ``size`` is negative.

    Examples
    --------
    >>> draws = sample_kde(np.array([5.0]), 1e-9, 3, rng=np.random.default_rng(0))
    >>> bool(np.allclose(draws, 5.0))
    True
    """
    ages = np.asarray(ages, dtype=float)
    if ages.ndim != 1 or ages.size == 0:
        raise ValueError(f"sample_kde: expected a non-empty 1-D array of ages, got shape {ages.shape}")
    if not (np.isfinite(bandwidth) and bandwidth > 0):
        raise ValueError(f"sample_kde: bandwidth must be a positive number of Gyr, got {bandwidth!r}")
    if size < 0:
        raise ValueError(f"sample_kde: size must be >= 0, got {size!r}")
    centres = ages[rng.integers(0, ages.size, size=size)]
    return centres + rng.normal(scale=bandwidth, size=size)


def synthetic_sample(
    ages: np.ndarray,
    bandwidth: float,
    *,
    kind: str,
    edges: tuple[float, ...],
    replicates: int,
    rng: np.random.Generator,
) -> SyntheticSample:
    """One synthetic sample of n ages and an envelope from ``replicates`` more.

    Parameters
    ----------
    ages : ndarray, shape (n,)
        Observed ages in Gyr.
    bandwidth : float
        Kernel standard deviation in Gyr.
    kind : str
        ``"grid"`` or the bandwidth rule's name; stored for the report.
    edges : sequence of float, length k + 1
        Bin edges in Gyr of the data histogram (increasing).
    replicates : int
        Number B >= 1 of further synthetic samples of n ages.
    rng : numpy.random.Generator
        Draws the shown sample first, then the replicates.

    Returns
    -------
    SyntheticSample
        The shown sample (the lecture's ``sample(n)``; its first
        ``MAX_STORED_VALUES`` draws are stored); the 5th, 50th and 95th
        percentile (numpy's linear interpolation) over the B replicates of
        the count in each bin (length k); and the fractions of all B x n
        replicate ages below 0 Gyr and above 13.8 Gyr.

    Notes
    -----
    Counts follow ``np.histogram(draws, bins=edges)``: bins are half-open
    except the last, which includes its right edge, and draws outside
    ``[edges[0], edges[-1]]`` are not counted in any bin. That is intended,
    so the envelope compares like with like against the data histogram; the
    two fractions say how much mass the model puts where no star can be.

    Raises
    ------
    ValueError
        If ``replicates`` < 1 or ``edges`` are not at least two increasing values.
    """
    ages = np.asarray(ages, dtype=float)
    return synthetic(
        kind, bandwidth, draws(ages, bandwidth, edges, replicates, rng=rng), replicates=replicates, n=ages.size
    )


def draws(
    ages: np.ndarray, bandwidth: float, edges: "tuple[float, ...] | np.ndarray", replicates: int, *, rng: np.random.Generator
) -> Draws:
    """The exact draws: a sample of n ages, then ``replicates`` more binned on ``edges`` (Gyr), by direct sampling.

    Raises
    ------
    ValueError
        If ``replicates`` < 1 or ``edges`` are not at least two increasing values.
    """
    edges_array = np.asarray(edges, dtype=float)
    if edges_array.ndim != 1 or edges_array.size < 2 or np.any(np.diff(edges_array) <= 0):
        raise ValueError(
            f"synthetic_sample: edges must be at least 2 increasing values in Gyr, got {edges!r}"
        )
    if replicates < 1:
        raise ValueError(f"synthetic_sample: replicates must be >= 1, got {replicates!r}")
    n = ages.size
    shown = sample_kde(ages, bandwidth, n, rng=rng)
    counts, below, above = _replicate_counts(ages, bandwidth, edges_array, replicates, rng=rng)
    return Draws(shown=shown, counts=counts, below=below, above=above, total=replicates * n)


def _replicate_counts(
    ages: np.ndarray, bandwidth: float, edges: np.ndarray, replicates: int, *, rng: np.random.Generator
) -> tuple[np.ndarray, int, int]:
    """Bin counts per replicate, shape (replicates, k), and the totals below 0 / above 13.8 Gyr."""
    n, bins = ages.size, edges.size - 1
    rows_per_chunk = max(1, _MAX_DRAWS_PER_CHUNK // n)
    counts = np.empty((replicates, bins), dtype=np.int64)
    below = above = 0
    for start in range(0, replicates, rows_per_chunk):
        rows = min(rows_per_chunk, replicates - start)
        draws = sample_kde(ages, bandwidth, rows * n, rng=rng).reshape(rows, n)
        below += int(np.count_nonzero(draws < 0.0))
        above += int(np.count_nonzero(draws > AGE_OF_UNIVERSE_GYR))
        counts[start : start + rows] = _row_histograms(draws, edges)
    return counts, below, above


def _row_histograms(draws: np.ndarray, edges: np.ndarray) -> np.ndarray:
    """``np.histogram(row, bins=edges)[0]`` for every row of ``draws`` at once."""
    rows, bins = draws.shape[0], edges.size - 1
    # side="right" makes bins [e_i, e_{i+1}); the clip puts x == edges[-1] in the
    # last bin, as np.histogram does; everything outside the edges is dropped.
    index = np.clip(np.searchsorted(edges, draws, side="right") - 1, 0, bins - 1)
    inside = (draws >= edges[0]) & (draws <= edges[-1])
    flat = (index + bins * np.arange(rows)[:, None])[inside]
    return np.bincount(flat, minlength=rows * bins).reshape(rows, bins)
