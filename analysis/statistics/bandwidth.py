"""Data-driven KDE bandwidths in Gyr: Scott, Silverman, Improved Sheather-Jones and CV.

Every rule has one signature, ``rule(ages, *, rng, folds) -> float``, so the
report can loop over ``BANDWIDTH_RULES``; only ``"cv"`` draws (its folds).
A rule that is undefined for the ages raises ``availability.NotAvailable``
with the reason (ISJ below ``ISJ_MIN_DISTINCT`` distinct ages or with no
root, CV below ``folds.MIN_CROSS_VALIDATED_AGES`` ages or with no maximum);
Scott and Silverman need only two distinct ages, which every data set has.
All rules are computed from the ages in Gyr. scikit-learn's own
``KernelDensity(bandwidth="scott")`` is never used: it returns the bare factor
``n**(-1/5)`` as if the data had unit spread.
"""

from collections.abc import Callable, Sequence
from dataclasses import replace

import numpy as np
from scipy.fft import dct
from scipy.optimize import brentq, minimize_scalar

from ..availability import NotAvailable, attempt, not_available
from ..errors import ConfigError, DataError
from ..folds import fold_count, folds_text, kfold_indices
from ..exact.kernel import log_density
from ..results import BandwidthChoice, BandwidthSet, CvCurve, TieReport

__all__ = [
    "BANDWIDTH_RULES",
    "ISJ_MIN_DISTINCT",
    "bandwidth_for",
    "choose_bandwidths",
    "cv_curve",
    "improved_sheather_jones",
    "isj_from_sorted",
    "kde_models",
    "no_cv_maximum",
    "rule_note",
    "tie_message",
    "tie_report",
]

#: Interquartile range of the standard normal, rounded as in Silverman (1986, p. 47)
#: and statsmodels' ``bw_silverman``.
_NORMAL_IQR = 1.349
#: Heavy ties: fewer than this fraction of distinct values, or ...
_HEAVY_DISTINCT_FRACTION = 0.8
#: ... at least this many stars sharing one age.
_HEAVY_LARGEST_TIE = 3
#: Fewest distinct ages ISJ is tried on. With two, the binned ages are two spikes a quarter and
#: three quarters across the domain whatever their values, and the fixed-point equation has no
#: root for any split of the stars between them (``tests/test_bandwidth.py`` tries them all). From
#: three it may have one; below about 10 distinct ages it often has none (on 300 normal,
#: uniform, log-normal and bimodal samples each: a root for 0-9 % at 4 ages, 18-86 % at 6,
#: 87-100 % at 10 and all at 13), and ``_fixed_point_root`` says so.
ISJ_MIN_DISTINCT = 3
#: The CV grid: log-spaced from Scott/50 to 3*Scott; widened by whole blocks of
#: the same log step while the maximum sits on an edge.
_CV_GRID_POINTS = 61
_CV_WIDEN_POINTS = 30
_CV_MAX_WIDENINGS = 5


def _checked(ages: np.ndarray) -> np.ndarray:
    """The ages as a finite 1-D float array with a positive spread, else DataError."""
    ages = np.asarray(ages, dtype=float)
    if ages.ndim != 1 or ages.size < 2 or not np.all(np.isfinite(ages)):
        raise DataError(f"bandwidth: expected at least 2 finite ages in Gyr, got {ages.size} values")
    if np.ptp(ages) == 0:
        raise DataError(f"bandwidth: all {ages.size} ages equal {ages[0]:g} Gyr; no bandwidth can be chosen")
    return ages


def _scott(ages: np.ndarray, *, rng: np.random.Generator, folds: int) -> float:
    """Scott's rule, ``std(ddof=1) * n**(-1/5)`` in Gyr (``rng``, ``folds`` unused).

    The bandwidth of ``scipy.stats.gaussian_kde(ages)``: its ``factor`` times
    the sample standard deviation (Scott 1992, eq. 6.42).

    Examples
    --------
    >>> round(_scott(np.arange(9.0), rng=np.random.default_rng(0), folds=5), 6)
    1.764746
    """
    ages = _checked(ages)
    return float(np.std(ages, ddof=1) * ages.size ** (-1 / 5))


