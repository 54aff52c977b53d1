"""The cross-validated bandwidth: leave-one-out likelihood, one search over the score an engine supplies.

The CV score of h is the mean over stars of the leave-one-out (LOO) log score,
log f_{-i}(x_i), star i scored by the KDE of the other n - 1 (Duin 1976;
Silverman 1986, sec. 3.4.4), or with a precision q its interval score
(``precision``). It involves no random split, so the chosen bandwidth is the
same for every seed. ``search`` evaluates an engine's ``CvScorer`` (mean and
standard error per h) on log-spaced bandwidths from Scott/50 to 3 x Scott
(widened while the best is on an edge, where the engine allows it), refines
the best by bounded Brent minimisation in log h and finds the one-standard-
error range of h around it (Breiman et al. 1984, sec. 3.4.3; Hastie,
Tibshirani & Friedman 2009, sec. 7.10). The exact engine's score is
``exact_loo_scorer`` (``loo.loo_log_scores``); the binned engine's is its
binned LOO density, recomputed exactly where it is not accurate enough
(``binned.selectors``).

Longer than 300 lines: the search, its refinement, the one-SE range and the
exact scorer they share are one algorithm.
"""

from dataclasses import replace

import numpy as np
from scipy.optimize import brentq, minimize_scalar

from ..availability import NotAvailable, not_available
from ..engine import CvScorer
from ..folds import MIN_CROSS_VALIDATED_AGES
from ..results import CvCurve
from .loo import PAIRWISE_MAX_N, PairwiseLoo, loo_log_scores
from .sample import checked_ages

__all__ = [
    "LOO_METHOD", "cv_bandwidth", "cv_curve", "exact_loo_scorer", "loo_kind", "mean_and_se", "no_cv_maximum", "search",
    "scott_of",
]  # fmt: skip

#: The exact search: 61 log-spaced bandwidths from Scott/50 to 3*Scott, widened by blocks of 30
#: points of the same log step (at most 5) while the maximum sits on an edge.
_GRID_POINTS = 61
#: The start grid of ``cv_bandwidth`` (nested held-out scores re-select h in every training part):
#: the same maximiser as the 61-point search, about half the evaluations.
_QUICK_POINTS = 31
_WIDEN_POINTS = 30
_MAX_WIDENINGS = 5
#: Brent's tolerance in log h.
_XATOL = 1e-6
#: The grid's ends, in units of Scott's bandwidth.
_LOW, _HIGH = 50, 3
#: The CV rule's note, completing "Maximises the ...".
LOO_METHOD = "leave-one-out cross-validated log-likelihood (each star scored by the KDE of the other n - 1)"


def loo_kind(precision: float | None) -> str:
    """``CvCurve.kind``: ``"loo"`` for point scores, ``"loo-interval"`` for interval scores of width ``precision``."""
    return "loo" if precision is None else "loo-interval"


def mean_and_se(values: np.ndarray, weights: np.ndarray | None = None) -> tuple[float, float]:
    """Mean of per-star scores and its standard error sd(ddof=1)/sqrt(n); ``weights`` count repeated stars."""
    values = np.asarray(values, dtype=float)
    w = np.ones(values.size) if weights is None else np.asarray(weights, dtype=float)
    n = float(w.sum())
    mean = float(w @ values / n)
    if n < 2:
        return mean, 0.0
    with np.errstate(invalid="ignore"):
        variance = float(w @ (values - mean) ** 2 / (n - 1))
    return mean, float(np.sqrt(variance / n)) if np.isfinite(variance) else float("inf")


def mean_and_se_from_sums(n: int, total: float, squares: float, *, shift: float = 0.0) -> tuple[float, float]:
    """``mean_and_se`` of n per-star scores from the sum and sum of squares of ``score - shift``.

    For scores summed as they are computed (a catalog's); ``shift`` near the
    mean keeps the squares from swamping the variance.
    """
    mean = total / n
    if n < 2:
        return shift + mean, 0.0
    variance = max(squares - total * mean, 0.0) / (n - 1)
    return shift + mean, float(np.sqrt(variance / n))


def exact_loo_scorer(
    ages: np.ndarray, *, precision: float | None = None, model: str = "gaussian", sigmas: np.ndarray | None = None
) -> CvScorer:
    """The exact LOO score of ``ages`` (Gyr): ``loo.loo_log_scores`` averaged over stars, with its standard error.

    ``sigmas`` (Gyr, one per age) gives the error-convolved KDE (``uncertainties``).

    Raises
    ------
    NotAvailable
        If there are fewer than ``folds.MIN_CROSS_VALIDATED_AGES`` ages.
    """
    n = ages.size
    if n < MIN_CROSS_VALIDATED_AGES:
        raise NotAvailable(
            not_available(
                f"n = {n}",
                f"cross-validation needs at least {MIN_CROSS_VALIDATED_AGES} ages, so that a model fitted "
                f"without the held-out star still has {MIN_CROSS_VALIDATED_AGES - 1} to learn from",
            )
        )

    if precision is None and sigmas is None and n <= PAIRWISE_MAX_N:
        pairwise = PairwiseLoo(ages, kind=model)

        def score(h: float) -> tuple[float, float]:
            return mean_and_se(pairwise(h))

    else:

        def score(h: float) -> tuple[float, float]:
            return mean_and_se(loo_log_scores(ages, h, kind=model, precision=precision, sigmas=sigmas))

    return CvScorer(
        score=score, folds=n, method=LOO_METHOD, points=_GRID_POINTS, widenings=_MAX_WIDENINGS, xatol=_XATOL,
        kind=loo_kind(precision), precision=precision, model=model,
    )  # fmt: skip


