"""Held-out log-likelihood: how well each model predicts stars it has not seen."""

from collections.abc import Sequence

import numpy as np
from scipy import stats

from ..availability import not_available
from ..folds import fold_count, kfold_indices
from ..exact.kernel import log_density
from ..results import HeldOutScore

__all__ = ["held_out_scores", "no_gaussian_reason"]


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
    folds = fold_count(ages.size, folds)
    split = kfold_indices(ages.size, folds, rng=rng)
    # A training part of one repeated age fits a normal of zero width, whose log density is
    # -inf or nan: the Gaussian cannot be scored on that split.
    flat = sum(bool(np.ptp(ages[train]) == 0) for train, _ in split)
    if flat:
        scores = [HeldOutScore("gaussian", None, None, folds, unavailable=no_gaussian_reason(ages.size, flat, folds))]
    else:
        gaussian_total = 0.0
        for train, test in split:
            mu, sigma = stats.norm.fit(ages[train])
            gaussian_total += float(np.sum(stats.norm.logpdf(ages[test], mu, sigma)))
        scores = [_score("gaussian", None, gaussian_total, ages.size, folds)]
    for kind, bandwidth in models:
        total = sum(float(np.sum(log_density(ages[train], ages[test], bandwidth))) for train, test in split)
        scores.append(_score(kind, float(bandwidth), total, ages.size, folds))
    return tuple(scores)


def no_gaussian_reason(n: int, flat: int, folds: int) -> str:
    """Why the Gaussian has no held-out score: ``flat`` of the ``folds`` training parts hold one repeated age.

    One wording for the exact and the binned held-out scores.
    """
    return not_available(
        f"n = {n}",
        f"in {flat} of the {folds} folds the training ages are all equal, so the Gaussian fitted to them has "
        "zero width",
    )


def _score(model: str, bandwidth: float | None, total: float, n: int, folds: int) -> HeldOutScore:
    """A summed held-out log-likelihood over all n stars as a per-star score."""
    return HeldOutScore(model=model, bandwidth=bandwidth, mean_log_likelihood=total / n, folds=int(folds))
