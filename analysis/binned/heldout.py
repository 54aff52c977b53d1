"""Log densities of a binned KDE at many points, and k-fold held-out scores in O(n) time, O(chunk) memory.

The binned density (``density.interpolate``) has an absolute error below
``relative_error_bound(step, h)`` x its peak. Where the density is at least
``_TRUST`` times that error its log is within 1e-3 of the exact log; at the
few points below (far tails, isolated stars) the exact sum is taken over the
training ages near the point, found by binary search in the sorted ages.
"""

import numpy as np

from ..engine import FoldScores
from ..kernel import log_density
from .grid import BinnedData, rebin, without
from .density import DensityNodes, density_nodes, interpolate

__all__ = ["binned_fold_scores", "fold_labels", "kde_log_density", "log_densities"]

#: Points whose binned density is below this many error bounds get the exact sum.
_TRUST = 1e3
#: ... and in any case below this fraction of the peak (the FFT's round-off level).
_ROUND_OFF = 1e-10
#: Kernel widths beyond the nearest training age that the exact sum reaches:
#: farther ages add less than exp(-72) of the nearest one's term each.
_EXACT_REACH = 12.0
#: Ages per chunk: temporaries of about 2 MB whatever the catalog's size.
_CHUNK = 2**15


def _kept(labels: np.ndarray | None, fold: int, lo: int, hi: int) -> slice | np.ndarray:
    """Which of ``ordered[lo:hi]`` are training ages: all (labels None) or those not in ``fold``."""
    return slice(None) if labels is None else labels[lo:hi] != fold


def _nearest_kept(ordered: np.ndarray, labels: np.ndarray | None, fold: int, x: float) -> float:
    """Distance (Gyr) from x to the nearest training age of ``ordered``."""
    position = int(np.searchsorted(ordered, x))
    best, width = np.inf, 64
    while not np.isfinite(best):
        lo, hi = max(position - width, 0), min(position + width, ordered.size)
        near = ordered[lo:hi][_kept(labels, fold, lo, hi)]
        if near.size:
            best = float(np.min(np.abs(near - x)))
        width *= 4
    # A nearer training age may lie beyond the window; then this overestimates the
    # distance, which only widens the exact sum's reach.
    return best


def _exact_log(ordered: np.ndarray, labels: np.ndarray | None, fold: int, n_train: int, x: float, h: float) -> float:
    """Exact log density (log(1/Gyr)) at x of the KDE of the training ages, from those near x."""
    reach = _nearest_kept(ordered, labels, fold, x) + _EXACT_REACH * h
    lo, hi = np.searchsorted(ordered, [x - reach, x + reach], side="left")
    near = ordered[lo:hi][_kept(labels, fold, lo, hi)]
    return float(log_density(near, np.array([x]), h)[0] + np.log(near.size / n_train))


def log_densities(
    nodes: DensityNodes,
    points: np.ndarray,
    *,
    ordered: np.ndarray,
    n_train: int,
    labels: np.ndarray | None = None,
    fold: int = 0,
) -> np.ndarray:
    """Log densities, shape (k, m), of the binned KDE at ``points`` (Gyr), exact where it is small.

    Parameters
    ----------
    nodes : DensityNodes
        The training KDE on its nodes, one row per bandwidth.
    points : ndarray, shape (m,)
    ordered : ndarray, shape (N,)
        Sorted ages (Gyr) holding the training ages, for the exact fallback.
    n_train : int
        Number of training ages.
    labels : ndarray of int8, shape (N,), or None
        Fold labels of ``ordered``; the training ages are those not labelled
        ``fold`` (None: all of ``ordered``).
    fold : int
    """
    points = np.asarray(points, dtype=float)
    density = interpolate(nodes, points)
    for row, h, bound, values in zip(density, nodes.bandwidths, nodes.error_bounds, nodes.rows):
        floor = max(_TRUST * bound, _ROUND_OFF) * float(values.max())
        low = np.flatnonzero(row < floor)
        np.log(np.maximum(row, floor, out=row), out=row)
        for i in low:
            row[i] = _exact_log(ordered, labels, fold, n_train, float(points[i]), h)
    return density


def kde_log_density(binned: BinnedData, ordered: np.ndarray, bandwidth: float, points: np.ndarray) -> np.ndarray:
    """Log density (log(1/Gyr)), shape (m,), at ``points`` of the KDE of ``ordered`` (sorted, binned)."""
    points = np.asarray(points, dtype=float)
    nodes = density_nodes(binned, [bandwidth], reach_gyr=(float(points.min()), float(points.max())))
    out = np.empty(points.size)
    for start in range(0, points.size, _CHUNK):
        chunk = points[start : start + _CHUNK]
        out[start : start + chunk.size] = log_densities(nodes, chunk, ordered=ordered, n_train=ordered.size)[0]
    return out


