"""The exact engine: every kernel summed (``engine.EXACT_MAX_N`` ages and below, the 91-star default).

Face of the family: ``ExactEngine`` (``engine``), the curves on their grid
(``curves``: ``kde_grid``, scikit-learn's and scipy's curves) and the KDE as a
generative model (``sampling``: ``sample_kde``, the replicate draws). The
binned engine draws its samples and lays out its curves with these too.
"""

from .curves import kde_curve, kde_grid, scipy_curve, sklearn_curve
from .engine import ExactEngine, ExactKde
from .sampling import draws, sample_kde, synthetic_sample

__all__ = [
    "ExactEngine", "ExactKde", "draws", "kde_curve", "kde_grid", "sample_kde", "scipy_curve", "sklearn_curve",
    "synthetic_sample",
]  # fmt: skip
