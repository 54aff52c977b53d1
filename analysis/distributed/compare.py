"""Two columns of a partitioned catalog compared from their merged reductions: the same ``Comparison`` record.

On the shared cell grid (``plan.CellGrid``) each column's ECDF is known at
every cell; on a decimal grid each cell is one value, so the ECDFs are exact
and so are the statistics (scipy's ``ks_2samp``, ``anderson_ksamp`` midrank,
``wasserstein_distance``, up to floating-point summation). On a uniform grid
of width w each age is known to its cell, and

* KS: the exact D lies in ``[max over edges |Fa - Fb|, max over cells of the
  larger jump]``; the value reported is that at the cell edges;
* Wasserstein-1: moving every age to its cell centre moves it at most w/2,
  so the exact value is within w of the one reported (w/2 per sample);
* Anderson-Darling: the statistic of the ages rounded to their cells; no
  closed-form bound: its change when the cells are doubled is reported.

The mean difference and its interval come from the exact sums (the normal
approximation: a catalog is large); cross-prediction is each column's KDE
(at its CV bandwidth) at the other's cells (``engine``); the per-star
comparison comes from row-wise reductions (``paired``).
"""

from dataclasses import dataclass
import math

import numpy as np
from scipy import stats
from scipy.special import digamma

from ..availability import NotAvailable, attempt, not_available
from ..results import Comparison, PartitionedComparison
from .cells import CellSample
from .engine import DistributedEngine
from .paired import paired_comparison

__all__ = ["ad_statistic", "compare_partitioned"]

_CI_LEVEL = 0.95
_AD_PVALUE_FLOOR, _AD_PVALUE_CAP = 0.001, 0.25
#: Above this many ages scipy's O(N) sums of Scholz & Stephens' g(N) and h(N) give way to their
#: asymptotic forms (within 1e-10 at 1e7).
_AD_EXACT_SUMS = 10**7
_NORMAL_METHOD = (
    "normal approximation from the exact sums of the partitioned catalog, mean difference +- {z:.4f} standard "
    "errors (sqrt(s_a^2/n_a + s_b^2/n_b))"
)


@dataclass(frozen=True)
class _Bracket:
    value: float
    low: float
    high: float


def _ks(a: np.ndarray, b: np.ndarray, exact: bool) -> _Bracket:
    fa, fb = np.cumsum(a) / a.sum(), np.cumsum(b) / b.sum()
    at_edges = float(np.max(np.abs(fa - fb)))
    if exact:
        return _Bracket(at_edges, at_edges, at_edges)
    before_a, before_b = np.r_[0.0, fa[:-1]], np.r_[0.0, fb[:-1]]
    return _Bracket(at_edges, at_edges, float(max(np.max(fa - before_b), np.max(fb - before_a))))


def _g_h(total: int) -> tuple[float, float]:
    """Scholz & Stephens' g(N) and h(N) = H_{N-1}: scipy's sums, or their asymptotic forms above 1e7."""
    if total <= _AD_EXACT_SUMS:
        partial = (1.0 / np.arange(total - 1, 1, -1)).cumsum()
        return float((partial / np.arange(2, total)).sum()), float(partial[-1] + 1)
    g = math.pi**2 / 6 - (2 * math.log(total) + 2 * np.euler_gamma + 1) / total
    return g, float(digamma(total) + np.euler_gamma)


def ad_statistic(samples: list[np.ndarray]) -> float:
    """The standardised k-sample Anderson-Darling statistic (midrank) of counts on one grid of distinct values.

    scipy's ``_anderson_ksamp_midrank`` with each occupied cell as one distinct
    value and its counts as the ties, then ``anderson_ksamp``'s standardisation.
    """
    counts = np.stack(samples).astype(np.float64)
    counts = counts[:, counts.sum(axis=0) > 0]
    n = counts.sum(axis=1)
    total, k = float(n.sum()), counts.shape[0]
    lj = counts.sum(axis=0)
    bj = np.cumsum(lj) - lj + lj / 2.0
    a2akn = 0.0
    for i in range(k):
        mij = np.cumsum(counts[i]) - counts[i] / 2.0
        inner = lj / total * (total * mij - bj * n[i]) ** 2 / (bj * (total - bj) - total * lj / 4.0)
        a2akn += inner.sum() / n[i]
    a2akn *= (total - 1.0) / total
    big_h = float((1.0 / n).sum())
    g, h = _g_h(int(total))
    a = (4 * g - 6) * (k - 1) + (10 - 6 * g) * big_h
    b = (2 * g - 4) * k**2 + 8 * h * k + (2 * g - 14 * h - 4) * big_h - 8 * h + 4 * g - 6
    c = (6 * h + 2 * g - 2) * k**2 + (4 * h - 4 * g + 6) * k + (2 * h - 6) * big_h + 4 * h
    d = (2 * h + 6) * k**2 - 4 * h * k
    sigmasq = (a * total**3 + b * total**2 + c * total + d) / ((total - 1.0) * (total - 2.0) * (total - 3.0))
    return float((a2akn - (k - 1)) / math.sqrt(sigmasq))