def fold_labels(n: int, folds: int, *, rng: np.random.Generator) -> np.ndarray:
    """A seeded k-fold split as one label per age, int8 shape (n,): fold sizes as ``np.array_split``.

    The same distribution of splits as ``folds.kfold_indices`` (a uniformly
    random assignment into near-equal parts) in n bytes instead of index arrays.
    """
    if not 2 <= folds <= min(n, np.iinfo(np.int8).max):
        raise ValueError(f"folds must be between 2 and min(n={n}, 127), got {folds}")
    sizes = [len(part) for part in np.array_split(np.empty(n, dtype=np.int8), folds)]
    labels = np.repeat(np.arange(folds, dtype=np.int8), sizes)
    rng.shuffle(labels)
    return labels


def _fold_sums(ordered: np.ndarray, labels: np.ndarray, folds: int, centre: float) -> np.ndarray:
    """Per fold: count, sum and sum of squares of ``age - centre`` (Gyr), shape (3, folds), by chunks."""
    sums = np.zeros((3, folds))
    for start in range(0, ordered.size, _CHUNK):
        shifted = ordered[start : start + _CHUNK] - centre
        fold = labels[start : start + _CHUNK]
        sums[0] += np.bincount(fold, minlength=folds)
        sums[1] += np.bincount(fold, weights=shifted, minlength=folds)
        sums[2] += np.bincount(fold, weights=shifted * shifted, minlength=folds)
    return sums


def _gaussian_sums(sums: np.ndarray) -> tuple[float | None, int]:
    """The Gaussian's summed held-out log-likelihood (each fold under the normal fitted, MLE, to the other
    folds, from their count, sum and sum of squares), and how many training parts have no spread.

    The total is ``None`` when some training part's variance is not positive: its ages are all equal.
    """
    total = sums.sum(axis=1, keepdims=True)
    rest = total - sums  # the training folds' count, sum and sum of squares
    mean = rest[1] / rest[0]
    variance = rest[2] / rest[0] - mean**2
    flat = int(np.count_nonzero(variance <= 0))
    if flat:
        return None, flat
    count, first, second = sums
    # sum over the test ages of (x - mean)**2, from their sums
    squares = second - 2 * mean * first + count * mean**2
    return float(np.sum(-0.5 * count * np.log(2 * np.pi * variance) - squares / (2 * variance))), 0


def binned_fold_scores(
    ordered: np.ndarray, binned: BinnedData, models, *, folds: int, rng: np.random.Generator
) -> FoldScores:
    """The summed held-out log-likelihoods of a catalog (``engine.FoldScores``): each fold's KDE binned from the
    other folds.

    The training binning is all ages' binning minus the test fold's (moments
    are additive; the fold is binned through its labels, not copied), its
    density is interpolated at the test ages chunk by chunk, and the Gaussian
    is fitted to the training folds from per-fold sums: O(n) per fold and
    memory of one label per age. The same sums and order as the exact ones
    (Gaussian first, then ``models``) up to the binned error.

    Parameters
    ----------
    ordered : ndarray, shape (n,)
        Sorted ages in Gyr.
    binned : BinnedData
        ``ordered`` binned finely enough for every bandwidth of ``models``.
    models : sequence of (kind, bandwidth in Gyr)
    folds : int
    rng : numpy.random.Generator
        Draws the split (``fold_labels``).
    """
    n = ordered.size
    labels = fold_labels(n, folds, rng=rng)
    bandwidths = [h for _, h in models]
    sums = _fold_sums(ordered, labels, folds, float(np.mean(ordered)))
    kde = np.zeros(len(models))
    gaussian, flat = _gaussian_sums(sums)
    rows = len(models) + (gaussian is not None)
    products = np.zeros((rows, rows))
    total = sums.sum(axis=1, keepdims=True)
    rest = total - sums  # each fold's training count, sum and sum of squares (of age - centre)
    centre = float(np.mean(ordered))
    for fold in range(folds):
        train = without(binned, rebin(binned, ordered, labels=labels, fold=fold))
        nodes = density_nodes(train, bandwidths, reach_gyr=(float(ordered[0]), float(ordered[-1])))
        for start in range(0, n, _CHUNK):
            test = ordered[start : start + _CHUNK][labels[start : start + _CHUNK] == fold]
            logs = log_densities(nodes, test, ordered=ordered, n_train=train.n, labels=labels, fold=fold)
            kde += logs.sum(axis=1)
            if gaussian is not None:
                mean = rest[1, fold] / rest[0, fold]
                variance = rest[2, fold] / rest[0, fold] - mean**2
                normal = -0.5 * np.log(2 * np.pi * variance) - (test - centre - mean) ** 2 / (2 * variance)
                logs = np.vstack([normal, logs])
            products += logs @ logs.T
    return FoldScores(
        folds=folds, gaussian=gaussian, flat=flat, kdes=tuple(float(total) for total in kde),
        products=tuple(tuple(map(float, r)) for r in products),
    )  # fmt: skip
