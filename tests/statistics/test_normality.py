"""Tests for analysis.statistics.normality against statsmodels' lilliefors and scipy's shapiro."""

import json
import warnings

import numpy as np
import pytest
from scipy import stats
from statsmodels.stats.diagnostic import lilliefors

from analysis.results import to_json
from analysis.statistics import LILLIEFORS_MIN_AGES, SHAPIRO_MIN_AGES, Sample, fit_gaussian, normality_tests
from analysis.statistics.normality import LILLIEFORS_MAX_N, SHAPIRO_MAX_N, subsample


def test_real_data_is_rejected_by_both_tests(real_ages):
    joyce, bensby = (fit_gaussian(real_ages[:, column], rng=np.random.default_rng(0)) for column in (0, 1))
    # The numbers: Lilliefors p = 0.0045 and 0.0071, Shapiro-Wilk p = 0.014 and 0.0022.
    assert round(joyce.lilliefors_pvalue, 4) == 0.0045 and round(bensby.lilliefors_pvalue, 4) == 0.0071
    assert round(joyce.shapiro_pvalue, 3) == 0.014 and round(bensby.shapiro_pvalue, 4) == 0.0022
    assert joyce.shapiro_n == bensby.shapiro_n == 91 and joyce.normality_note == bensby.normality_note == ""
    # The uncalibrated KS p-value of the fitted normal would not reject either: why it is no longer used.
    assert joyce.ks_pvalue > 0.05 and bensby.ks_pvalue > 0.05


@pytest.mark.parametrize("seed", [81, 82])
def test_equal_to_statsmodels_and_scipy(seed):
    ages = np.random.default_rng(seed).gamma(4.0, 2.0, size=300)
    result = normality_tests(ages, rng=np.random.default_rng(0))
    statistic, pvalue = lilliefors(ages, dist="norm", pvalmethod="table")
    w = stats.shapiro(ages)
    assert (result.lilliefors_statistic, result.lilliefors_pvalue) == (statistic, pvalue)
    assert (result.shapiro_statistic, result.shapiro_pvalue) == (w.statistic, w.pvalue)
    # A Sample gives the same tests as its ages.
    assert normality_tests(Sample.of(ages), rng=np.random.default_rng(0)) == result


def test_normal_samples_are_rejected_at_about_the_level():
    rng = np.random.default_rng(83)
    trials, level = 400, 0.05
    rejected = {"lilliefors": 0, "shapiro": 0}
    for _ in range(trials):
        result = normality_tests(rng.normal(9.0, 3.0, size=91), rng=rng)
        rejected["lilliefors"] += result.lilliefors_pvalue < level
        rejected["shapiro"] += result.shapiro_pvalue < level
    # Binomial(400, 0.05): mean 20, sd 4.4; more than 33 would be 3 sd beyond the level.
    assert all(count <= 33 for count in rejected.values()), rejected


@pytest.mark.parametrize(
    "draw",
    [
        lambda rng: rng.exponential(2.0, size=91),
        lambda rng: np.concatenate([rng.normal(4.0, 0.8, size=45), rng.normal(11.0, 0.8, size=46)]),
        lambda rng: rng.uniform(0.0, 13.8, size=300),
    ],
    ids=["exponential", "bimodal", "uniform"],
)
def test_clearly_non_normal_ages_are_rejected(draw):
    for seed in range(5):
        result = normality_tests(draw(np.random.default_rng(84 + seed)), rng=np.random.default_rng(0))
        assert result.lilliefors_pvalue < 0.01 and result.shapiro_pvalue < 0.01