def _silverman(ages: np.ndarray, *, rng: np.random.Generator, folds: int) -> float:
    """Silverman's rule, ``0.9 * min(std(ddof=1), IQR/1.349) * n**(-1/5)`` in Gyr.

    Silverman (1986), eq. 3.31. When the IQR is 0 (more than half the ages
    equal) the standard deviation alone is used, as statsmodels does:
    Silverman's ``A`` is a robust spread, never zero; the choice's note says
    so. ``rng`` and ``folds`` are unused.
    """
    ages = _checked(ages)
    spread = _robust_spread(ages)
    return float(0.9 * spread * ages.size ** (-1 / 5))


def _robust_spread(ages: np.ndarray) -> float:
    std = np.std(ages, ddof=1)
    iqr = np.subtract(*np.percentile(ages, [75, 25])) / _NORMAL_IQR
    return float(min(std, iqr) if iqr > 0 else std)


def improved_sheather_jones(ages: np.ndarray, *, grid_points: int = 2**10) -> float:
    """Improved Sheather-Jones bandwidth in Gyr (Botev, Grotowski & Kroese 2010).

    Follows the authors' reference code ``kde.m``: the domain reaches half the
    data range beyond each extreme; the ages are linearly binned onto
    ``grid_points`` equally spaced points of that domain, rescaled to [0, 1];
    the DCT-II of the bin weights gives the cosine coefficients ``a_k``; the
    squared-bandwidth ``t`` solves ``t = xi * gamma^[7](t)`` (eq. 29 of the
    paper, seven stages), found with ``brentq``; the bandwidth is
    ``sqrt(t) * domain width``. As in ``kde.m``, the sample size in the
    fixed-point equation is the number of *distinct* ages.

    KDEpy 1.1 differs in two conventions: it pads the domain by
    ``max(range/2, 6)`` data units and multiplies ``sqrt(t)`` by the data
    range, not the domain width, so its value is ours divided by 2 whenever
    the range is at least 12 (KDEpy issues #199 and #201).

    Parameters
    ----------
    ages : ndarray, shape (n,)
        Ages in Gyr.
    grid_points : int
        Points of the binning grid, a power of two from 2**10 (KDEpy's
        choice, the default) to 2**14 (``kde.m``'s); once the grid step is far
        below the bandwidth the result hardly depends on it.

    Returns
    -------
    float
        Bandwidth (kernel standard deviation) in Gyr.

    Raises
    ------
    NotAvailable
        If there are fewer than ``ISJ_MIN_DISTINCT`` distinct ages, or the
        fixed-point equation has no root below t = 1 (common below about 10
        distinct ages).
    """
    ages = _checked(ages)
    if grid_points not in {2**p for p in range(10, 15)}:
        raise ValueError(f"grid_points: expected a power of two from 2**10 to 2**14, got {grid_points}")
    return _isj_from_bins(ages, ages.min(), ages.max(), np.unique(ages).size, grid_points)


def isj_from_sorted(ordered: np.ndarray, *, n_distinct: int, grid_points: int = 2**10) -> float:
    """``improved_sheather_jones`` of ages already sorted (Gyr), given their distinct count.

    For catalogs: no ``np.unique`` and the binning runs in chunks, so memory
    stays a small fraction of the ages. Equal to ``improved_sheather_jones``
    up to the summation order of the bin weights.
    """
    ordered = _checked(ordered)
    if grid_points not in {2**p for p in range(10, 15)}:
        raise ValueError(f"grid_points: expected a power of two from 2**10 to 2**14, got {grid_points}")
    return _isj_from_bins(ordered, ordered[0], ordered[-1], n_distinct, grid_points)


#: Ages linearly binned per chunk by ``_isj_from_bins``: temporaries of about 2 MB at any n.
_ISJ_CHUNK = 2**15


def _isj_from_bins(ages: np.ndarray, low: float, high: float, distinct: int, grid_points: int) -> float:
    """Bin linearly (``kde.m``'s domain: half the range beyond each extreme), then solve."""
    if distinct < ISJ_MIN_DISTINCT:
        raise NotAvailable(
            not_available(
                f"n = {ages.size}",
                f"ISJ needs at least {ISJ_MIN_DISTINCT} distinct ages; with {distinct} its fixed-point "
                "equation (Botev et al. 2010) has no root",
            )
        )
    span = high - low
    start, width = low - span / 2, 2 * span
    weights = np.zeros(grid_points)
    for first in range(0, ages.size, _ISJ_CHUNK):
        position = (ages[first : first + _ISJ_CHUNK] - start) / width * (grid_points - 1)
        left = np.minimum(np.floor(position).astype(int), grid_points - 2)
        frac = position - left
        weights += np.bincount(left, 1 - frac, grid_points) + np.bincount(left + 1, frac, grid_points)
    coefficients = dct(weights / ages.size, type=2)[1:]
    k_squared = np.arange(1, grid_points, dtype=float) ** 2
    t_star = _fixed_point_root(distinct, k_squared, coefficients**2, n_ages=ages.size)
    return float(np.sqrt(t_star) * width)


