"""Tests for analysis.compare against scipy, scikit-learn and closed forms."""

import json
import re
import warnings

import numpy as np
import pytest
from scipy import stats
from sklearn.neighbors import KernelDensity

from analysis.compare import AD_MIN_AGES, PEARSON_MIN_PAIRS, SPEARMAN_MIN_PAIRS, compare
from analysis.dataset import Dataset
from analysis.results import to_json



def _dataset(name, ages, *, rows=None, source="ages.dat", pair_group="ages"):
    ages = tuple(float(a) for a in ages)
    rows = tuple(range(len(ages))) if rows is None else tuple(rows)
    return Dataset(name, name.title(), "#000000", ages, rows, 0, source, pair_group)


def _run(a, b, *, seed=1, resamples=500, a_bandwidth=1.0, b_bandwidth=1.0):
    rng = np.random.default_rng(seed)
    return compare(a, b, a_bandwidth=a_bandwidth, b_bandwidth=b_bandwidth, rng=rng, resamples=resamples)


def test_distribution_tests_match_scipy_and_closed_forms():
    rng = np.random.default_rng(71)
    x, y = rng.normal(10.0, 3.0, size=60), rng.normal(8.5, 3.5, size=60)
    c = _run(_dataset("a", x), _dataset("b", y, source="other.dat"))
    pooled = np.concatenate([x, y])

    def ecdf(sample):
        return np.searchsorted(np.sort(sample), pooled, side="right") / sample.size

    assert c.ks_statistic == pytest.approx(np.max(np.abs(ecdf(x) - ecdf(y))), rel=1e-12)
    assert c.ks_pvalue == pytest.approx(stats.ks_2samp(x, y).pvalue, rel=1e-12)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        anderson = stats.anderson_ksamp([x, y], variant="midrank")
    assert c.anderson_statistic == pytest.approx(anderson.statistic, rel=1e-12)
    assert c.anderson_pvalue == pytest.approx(anderson.pvalue, rel=1e-12)
    # Wasserstein-1 between equal-size samples pairs the sorted values
    assert c.wasserstein == pytest.approx(np.mean(np.abs(np.sort(x) - np.sort(y))), rel=1e-12)
    assert c.mean_difference == pytest.approx(x.mean() - y.mean(), rel=1e-12)


def test_anderson_note_says_when_pvalue_is_clipped():
    rng = np.random.default_rng(72)
    x = rng.normal(10.0, 3.0, size=80)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the clipping warning is replaced by the note
        same = _run(_dataset("a", x), _dataset("b", x + rng.normal(0, 0.01, size=80)))
        far = _run(_dataset("a", x), _dataset("b", x + 20.0))
    assert same.anderson_pvalue == 0.25 and "caps this p-value at 0.25" in same.anderson_pvalue_note
    assert far.anderson_pvalue == 0.001 and "floors this p-value at 0.001" in far.anderson_pvalue_note
    middle = _run(_dataset("a", x), _dataset("b", x + 1.0))  # shifted by a third of sigma
    assert 0.001 < middle.anderson_pvalue < 0.25 and middle.anderson_pvalue_note == ""


def test_bootstrap_interval_is_seeded_percentile_and_close_to_normal_theory():
    rng = np.random.default_rng(73)
    x, y = rng.normal(10.0, 3.0, size=91), rng.normal(7.5, 4.0, size=70)
    a, b = _dataset("a", x), _dataset("b", y, source="other.dat")
    c = _run(a, b, seed=74, resamples=2000)
    reference = stats.bootstrap(
        (x, y), lambda p, q, axis: p.mean(axis=axis) - q.mean(axis=axis), n_resamples=2000,
        method="percentile", paired=False, vectorized=True, rng=np.random.default_rng(74),
    ).confidence_interval
    assert c.mean_difference_ci == pytest.approx((reference.low, reference.high), abs=1e-12)
    assert c.ci_level == 0.95
    # normal data: the percentile interval approaches the plug-in (ddof=0) normal interval;
    # its ends wander by ~0.04 Gyr at 2000 resamples
    half = 1.959964 * np.sqrt(x.var() / x.size + y.var() / y.size)
    normal = (c.mean_difference - half, c.mean_difference + half)
    assert c.mean_difference_ci == pytest.approx(normal, abs=0.12)
    assert _run(a, b, seed=74).mean_difference_ci == _run(a, b, seed=74).mean_difference_ci
    assert _run(a, b, seed=74).mean_difference_ci != _run(a, b, seed=75).mean_difference_ci


