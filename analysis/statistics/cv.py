"""The cross-validated bandwidth: one search over the score an engine supplies, and the exact k-fold score.

``search`` evaluates an engine's ``CvScorer`` on log-spaced bandwidths from
Scott/50 to 3 x Scott (widened while the best is on an edge, where the engine
allows it) and refines the best by bounded Brent minimisation in log h. The
exact engine's score is ``kfold_scorer``: the mean held-out log density per
star over one seeded k-fold split (leave-one-out for a data set too small for
k folds); the binned engine's is the leave-one-out score of its binning
(``binned.selectors``).
"""

from dataclasses import replace

import numpy as np
from scipy.optimize import minimize_scalar

from ..availability import not_available
from ..engine import CvScorer
from ..errors import ConfigError
from ..folds import fold_count, folds_text, kfold_indices
from ..kernel import log_density
from ..results import CvCurve
from .sample import checked_ages

__all__ = ["cv_curve", "kfold_method", "kfold_scorer", "no_cv_maximum", "search", "scott_of"]

#: The exact search: 61 log-spaced bandwidths from Scott/50 to 3*Scott, widened by blocks of 30
#: points of the same log step (at most 5) while the maximum sits on an edge.
_GRID_POINTS = 61
_WIDEN_POINTS = 30
_MAX_WIDENINGS = 5
#: Brent's tolerance in log h.
_XATOL = 1e-6
#: The grid's ends, in units of Scott's bandwidth.
_LOW, _HIGH = 50, 3


def kfold_method(folds: int, n: int) -> str:
    """How n ages are cross-validated with ``folds`` folds, for the CV rule's note."""
    return f"{folds_text(folds, n)} cross-validated log-likelihood of held-out stars"


def kfold_scorer(ages: np.ndarray, *, folds: int, rng: np.random.Generator) -> CvScorer:
    """The exact k-fold score: the sum over folds of ``kernel.log_density(train, test, h)``, divided by n.

    One set of folds is drawn from ``rng`` by ``folds.kfold_indices``;
    ``folds.fold_count`` chooses leave-one-out when the ages are too few for
    ``folds`` folds.

    Raises
    ------
    ConfigError
        If ``folds`` is below 2.
    NotAvailable
        If there are fewer than ``folds.MIN_CROSS_VALIDATED_AGES`` ages.
    """
    if folds < 2:
        raise ConfigError(f"analysis.cv_folds: expected at least 2 folds, got {folds}")
    folds = fold_count(ages.size, folds)
    splits = kfold_indices(ages.size, folds, rng=rng)

    def score(h: float) -> float:
        return sum(log_density(ages[train], ages[test], h).sum() for train, test in splits) / ages.size

    return CvScorer(
        score=score, folds=folds, method=kfold_method(folds, ages.size), points=_GRID_POINTS,
        widenings=_MAX_WIDENINGS, xatol=_XATOL,
    )  # fmt: skip


def search(scorer: CvScorer, *, scott: float, n: int) -> CvCurve:
    """The CV curve of a score and its maximiser.

    Evaluated on ``scorer.points`` log-spaced bandwidths from Scott/50 to
    3 x Scott (widened by blocks of 30 points, at most ``scorer.widenings``
    times, while the best point is on an edge), then refined by bounded Brent
    minimisation of the negative score in log h between the grid neighbours of
    the best point.

    Returns
    -------
    CvCurve
        ``bandwidths`` in Gyr (increasing), scores in log(1/Gyr) per star,
        ``folds`` the folds used, ``best_bandwidth`` the refined maximiser in
        Gyr, or ``None`` with the reason in ``unavailable`` when the score
        keeps rising to the edge of the (widened) grid (e.g. every held-out age
        is tied with a training age, so the score grows without bound as
        h -> 0).
    """
    score = scorer.score
    log_h = np.linspace(np.log(scott / _LOW), np.log(_HIGH * scott), scorer.points)
    scores = np.array([score(h) for h in np.exp(log_h)])
    step = log_h[1] - log_h[0]
    for _ in range(scorer.widenings):
        best = int(np.argmax(scores))
        if 0 < best < log_h.size - 1:
            break
        block = step * np.arange(1, _WIDEN_POINTS + 1)
        new = log_h[0] - block[::-1] if best == 0 else log_h[-1] + block
        new_scores = np.array([score(h) for h in np.exp(new)])
        log_h, scores = (
            (np.concatenate([new, log_h]), np.concatenate([new_scores, scores]))
            if best == 0
            else (np.concatenate([log_h, new]), np.concatenate([scores, new_scores]))
        )
    best = int(np.argmax(scores))
    curve = CvCurve(
        bandwidths=tuple(float(h) for h in np.exp(log_h)),
        mean_log_likelihood=tuple(float(s) for s in scores),
        folds=scorer.folds,
        best_bandwidth=None,
    )
    if not 0 < best < log_h.size - 1:
        return replace(curve, unavailable=no_cv_maximum(n, float(np.exp(log_h[best])), rising=best == 0))
    refined = minimize_scalar(
        lambda x: -score(float(np.exp(x))),
        bounds=(log_h[best - 1], log_h[best + 1]),
        method="bounded",
        options={"xatol": scorer.xatol},
    )
    best_h = float(np.exp(refined.x)) if -refined.fun >= scores[best] else float(np.exp(log_h[best]))
    return replace(curve, best_bandwidth=best_h)


def no_cv_maximum(n: int, edge_gyr: float, *, rising: bool) -> str:
    """The reason a CV curve of n ages has no bandwidth: its best score is at ``edge_gyr``, an edge of the search.

    ``rising`` says the score keeps rising as h shrinks (the left edge).
    """
    if rising:
        why = (
            f"the cross-validated likelihood keeps rising as the bandwidth shrinks, down to {edge_gyr:.3g} Gyr, "
            "so it has no maximum; held-out ages equal to training ages do that"
        )
    else:
        why = (
            f"the cross-validated likelihood keeps rising as the bandwidth grows, up to {edge_gyr:.3g} Gyr, "
            "so it has no maximum"
        )
    return not_available(f"n = {n}", why)


def scott_of(ages: np.ndarray) -> float:
    """Scott's rule, ``std(ddof=1) * n**(-1/5)`` in Gyr, of checked ages (``rules``' ``scott``)."""
    return float(np.std(ages, ddof=1) * ages.size ** (-1 / 5))


def cv_curve(ages: np.ndarray, *, rng: np.random.Generator, folds: int) -> CvCurve:
    """The exact k-fold CV curve of ``ages`` (Gyr): ``search`` over ``kfold_scorer``.

    Parameters
    ----------
    ages : ndarray, shape (n,)
        Ages in Gyr.
    rng : numpy.random.Generator
        Draws the folds.
    folds : int
        The configured number of folds (at least 2).

    Raises
    ------
    ConfigError, NotAvailable
        As ``kfold_scorer``.
    """
    ages = checked_ages(ages)
    scorer = kfold_scorer(ages, folds=folds, rng=rng)
    return search(scorer, scott=scott_of(ages), n=ages.size)
