"""The statistics of one data set, each written once for every engine and every n.

Face of the family: ``sample`` (the ages sorted once: summary, ties,
histogram, ECDF), ``gaussian`` (the single-normal fit), ``normality``
(Lilliefors and Shapiro-Wilk), ``paired`` (the mean of per-star differences:
its interval and t-test), ``rules`` (the
registry ``BANDWIDTH_RULES`` of Scott, Silverman, ISJ (``isj``) and CV, and the
KDE models), ``cv`` (the search for the leave-one-out CV bandwidth over an
engine's score, its standard errors and one-SE range, and the exact score),
``heldout`` (the held-out score of each model from an engine's sums),
``nested`` (nested, repeated k-fold held-out scores with paired standard errors
and the verdict), ``generative`` (a generative model's record from an engine's
draws), ``precision`` (the ages' reporting quantum, interval scores and ties
judged against it), the fitted models (``models``: plain, reflected, log-age
and error-convolved KDEs, the normal, over the exact ``mixture`` sums and
``normal_mass``), ``loo`` (exact leave-one-out scores and the repair of a
binned engine's), ``boundary`` (mass below 0 Gyr and above the age of the
Universe), ``cross`` (cross-prediction at own and common bandwidths),
``uncertainties`` (per-star errors) and ``benchmark`` (which training set
predicts an independent benchmark better). What depends on how kernel sums are evaluated comes from an
engine (``analysis.engine``); nothing here imports one.
"""

from .benchmark import benchmark_comparison
from .boundary import unphysical_fractions
from .cross import case_from_scores, common_bandwidth, cross_prediction
from .cv import LOO_METHOD, cv_bandwidth, cv_curve, exact_loo_scorer, loo_kind, mean_and_se, mean_and_se_from_sums, search
from .loo import loo_log_scores, windowed_loo
from .models import KDE_KINDS, KdeModel, NormalModel, fit_kde, fit_normal
from .nested import DEFAULT_REPEATS, VERDICT_MIN_MARGIN, VERDICT_SES, model_spec, nested_heldout, verdict, verdict_from_moments
from .precision import INTERVAL_RATIO, detect_precision, tie_report, use_interval_scores
from .uncertainties import fit_error_convolved, spread_explained, symmetric_sigmas
from .gaussian import fit_gaussian, normal_fit
from .heldout import held_out_scores, kfold_scores, scores
from .isj import ISJ_MIN_DISTINCT, improved_sheather_jones
from .normality import (
    LILLIEFORS_MAX_N,
    LILLIEFORS_MIN_AGES,
    LILLIEFORS_PVALUE_RANGE,
    SHAPIRO_MAX_N,
    SHAPIRO_MIN_AGES,
    normality_tests,
)
from .paired import PAIRED_T_MIN_PAIRS, PairedDifference, paired_difference, paired_from_moments
from .rules import (
    BANDWIDTH_RULES,
    Evidence,
    Rule,
    bandwidth_for,
    choose,
    choose_bandwidths,
    kde_models,
    scott_rule,
    silverman_rule,
)
from .sample import Sample, auto_histogram, empirical_cdf, quantile, summarise
from .generative import model_draws, synthetic

__all__ = [
    "LILLIEFORS_MAX_N", "LILLIEFORS_MIN_AGES", "LILLIEFORS_PVALUE_RANGE", "PAIRED_T_MIN_PAIRS", "PairedDifference",
    "SHAPIRO_MAX_N", "SHAPIRO_MIN_AGES", "normality_tests", "paired_difference", "paired_from_moments", "quantile",
    "BANDWIDTH_RULES", "DEFAULT_REPEATS", "INTERVAL_RATIO", "ISJ_MIN_DISTINCT", "KDE_KINDS", "LOO_METHOD", "VERDICT_MIN_MARGIN",
    "VERDICT_SES", "Evidence", "KdeModel", "NormalModel", "Rule", "Sample", "auto_histogram", "bandwidth_for",
    "benchmark_comparison", "case_from_scores", "choose", "choose_bandwidths", "common_bandwidth", "cross_prediction", "cv_bandwidth",
    "cv_curve", "detect_precision", "empirical_cdf", "exact_loo_scorer", "fit_error_convolved", "fit_gaussian",
    "fit_kde", "fit_normal", "held_out_scores", "improved_sheather_jones", "kde_models", "kfold_scores",
    "loo_kind", "loo_log_scores", "mean_and_se", "mean_and_se_from_sums", "model_draws", "model_spec", "nested_heldout", "normal_fit",
    "scores", "scott_rule", "search", "silverman_rule", "spread_explained", "summarise", "symmetric_sigmas",
    "synthetic", "tie_report", "unphysical_fractions", "use_interval_scores", "verdict", "verdict_from_moments",
    "windowed_loo",
]  # fmt: skip