class _Memo:
    """A scorer's (mean, se) per bandwidth, each computed once (Brent and the one-SE search revisit points)."""

    def __init__(self, scorer: CvScorer):
        self.scorer = scorer
        self.seen: dict[float, tuple[float, float]] = {}

    def __call__(self, h: float) -> tuple[float, float]:
        if h not in self.seen:
            mean, se = self.scorer.score(h)
            self.seen[h] = (float(mean), float(se))
        return self.seen[h]


def _grid(memo: _Memo, centre: float, points: int, widenings: int) -> tuple[np.ndarray, np.ndarray]:
    """Log bandwidths and scores, widened by blocks while the best is on an edge."""
    log_h = np.linspace(np.log(centre / _LOW), np.log(_HIGH * centre), points)
    step = log_h[1] - log_h[0]
    scores = np.array([memo(float(np.exp(v)))[0] for v in log_h])
    for _ in range(widenings):
        best = int(np.argmax(scores))
        if 0 < best < log_h.size - 1:
            break
        block = step * np.arange(1, _WIDEN_POINTS + 1)
        new = log_h[0] - block[::-1] if best == 0 else log_h[-1] + block
        new_scores = np.array([memo(float(np.exp(v)))[0] for v in new])
        if best == 0:
            log_h, scores = np.concatenate([new, log_h]), np.concatenate([new_scores, scores])
        else:
            log_h, scores = np.concatenate([log_h, new]), np.concatenate([scores, new_scores])
    return log_h, scores


def _refine(memo: _Memo, log_h: np.ndarray, scores: np.ndarray, best: int, xatol: float) -> float:
    """Bounded Brent maximisation in log h between the grid neighbours of the best point."""
    refined = minimize_scalar(
        lambda x: -memo(float(np.exp(x)))[0],
        bounds=(log_h[best - 1], log_h[best + 1]),
        method="bounded",
        options={"xatol": xatol},
    )
    return float(np.exp(refined.x)) if -refined.fun >= scores[best] else float(np.exp(log_h[best]))


def _one_se_range(memo: _Memo, log_h: np.ndarray, scores: np.ndarray, best: int, threshold: float):
    """Edges (Gyr) of the run of bandwidths around ``best`` scoring >= threshold, refined by brentq in log h."""
    inside = scores >= threshold
    lo = best
    while lo > 0 and inside[lo - 1]:
        lo -= 1
    hi = best
    while hi < log_h.size - 1 and inside[hi + 1]:
        hi += 1

    def gap(v: float) -> float:
        return memo(float(np.exp(v)))[0] - threshold

    low = float(np.exp(log_h[lo])) if lo == 0 else float(np.exp(brentq(gap, log_h[lo - 1], log_h[lo], xtol=1e-6)))
    high = (
        float(np.exp(log_h[hi]))
        if hi == log_h.size - 1
        else float(np.exp(brentq(gap, log_h[hi], log_h[hi + 1], xtol=1e-6)))
    )
    return low, high, lo == 0 or hi == log_h.size - 1