def _norm_estimate(s: int, t: float, k_squared: np.ndarray, a_squared: np.ndarray) -> float:
    """||f^(s)||^2 of the density smoothed to time t (Parseval on the cosine series)."""
    return 0.5 * np.pi ** (2 * s) * np.sum(k_squared**s * a_squared * np.exp(-k_squared * np.pi**2 * t))


def _fixed_point(t: float, n: int, k_squared: np.ndarray, a_squared: np.ndarray) -> float:
    """``t - xi gamma^[l](t)`` with l = 7 stages (Botev et al. 2010, eqs. 29-30)."""
    norm = _norm_estimate(7, t, k_squared, a_squared)
    for s in range(6, 1, -1):
        if norm <= 0:
            # The roughness underflowed: the optimal t is effectively infinite, so t lies
            # below its fixed point; any finite negative value keeps brentq's bracket valid.
            return -1.0
        k0 = np.prod(np.arange(1, 2 * s, 2, dtype=float)) / np.sqrt(2 * np.pi)
        const = (1 + 0.5 ** (s + 0.5)) / 3
        # A roughness near underflow makes this time overflow to inf, whose smoothed roughness is
        # 0: the branch above then says t is below its fixed point, which is right, so no warning.
        with np.errstate(over="ignore"):
            time = (2 * const * k0 / (n * norm)) ** (2 / (3 + 2 * s))
        norm = _norm_estimate(s, time, k_squared, a_squared)
    return -1.0 if norm <= 0 else t - (2 * n * np.sqrt(np.pi) * norm) ** (-2 / 5)


def _fixed_point_root(n: int, k_squared: np.ndarray, a_squared: np.ndarray, *, n_ages: int) -> float:
    """Smallest bracketed root, widening the bracket as ``kde.m`` does; n distinct of ``n_ages`` ages."""
    args = (n, k_squared, a_squared)
    upper = 1e-11 + 0.01 * (min(max(n, 50), 1050) - 50) / 1000
    while upper < 1:
        if _fixed_point(upper, *args) > 0:
            return brentq(_fixed_point, 0.0, upper, args=args, xtol=1e-14, rtol=1e-12)
        upper *= 2
    raise NotAvailable(
        not_available(
            f"n = {n_ages}",
            f"the fixed-point equation of ISJ (Botev et al. 2010) has no root for these {n} distinct ages, "
            "as is common below about 10",
        )
    )


def _isj(ages: np.ndarray, *, rng: np.random.Generator, folds: int) -> float:
    """Registry entry for ``improved_sheather_jones`` (``rng``, ``folds`` unused)."""
    return improved_sheather_jones(ages)


