"""Nested, repeated k-fold held-out log-likelihood, standard errors of paired differences, and the verdict.

Each repeat shuffles the stars into k folds (from ``rng``); each training part
fits every model afresh, a data-driven rule re-selecting its bandwidth from
the training stars alone, so no model sees the stars it is scored on (Varma &
Simon 2006 on the optimism of selecting outside the folds). Star i's score is
its held-out score averaged over the repeats; a model's score is the mean
over stars with standard error sd/sqrt(n), and two models are compared by the
mean and standard error of their per-star differences. A model is named best
only when it beats the next by more than ``VERDICT_SES`` standard errors and by
at least ``VERDICT_MIN_MARGIN``; otherwise the models within that of the top
are indistinguishable.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from ..availability import NotAvailable
from ..errors import DataError
from .cv import cv_bandwidth
from .isj import improved_sheather_jones
from .models import fit_kde, fit_normal

__all__ = [
    "DEFAULT_REPEATS", "VERDICT_MIN_MARGIN", "VERDICT_SES", "HeldOutTable", "ModelSpec", "Verdict", "model_spec",
    "nested_heldout", "refit_bandwidth", "verdict", "verdict_from_moments",
]  # fmt: skip

#: Default repeats of the k-fold split. With 20 a model's score moves by at most 0.16 of its
#: standard error between seeds on the 91 stars (0.26-0.70 with one split), and no seed names a
#: best model; pipeline.held_out_repeats lowers it for larger data sets, whose refits cost more.
DEFAULT_REPEATS = 20
#: A model is named best only when it beats the next by more than this many standard errors ...
VERDICT_SES = 2.0
#: ... and by at least this much (log(1/Gyr) per star): the pages print scores to two decimals, so
#: a smaller lead cannot be shown, and two nearly identical models (a KDE and its reflection far
#: from 0 Gyr differ by ~1e-9) can have a tiny difference with an even tinier standard error.
VERDICT_MIN_MARGIN = 0.005
#: Interquartile range of the standard normal (Silverman 1986, p. 47).
_NORMAL_IQR = 1.349


def refit_bandwidth(rule: str, ages: np.ndarray, *, model: str = "gaussian", precision: float | None = None) -> float:
    """A rule's bandwidth of training ages (Gyr; ln Gyr for ``model="log"``): Scott, Silverman, ISJ or LOO CV.

    Scott and Silverman use the standard deviation (ddof 1) and quartiles of
    the ages (of their logarithms for a KDE of log age); CV uses the exact
    leave-one-out likelihood (interval scores with ``precision``).

    Raises
    ------
    NotAvailable
        If the rule is undefined for these ages (ISJ without a root, CV without a maximum).
    DataError
        If ``rule`` is unknown.
    """
    x = np.log(ages) if model == "log" else np.asarray(ages, dtype=float)
    n = x.size
    if rule == "scott":
        return float(np.std(x, ddof=1) * n ** (-1 / 5))
    if rule == "silverman":
        s = float(np.std(x, ddof=1))
        iqr = float(np.subtract(*np.percentile(x, [75, 25]))) / _NORMAL_IQR
        return 0.9 * (min(s, iqr) if iqr > 0 else s) * n ** (-1 / 5)
    if rule == "isj":
        return improved_sheather_jones(x)
    if rule == "cv":
        return cv_bandwidth(ages, precision=precision, model=model)
    raise DataError(f"bandwidth rule: expected scott, silverman, isj or cv, got {rule!r}")


@dataclass(frozen=True)
class ModelSpec:
    """A model by name and how to fit it to training ages (Gyr): ``fit(ages) -> model`` (``models``)."""

    name: str
    fit: Callable[[np.ndarray], object]


def model_spec(name: str, kind: str, *, bandwidth: float | None = None, rule: str | None = None,
               precision: float | None = None) -> ModelSpec:  # fmt: skip
    """The fitting recipe of one model: ``kind`` ``"gaussian-fit"`` (the normal) or a KDE kind
    (``"gaussian"``, ``"reflected"``, ``"log"``) at a fixed ``bandwidth`` or re-selected by ``rule``."""
    if kind == "gaussian-fit":
        return ModelSpec(name, fit_normal)
    if rule is None:
        return ModelSpec(name, lambda ages: fit_kde(ages, bandwidth, kind=kind))
    return ModelSpec(
        name, lambda ages: fit_kde(ages, refit_bandwidth(rule, ages, model=kind, precision=precision), kind=kind)
    )


@dataclass(frozen=True)
class Verdict:
    """``best`` names a model more than ``VERDICT_SES`` standard errors ahead of the next, else None;
    ``indistinguishable`` the models within that of the top one (the top one first), ``behind``
    and ``behind_se`` each model's mean paired deficit to the top and its standard error."""

    best: str | None
    top: str
    indistinguishable: tuple[str, ...]
    behind: dict[str, tuple[float, float]]