def test_paired_statistics_use_only_common_rows():
    rng = np.random.default_rng(76)
    truth = rng.normal(9.0, 3.0, size=40)
    a_rows = [r for r in range(40) if r not in (3, 17)]  # a misses stars 3 and 17, b misses 8
    b_rows = [r for r in range(40) if r != 8]
    a_ages = truth[a_rows] + 1.0 + rng.normal(0, 1.0, size=len(a_rows))
    b_ages = truth[b_rows] + rng.normal(0, 1.0, size=len(b_rows))
    c = _run(_dataset("a", a_ages, rows=a_rows), _dataset("b", b_ages, rows=b_rows))
    assert c.unpaired_reason is None
    by_row_a, by_row_b = dict(zip(a_rows, a_ages)), dict(zip(b_rows, b_ages))
    common = sorted(set(a_rows) & set(b_rows))
    x = np.array([by_row_a[r] for r in common])
    y = np.array([by_row_b[r] for r in common])
    d = x - y
    p = c.paired
    assert p.n_pairs == len(common) == 37
    np.testing.assert_allclose(p.a_ages, x, rtol=0)
    np.testing.assert_allclose(p.b_ages, y, rtol=0)
    np.testing.assert_allclose(p.differences, d, rtol=0)
    assert (p.mean_difference, p.median_difference) == pytest.approx((d.mean(), np.median(d)), rel=1e-12)
    assert p.std_difference == pytest.approx(np.sqrt(np.sum((d - d.mean()) ** 2) / (d.size - 1)), rel=1e-12)
    assert (p.n_a_older, p.n_b_older, p.n_equal) == (int(np.sum(d > 0)), int(np.sum(d < 0)), 0)
    wilcoxon, spearman = stats.wilcoxon(x, y), stats.spearmanr(x, y)
    assert p.wilcoxon_statistic == pytest.approx(wilcoxon.statistic, rel=1e-12)
    assert p.wilcoxon_pvalue == pytest.approx(wilcoxon.pvalue, rel=1e-12)
    assert p.pearson_r == pytest.approx(np.corrcoef(x, y)[0, 1], rel=1e-12)
    assert p.pearson_pvalue == pytest.approx(stats.pearsonr(x, y).pvalue, rel=1e-12)
    assert p.spearman_rho == pytest.approx(spearman.statistic, rel=1e-12)
    assert p.spearman_pvalue == pytest.approx(spearman.pvalue, rel=1e-12)


@pytest.mark.parametrize(
    ("b_kwargs", "reason"),
    [
        ({"source": "other.dat"}, r"come from different files \(ages.dat, other.dat\)"),
        ({"pair_group": None}, "not declared as measurements of the same stars"),
        ({"pair_group": "other"}, "not declared as measurements of the same stars"),
        ({"rows": [0, 50, 51, 52, 53, 54]}, r"^not available for 1 pair: only 1 star has ages in both A and B; .* at least 2"),
        ({"rows": [50, 51, 52, 53, 54, 55]}, r"^not available for 0 pairs: no star has ages in both A and B"),
    ],
)
def test_unpaired_reasons(b_kwargs, reason):
    rng = np.random.default_rng(77)
    a = _dataset("a", rng.normal(9.0, 3.0, size=6))
    b = _dataset("b", rng.normal(9.0, 3.0, size=6), **b_kwargs)
    c = _run(a, b)
    assert c.paired is None
    assert re.search(reason, c.unpaired_reason)


