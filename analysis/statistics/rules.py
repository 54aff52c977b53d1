"""Data-driven KDE bandwidths in Gyr: the registry of Scott, Silverman, Improved Sheather-Jones and CV.

``BANDWIDTH_RULES`` names each rule once, with what readers see of it (its
title and reference, which the pages and figures read) and how it is chosen
from what the analysis of a data set has already computed (``Evidence``: the
sorted sample, its summary and the CV curve), so the report and the tests loop
over one registry. Called on ages, ``rule(ages, *, precision=None) -> float``
computes that evidence itself (CV on the exact leave-one-out sums, interval
scores with a precision); no rule draws. A rule that is undefined for the ages raises
``availability.NotAvailable`` with the reason (ISJ below
``isj.ISJ_MIN_DISTINCT`` distinct ages or with no root, CV below
``folds.MIN_CROSS_VALIDATED_AGES`` ages or with no maximum); Scott and
Silverman need only two distinct ages, which every data set has. All rules
are computed from the ages in Gyr. scikit-learn's own
``KernelDensity(bandwidth="scott")`` is never used: it returns the bare factor
``n**(-1/5)`` as if the data had unit spread.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from ..availability import NotAvailable, attempt
from ..errors import ConfigError
from ..results import BandwidthChoice, BandwidthSet, CvCurve, Summary, TieReport
from .cv import LOO_METHOD, cv_curve
from .isj import isj
from .precision import tie_report
from .sample import Sample, checked_ages, summarise

__all__ = [
    "BANDWIDTH_RULES", "Evidence", "Rule", "bandwidth_for", "choose", "choose_bandwidths", "kde_models", "rule_note",
    "scott_rule", "silverman_rule",
]  # fmt: skip

#: Interquartile range of the standard normal, rounded as in Silverman (1986, p. 47)
#: and statsmodels' ``bw_silverman``.
_NORMAL_IQR = 1.349


@dataclass(frozen=True, eq=False)
class Evidence:
    """What the rules of one data set are chosen from, each computed once.

    ``cv`` is the CV curve, or ``None`` with ``cv_unavailable`` saying why
    (too few ages to cross-validate).
    """

    sample: Sample
    summary: Summary
    cv: CvCurve | None
    cv_unavailable: str | None = None


def scott_rule(std: float, n: int) -> float:
    """Scott's rule, ``s n**(-1/5)`` in Gyr, ``s`` the sample standard deviation (ddof=1, Gyr).

    The bandwidth of ``scipy.stats.gaussian_kde(ages)``: its ``factor`` times
    the sample standard deviation (Scott 1992, eq. 6.42).

    Examples
    --------
    >>> round(scott_rule(float(np.std(np.arange(9.0), ddof=1)), 9), 6)
    1.764746
    """
    return std * n ** (-1 / 5)


def silverman_rule(std: float, q25: float, q75: float, n: int) -> float:
    """Silverman's rule, ``0.9 min(s, IQR/1.349) n**(-1/5)`` in Gyr, from s (ddof=1) and the quartiles (Gyr).

    Silverman (1986), eq. 3.31. When the IQR is 0 (more than half the ages
    equal) the standard deviation alone is used, as statsmodels does:
    Silverman's ``A`` is a robust spread, never zero; the choice's note says so.
    """
    iqr = (q75 - q25) / _NORMAL_IQR
    return 0.9 * (min(std, iqr) if iqr > 0 else std) * n ** (-1 / 5)


def _scott(e: Evidence) -> float:
    return scott_rule(e.summary.std, e.summary.n)


def _silverman(e: Evidence) -> float:
    return silverman_rule(e.summary.std, e.summary.q25, e.summary.q75, e.summary.n)


def _isj(e: Evidence) -> float:
    return isj(e.sample)


def _cv(e: Evidence) -> float:
    """The maximiser of the CV curve."""
    if e.cv is None:
        raise NotAvailable(e.cv_unavailable)
    if e.cv.best_bandwidth is None:
        raise NotAvailable(e.cv.unavailable)
    return e.cv.best_bandwidth


@dataclass(frozen=True)
class Rule:
    """One bandwidth rule: its key, the title and reference readers see, and how it is chosen."""

    name: str
    title: str
    reference: str
    choose: Callable[[Evidence], float]

    def __call__(self, ages: np.ndarray, *, precision: float | None = None) -> float:
        """The rule's bandwidth (Gyr) of ``ages`` alone; CV on the exact leave-one-out sums (interval scores of
        width ``precision`` Gyr when given)."""
        ages = checked_ages(ages)
        sample = Sample.of(ages)
        curve = cv_curve(ages, precision=precision) if self.name == "cv" else None
        return self.choose(Evidence(sample, summarise(sample, n_missing=0), curve))


#: Rule name -> ``Rule``, in report order (the order of ``results.BandwidthSet``).
BANDWIDTH_RULES: dict[str, Rule] = {
    rule.name: rule
    for rule in (
        Rule("scott", "Scott", "Scott, D. W. (1992), *Multivariate Density Estimation*, Wiley, eq. 6.44", _scott),
        Rule(
            "silverman", "Silverman", "Silverman, B. W. (1986), *Density Estimation*, Chapman & Hall, eq. 3.31",
            _silverman,
        ),
        Rule("isj", "ISJ", "Botev, Grotowski & Kroese (2010), Ann. Statist. 38, 2916", _isj),
        Rule("cv", "CV", "leave-one-out cross-validated log-likelihood (Duin 1976; Hall 1982; Silverman 1986, sec. 3.4.4)", _cv),
    )
}  # fmt: skip


def bandwidth_for(rule: str, ages: np.ndarray, *, precision: float | None = None) -> float:
    """The bandwidth in Gyr of one named rule.

    Raises
    ------
    ConfigError
        If ``rule`` is not a key of ``BANDWIDTH_RULES``; the message lists them.
    """
    if rule not in BANDWIDTH_RULES:
        raise ConfigError(f"bandwidth rule: expected one of {', '.join(BANDWIDTH_RULES)}, got {rule!r}")
    return BANDWIDTH_RULES[rule](ages, precision=precision)


def choose(evidence: Evidence, ties: TieReport, *, cv_method: str) -> tuple[BandwidthSet, tuple[BandwidthChoice, ...]]:
    """Every rule of ``BANDWIDTH_RULES`` once, with a note for readers on each.

    A rule that is not available for these ages gets ``None`` and its
    choice's ``unavailable`` reason. ``cv_method`` completes "Maximises the
    ..." in the CV rule's note.
    """
    found = {name: attempt(lambda rule=rule: rule.choose(evidence)) for name, rule in BANDWIDTH_RULES.items()}
    iqr_zero = evidence.summary.q75 == evidence.summary.q25
    choices = tuple(
        BandwidthChoice(
            rule=rule,
            bandwidth=h,
            note=rule_note(rule, iqr_zero=iqr_zero, ties=ties, cv_method=cv_method),
            unavailable=reason,
        )
        for rule, (h, reason) in found.items()
    )
    return BandwidthSet(**{rule: h for rule, (h, _) in found.items()}), choices


def choose_bandwidths(
    ages: np.ndarray, *, precision: float | None = None
) -> tuple[BandwidthSet, tuple[BandwidthChoice, ...], CvCurve | None, TieReport]:
    """``choose`` on ``ages`` alone, with the exact leave-one-out CV curve (interval scores of width ``precision``).

    The CV curve is computed once and its maximiser is the ``"cv"``
    bandwidth; the curve is ``None`` when the ages are too few to
    cross-validate (the CV choice says why).

    Returns
    -------
    (BandwidthSet, choices in registry order, CvCurve or None, TieReport)
    """
    ages = checked_ages(ages)
    curve, reason = attempt(lambda: cv_curve(ages, precision=precision))
    sample = Sample.of(ages)
    summary = summarise(sample, n_missing=0)
    ties = tie_report(sample, precision, smooth_bandwidth=silverman_rule(summary.std, summary.q25, summary.q75, summary.n))
    evidence = Evidence(sample, summary, curve, reason)
    chosen, choices = choose(evidence, ties, cv_method=LOO_METHOD)
    return chosen, choices, curve, ties


def kde_models(grid: Sequence[float], bandwidths: BandwidthSet) -> list[tuple[str, float]]:
    """A data set's KDE models as (kind, bandwidth in Gyr), for every engine.

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
    note = f"Maximises the {cv_method}; no random split, so the same for every seed."
    if ties.precision is not None and ties.heavy:
        note += (
            f" The ages are given to {ties.precision:g} Gyr and pile up more than that rounding explains (up to "
            f"{ties.largest_tie} stars share one age), so the small bandwidth follows real pile-ups, not the rounding."
        )
    elif ties.heavy:
        note += (
            f" Only {ties.n_distinct} of {ties.n} ages are distinct although they are stored as continuous "
            "values: exact ties pull this choice towards small bandwidths, so read it as a lower bound."
        )
    return note
