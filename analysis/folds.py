"""Seeded k-fold splits shared by cross-validation and held-out scoring."""

import numpy as np

__all__ = ["kfold_indices"]


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
