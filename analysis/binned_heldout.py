"""Log densities of a binned KDE at many points, and k-fold held-out scores in O(n).

The binned density (``binned.interpolate``) has an absolute error below
``relative_error_bound(step, h)`` x its peak. Where the density is at least
``_TRUST`` times that error its log is within 1e-3 of the exact log; at the
few points below (far tails, isolated stars) the exact sum is taken over the
training ages near the point, found by binary search in the sorted ages.
"""

import numpy as np

from .binned import BinnedData, DensityNodes, density_nodes, interpolate, rebin, relative_error_bound, without
from .kernel import log_density
from .results import HeldOutScore

__all__ = ["held_out_binned", "kde_log_density", "log_densities"]

#: Points whose binned density is below this many error bounds get the exact sum.
_TRUST = 1e3
#: ... and in any case below this fraction of the peak (the FFT's round-off level).
_ROUND_OFF = 1e-10
#: Kernel widths beyond the nearest training age that the exact sum reaches:
#: farther ages add less than exp(-72) of the nearest one's term each.
_EXACT_REACH = 12.0
#: Points interpolated per chunk.
_CHUNK = 2**18


def _nearest_kept(ordered: np.ndarray, keep: np.ndarray | None, x: float) -> float:
    """Distance (Gyr) from x to the nearest age of ``ordered`` with ``keep`` True (all if None)."""
    position = int(np.searchsorted(ordered, x))
    if keep is None:
        sides = ordered[max(position - 1, 0) : position + 1]
        return float(np.min(np.abs(sides - x)))
    best, width = np.inf, 64
    while not np.isfinite(best):
        lo, hi = max(position - width, 0), min(position + width, ordered.size)
        near = ordered[lo:hi][keep[lo:hi]]
        if near.size:
            best = float(np.min(np.abs(near - x)))
        width *= 4
    # A kept age beyond the window searched cannot be nearer than the window's edge.
    return best


def _exact_log(ordered: np.ndarray, keep: np.ndarray | None, n_train: int, x: float, h: float) -> float:
    """Exact log density (log(1/Gyr)) at x of the KDE of the kept ages, from those near x."""
    reach = _nearest_kept(ordered, keep, x) + _EXACT_REACH * h
    lo, hi = np.searchsorted(ordered, [x - reach, x + reach], side="left")
    near = ordered[lo:hi] if keep is None else ordered[lo:hi][keep[lo:hi]]
    return float(log_density(near, np.array([x]), h)[0] + np.log(near.size / n_train))


def log_densities(
    nodes: DensityNodes, points: np.ndarray, *, ordered: np.ndarray, keep: np.ndarray | None, n_train: int
) -> np.ndarray:
    """Log densities, shape (k, m), of the binned KDE at ``points`` (Gyr), exact where it is small.

    Parameters
    ----------
    nodes : DensityNodes
        The training KDE on its fine nodes, one row per bandwidth.
    points : ndarray, shape (m,)
    ordered : ndarray, shape (N,)
        Sorted ages (Gyr) holding the training ages, for the exact fallback.
    keep : ndarray of bool, shape (N,), or None
        Which of ``ordered`` are training ages (None: all of them).
    n_train : int
        Number of training ages.
    """
    points = np.asarray(points, dtype=float)
    out = np.empty((len(nodes.bandwidths), points.size))
    floors = [
        max(_TRUST * relative_error_bound(nodes.step_gyr, h), _ROUND_OFF) * float(fine.max())
        for h, fine in zip(nodes.bandwidths, nodes.fine)
    ]
    for start in range(0, points.size, _CHUNK):
        chunk = points[start : start + _CHUNK]
        density = interpolate(nodes, chunk)
        for row, (h, floor) in enumerate(zip(nodes.bandwidths, floors)):
            low = np.flatnonzero(density[row] < floor)
            logs = np.log(np.maximum(density[row], floor))
            for i in low:
                logs[i] = _exact_log(ordered, keep, n_train, float(chunk[i]), h)
            out[row, start : start + chunk.size] = logs
    return out


def kde_log_density(binned: BinnedData, ordered: np.ndarray, bandwidth: float, points: np.ndarray) -> np.ndarray:
    """Log density (log(1/Gyr)), shape (m,), at ``points`` of the KDE of ``ordered`` (sorted, binned)."""
    points = np.asarray(points, dtype=float)
    reach = (min(float(points.min()), binned.lo_gyr), max(float(points.max()), binned.lo_gyr))
    nodes = density_nodes(binned, [bandwidth], reach_gyr=reach)
    return log_densities(nodes, points, ordered=ordered, keep=None, n_train=ordered.size)[0]


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


def held_out_binned(
    ordered: np.ndarray, binned: BinnedData, models, *, folds: int, rng: np.random.Generator
) -> tuple[HeldOutScore, ...]:
    """``heldout.held_out_scores`` for a catalog: each fold's KDE binned from the other folds.

    The training binning is all ages' binning minus the test fold's (moments
    are additive), its density is interpolated at the test ages, and the
    Gaussian is fitted to the training folds from sums: O(n) per fold, and
    no copy of the training ages. Same scores and order as the exact path
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
    centre = float(np.mean(ordered))
    total_sum, total_square = float(np.sum(ordered - centre)), float(np.sum((ordered - centre) ** 2))
    gaussian, kde = 0.0, np.zeros(len(models))
    for fold in range(folds):
        in_test = labels == fold
        test = ordered[in_test]
        m, rest = test.size, n - test.size
        shifted = test - centre
        mean = (total_sum - float(shifted.sum())) / rest
        variance = (total_square - float(shifted @ shifted)) / rest - mean**2
        gaussian += float(-0.5 * m * np.log(2 * np.pi * variance) - ((shifted - mean) ** 2).sum() / (2 * variance))
        train = without(binned, rebin(binned, test))
        nodes = density_nodes(train, bandwidths, reach_gyr=(float(ordered[0]), float(ordered[-1])))
        kde += log_densities(nodes, test, ordered=ordered, keep=~in_test, n_train=rest).sum(axis=1)
    scores = [HeldOutScore(model="gaussian", bandwidth=None, mean_log_likelihood=gaussian / n, folds=int(folds))]
    scores += [
        HeldOutScore(model=kind, bandwidth=float(h), mean_log_likelihood=float(total) / n, folds=int(folds))
        for (kind, h), total in zip(models, kde)
    ]
    return tuple(scores)
