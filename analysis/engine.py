"""The one interface behind which a data set's kernel sums are evaluated: exactly, or from one binning.

A per-data-set analysis (``pipeline.analyse_dataset``) computes every
statistic once (``analysis.statistics``); what depends on how the kernel sums
are evaluated comes from an engine, chosen in one place (``choose.engine_for``,
as scikit-learn's ``algorithm="auto"``): ``exact.ExactEngine`` sums every
kernel (up to ``EXACT_MAX_N`` ages), ``binned.BinnedEngine`` evaluates every
bandwidth from one fine binning and one FFT (catalogs). An engine supplies
sums, never its own copy of a statistic:

- ``cv_scorer``: the leave-one-out log-likelihood per star at a bandwidth and
  its standard error (``CvScorer``), which ``statistics.cv`` searches;
- ``fit(bandwidths)``, then on what it returns (``FittedKde``): densities on a
  grid (``curves``), log densities at points (``log_density``), the summed
  held-out log-likelihoods of each fold split (``fold_scores``) and synthetic
  draws with their replicate histograms (``draws``).

This module holds the interface and the records engines hand back; it imports
no engine.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from .results import EngineInfo, KdeCurve

__all__ = ["EXACT_MAX_N", "CvScorer", "Draws", "Engine", "FittedKde", "FoldScores", "engine_path"]

#: Up to this many ages every kernel is summed exactly (``kernel.log_density``): 2e4 ages x 1024 grid
#: points x 7 bandwidths is 1.4e8 kernel terms, about a second, with no approximation at all; above
#: it the exact cost grows as n x points and binning wins.
EXACT_MAX_N = 20_000


def engine_path(n: int, *, exact_max_n: int = EXACT_MAX_N) -> str:
    """``"exact"`` for n <= ``exact_max_n`` ages (default ``EXACT_MAX_N``), else ``"binned"``."""
    return "exact" if n <= exact_max_n else "binned"


@dataclass(frozen=True)
class CvScorer:
    """The leave-one-out cross-validated log-likelihood of one data set, as an engine evaluates it.

    ``score(h)`` is the mean leave-one-out log score per star (log(1/Gyr)) at
    bandwidth ``h`` and its standard error sd(per-star scores)/sqrt(n);
    ``folds`` is n (leave-one-out); ``method`` completes "Maximises the ..."
    in the CV rule's note; ``kind`` is ``"loo"`` or ``"loo-interval"``
    (interval scores of width ``precision`` Gyr); ``model`` the KDE kind. The
    search (``statistics.cv.search``) evaluates ``points`` log-spaced
    bandwidths from Scott/50 to 3 x Scott, widens the grid by up to
    ``widenings`` blocks while the best score sits on an edge, and refines the
    best by Brent's method to ``xatol`` in log h.
    """

    score: Callable[[float], tuple[float, float]]
    folds: int
    method: str
    points: int
    widenings: int
    xatol: float
    kind: str = "loo"
    precision: float | None = None
    model: str = "gaussian"


@dataclass(frozen=True)
class FoldScores:
    """Summed held-out log-likelihoods (log(1/Gyr)) of one seeded fold split, over all n stars.

    ``gaussian`` is the normal's (fitted by maximum likelihood to each fold's
    training stars), ``None`` when ``flat`` of the ``folds`` training parts
    hold one repeated age; ``kdes`` one total per KDE model, in order.
    ``products[a][b]`` is the sum over stars of the product of models a's and
    b's held-out log scores (the Gaussian first when it has a total, then
    ``kdes``): with the totals, the standard errors of each score and of each
    paired difference.
    """

    folds: int
    gaussian: float | None
    flat: int
    kdes: tuple[float, ...]
    products: tuple[tuple[float, ...], ...] = ()


@dataclass(frozen=True, eq=False)
class Draws:
    """Synthetic draws from a KDE: the sample shown and the histograms of ``replicates`` more.

    ``shown`` holds the sample's first draws (at most ``results.MAX_STORED_VALUES``);
    ``counts`` (replicates, bins) the replicates' counts in the histogram's
    bins; ``below`` and ``above`` how many of the ``total`` replicate ages fall
    below 0 Gyr and above the age of the Universe.
    """

    shown: np.ndarray
    counts: np.ndarray
    below: int
    above: int
    total: int


class FittedKde(Protocol):
    """A data set's KDE at given bandwidths, as an engine evaluates it (``Engine.fit``)."""

    def curves(self, models: Sequence[tuple[str, float]], scott: float) -> tuple[tuple[KdeCurve, ...], KdeCurve]:
        """Each model's curve on ``curves.kde_grid``, and the curve at scipy's Scott bandwidth ``scott``."""

    def log_density(self, points: np.ndarray, bandwidth: float) -> np.ndarray:
        """Log density (log(1/Gyr)) at ``points`` (Gyr)."""

    def fold_scores(self, models: Sequence[tuple[str, float]], *, folds: int, rng: np.random.Generator) -> FoldScores:
        """The Gaussian's and each model's summed held-out log-likelihood over one seeded split."""

    def draws(self, bandwidth: float, edges: np.ndarray, replicates: int, *, rng: np.random.Generator) -> Draws:
        """A synthetic sample and the histograms (on ``edges``) of ``replicates`` more."""

    def info(self) -> EngineInfo:
        """Which path evaluated the KDEs, and its error bound."""


class Engine(Protocol):
    """The kernel sums of one data set (``exact.ExactEngine``, ``binned.BinnedEngine``)."""

    path: str  #: "exact" or "binned"

    def cv_scorer(self, *, scott: float, precision: float | None) -> CvScorer:
        """The leave-one-out log-likelihood (interval scores of width ``precision`` Gyr when not None)."""

    def fit(self, bandwidths: Sequence[float]) -> FittedKde:
        """The KDE at ``bandwidths`` (Gyr), ready to evaluate."""
