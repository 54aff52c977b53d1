"""The statistics of one data set, each written once for every engine and every n.

Face of the family: ``sample`` (the ages sorted once: summary, ties,
histogram, ECDF), ``gaussian`` (the single-normal fit), ``normality``
(Lilliefors and Shapiro-Wilk), ``paired`` (the mean of per-star differences:
its interval and t-test), ``rules`` (the
registry ``BANDWIDTH_RULES`` of Scott, Silverman, ISJ (``isj``) and CV, and the
KDE models), ``cv`` (the search for the CV bandwidth over an engine's score,
and the exact k-fold score), ``heldout`` (the held-out score of each model
from an engine's sums) and ``generative`` (a generative model's record from an
engine's draws). What depends on how kernel sums are evaluated comes from an
engine (``analysis.engine``); nothing here imports one.
"""

from .cv import cv_curve, kfold_method, kfold_scorer, search
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
from .sample import Sample, auto_histogram, empirical_cdf, quantile, summarise, tie_report
from .generative import synthetic

__all__ = [
    "LILLIEFORS_MAX_N", "LILLIEFORS_MIN_AGES", "LILLIEFORS_PVALUE_RANGE", "PAIRED_T_MIN_PAIRS", "PairedDifference",
    "SHAPIRO_MAX_N", "SHAPIRO_MIN_AGES", "normality_tests", "paired_difference", "paired_from_moments",
    "BANDWIDTH_RULES", "ISJ_MIN_DISTINCT", "Evidence", "Rule", "Sample", "auto_histogram", "bandwidth_for", "choose",
    "choose_bandwidths", "cv_curve", "empirical_cdf", "fit_gaussian", "held_out_scores", "improved_sheather_jones",
    "kde_models", "kfold_method", "kfold_scorer", "kfold_scores", "normal_fit", "quantile", "scores", "scott_rule", "search",
    "silverman_rule", "summarise", "synthetic", "tie_report",
]  # fmt: skip
