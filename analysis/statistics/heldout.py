"""Held-out log-likelihood: how well each model predicts stars it has not seen.

The score is written once (``scores``): the summed held-out log-likelihood
of each model over all n stars, divided by n, the Gaussian first. The sums
come from an engine (``engine.FoldScores``): ``kfold_scores`` here is the
exact one, on index folds of the ages; the binned engine bins its folds.
"""

from collections.abc import Sequence

import numpy as np
from scipy import stats

from ..availability import not_available
from ..engine import FoldScores
from ..folds import fold_count, kfold_indices
from ..kernel import log_density
from ..results import HeldOutScore
from .gaussian import normal_fit

__all__ = ["held_out_scores", "kfold_scores", "no_gaussian_reason", "scores"]


def held_out_scores(
    ages: np.ndarray,
    models: Sequence[tuple[str, float]],
    *,
    folds: int,
    rng: np.random.Generator,
) -> tuple[HeldOutScore, ...]:
    """k-fold mean held-out log-likelihood per star of the Gaussian and each KDE.

    All models share one seeded split, so their scores differ only by the
    model. Each fold fits on the other folds and scores its own stars; the
    score is the sum over all n held-out log densities divided by n, in
    log(1/Gyr). Higher is better; differences between models are
    per-star log-likelihood ratios.

    Parameters
    ----------
    ages : ndarray, shape (n,)
        Ages in Gyr.
    models : sequence of (kind, bandwidth)
        KDEs to score: ``kind`` is ``"grid"`` or a rule name, ``bandwidth``
        in Gyr.
    folds : int
        The configured number of folds k (at least 2); ``folds.fold_count``
        chooses leave-one-out when the ages are too few for k.
    rng : numpy.random.Generator
        Shuffles the stars into folds (``folds.kfold_indices``).

    Returns
    -------
    tuple of HeldOutScore
        First the Gaussian (``model="gaussian"``, ``bandwidth=None``; normal
        fitted by maximum likelihood on the training folds; its score is
        ``None``, with the reason, when some fold's training ages are all
        equal), then one per entry of ``models`` in order.

    Raises
    ------
    NotAvailable
        If there are fewer than ``folds.MIN_CROSS_VALIDATED_AGES`` ages.
    """
    ages = np.asarray(ages, dtype=float)
    return scores(kfold_scores(ages, models, folds=folds, rng=rng), models, ages.size)


def kfold_scores(
    ages: np.ndarray, models: Sequence[tuple[str, float]], *, folds: int, rng: np.random.Generator
) -> FoldScores:
    """The exact sums: each fold's stars under the Gaussian (``gaussian.normal_fit``) and each KDE
    (``kernel.log_density``) fitted to the other folds, on one split drawn by ``folds.kfold_indices``.

    Raises
    ------
    NotAvailable
        If there are fewer than ``folds.MIN_CROSS_VALIDATED_AGES`` ages.
    """
    folds = fold_count(ages.size, folds)
    split = kfold_indices(ages.size, folds, rng=rng)
    # A training part of one repeated age fits a normal of zero width, whose log density is
    # -inf or nan: the Gaussian cannot be scored on that split.
    flat = sum(bool(np.ptp(ages[train]) == 0) for train, _ in split)
    gaussian = None
    per_star = np.zeros((len(models) + 1, ages.size))
    if not flat:
        gaussian = 0.0
        for train, test in split:
            mu, sigma = normal_fit(ages[train])
            logs = stats.norm.logpdf(ages[test], mu, sigma)
            per_star[0, test] = logs
            gaussian += float(np.sum(logs))
    kdes = []
    for row, (_, bandwidth) in enumerate(models, start=1):
        total = 0.0
        for train, test in split:
            logs = log_density(ages[train], ages[test], bandwidth)
            per_star[row, test] = logs
            total += float(np.sum(logs))
        kdes.append(total)
    kept = per_star if gaussian is not None else per_star[1:]
    products = kept @ kept.T
    return FoldScores(
        folds=folds, gaussian=gaussian, flat=flat, kdes=tuple(kdes), products=tuple(tuple(map(float, r)) for r in products)
    )


def scores(sums: FoldScores, models: Sequence[tuple[str, float]], n: int) -> tuple[HeldOutScore, ...]:
    """Per-star scores of the summed held-out log-likelihoods of n stars: the Gaussian, then ``models``.

    The Gaussian's score is ``None``, with the reason, when some training part
    holds one repeated age.
    """
    if sums.gaussian is None:
        reason = no_gaussian_reason(n, sums.flat, sums.folds)
        first = HeldOutScore("gaussian", None, None, sums.folds, unavailable=reason)
    else:
        first = _score("gaussian", None, sums.gaussian, n, sums.folds)
    return (first,) + tuple(
        _score(kind, float(bandwidth), total, n, sums.folds) for (kind, bandwidth), total in zip(models, sums.kdes)
    )


def no_gaussian_reason(n: int, flat: int, folds: int) -> str:
    """Why the Gaussian has no held-out score: ``flat`` of the ``folds`` training parts hold one repeated age."""
    return not_available(
        f"n = {n}",
        f"in {flat} of the {folds} folds the training ages are all equal, so the Gaussian fitted to them has "
        "zero width",
    )


def _score(model: str, bandwidth: float | None, total: float, n: int, folds: int) -> HeldOutScore:
    """A summed held-out log-likelihood over all n stars as a per-star score."""
    return HeldOutScore(model=model, bandwidth=bandwidth, mean_log_likelihood=total / n, folds=int(folds))