def _ad_pvalue(statistic: float, k: int = 2) -> tuple[float, str]:
    """scipy's interpolated p-value of the standardised statistic (Scholz & Stephens 1987, Table 2) and a note."""
    m = k - 1
    b0 = np.array([0.675, 1.281, 1.645, 1.96, 2.326, 2.573, 3.085])
    b1 = np.array([-0.245, 0.25, 0.678, 1.149, 1.822, 2.364, 3.615])
    b2 = np.array([-0.105, -0.305, -0.362, -0.391, -0.396, -0.345, -0.154])
    critical = b0 + b1 / math.sqrt(m) + b2 / m
    sig = np.array([0.25, 0.1, 0.05, 0.025, 0.01, 0.005, 0.001])
    if statistic < critical.min():
        return float(sig.max()), f"scipy caps this p-value at {_AD_PVALUE_CAP}: the true value is at least that large."
    if statistic > critical.max():
        return float(sig.min()), f"scipy floors this p-value at {_AD_PVALUE_FLOOR}: the true value is at most that small."
    return math.exp(np.polyval(np.polyfit(critical, np.log(sig), 2), statistic)), ""


def _coarser(counts: np.ndarray) -> np.ndarray:
    """Counts on cells twice as wide (pairs merged)."""
    padded = np.append(counts, 0) if counts.size % 2 else counts
    return padded.reshape(-1, 2).sum(axis=1)


def _ks_pvalue(statistic: float, n: int, m: int) -> float:
    """``ks_2samp``'s two-sided p-value for large samples (its "asymp" mode): ``kstwo.sf(D, round(nm/(n+m)))``."""
    en = n * m / (n + m)
    return float(np.clip(stats.kstwo.sf(statistic, np.round(en)), 0.0, 1.0))


def _cross(train, test, bandwidth: float | None) -> float:
    if bandwidth is None:
        raise NotAvailable(
            not_available(f"n = {train.n}", f"{train.label} has no cross-validated bandwidth to fit its KDE with (see its bandwidths)")
        )
    kde = DistributedEngine(CellSample(train.reduced)).fit([bandwidth])
    return kde.cross_log_likelihood(CellSample(test.reduced), bandwidth)


def compare_partitioned(a, b, *, a_bandwidth: float | None, b_bandwidth: float | None) -> Comparison:
    """Compare two reduced columns of one partitioned catalog (``partitioned.PartitionedDataset``).

    Returns the ``Comparison`` the in-memory ``compare.compare`` returns, its
    ``partitioned`` record stating how each number was computed and its bound.
    """
    first, second = CellSample(a.reduced), CellSample(b.reduced)
    grid = a.reduced.grid
    fa, fb = first.cells, second.cells
    ks = _ks(fa, fb, grid.exact)
    ad = ad_statistic([fa, fb])
    ad_change = 0.0 if grid.exact else abs(ad_statistic([_coarser(fa), _coarser(fb)]) - ad)
    pvalue, note = _ad_pvalue(ad)
    cumulative_a, cumulative_b = np.cumsum(fa) / first.n, np.cumsum(fb) / second.n
    wasserstein = float(np.sum(np.abs(cumulative_a[:-1] - cumulative_b[:-1]) * np.diff(grid.values())))
    mean_a, mean_b = first.mean(), second.mean()
    difference = mean_a - mean_b
    error = math.sqrt(first.spread(mean_a, ddof=1) ** 2 / first.n + second.spread(mean_b, ddof=1) ** 2 / second.n)
    z = float(stats.norm.ppf(0.5 + _CI_LEVEL / 2))
    cross_a_on_b, cross_a_on_b_unavailable = attempt(lambda: _cross(a, b, a_bandwidth))
    cross_b_on_a, cross_b_on_a_unavailable = attempt(lambda: _cross(b, a, b_bandwidth))
    paired, reason = paired_comparison(a, b, level=_CI_LEVEL)
    return Comparison(
        a=a.name, b=b.name, ks_statistic=ks.value, ks_pvalue=_ks_pvalue(ks.value, first.n, second.n),
        anderson_statistic=ad, anderson_pvalue=pvalue, anderson_pvalue_note=note, wasserstein=wasserstein,
        mean_difference=float(difference), mean_difference_ci=(difference - z * error, difference + z * error),
        ci_level=_CI_LEVEL, cross_a_on_b=cross_a_on_b, cross_b_on_a=cross_b_on_a, paired=paired,
        unpaired_reason=reason, ci_method=_NORMAL_METHOD.format(z=z), anderson_unavailable=None,
        cross_a_on_b_unavailable=cross_a_on_b_unavailable, cross_b_on_a_unavailable=cross_b_on_a_unavailable,
        partitioned=PartitionedComparison(
            exact=grid.exact, cell_width_gyr=grid.width_gyr, ks_bounds=(ks.low, ks.high),
            wasserstein_bound_gyr=0.0 if grid.exact else grid.width_gyr, anderson_change=ad_change,
            paired_method=_paired_method(paired is not None, grid.exact),
            cross_method=(
                "Cross-prediction scores each column's ages at their cells' values (the ages themselves on a decimal "
                "grid) under the other column's binned KDE; its standard error combines the two mean scores' errors "
                "as for unpaired data sets, because the per-star differences would need each star's two cells "
                "together, which the reduction does not keep."
            ),
        ),
    )  # fmt: skip


def _paired_method(paired: bool, exact: bool) -> str:
    if not paired:
        return ""
    median = "exact (each difference is an exact difference of decimals)" if exact else "within half a cell"
    return (
        "Differences formed star by star inside each partition, where both ages of a star are in one row, "
        "then reduced: the mean, standard deviation and Pearson's r from exact sums; the paired interval "
        "(normal, from the standard error of the differences) and the paired t-test from the same sums; the median from the "
        f"differences' cell counts, {median}; the sign counts and Wilcoxon's signed-rank test from those counts "
        "(the normal approximation with scipy's tie correction); Spearman's rho is not computed (it needs the "
        "ranks of both ages of every star together); the stored pairs are those with the smallest hashes of "
        "their row identity."
    )
