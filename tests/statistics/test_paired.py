"""Tests for analysis.statistics.paired and the paired interval of analysis.compare, against scipy and a loop."""

import json

import numpy as np
import pytest
from scipy import stats

from analysis.compare import compare
from analysis.dataset import Dataset
from analysis.results import to_json
from analysis.statistics import PAIRED_T_MIN_PAIRS, paired_difference, paired_from_moments


def _loop_bootstrap(differences: np.ndarray, resamples: int, seed: int) -> np.ndarray:
    """An independent paired bootstrap: one resample of the stars at a time, each keeping its difference."""
    rng = np.random.default_rng(seed)
    return np.array([differences[rng.integers(0, differences.size, differences.size)].mean() for _ in range(resamples)])


def _pairs(seed: int, n: int = 60) -> tuple[np.ndarray, np.ndarray]:
    """Two correlated measurements of n stars: a is b shifted by 2 Gyr plus 1 Gyr of scatter."""
    rng = np.random.default_rng(seed)
    b = rng.normal(9.0, 3.0, size=n)
    return b + 2.0 + rng.normal(0.0, 1.0, size=n), b


def _difference(a, b, *, seed=5, resamples=2000, normal=False):
    return paired_difference(
        a, b, rng=np.random.default_rng(seed), resamples=resamples, level=0.95, normal=normal, limit=20_000
    )


def test_ttest_is_scipys_ttest_rel():
    a, b = _pairs(91)
    result = _difference(a, b)
    t = stats.ttest_rel(a, b)
    assert (result.ttest_statistic, result.ttest_df, result.ttest_pvalue) == (t.statistic, t.df, t.pvalue)
    d = a - b
    assert result.mean_difference == pytest.approx(d.mean(), rel=1e-14)
    assert result.standard_error == pytest.approx(d.std(ddof=1) / np.sqrt(d.size), rel=1e-14)
    assert result.ttest_statistic == pytest.approx(result.mean_difference / result.standard_error, rel=1e-12)


def test_bootstrap_matches_an_independent_loop_and_scipys_paired_bootstrap():
    a, b = _pairs(92)
    d = a - b
    ours = _difference(a, b, seed=6, resamples=20_000)
    loop = np.quantile(_loop_bootstrap(d, 20_000, 7), [0.025, 0.975])
    scipy_ci = stats.bootstrap(
        (a, b), lambda x, y, axis: np.mean(x - y, axis=axis), paired=True, vectorized=True,
        method="percentile", n_resamples=20_000, rng=np.random.default_rng(8),
    ).confidence_interval
    se = d.std(ddof=1) / np.sqrt(d.size)
    # The Monte Carlo error of a 2.5 % quantile from 20000 resamples is about 0.03 standard errors.
    for low, high in (tuple(loop), (scipy_ci.low, scipy_ci.high)):
        assert ours.mean_difference_ci == pytest.approx((low, high), abs=0.1 * se)
    assert "20000 resamples of the 60 stars" in ours.ci_method


def test_pairing_narrows_the_interval_of_correlated_ages():
    a, b = _pairs(93)
    paired = _difference(a, b)
    unpaired = stats.bootstrap(
        (a, b), lambda x, y, axis: x.mean(axis=axis) - y.mean(axis=axis), vectorized=True,
        method="percentile", n_resamples=2000, rng=np.random.default_rng(9),
    ).confidence_interval
    # sd of d is 1 Gyr against sqrt(2) x 3 Gyr for independent samples: about 4 times narrower.
    ratio = (unpaired.high - unpaired.low) / (paired.mean_difference_ci[1] - paired.mean_difference_ci[0])
    assert 3.0 < ratio < 5.5


def test_catalogs_use_the_normal_approximation_with_the_paired_standard_error():
    a, b = _pairs(94, n=500)
    result = _difference(a, b, normal=True)
    se = np.std(a - b, ddof=1) / np.sqrt(a.size)
    z = stats.norm.ppf(0.975)
    assert result.mean_difference_ci == pytest.approx((np.mean(a - b) - z * se, np.mean(a - b) + z * se), rel=1e-12)
    assert result.ci_method.startswith("paired normal approximation") and "above 20000 pairs" in result.ci_method
    # The normal interval agrees with the bootstrap for normal differences.
    assert result.mean_difference_ci == pytest.approx(_difference(a, b).mean_difference_ci, abs=0.15 * se)