def search(scorer: CvScorer, *, scott: float, n: int) -> CvCurve:
    """The CV curve of a score, its standard-error band, its maximiser and the one-SE range.

    Evaluated on ``scorer.points`` log-spaced bandwidths from Scott/50 to
    3 x Scott (``scott`` in the KDE's own unit: Gyr, or ln Gyr for a KDE of
    log age), widened by blocks of 30 points, at most ``scorer.widenings``
    times, while the best point is on an edge, then refined by bounded Brent
    minimisation of the negative score in log h between the grid neighbours
    of the best point.

    Returns
    -------
    CvCurve
        ``bandwidths`` (increasing), mean scores per star and their standard
        errors, ``best_bandwidth`` the refined maximiser with its score and
        standard error, and the one-SE range: every bandwidth around the
        maximum whose score is within one standard error (at the maximum) of
        the best. ``best_bandwidth`` is ``None``, with the reason in
        ``unavailable``, when the score keeps rising to the edge of the
        (widened) grid (e.g. every held-out age tied with a training age, so
        the point score grows without bound as h -> 0).

    Notes
    -----
    The standard error at each h ignores that the per-star scores share their
    training stars; the difference between two bandwidths' scores has a much
    smaller (paired) error, so the one-SE range states conservatively how flat
    the curve is.
    """
    memo = _Memo(scorer)
    log_h, scores = _grid(memo, scott, scorer.points, scorer.widenings)
    best = int(np.argmax(scores))
    curve = CvCurve(
        bandwidths=tuple(float(h) for h in np.exp(log_h)),
        mean_log_likelihood=tuple(float(s) for s in scores),
        folds=scorer.folds,
        best_bandwidth=None,
        kind=scorer.kind,
        precision=scorer.precision,
        model=scorer.model,
        standard_errors=tuple(memo(float(h))[1] for h in np.exp(log_h)),
    )
    if not 0 < best < log_h.size - 1:
        return replace(curve, unavailable=no_cv_maximum(n, float(np.exp(log_h[best])), rising=best == 0), one_se_open=True)
    best_h = _refine(memo, log_h, scores, best, scorer.xatol)
    top, top_se = memo(best_h)
    low, high, open_ = _one_se_range(memo, log_h, scores, best, top - top_se)
    return replace(
        curve, best_bandwidth=best_h, best_score=top, best_standard_error=top_se, one_se_low=min(low, best_h),
        one_se_high=max(high, best_h), one_se_open=open_,
    )  # fmt: skip


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


def _centre(ages: np.ndarray, model: str) -> float:
    """Scott's bandwidth in the KDE's own coordinate (ln Gyr for a KDE of log age)."""
    return scott_of(np.log(ages) if model == "log" else ages)


def cv_curve(
    ages: np.ndarray, *, precision: float | None = None, model: str = "gaussian", sigmas: np.ndarray | None = None
) -> CvCurve:
    """The exact leave-one-out CV curve of ``ages`` (Gyr): ``search`` over ``exact_loo_scorer``.

    Parameters
    ----------
    ages : ndarray, shape (n,)
        Ages in Gyr.
    precision : float, optional
        The ages' reporting quantum q (Gyr): interval scores (``kind="loo-interval"``).
    model : str
        The KDE kind: ``"gaussian"``, ``"reflected"`` (at 0 Gyr) or ``"log"``
        (a KDE of ln age; bandwidths in ln Gyr).
    sigmas : ndarray, shape (n,), optional
        Per-star one-sigma uncertainties (Gyr): the error-convolved KDE, each
        kernel of variance h^2 + sigma_i^2. Then h = 0 is allowed, when the
        score keeps rising as h shrinks and the errors alone fit best.

    Raises
    ------
    DataError
        If the ages have no spread.
    NotAvailable
        As ``exact_loo_scorer``.
    """
    ages = checked_ages(ages)
    scorer = exact_loo_scorer(ages, precision=precision, model=model, sigmas=sigmas)
    curve = search(scorer, scott=_centre(ages, model), n=ages.size)
    rising = curve.best_bandwidth is None and int(np.argmax(curve.mean_log_likelihood)) == 0
    if sigmas is None or not rising or np.any(np.asarray(sigmas) <= 0):
        return curve
    top, top_se = scorer.score(0.0)
    if top < curve.mean_log_likelihood[0]:
        return curve
    # The errors alone fit best: every bandwidth whose score is within one standard error of h = 0.
    within = np.asarray(curve.mean_log_likelihood) >= top - top_se
    high = curve.bandwidths[int(np.argmin(within)) - 1] if not within.all() else curve.bandwidths[-1]
    return replace(
        curve, best_bandwidth=0.0, unavailable=None, best_score=top, best_standard_error=top_se, one_se_low=0.0,
        one_se_high=float(high) if within[0] else 0.0, one_se_open=bool(within.all()),
    )  # fmt: skip


def cv_bandwidth(ages: np.ndarray, *, precision: float | None = None, model: str = "gaussian") -> float:
    """The exact LOO-CV bandwidth alone (Gyr; ln Gyr for ``model="log"``), from a 31-point start grid.

    The same maximiser as ``cv_curve`` (refined to the same tolerance), about
    half the evaluations and no one-SE range: for nested held-out scores,
    where each training part re-selects its bandwidth.

    Raises
    ------
    NotAvailable
        If the score has no maximum inside the widened search, or the ages are too few.
    """
    ages = checked_ages(ages)
    scorer = replace(exact_loo_scorer(ages, precision=precision, model=model), points=_QUICK_POINTS)
    memo = _Memo(scorer)
    log_h, scores = _grid(memo, _centre(ages, model), scorer.points, scorer.widenings)
    best = int(np.argmax(scores))
    if not 0 < best < log_h.size - 1:
        raise NotAvailable(no_cv_maximum(ages.size, float(np.exp(log_h[best])), rising=best == 0))
    return _refine(memo, log_h, scores, best, scorer.xatol)
