"""The fewest ages each result needs, in one list for the pages and the README.

Each number is a named constant beside the code it guards (``dataset``,
``bandwidth``, ``folds``, ``compare``); this module only gathers them, in the
order the report presents its results, with the reason a reader needs.
``tests/test_minimums.py`` holds the README's table to this list.
"""

from dataclasses import dataclass

from .statistics import ISJ_MIN_DISTINCT, LILLIEFORS_MIN_AGES, PAIRED_T_MIN_PAIRS, SHAPIRO_MIN_AGES
from .compare import AD_MIN_AGES, MIN_PAIRS, PEARSON_MIN_PAIRS, SPEARMAN_MIN_PAIRS, WILCOXON_MIN_DIFFERENCES
from .dataset import MIN_DISTINCT_AGES
from .folds import MIN_CROSS_VALIDATED_AGES, MIN_TRAINING_STARS

__all__ = ["MINIMUMS", "Minimum"]


@dataclass(frozen=True)
class Minimum:
    """What one result needs, and why.

    ``result`` names it as the pages do; ``needs`` is the minimum in words
    (``"3 distinct ages"``); ``why`` is one sentence for readers.
    """

    result: str
    needs: str
    why: str


def _plural(count: int, noun: str) -> str:
    """``"1 pair"``, ``"3 pairs"``."""
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


#: Every minimum, in the order the report presents its results.
MINIMUMS: tuple[Minimum, ...] = (
    Minimum(
        "Every data set",
        _plural(MIN_DISTINCT_AGES, "distinct age"),
        "With one value there is no spread, so no bandwidth, Gaussian width or shape: a data set of 1 star, "
        "or of one repeated age, stops the build.",
    ),
    Minimum(
        "Summary, histograms, ECDF, Gaussian fit and its KS test, Scott and Silverman bandwidths, KDEs and "
        "synthetic samples at the fixed bandwidths, two-sample KS test, Wasserstein distance, mean difference",
        _plural(MIN_DISTINCT_AGES, "distinct age"),
        "Defined for any data set the report is built from.",
    ),
    Minimum(
        "Shapiro-Wilk test of normality",
        _plural(SHAPIRO_MIN_AGES, "age"),
        "Its coefficients compare the ordered ages with 3 or more expected normal order statistics.",
    ),
    Minimum(
        "Lilliefors test of normality",
        _plural(LILLIEFORS_MIN_AGES, "age"),
        "statsmodels' table of its null distribution starts at 4 ages.",
    ),
    Minimum(
        "ISJ bandwidth",
        _plural(ISJ_MIN_DISTINCT, "distinct age"),
        "With 2 its fixed-point equation never has a root, and below about 10 distinct ages it often has "
        "no root either; the report then says so.",
    ),
    Minimum(
        "CV bandwidth, held-out scores",
        _plural(MIN_CROSS_VALIDATED_AGES, "age"),
        f"Every fold must leave {MIN_TRAINING_STARS} stars to fit on, so a data set too small for the "
        "configured folds is cross-validated leave-one-out. CV also needs a maximum: ties can make the score "
        "rise without end as the bandwidth shrinks.",
    ),
    Minimum(
        "Gaussian held-out score",
        f"{_plural(MIN_DISTINCT_AGES, 'distinct age')} in every training fold",
        "A normal fitted to one repeated age has zero width.",
    ),
    Minimum(
        "Cross-prediction",
        "a CV bandwidth of the training data set",
        "The other data set is scored by the training set's KDE at its CV bandwidth.",
    ),
    Minimum(
        "Anderson-Darling test",
        f"{_plural(AD_MIN_AGES, 'age')} in each data set",
        "Its p-value comes from a table of large-sample percentiles; with 3 + 3 ages it rejects a true null "
        "about twice as often as its level says.",
    ),
    Minimum(
        "Per-star comparison",
        f"{_plural(MIN_PAIRS, 'star')} in both data sets",
        "The spread of the per-star differences divides by n - 1.",
    ),
    Minimum(
        "Paired t-test",
        f"{_plural(PAIRED_T_MIN_PAIRS, 'pair')} whose differences are not all equal",
        "Its t statistic divides the mean difference by the spread of the differences.",
    ),
    Minimum(
        "Wilcoxon signed-rank test",
        _plural(WILCOXON_MIN_DIFFERENCES, "non-zero difference"),
        "It ranks the differences that are not zero.",
    ),
    Minimum(
        "Pearson's r",
        _plural(PEARSON_MIN_PAIRS, "pair"),
        "Two points always lie on a line; its p-value is a t test with n - 2 degrees of freedom.",
    ),
    Minimum(
        "Spearman's rho",
        _plural(SPEARMAN_MIN_PAIRS, "pair"),
        "scipy's p-value is a t approximation; with 5 pairs it rejects a true null 1.7 times as often as its "
        "level says.",
    ),
)