def cv_curve(ages: np.ndarray, *, rng: np.random.Generator, folds: int) -> CvCurve:
    """k-fold cross-validated likelihood against bandwidth, and its maximiser.

    The score of ``h`` is the mean held-out log-likelihood per star: the sum
    over folds of ``kernel.log_density(train, test, h)`` divided by n, with
    one set of folds drawn from ``rng`` by ``folds.kfold_indices``;
    ``folds.fold_count`` chooses leave-one-out when the ages are too few for
    ``folds`` folds. It is
    evaluated on 61 log-spaced bandwidths from Scott/50 to 3 x Scott (widened
    by blocks of 30 points while the best point is on an edge), then refined by
    bounded Brent minimisation of the negative score in log h between the
    grid neighbours of the best point.

    Parameters
    ----------
    ages : ndarray, shape (n,)
        Ages in Gyr.
    rng : numpy.random.Generator
        Draws the folds.
    folds : int
        The configured number of folds (at least 2).

    Returns
    -------
    CvCurve
        ``bandwidths`` in Gyr (increasing), scores in log(1/Gyr) per star,
        ``folds`` the folds used, ``best_bandwidth`` the refined maximiser in
        Gyr, or ``None`` with the reason in ``unavailable`` when the score
        keeps rising to the edge of the widened grid (e.g. every held-out age
        is tied with a training age, so the score grows without bound as
        h -> 0).

    Raises
    ------
    ConfigError
        If ``folds`` is below 2.
    NotAvailable
        If there are fewer than ``folds.MIN_CROSS_VALIDATED_AGES`` ages.
    """
    ages = _checked(ages)
    if folds < 2:
        raise ConfigError(f"analysis.cv_folds: expected at least 2 folds, got {folds}")
    folds = fold_count(ages.size, folds)
    splits = kfold_indices(ages.size, folds, rng=rng)

    def score(h: float) -> float:
        return sum(log_density(ages[train], ages[test], h).sum() for train, test in splits) / ages.size

    scott = _scott(ages, rng=rng, folds=folds)
    log_h = np.linspace(np.log(scott / 50), np.log(3 * scott), _CV_GRID_POINTS)
    scores = np.array([score(h) for h in np.exp(log_h)])
    step = log_h[1] - log_h[0]
    for _ in range(_CV_MAX_WIDENINGS):
        best = int(np.argmax(scores))
        if 0 < best < log_h.size - 1:
            break
        block = step * np.arange(1, _CV_WIDEN_POINTS + 1)
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
        folds=folds,
        best_bandwidth=None,
    )
    if not 0 < best < log_h.size - 1:
        return replace(curve, unavailable=no_cv_maximum(ages.size, float(np.exp(log_h[best])), rising=best == 0))
    refined = minimize_scalar(
        lambda x: -score(float(np.exp(x))),
        bounds=(log_h[best - 1], log_h[best + 1]),
        method="bounded",
        options={"xatol": 1e-6},
    )
    best_h = float(np.exp(refined.x)) if -refined.fun >= scores[best] else float(np.exp(log_h[best]))
    return replace(curve, best_bandwidth=best_h)