def test_identical_common_ages_have_no_signed_rank_test_and_no_nan():
    ages = np.random.default_rng(78).normal(9.0, 3.0, size=10)
    c = _run(_dataset("a", ages), _dataset("b", ages))
    p = c.paired
    assert (p.n_pairs, p.n_equal, p.mean_difference, p.std_difference) == (10, 10, 0.0, 0.0)
    assert p.wilcoxon_statistic is None and p.wilcoxon_pvalue is None
    assert p.wilcoxon_unavailable == (
        "not available for 10 pairs: the signed-rank test ranks the non-zero differences and needs at least 1; "
        "every star has the same age in both"
    )
    # The ages still vary, so both correlations are defined: r = rho = 1 (numpy and scipy agree).
    assert p.pearson_r == pytest.approx(np.corrcoef(ages, ages)[0, 1], rel=1e-12)
    assert p.spearman_rho == pytest.approx(stats.spearmanr(ages, ages).statistic, rel=1e-12)
    assert p.pearson_unavailable is None and p.spearman_unavailable is None
    decoded = json.loads(to_json(c))
    assert decoded["paired"]["wilcoxon_pvalue"] is None and decoded["paired"]["wilcoxon_unavailable"]


@pytest.mark.parametrize(
    ("pairs", "pearson", "spearman"),
    [(2, False, False), (3, True, False), (5, True, False), (6, True, True)],
)
def test_each_per_star_test_needs_its_own_number_of_pairs(pairs, pearson, spearman):
    rng = np.random.default_rng(80 + pairs)
    x = rng.normal(9.0, 3.0, size=pairs)
    y = x + rng.normal(0.5, 1.0, size=pairs)
    p = _run(_dataset("a", x), _dataset("b", y)).paired
    d = x - y
    # The descriptive numbers need only MIN_PAIRS = 2 pairs.
    assert p.n_pairs == pairs and p.mean_difference == pytest.approx(d.mean(), rel=1e-12)
    assert p.std_difference == pytest.approx(np.sqrt(np.sum((d - d.mean()) ** 2) / (pairs - 1)), rel=1e-12)
    assert p.wilcoxon_pvalue == pytest.approx(stats.wilcoxon(x, y).pvalue, rel=1e-12)
    if pearson:
        assert p.pearson_r == pytest.approx(np.corrcoef(x, y)[0, 1], rel=1e-12) and p.pearson_unavailable is None
    else:
        assert p.pearson_r is None and p.pearson_pvalue is None
        assert p.pearson_unavailable == f"not available for {pairs} pairs: Pearson's r needs at least {PEARSON_MIN_PAIRS} pairs"
    if spearman:
        assert p.spearman_rho == pytest.approx(stats.spearmanr(x, y).statistic, rel=1e-12)
    else:
        assert p.spearman_rho is None and p.spearman_pvalue is None
        assert p.spearman_unavailable == f"not available for {pairs} pairs: Spearman's rho needs at least {SPEARMAN_MIN_PAIRS} pairs"
    json.loads(to_json(p))


def test_correlations_of_a_constant_data_set_are_not_available():
    x = np.array([1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0])
    y = np.array([5.0, 5.0, 5.0, 5.0, 5.0, 5.0, 5.0, 8.0])  # the eighth star is not in a
    p = _run(_dataset("a", x), _dataset("b", y)).paired
    assert p.n_pairs == 7 and p.wilcoxon_unavailable is None
    for reason in (p.pearson_unavailable, p.spearman_unavailable):
        assert reason.startswith("not available for 7 pairs: ") and "one data set's ages are all equal" in reason


@pytest.mark.parametrize(("n_a", "n_b", "available"), [(2, 91, False), (4, 10, False), (5, 5, True), (5, 91, True)])
def test_anderson_darling_needs_its_minimum_in_each_data_set(n_a, n_b, available):
    rng = np.random.default_rng(90)
    x, y = rng.normal(9.0, 3.0, size=n_a), rng.normal(8.0, 3.0, size=n_b)
    c = _run(_dataset("a", x), _dataset("b", y, source="other.dat"))
    if available:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            assert c.anderson_pvalue == pytest.approx(stats.anderson_ksamp([x, y], variant="midrank").pvalue, rel=1e-12)
        assert c.anderson_unavailable is None
    else:
        assert c.anderson_statistic is None and c.anderson_pvalue is None and c.anderson_pvalue_note == ""
        assert c.anderson_unavailable == (
            f"not available for n = {n_a} and {n_b}: the Anderson-Darling p-value, read from a table of "
            f"large-sample percentiles, needs at least {AD_MIN_AGES} ages in each data set; below that it rejects "
            "a true null too often"
        )
    # KS and the Wasserstein distance need nothing beyond the 2 ages every data set has.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert c.ks_pvalue == pytest.approx(stats.ks_2samp(x, y).pvalue, rel=1e-12)