@dataclass(frozen=True, eq=False)
class HeldOutTable:
    """Per-model held-out scores of one data set (``nested_heldout``).

    ``scores`` and ``standard_errors`` are the mean held-out log score per
    star (log(1/Gyr)) and sd(per-star)/sqrt(n), ``None`` with the reason in
    ``unavailable`` for a model that could not be fitted to some training part;
    ``per_star`` (models, n) each star's score averaged over the repeats.
    """

    models: tuple[str, ...]
    scores: tuple[float | None, ...]
    standard_errors: tuple[float | None, ...]
    per_star: np.ndarray
    unavailable: tuple[str | None, ...]
    folds: int
    repeats: int
    precision: float | None
    verdict: Verdict | None


def _se(values: np.ndarray) -> float:
    return float(np.std(values, ddof=1) / np.sqrt(values.size)) if values.size > 1 else 0.0


def nested_heldout(
    ages: np.ndarray,
    specs: Sequence[ModelSpec],
    *,
    rng: np.random.Generator,
    folds: int,
    repeats: int = DEFAULT_REPEATS,
    precision: float | None = None,
) -> HeldOutTable:
    """Nested, repeated k-fold held-out log score of each model, per star and overall.

    Parameters
    ----------
    ages : ndarray, shape (n,)
        Ages in Gyr.
    specs : sequence of ModelSpec
        The models; each is refitted (its bandwidth re-selected) on every training part.
    rng : numpy.random.Generator
        Draws the ``repeats`` shuffles into folds; all models share them, so their differences are paired.
    folds : int
        k, between 2 and n (``folds.fold_count`` chooses it).
    repeats : int
        Shuffles (default ``DEFAULT_REPEATS``); with k = n (leave-one-out) one is enough.
    precision : float, optional
        q in Gyr: interval scores (``precision.use_interval_scores`` decides).

    Returns
    -------
    HeldOutTable

    Notes
    -----
    The standard errors treat the n per-star scores as independent. They are
    not: stars held out in the same fold are scored by the same fitted models,
    and training parts overlap, so sd/sqrt(n) understates the uncertainty
    about how the models would compare on new stars (no unbiased estimator of
    that variance exists: Bengio & Grandvalet 2004). Differences between models
    fitted on the same parts share most of that variation, which cancels in the
    difference; read the two-standard-error verdict as a screen, not a test at
    a stated level. Cost: repeats x folds fits of every model plus repeats x n scores.
    """
    ages = np.asarray(ages, dtype=float)
    n = ages.size
    if not 2 <= folds <= n or repeats < 1:
        raise ValueError(f"nested_heldout: expected 2 to n = {n} folds and at least 1 repeat, got {folds}, {repeats}")
    repeats = 1 if folds == n else repeats
    totals = np.zeros((len(specs), n))
    reasons: list[str | None] = [None] * len(specs)
    for _ in range(repeats):
        for test in np.array_split(rng.permutation(n), folds):
            train = np.setdiff1d(np.arange(n), test, assume_unique=True)
            for m, spec in enumerate(specs):
                if reasons[m] is not None:
                    continue
                try:
                    model = spec.fit(ages[train])
                except (DataError, NotAvailable) as error:
                    reasons[m] = str(error)
                    continue
                totals[m, test] += model.score(ages[test], precision)
    per_star = totals / repeats
    ok = [m for m in range(len(specs)) if reasons[m] is None and np.all(np.isfinite(per_star[m]))]
    for m in range(len(specs)):
        if m not in ok and reasons[m] is None:
            reasons[m] = "a held-out star has zero density under the model (an age outside its support)"
    names = tuple(spec.name for spec in specs)
    return HeldOutTable(
        models=names,
        scores=tuple(float(np.mean(per_star[m])) if m in ok else None for m in range(len(specs))),
        standard_errors=tuple(_se(per_star[m]) if m in ok else None for m in range(len(specs))),
        per_star=per_star,
        unavailable=tuple(reasons),
        folds=folds,
        repeats=repeats,
        precision=precision,
        verdict=verdict([names[m] for m in ok], per_star[ok]) if ok else None,
    )


