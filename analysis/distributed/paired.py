"""The per-star comparison of two columns of a partitioned catalog, from row-wise reductions.

Both ages of a star sit in one row, so the difference d = a - b is formed
row by row inside each partition (``kernels.pair_range``,
``kernels.count_pair_cells``) and only then reduced: n, exact sums of d, d**2,
a, b, a**2, b**2 and a*b (128-bit), the sign counts, and the counts of d on
a cell grid (on a decimal grid the exact integer difference of the two
decimals). Nothing per star crosses a partition, so two ages of one star in
different catalogs must be joined (crossmatched) into one first. From these:
the mean difference (correctly rounded), its standard deviation and
Pearson's r (the sums of squares within 2**-60 Gyr^2 per star), the normal
interval of the mean difference and the paired t-test from its standard
error sd(d) / sqrt(n) (``statistics.paired_from_moments``), the median
difference (exact on a decimal grid, else within half a cell), the sign
counts (exact) and Wilcoxon's signed-rank test from the counts of |d| (its
normal approximation with scipy's tie correction, as scipy uses for large
samples with ties). Spearman's rho needs both ages' ranks together and is
not computed. The pairs stored for the figures are the rows with the
smallest hashes of their identity (``binning``).
"""

from fractions import Fraction
import math

import numpy as np
from scipy import stats

from ..availability import NotAvailable, attempt, not_available
from ..results import MAX_STORED_VALUES, PairedComparison
from ..statistics import paired_from_moments
from .fixedpoint import SQUARE_BITS, SUM_BITS, as_fraction

__all__ = ["paired_comparison", "signed_rank"]

#: As ``compare``: fewest pairs, and fewest pairs for Pearson's r.
_MIN_PAIRS, _PEARSON_MIN_PAIRS = 2, 3


def signed_rank(values: np.ndarray, counts: np.ndarray) -> tuple[float, float]:
    """Wilcoxon's two-sided signed-rank statistic ``min(R+, R-)`` and asymptotic p-value of differences
    given as distinct ``values`` with ``counts``; zeros dropped, ties ranked by their average (scipy's rules).

    Raises
    ------
    NotAvailable
        If every difference is zero.
    """
    keep = (values != 0) & (counts > 0)
    values, counts = values[keep], counts[keep].astype(np.float64)
    if not counts.size:
        raise NotAvailable(not_available("0 non-zero differences", "the signed-rank test ranks the non-zero differences"))
    magnitude = np.abs(values)
    order = np.argsort(magnitude, kind="stable")
    magnitude, counts, positive = magnitude[order], counts[order], values[order] > 0
    groups = np.r_[0, np.flatnonzero(np.diff(magnitude)) + 1]
    tied = np.add.reduceat(counts, groups)  # ages per distinct |d|
    start = np.cumsum(tied) - tied  # ranks below each group
    average = start + (tied + 1) / 2
    rank = np.repeat(average, np.diff(np.r_[groups, magnitude.size]))
    r_plus = float(np.sum(counts[positive] * rank[positive]))
    n = float(counts.sum())
    r_minus = n * (n + 1) / 2 - r_plus
    se = math.sqrt((n * (n + 1) * (2 * n + 1) - float(np.sum(tied**3 - tied)) / 2) / 24)
    z = (r_plus - n * (n + 1) * 0.25) / se
    return min(r_plus, r_minus), float(2 * stats.norm.sf(abs(z)))


def _pearson(n: int, sums: list[Fraction]) -> tuple[float, float]:
    _, _, ab, a1, b1, a2, b2 = sums
    saa, sbb, sab = a2 - a1 * a1 / n, b2 - b1 * b1 / n, ab - a1 * b1 / n
    if n < _PEARSON_MIN_PAIRS:
        raise NotAvailable(not_available(f"{n} pairs", f"Pearson's r needs at least {_PEARSON_MIN_PAIRS} pairs"))
    if saa <= 0 or sbb <= 0:
        raise NotAvailable(not_available(f"{n} pairs", "Pearson's r is undefined when one data set's ages are all equal"))
    r = max(-1.0, min(1.0, float(sab) / math.sqrt(float(saa) * float(sbb))))
    half = n / 2 - 1  # scipy's pearsonr: r is Beta(n/2 - 1, n/2 - 1) on [-1, 1] under the null
    return r, float(2 * stats.beta(half, half, loc=-1, scale=2).sf(abs(r)))


