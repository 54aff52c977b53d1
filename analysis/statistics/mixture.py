"""Exact log sums of Gaussian components, with leave-one-out exclusion: the engine behind every KDE here.

A KDE of n ages is a mixture of Gaussian components; identical stars share a
component (its ``count``), so rounded or tied ages cost O(distinct) instead of
O(n). Leave-one-out (LOO) scoring lowers the held-out star's own count by one
instead of subtracting its kernel from a total: subtraction cancels
catastrophically for an isolated star, whose own kernel dwarfs all the others.
Sums run in log space (``logsumexp``), in chunks of evaluation points so that
memory stays O(chunk x components) (a few MB per temporary).
"""

from dataclasses import dataclass

import numpy as np
from scipy.special import logsumexp

from .normal_mass import LOG_SQRT_2PI, log_normal_mass

__all__ = ["Components", "log_mixture_density", "log_mixture_mass"]

#: Evaluation points x components per chunk: 2**18 doubles = 2 MB per temporary for densities;
#: interval masses build about ten temporaries per cell (and 8 quadrature nodes for narrow
#: intervals), so they use a quarter of that.
_CHUNK_CELLS = 1 << 18
_MASS_CHUNK_CELLS = 1 << 16


@dataclass(frozen=True, eq=False)
class Components:
    """Gaussian components of a mixture over n stars, in the KDE's own coordinate.

    Attributes
    ----------
    centres, scales : ndarray, shape (m,)
        Component means and standard deviations (Gyr, or log Gyr for a KDE of
        log age); scales > 0.
    counts : ndarray, shape (m,)
        Stars the component stands for; each star contributes weight 1/n to
        each of its components (a reflected KDE has two components per star).
    groups : ndarray of int, shape (m,)
        Which distinct star (group of identical stars) a component belongs to;
        leave-one-out removes one star of the evaluated point's group.
    n_stars : int
        The number of stars n (the sum of the counts of one component per group).
    """

    centres: np.ndarray
    scales: np.ndarray
    counts: np.ndarray
    groups: np.ndarray
    n_stars: int


def _log_weights(comp: Components, own: np.ndarray | None) -> np.ndarray:
    """log weights, shape (rows, m) or (1, m): count/n, or (count - [own group])/(n - 1) for LOO."""
    if own is None:
        return (np.log(comp.counts) - np.log(comp.n_stars))[None, :]
    with np.errstate(divide="ignore"):  # a group of one star loses its only member: weight 0
        counts = comp.counts[None, :] - (comp.groups[None, :] == own[:, None])
        return np.log(counts) - np.log(comp.n_stars - 1)


def _chunks(k: int, m: int, cells: int = _CHUNK_CELLS):
    step = max(1, cells // max(m, 1))
    for start in range(0, k, step):
        yield slice(start, min(k, start + step))


def log_mixture_density(points: np.ndarray, comp: Components, *, own: np.ndarray | None = None) -> np.ndarray:
    """log of the mixture density at ``points``, optionally leaving one star out per point.

    Parameters
    ----------
    points : ndarray, shape (k,)
        Where to evaluate, in the components' coordinate.
    comp : Components
        The mixture.
    own : ndarray of int, shape (k,), optional
        For leave-one-out: the group of the star each point is (its own
        component loses one count and the weights are renormalised by n - 1).

    Returns
    -------
    ndarray, shape (k,)
        log density; finite however far a point is from every centre, ``-inf``
        only when no component is left (a LOO star whose group was alone in a
        one-star mixture).
    """
    points = np.asarray(points, dtype=float)
    out = np.empty(points.size)
    log_norm = -np.log(comp.scales) - LOG_SQRT_2PI
    for rows in _chunks(points.size, comp.centres.size):
        z = (points[rows, None] - comp.centres[None, :]) / comp.scales[None, :]
        weights = _log_weights(comp, None if own is None else own[rows])
        out[rows] = logsumexp(-0.5 * z * z + log_norm + weights, axis=1)
    return out


def log_mixture_mass(
    lower: np.ndarray, upper: np.ndarray, comp: Components, *, own: np.ndarray | None = None
) -> np.ndarray:
    """log of the mixture's mass on [lower, upper] per point (the same leave-one-out option).

    Parameters
    ----------
    lower, upper : ndarray, shape (k,)
        Interval edges in the components' coordinate; ``-inf``/``+inf`` allowed.
    comp : Components
        The mixture.
    own : ndarray of int, shape (k,), optional
        As in ``log_mixture_density``.

    Returns
    -------
    ndarray, shape (k,)
        log(sum_c w_c [Phi((upper - mu_c)/s_c) - Phi((lower - mu_c)/s_c)]),
        each term from ``normal_mass.log_normal_mass`` (accurate in the tails
        and for intervals much narrower than the scales).
    """
    lower = np.asarray(lower, dtype=float)
    upper = np.asarray(upper, dtype=float)
    out = np.empty(lower.size)
    for rows in _chunks(lower.size, comp.centres.size, _MASS_CHUNK_CELLS):
        a = (lower[rows, None] - comp.centres[None, :]) / comp.scales[None, :]
        b = (upper[rows, None] - comp.centres[None, :]) / comp.scales[None, :]
        weights = _log_weights(comp, None if own is None else own[rows])
        out[rows] = logsumexp(log_normal_mass(a, b) + weights, axis=1)
    return out