def test_large_data_sets_are_tested_on_seeded_subsamples_and_say_so():
    ages = np.random.default_rng(85).normal(9.0, 3.0, size=LILLIEFORS_MAX_N + 1000)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # scipy's "p-value may not be accurate for N > 5000" must not fire
        result = normality_tests(ages, rng=np.random.default_rng(1))
    # Shapiro-Wilk's subsample is drawn first, then Lilliefors' from the same stream.
    rng = np.random.default_rng(1)
    shapiro_subsample = subsample(ages, SHAPIRO_MAX_N, rng=rng)
    lilliefors_subsample = subsample(ages, LILLIEFORS_MAX_N, rng=rng)
    assert result.shapiro_n == SHAPIRO_MAX_N
    assert result.shapiro_pvalue == stats.shapiro(shapiro_subsample).pvalue
    assert (result.lilliefors_statistic, result.lilliefors_pvalue) == lilliefors(lilliefors_subsample, dist="norm")
    assert f"subsample of {SHAPIRO_MAX_N} of the {ages.size} ages" in result.normality_note
    assert f"subsample of {LILLIEFORS_MAX_N} of the {ages.size} ages" in result.normality_note
    assert result == normality_tests(ages, rng=np.random.default_rng(1))
    assert result.shapiro_statistic != normality_tests(ages, rng=np.random.default_rng(2)).shapiro_statistic


def test_a_lilliefors_pvalue_at_its_table_floor_or_cap_is_noted():
    floored = normality_tests(np.random.default_rng(86).exponential(2.0, size=500), rng=np.random.default_rng(0))
    assert floored.lilliefors_pvalue == pytest.approx(0.001) and "floors the Lilliefors p-value at 0.001" in floored.normality_note
    even = stats.norm.ppf((np.arange(50) + 0.5) / 50)  # normal quantiles: as normal as 50 ages can be
    capped = normality_tests(even, rng=np.random.default_rng(0))
    assert capped.lilliefors_pvalue == pytest.approx(0.99) and "caps the Lilliefors p-value at 0.99" in capped.normality_note


@pytest.mark.parametrize(("n", "lilliefors_ok", "shapiro_ok"), [(2, False, False), (3, False, True), (4, True, True)])
def test_each_test_needs_its_minimum(n, lilliefors_ok, shapiro_ok):
    assert (LILLIEFORS_MIN_AGES, SHAPIRO_MIN_AGES) == (4, 3)
    result = normality_tests(np.array([1.0, 2.0, 4.0, 7.0][:n]), rng=np.random.default_rng(0))
    assert (result.lilliefors_pvalue is not None) == lilliefors_ok
    assert (result.shapiro_pvalue is not None) == shapiro_ok
    if not lilliefors_ok:
        assert result.lilliefors_statistic is None
        assert result.lilliefors_unavailable.startswith(f"not available for n = {n}: Lilliefors' test needs at least 4")
    if not shapiro_ok:
        assert result.shapiro_unavailable.startswith(f"not available for n = {n}: the Shapiro-Wilk test needs at least 3")
    fit = fit_gaussian(np.array([1.0, 2.0, 4.0, 7.0][:n]), rng=np.random.default_rng(0))
    decoded = json.loads(to_json(fit))
    assert decoded["lilliefors_pvalue"] == result.lilliefors_pvalue
    assert decoded["lilliefors_unavailable"] == result.lilliefors_unavailable


def test_a_subsample_is_uniform_without_replacement_and_seeded():
    n, size = 200_003, 20_000  # several chunks, the last one short
    ages = np.arange(n, dtype=float)
    picked = subsample(ages, size, rng=np.random.default_rng(3))
    assert picked.size == np.unique(picked).size == size and np.all(np.isin(picked, ages))
    # Every age is equally likely: counts in 20 equal slices of the ages are multinomial(size, 1/20).
    counts = np.bincount((picked * 20 // n).astype(int), minlength=20)
    assert stats.chisquare(counts).pvalue > 0.001
    # ... and the age of rank k is picked with probability size / n, so the mean rank is (n - 1) / 2.
    assert abs(picked.mean() - (n - 1) / 2) < 5 * n / np.sqrt(12 * size)
    assert np.array_equal(picked, subsample(ages, size, rng=np.random.default_rng(3)))
    assert not np.array_equal(picked, subsample(ages, size, rng=np.random.default_rng(4)))
    small = ages[:10]
    assert subsample(small, size, rng=np.random.default_rng(3)) is small  # fewer ages than asked: all of them