def no_cv_maximum(n: int, edge_gyr: float, *, rising: bool) -> str:
    """The reason a CV curve of n ages has no bandwidth: its best score is at ``edge_gyr``, an edge of the search.

    ``rising`` says the score keeps rising as h shrinks (the left edge).
    One wording for the exact and the binned curve.
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


def _cv(ages: np.ndarray, *, rng: np.random.Generator, folds: int) -> float:
    """Registry entry: the maximiser of ``cv_curve``."""
    curve = cv_curve(ages, rng=rng, folds=folds)
    if curve.best_bandwidth is None:
        raise NotAvailable(curve.unavailable)
    return curve.best_bandwidth


Rule = Callable[..., float]

#: Rule name -> ``rule(ages, *, rng, folds) -> bandwidth in Gyr``, in report order.
BANDWIDTH_RULES: dict[str, Rule] = {"scott": _scott, "silverman": _silverman, "isj": _isj, "cv": _cv}


def bandwidth_for(rule: str, ages: np.ndarray, *, rng: np.random.Generator, folds: int) -> float:
    """The bandwidth in Gyr of one named rule.

    Raises
    ------
    ConfigError
        If ``rule`` is not a key of ``BANDWIDTH_RULES``; the message lists them.
    """
    if rule not in BANDWIDTH_RULES:
        raise ConfigError(f"bandwidth rule: expected one of {', '.join(BANDWIDTH_RULES)}, got {rule!r}")
    return BANDWIDTH_RULES[rule](ages, rng=rng, folds=folds)


def tie_report(ages: np.ndarray) -> TieReport:
    """How often ages repeat exactly, and whether that distorts CV.

    Ties are *heavy* when fewer than 80 % of the ages are distinct or when at
    least 3 stars share one age. A held-out age equal to a training age
    scores ever higher as the kernel narrows, so heavy ties pull the CV
    bandwidth towards small values.
    """
    ages = _checked(ages)
    _, counts = np.unique(ages, return_counts=True)
    n, distinct, largest = ages.size, counts.size, int(counts.max())
    heavy, message = tie_message(n, distinct, largest)
    return TieReport(n=n, n_distinct=distinct, largest_tie=largest, heavy=heavy, message=message)


def tie_message(n: int, distinct: int, largest: int) -> tuple[bool, str]:
    """Whether ties are heavy (``tie_report``'s rule) and the reader's message on them."""
    heavy = distinct < _HEAVY_DISTINCT_FRACTION * n or largest >= _HEAVY_LARGEST_TIE
    if heavy:
        message = (
            f"Only {distinct} of {n} ages are distinct and up to {largest} stars share one value. "
            "Exact ties pull cross-validation towards small bandwidths: a held-out star whose age "
            "equals a training star's scores higher the narrower the kernel."
        )
    elif distinct < n:
        message = (
            f"{distinct} of {n} ages are distinct (at most {largest} stars share a value); "
            "too few ties to distort cross-validation."
        )
    else:
        message = f"All {n} ages are distinct; ties do not affect cross-validation."
    return heavy, message


def choose_bandwidths(
    ages: np.ndarray, *, rng: np.random.Generator, folds: int
) -> tuple[BandwidthSet, tuple[BandwidthChoice, ...], CvCurve | None, TieReport]:
    """Every rule of ``BANDWIDTH_RULES`` once, with a note for readers on each.

    The CV curve is computed once and its maximiser is the ``"cv"`` bandwidth.
    A rule that is not available for these ages gets ``None`` and its
    choice's ``unavailable`` reason; the curve is ``None`` when the ages are
    too few to cross-validate (the CV choice says why).

    Returns
    -------
    (BandwidthSet, choices in registry order, CvCurve or None, TieReport)
    """
    ages = _checked(ages)
    curve, curve_reason = attempt(lambda: cv_curve(ages, rng=rng, folds=folds))
    ties = tie_report(ages)
    cv_found = (curve.best_bandwidth, curve.unavailable) if curve else (None, curve_reason)
    found = {
        rule: cv_found if rule == "cv" else attempt(lambda rule=rule: bandwidth_for(rule, ages, rng=rng, folds=folds))
        for rule in BANDWIDTH_RULES
    }
    iqr_zero = bool(np.subtract(*np.percentile(ages, [75, 25])) == 0)
    used = curve.folds if curve else folds
    cv_method = f"{folds_text(used, ages.size)} cross-validated log-likelihood of held-out stars"
    choices = tuple(
        BandwidthChoice(
            rule=rule,
            bandwidth=h,
            note=rule_note(rule, iqr_zero=iqr_zero, ties=ties, cv_method=cv_method),
            unavailable=reason,
        )
        for rule, (h, reason) in found.items()
    )
    return BandwidthSet(**{rule: h for rule, (h, _) in found.items()}), choices, curve, ties


def kde_models(grid: Sequence[float], bandwidths: BandwidthSet) -> list[tuple[str, float]]:
    """A data set's KDE models as (kind, bandwidth in Gyr), for both engines.

    The configured ``grid`` bandwidths (kind ``"grid"``), then each rule of
    ``BANDWIDTH_RULES`` whose bandwidth is available, in registry order: a
    rule without a bandwidth has no curve, synthetic sample or held-out score.
    """
    chosen = [(rule, getattr(bandwidths, rule)) for rule in BANDWIDTH_RULES]
    return [("grid", h) for h in grid] + [(rule, h) for rule, h in chosen if h is not None]


def rule_note(rule: str, *, iqr_zero: bool, ties: TieReport, cv_method: str) -> str:
    """A reader's note on one rule, with the caveats that apply to these ages.

    ``iqr_zero`` says the interquartile range is 0 (Silverman falls back to
    s); ``cv_method`` completes "Maximises the ..." for the CV rule.
    """
    if rule == "scott":
        return (
            "Scott's rule, s n^(-1/5) with s the sample standard deviation (scipy's gaussian_kde "
            "default); optimal for normal data, it oversmooths skewed or multimodal ages."
        )
    if rule == "silverman":
        caveat = " The IQR is zero here, so the standard deviation alone is used." if iqr_zero else ""
        return (
            "Silverman's rule of thumb, 0.9 min(s, IQR/1.349) n^(-1/5); at least 10 % narrower "
            f"than Scott's and less swayed by outliers.{caveat}"
        )
    if rule == "isj":
        return (
            "Improved Sheather-Jones (Botev et al. 2010): a plug-in rule that estimates the density's "
            "roughness from the data instead of assuming a normal shape, so it can resolve several peaks."
        )
    note = f"Maximises the {cv_method}."
    if ties.heavy:
        note += (
            f" Only {ties.n_distinct} of {ties.n} ages are distinct: exact ties pull this choice "
            "towards small bandwidths, so read it as a lower bound."
        )
    return note