def paired_comparison(a, b, *, level: float) -> tuple[PairedComparison | None, str | None]:
    """The per-star comparison of two reduced columns (a - b), or why there is none; the interval of the
    mean difference (at ``level``) and the paired t-test come from the exact sums of d and d**2
    (``statistics.paired_from_moments``: the normal approximation, as the in-memory path uses above
    ``engine.EXACT_MAX_N`` pairs)."""
    names = f"{a.label} and {b.label}"
    if a.source != b.source or a.pair_group is None or a.pair_group != b.pair_group:
        return None, f"{names} are not declared as measurements of the same stars, so only their distributions are compared."
    pair = a.reduced.catalog.pair(a.column, b.column) if a.column < b.column else None
    n = 0 if pair is None else pair.ranges.n
    if n < _MIN_PAIRS:
        return None, not_available(f"{n} pairs", f"fewer than {_MIN_PAIRS} stars have ages in both {names}")
    bits = (SUM_BITS, SQUARE_BITS, SQUARE_BITS, SUM_BITS, SUM_BITS, SQUARE_BITS, SQUARE_BITS)
    sums = [as_fraction(pair.ranges.sums[i], bits[i]) for i in range(7)]
    d1, d2 = sums[0], sums[1]
    variance = max((d2 - d1 * d1 / n) / (n - 1), Fraction(0))
    values = pair.grid.values()
    cumulative = np.cumsum(pair.cells)
    middle = values[np.searchsorted(cumulative, [(n - 1) // 2, n // 2], side="right")]
    negative, zero, positive = (int(c) for c in pair.ranges.signs)
    wilcoxon, wilcoxon_unavailable = attempt(lambda: signed_rank(values, pair.cells))
    pearson, pearson_unavailable = attempt(lambda: _pearson(n, sums))
    kept = pair.sample.ages[[a.column, b.column]] if pair.sample is not None else np.empty((2, 0))
    kept = kept[:, ~np.isnan(kept).any(axis=0)][:, :MAX_STORED_VALUES]
    (w_stat, w_p), (r, r_p) = wilcoxon or (None, None), pearson or (None, None)
    scale = max(abs(x) for c in (a, b) for x in (c.reduced.ranges.min_gyr, c.reduced.ranges.max_gyr))
    difference = paired_from_moments(
        n, float(d1 / n), math.sqrt(float(variance)), ptp=pair.ranges.max_gyr - pair.ranges.min_gyr, scale=scale,
        level=level,
    )  # fmt: skip
    return PairedComparison(
        n_pairs=n, mean_difference=float(d1 / n), median_difference=float(np.mean(middle)),
        std_difference=math.sqrt(float(variance)), n_a_older=positive, n_b_older=negative, n_equal=zero,
        wilcoxon_statistic=w_stat, wilcoxon_pvalue=w_p, pearson_r=r, pearson_pvalue=r_p,
        spearman_rho=None, spearman_pvalue=None,
        differences=tuple(float(d) for d in kept[0] - kept[1]), a_ages=tuple(float(v) for v in kept[0]),
        b_ages=tuple(float(v) for v in kept[1]), mean_difference_ci=difference.mean_difference_ci,
        standard_error=difference.standard_error, ci_method=difference.ci_method,
        ttest_statistic=difference.ttest_statistic, ttest_df=difference.ttest_df,
        ttest_pvalue=difference.ttest_pvalue, ttest_unavailable=difference.ttest_unavailable,
        wilcoxon_unavailable=wilcoxon_unavailable,
        pearson_unavailable=pearson_unavailable,
        spearman_unavailable=not_available(
            f"a partitioned catalog of {n} pairs",
            "Spearman's rho needs the ranks of both ages of every star together, which partition-wise sums do not give",
        ),
    ), None  # fmt: skip