@pytest.mark.parametrize("n", [5, 7, 13])
def test_ks_of_equal_sizes_at_the_smallest_distance_is_one_without_a_warning(n):
    x = np.arange(1.0, n + 1)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        c = _run(_dataset("a", x), _dataset("b", x + 0.5))
    # The ECDFs differ by one step, 1/n, at most: every ordering is at least as extreme, so the exact
    # p-value is 1; scipy's asymptotic fallback gives 1 to within 4e-5.
    assert c.ks_statistic == pytest.approx(1 / n, rel=1e-12)
    assert c.ks_pvalue == pytest.approx(1.0, abs=1e-4)


def _null_rejection_rate(test, size: int, trials: int, seed: int) -> float:
    """How often ``test(x, y)`` gives p < 0.05 for x, y independent standard normal samples of ``size``."""
    rng = np.random.default_rng(seed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return float(np.mean([test(rng.normal(size=size), rng.normal(size=size)) < 0.05 for _ in range(trials)]))


def test_anderson_darling_minimum_is_where_its_pvalue_holds_its_level():
    def anderson(x, y):
        return stats.anderson_ksamp([x, y], variant="midrank").pvalue

    # 3000 trials put a standard error of 0.4 % on a 5 % rate.
    below = _null_rejection_rate(anderson, 3, 3000, seed=91)
    at = _null_rejection_rate(anderson, AD_MIN_AGES, 3000, seed=92)
    assert below > 0.08  # measured 9.9 %: about twice the level
    assert at < 0.065  # measured 5.7 %


def test_spearman_minimum_is_where_its_pvalue_holds_its_level():
    def spearman(x, y):
        return stats.spearmanr(x, y).pvalue

    below = _null_rejection_rate(spearman, SPEARMAN_MIN_PAIRS - 1, 8000, seed=93)
    at = _null_rejection_rate(spearman, SPEARMAN_MIN_PAIRS, 8000, seed=94)
    assert below > 0.075  # measured 8.7 %
    assert at < 0.065  # measured 5.9 %


def test_cross_prediction_without_a_cv_bandwidth_is_not_available():
    rng = np.random.default_rng(95)
    a, b = _dataset("a", rng.normal(9.0, 3.0, size=2)), _dataset("b", rng.normal(8.0, 3.0, size=40), source="o.dat")
    c = _run(a, b, a_bandwidth=None, b_bandwidth=0.8)
    assert c.cross_a_on_b is None
    assert c.cross_a_on_b_unavailable == (
        "not available for n = 2: A has no cross-validated bandwidth to fit its KDE with (see its bandwidths)"
    )
    expected = KernelDensity(bandwidth=0.8).fit(b.ages[:, None]).score(a.ages[:, None]) / 2
    assert c.cross_b_on_a == pytest.approx(expected, rel=1e-10) and c.cross_b_on_a_unavailable is None


def test_cross_prediction_matches_sklearn():
    rng = np.random.default_rng(79)
    x, y = rng.normal(10.0, 3.0, size=50), rng.normal(7.0, 2.0, size=30)
    c = _run(_dataset("a", x), _dataset("b", y), a_bandwidth=0.6, b_bandwidth=1.3)
    a_on_b = KernelDensity(bandwidth=0.6).fit(x[:, None]).score(y[:, None]) / y.size
    b_on_a = KernelDensity(bandwidth=1.3).fit(y[:, None]).score(x[:, None]) / x.size
    assert (c.cross_a_on_b, c.cross_b_on_a) == pytest.approx((a_on_b, b_on_a), rel=1e-10)


def test_real_data_is_paired_and_plain_json(real_ages):
    data = real_ages
    joyce, bensby = _dataset("joyce", data[:, 0]), _dataset("bensby", data[:, 1])
    c = _run(joyce, bensby, resamples=1000)
    assert c.paired.n_pairs == 91
    assert c.paired.n_a_older + c.paired.n_b_older + c.paired.n_equal == 91
    assert c.paired.mean_difference == pytest.approx(np.mean(data[:, 0] - data[:, 1]), rel=1e-12)
    decoded = json.loads(to_json(c))
    assert decoded["a"] == "joyce" and len(decoded["paired"]["differences"]) == 91
