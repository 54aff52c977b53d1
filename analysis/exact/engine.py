"""The exact engine: every kernel summed, for data sets up to ``engine.EXACT_MAX_N`` ages (the 91 stars).

Curves come from scikit-learn's ``KernelDensity`` (and scipy's
``gaussian_kde`` at its Scott bandwidth), log densities and held-out sums
from ``kernel.log_density``, cross-validation from the exact leave-one-out
sums of ``statistics.cv``, synthetic draws from the ages themselves.
"""

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ..engine import CvScorer, Draws, FoldScores
from ..kernel import log_density
from ..results import EngineInfo, KdeCurve
from ..statistics import Sample, exact_loo_scorer, kfold_scores
from .curves import scipy_curve, sklearn_curve
from .sampling import draws

__all__ = ["ExactEngine", "ExactKde"]


@dataclass(frozen=True, eq=False)
class ExactKde:
    """The KDE of a sample's ages, every kernel summed (``ExactEngine.fit``)."""

    ages: np.ndarray

    def curves(self, models: Sequence[tuple[str, float]], scott: float) -> tuple[tuple[KdeCurve, ...], KdeCurve]:
        """scikit-learn's curve of each model, and scipy's ``gaussian_kde`` (its own Scott bandwidth, ``scott``)."""
        return tuple(sklearn_curve(self.ages, h, kind=kind) for kind, h in models), scipy_curve(self.ages)

    def log_density(self, points: np.ndarray, bandwidth: float) -> np.ndarray:
        return log_density(self.ages, points, bandwidth)

    def fold_scores(self, models: Sequence[tuple[str, float]], *, folds: int, rng: np.random.Generator) -> FoldScores:
        return kfold_scores(self.ages, models, folds=folds, rng=rng)

    def draws(self, bandwidth: float, edges: np.ndarray, replicates: int, *, rng: np.random.Generator) -> Draws:
        return draws(self.ages, bandwidth, edges, replicates, rng=rng)

    def info(self) -> EngineInfo:
        return EngineInfo(path="exact", n_bins=0, bin_width_gyr=0.0, max_rel_error=0.0)


@dataclass(frozen=True, eq=False)
class ExactEngine:
    """Kernel sums over every pair of ages: no approximation."""

    sample: Sample
    path = "exact"

    def cv_scorer(self, *, scott: float, precision: float | None) -> CvScorer:
        """The exact leave-one-out score (``statistics.cv.exact_loo_scorer``; Scott's bandwidth is the search's)."""
        return exact_loo_scorer(self.sample.ages, precision=precision)

    def fit(self, bandwidths: Sequence[float]) -> ExactKde:
        return ExactKde(self.sample.ages)