def verdict(
    names: Sequence[str], per_star: np.ndarray, *, ses: float = VERDICT_SES, min_margin: float = VERDICT_MIN_MARGIN
) -> Verdict:
    """The best model if it beats every other by more than ``ses`` paired standard errors, else the tied set.

    Parameters
    ----------
    names : sequence of str, length m >= 1
    per_star : ndarray, shape (m, n)
        Per-star held-out scores.
    ses : float
        Standard errors required (default 2).
    min_margin : float
        Smallest lead that counts (default ``VERDICT_MIN_MARGIN``, log(1/Gyr) per star).

    Returns
    -------
    Verdict
        ``top`` the model with the highest mean score (first in order on exact
        ties); ``indistinguishable`` the models whose paired difference from
        ``top`` is at most ``ses`` standard errors or below ``min_margin``
        (``top`` first, then by score).

    Examples
    --------
    >>> v = verdict(["a", "b"], np.array([[1.0, 2.0, 3.0], [1.0, 2.0, 3.0]]))
    >>> v.best, v.indistinguishable
    (None, ('a', 'b'))
    """
    means = per_star.mean(axis=1)
    order = np.argsort(-means, kind="stable")
    top = int(order[0])
    behind = {names[top]: (0.0, 0.0)}
    for m in order[1:]:
        d = per_star[top] - per_star[m]
        behind[names[m]] = (float(np.mean(d)), _se(d))

    def ahead(name: str) -> bool:
        lead, se = behind[name]
        return lead > ses * se and lead >= min_margin

    tied = (names[top],) + tuple(names[m] for m in order[1:] if not ahead(names[m]))
    # Best only when ahead of every other model: the runner-up by mean may have a smaller paired SE than a model further back.
    best = names[top] if len(tied) == 1 else None
    return Verdict(best=best, top=names[top], indistinguishable=tied, behind=behind)


def verdict_from_moments(
    names: Sequence[str], totals: Sequence[float], products: np.ndarray, n: int
) -> tuple[tuple[float, ...], Verdict]:
    """Standard errors and the verdict from summed per-star scores and their summed products.

    For an engine that returns sums rather than per-star scores (a catalog's
    held-out scores): ``totals[a]`` = sum_i l_a,i, ``products[a, b]`` =
    sum_i l_a,i l_b,i. Returns each model's standard error sd/sqrt(n) and
    the same ``Verdict`` as ``verdict`` on the per-star scores.
    """
    s = np.asarray(totals, dtype=float)
    p = np.asarray(products, dtype=float)
    means = s / n

    def variance(a: int, b: int) -> float:
        """Sample variance of l_a - l_b (b = -1: of l_a alone)."""
        if b < 0:
            return max(float(p[a, a] - s[a] ** 2 / n), 0.0) / (n - 1)
        return max(float(p[a, a] - 2 * p[a, b] + p[b, b] - (s[a] - s[b]) ** 2 / n), 0.0) / (n - 1)

    errors = tuple(float(np.sqrt(variance(a, -1) / n)) for a in range(s.size))
    order = np.argsort(-means, kind="stable")
    top = int(order[0])
    behind = {names[top]: (0.0, 0.0)}
    for m in order[1:]:
        behind[names[m]] = (float(means[top] - means[m]), float(np.sqrt(variance(top, int(m)) / n)))

    def ahead(name: str) -> bool:
        lead, se = behind[name]
        return lead > VERDICT_SES * se and lead >= VERDICT_MIN_MARGIN

    tied = (names[top],) + tuple(names[m] for m in order[1:] if not ahead(names[m]))
    # Best only when ahead of every other model: the runner-up by mean may have a smaller paired SE than a model further back.
    best = names[top] if len(tied) == 1 else None
    return errors, Verdict(best=best, top=names[top], indistinguishable=tied, behind=behind)
