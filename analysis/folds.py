"""Seeded k-fold splits shared by cross-validation and held-out scoring, and how many folds n ages get."""

import numpy as np

from .availability import NotAvailable, not_available

__all__ = ["MIN_CROSS_VALIDATED_AGES", "MIN_TRAINING_STARS", "fold_count", "kfold_indices", "folds_text"]

#: Fewest ages every fold must leave for training. One training star fits no Gaussian (zero
#: width), and its KDE is the kernel itself, so held-out scores and the CV bandwidth would
#: measure the distance between two stars rather than how a model generalises.
MIN_TRAINING_STARS = 2
#: Fewest ages that leave-one-out, the split with the most training stars, can score.
MIN_CROSS_VALIDATED_AGES = MIN_TRAINING_STARS + 1


def fold_count(n: int, folds: int) -> int:
    """The folds n ages are cross-validated with: ``folds``, or leave-one-out when that is too many.

    The configured k-fold split is used when each of its training parts
    holds at least ``MIN_TRAINING_STARS`` ages (k <= n and
    ``n - ceil(n / k) >= MIN_TRAINING_STARS``); otherwise leave-one-out
    (n folds, n - 1 training ages each), the split that trains on the most.

    Parameters
    ----------
    n : int
        Number of ages.
    folds : int
        The configured number of folds (``analysis.cv_folds``, at least 2).

    Returns
    -------
    int
        ``folds`` or ``n``.

    Raises
    ------
    NotAvailable
        If even leave-one-out leaves fewer than ``MIN_TRAINING_STARS``
        training ages (n < ``MIN_CROSS_VALIDATED_AGES``).

    Examples
    --------
    >>> fold_count(91, 5), fold_count(4, 5), fold_count(3, 2)
    (5, 4, 3)
    """
    if folds <= n and n - -(-n // folds) >= MIN_TRAINING_STARS:
        return folds
    if n - 1 >= MIN_TRAINING_STARS:
        return n
    raise NotAvailable(
        not_available(
            f"n = {n}",
            f"cross-validation needs at least {MIN_CROSS_VALIDATED_AGES} ages, so that a model fitted "
            f"without the held-out star still has {MIN_TRAINING_STARS} to learn from",
        )
    )


def folds_text(folds: int, n: int) -> str:
    """How a data set of n ages was split, for readers: ``"5-fold"`` or ``"leave-one-out"``.

    >>> folds_text(5, 91), folds_text(4, 4)
    ('5-fold', 'leave-one-out')
    """
    return "leave-one-out" if folds == n else f"{folds}-fold"


def kfold_indices(n: int, folds: int, *, rng: np.random.Generator) -> list[tuple[np.ndarray, np.ndarray]]:
    """Shuffle ``range(n)`` once and cut it into ``folds`` near-equal parts.

    Returns
    -------
    list of (train, test) index arrays, one pair per fold; every index is in
    exactly one test array.
    """
    if not 2 <= folds <= n:
        raise ValueError(f"folds must be between 2 and n={n}, got {folds}")
    order = rng.permutation(n)
    tests = np.array_split(order, folds)
    return [(np.setdiff1d(order, test, assume_unique=True), np.sort(test)) for test in tests]