def test_from_moments_is_the_normal_path_from_a_catalogs_sums():
    a, b = _pairs(4, n=500)
    d = a - b
    whole = _difference(a, b, normal=True)
    sums = paired_from_moments(
        d.size, float(d.mean()), float(d.std(ddof=1)), ptp=float(np.ptp(d)), scale=float(max(a.max(), b.max())), level=0.95
    )
    assert sums.mean_difference_ci == pytest.approx(whole.mean_difference_ci, rel=1e-12)
    assert sums.standard_error == pytest.approx(whole.standard_error, rel=1e-12)
    assert (sums.ttest_statistic, sums.ttest_df) == (pytest.approx(whole.ttest_statistic, rel=1e-12), whole.ttest_df)
    assert sums.ttest_pvalue == pytest.approx(whole.ttest_pvalue, rel=1e-9) and "exact sums" in sums.ci_method
    same = paired_from_moments(50, 1.5, 0.0, ptp=0.0, scale=10.0, level=0.95)
    assert same.ttest_pvalue is None and "every star's difference is 1.5 Gyr" in same.ttest_unavailable


def test_seeded():
    a, b = _pairs(95, n=30)
    assert _difference(a, b, seed=1) == _difference(a, b, seed=1)
    assert _difference(a, b, seed=1).mean_difference_ci != _difference(a, b, seed=2).mean_difference_ci


def test_equal_differences_have_a_point_interval_and_no_ttest():
    b = np.array([5.0, 7.0, 9.0])
    result = _difference(b + 1.5, b)
    assert result.mean_difference_ci == (1.5, 1.5) and result.ttest_pvalue is None and PAIRED_T_MIN_PAIRS == 2
    assert result.ttest_unavailable == (
        "not available for 3 pairs: the paired t-test divides by the spread of the differences, and every star's "
        "difference is 1.5 Gyr"
    )


def _dataset(name, ages, source="ages.dat"):
    return Dataset(name, name.title(), "#000000", tuple(ages), tuple(range(len(ages))), 0, source, "ages")


def test_compare_draws_the_paired_interval_from_the_pairs_bootstrap_stream():
    a, b = _pairs(96)
    c = compare(
        _dataset("a", a), _dataset("b", b), a_bandwidth=1.0, b_bandwidth=1.0,
        rng=np.random.default_rng(11), resamples=2000,
    )
    # The stream's first draws are the unpaired interval's (unchanged), then the paired one's.
    rng = np.random.default_rng(11)
    unpaired = stats.bootstrap(
        (a, b), lambda x, y, axis: x.mean(axis=axis) - y.mean(axis=axis), n_resamples=2000,
        method="percentile", vectorized=True, rng=rng,
    ).confidence_interval
    assert c.mean_difference_ci == (unpaired.low, unpaired.high)
    expected = paired_difference(a, b, rng=rng, resamples=2000, level=0.95, normal=False, limit=20_000)
    assert c.paired.mean_difference_ci == expected.mean_difference_ci
    assert c.paired.ttest_pvalue == stats.ttest_rel(a, b).pvalue and c.paired.ttest_df == a.size - 1
    decoded = json.loads(to_json(c))["paired"]
    assert decoded["mean_difference_ci"] == list(expected.mean_difference_ci)
    assert decoded["ttest_pvalue"] == expected.ttest_pvalue and decoded["ttest_unavailable"] is None


def test_compare_uses_the_normal_approximation_for_catalogs():
    a, b = _pairs(97, n=50)
    c = compare(
        _dataset("a", a), _dataset("b", b), a_bandwidth=1.0, b_bandwidth=1.0,
        rng=np.random.default_rng(12), resamples=2000, exact_max_n=40,
    )
    assert c.paired.ci_method.startswith("paired normal approximation") and "above 40 pairs" in c.paired.ci_method
    assert c.paired.standard_error == pytest.approx(np.std(a - b, ddof=1) / np.sqrt(50), rel=1e-12)


def test_real_data_paired_interval(real_ages):
    joyce, bensby = real_ages[:, 0], real_ages[:, 1]
    result = paired_difference(
        joyce, bensby, rng=np.random.default_rng(2024), resamples=10_000, level=0.95, normal=False, limit=20_000
    )
    # The numbers: 2.66 Gyr, paired interval 2.27-3.06 Gyr (10000 resamples), t = 13.26, p = 7e-23.
    assert result.mean_difference == pytest.approx(2.6637, abs=1e-4)
    assert result.mean_difference_ci == pytest.approx((2.27, 3.06), abs=0.03)
    assert result.ttest_statistic == pytest.approx(13.26, abs=0.005) and result.ttest_pvalue < 1e-22
