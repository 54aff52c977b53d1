"""Tests for the bandwidth rules against scipy, statsmodels, KDEpy and brute-force leave-one-out CV."""

import doctest
import re

from hypothesis import given, settings, strategies as st
from KDEpy.bw_selection import improved_sheather_jones as kdepy_isj
import numpy as np
import pytest
from scipy.fft import dct
from scipy.stats import gaussian_kde
from sklearn.neighbors import KernelDensity
from statsmodels.nonparametric.bandwidths import bw_silverman

from analysis.statistics import isj, rules as bandwidth
from analysis.statistics import (
    BANDWIDTH_RULES,
    bandwidth_for,
    choose_bandwidths,
    cv_curve,
    improved_sheather_jones,
    tie_report,
)
from analysis.statistics.precision import detect_precision
from analysis.availability import NotAvailable
from analysis.statistics import ISJ_MIN_DISTINCT
from analysis.errors import ConfigError, DataError



def _mixture(n: int, rng: np.random.Generator) -> np.ndarray:
    """A bimodal normal mixture in Gyr, range well above 12 (see _kdepy_isj)."""
    young = rng.normal(3.0, 1.0, n // 3)
    old = rng.normal(10.0, 2.0, n - n // 3)
    return np.concatenate([young, old])


def _kdepy_isj(ages: np.ndarray) -> float:
    """KDEpy's ISJ converted to the Botev et al. convention.

    KDEpy bins onto ``[min - pad, max + pad]`` with ``pad = max(range/2, 6)``
    but multiplies ``sqrt(t)`` by the data range instead of that domain's
    width; rescaling by domain/range gives ``kde.m``'s bandwidth.
    """
    span = np.ptp(ages)
    domain = span + 2 * max(span / 2, 6.0)
    return kdepy_isj(ages[:, None]) * domain / span


def _brute_force_cv(ages: np.ndarray, bandwidths) -> list[float]:
    """Mean leave-one-out log-likelihood per star with plain loops and scikit-learn: drop each star in turn."""
    scores = []
    for h in bandwidths:
        total = 0.0
        for i in range(ages.size):
            rest = np.delete(ages, i)
            total += KernelDensity(kernel="gaussian", bandwidth=h).fit(rest[:, None]).score(ages[i : i + 1, None])
        scores.append(total / ages.size)
    return scores


def _rule(name: str, ages: np.ndarray) -> float:
    return BANDWIDTH_RULES[name](ages)


def test_doctests():
    assert doctest.testmod(bandwidth).failed == 0
    assert doctest.testmod(isj).failed == 0


def test_registry_order():
    assert list(BANDWIDTH_RULES) == ["scott", "silverman", "isj", "cv"]


def test_the_registry_names_every_bandwidth_of_the_results_once():
    from dataclasses import fields

    from analysis.results import BandwidthSet

    assert [f.name for f in fields(BandwidthSet)] == list(BANDWIDTH_RULES)
    assert [rule.name for rule in BANDWIDTH_RULES.values()] == list(BANDWIDTH_RULES)
    assert all(rule.title and rule.reference for rule in BANDWIDTH_RULES.values())


@pytest.mark.parametrize(
    ("column", "scott", "silverman"), [(0, 1.3996, 1.2596), (1, 1.6053, 1.4447)], ids=["joyce", "bensby"]
)
def test_scott_and_silverman_on_real_data(column, scott, silverman, real_ages):
    ages = real_ages[:, column]
    assert _rule("scott", ages) == pytest.approx(scott, abs=1e-4)
    assert _rule("silverman", ages) == pytest.approx(silverman, abs=1e-4)


def test_scott_is_scipys_bandwidth_in_gyr():
    ages = np.random.default_rng(1).gamma(3.0, 2.0, 137)
    kde = gaussian_kde(ages)
    assert _rule("scott", ages) == pytest.approx(kde.factor * np.std(ages, ddof=1), rel=1e-12)
    assert _rule("scott", ages) ** 2 == pytest.approx(kde.covariance[0, 0], rel=1e-12)


@pytest.mark.parametrize("iqr_smaller", [True, False])
def test_silverman_matches_statsmodels(iqr_smaller):
    rng = np.random.default_rng(2)
    # Student-t tails make IQR/1.349 the smaller spread; a uniform makes std smaller.
    ages = rng.standard_t(2, 300) + 8 if iqr_smaller else rng.uniform(1, 13, 300)
    iqr = np.subtract(*np.percentile(ages, [75, 25])) / 1.349
    assert (iqr < np.std(ages, ddof=1)) == iqr_smaller
    assert _rule("silverman", ages) == pytest.approx(bw_silverman(ages), rel=1e-12)


def test_silverman_uses_std_when_iqr_is_zero():
    ages = np.array([5.0] * 8 + [2.0, 9.0, 11.0])
    assert np.subtract(*np.percentile(ages, [75, 25])) == 0
    assert _rule("silverman", ages) == pytest.approx(bw_silverman(ages), rel=1e-12)
    assert _rule("silverman", ages) == pytest.approx(0.9 * np.std(ages, ddof=1) * 11 ** -0.2, rel=1e-12)


@settings(max_examples=25, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    scale=st.floats(0.01, 100.0),
    rule=st.sampled_from(["scott", "silverman", "isj"]),
)
def test_rules_scale_linearly_with_the_data(seed, scale, rule):
    ages = _mixture(120, np.random.default_rng(seed))
    assert _rule(rule, scale * ages) == pytest.approx(scale * _rule(rule, ages), rel=1e-9)


def test_cv_scales_linearly_with_the_data():
    ages = _mixture(90, np.random.default_rng(3))
    assert _rule("cv", 7.5 * ages) == pytest.approx(7.5 * _rule("cv", ages), rel=1e-4)


@pytest.mark.parametrize("n", [500, 5000])
def test_isj_matches_kdepy_on_a_mixture(n):
    ages = _mixture(n, np.random.default_rng(n))
    assert improved_sheather_jones(ages) == pytest.approx(_kdepy_isj(ages), rel=1e-2)


@pytest.mark.parametrize("column", [0, 1], ids=["joyce", "bensby"])
def test_isj_matches_kdepy_on_real_data(column, real_ages):
    ages = real_ages[:, column]
    assert np.ptp(ages) >= 12  # so KDEpy's padding is range/2, as in _kdepy_isj
    assert _rule("isj", ages) == pytest.approx(_kdepy_isj(ages), rel=1e-2)


def test_isj_hardly_depends_on_the_grid():
    ages = _mixture(800, np.random.default_rng(5))
    coarse = improved_sheather_jones(ages, grid_points=2**10)
    assert improved_sheather_jones(ages, grid_points=2**14) == pytest.approx(coarse, rel=5e-3)


def test_isj_on_normal_data_is_the_normal_amise_optimum():
    # For a normal density the AMISE-optimal h is (4/3)^(1/5) sigma n^(-1/5) (Silverman 1986, eq. 3.28).
    ages = np.random.default_rng(6).normal(8.0, 2.5, 20000)
    optimum = (4 / 3) ** 0.2 * 2.5 * ages.size ** -0.2
    assert improved_sheather_jones(ages) == pytest.approx(optimum, rel=0.05)


def test_isj_without_a_root_is_not_available_with_the_reason():
    with pytest.raises(NotAvailable, match=r"^not available for n = 4: the fixed-point equation .* no root for these 3 distinct"):
        improved_sheather_jones(np.array([1.0, 2.0, 3.0, 3.0]))


@pytest.mark.parametrize("first", [1, 2, 7, 50, 199])
def test_isj_needs_three_distinct_ages_and_two_never_have_a_root(first):
    # Two distinct ages bin to two spikes at a quarter and three quarters of the domain whatever
    # their values, so only the split of the stars between them matters: try several.
    ages = np.repeat([2.0, 9.5], (first, 200 - first))
    with pytest.raises(NotAvailable, match=rf"^not available for n = 200: ISJ needs at least {ISJ_MIN_DISTINCT} distinct"):
        improved_sheather_jones(ages)
    distinct, k_squared, a_squared = _isj_terms(ages)
    upper = 1e-11 + 0.01 * (min(max(distinct, 50), 1050) - 50) / 1000
    ts = upper * 2.0 ** np.arange(64)
    # Independently of the guard: the fixed-point function stays negative over kde.m's whole bracket.
    assert all(isj._fixed_point(t, distinct, k_squared, a_squared) < 0 for t in ts[ts < 1])


def test_isj_with_three_distinct_ages_can_have_a_root():
    # A heavy tie between two outliers: the smallest count ISJ_MIN_DISTINCT admits, and a root exists.
    ages = np.repeat([1.0, 1.1, 8.0], (1, 20, 1))
    h = improved_sheather_jones(ages)
    assert 0 < h < 7.0


def _isj_terms(ages: np.ndarray):
    """kde.m's linear binning onto 1024 points and the squared DCT coefficients, written out again."""
    start, width = ages.min() - np.ptp(ages) / 2, 2 * np.ptp(ages)
    position = (ages - start) / width * 1023
    left = np.minimum(np.floor(position).astype(int), 1022)
    grid = np.zeros(1024)
    np.add.at(grid, left, 1 - (position - left))
    np.add.at(grid, left + 1, position - left)
    a = dct(grid / ages.size, type=2)[1:]
    return np.unique(ages).size, np.arange(1, 1024, dtype=float) ** 2, a**2


def test_cv_curve_matches_brute_force_leave_one_out():
    ages = _mixture(120, np.random.default_rng(7))
    curve = cv_curve(ages)
    brute = _brute_force_cv(ages, curve.bandwidths)
    np.testing.assert_allclose(curve.mean_log_likelihood, brute, rtol=1e-9)
    assert curve.folds == ages.size and curve.kind == "loo"
    assert curve.bandwidths[0] == pytest.approx(_rule("scott", ages) / 50, rel=1e-12)
    assert curve.bandwidths[-1] == pytest.approx(3 * _rule("scott", ages), rel=1e-12)
    best = int(np.argmax(brute))
    assert curve.bandwidths[best - 1] <= curve.best_bandwidth <= curve.bandwidths[best + 1]
    # The refined bandwidth beats every grid point and its own close neighbours.
    around = _brute_force_cv(ages, [curve.best_bandwidth * f for f in (0.999, 1.0, 1.001)])
    assert around[1] >= max(brute)
    assert around[1] >= max(around[0], around[2])


def test_cv_optimum_matches_a_fine_brute_force_grid():
    ages = _mixture(80, np.random.default_rng(70))
    grid = np.exp(np.linspace(np.log(0.2), np.log(3.0), 401))
    brute = np.array(_brute_force_cv(ages, grid))
    step = grid[1] / grid[0]
    assert grid[np.argmax(brute)] / step <= _rule("cv", ages) <= grid[np.argmax(brute)] * step


def test_cv_standard_errors_and_one_se_range():
    ages = _mixture(100, np.random.default_rng(71))
    curve = cv_curve(ages)
    for h, se in list(zip(curve.bandwidths, curve.standard_errors))[::15]:
        per_star = [
            KernelDensity(bandwidth=h).fit(np.delete(ages, i)[:, None]).score(ages[i : i + 1, None])
            for i in range(ages.size)
        ]
        assert se == pytest.approx(np.std(per_star, ddof=1) / np.sqrt(ages.size), rel=1e-9)
    threshold = curve.best_score - curve.best_standard_error
    for edge in (curve.one_se_low, curve.one_se_high):
        assert _brute_force_cv(ages, [edge])[0] == pytest.approx(threshold, abs=1e-6)
    assert curve.one_se_low < curve.best_bandwidth < curve.one_se_high
    inside = [h for h, s in zip(curve.bandwidths, curve.mean_log_likelihood) if s >= threshold]
    assert curve.one_se_low <= min(inside) and max(inside) <= curve.one_se_high


def test_cv_widens_the_grid_when_the_optimum_is_below_it():
    rng = np.random.default_rng(9)
    ages = np.concatenate([rng.normal(2.0, 1e-4, 50), rng.normal(12.0, 1e-4, 50)])
    curve = cv_curve(ages)
    assert curve.best_bandwidth < _rule("scott", ages) / 50
    assert curve.bandwidths[0] < curve.best_bandwidth
    np.testing.assert_allclose(curve.mean_log_likelihood[:3], _brute_force_cv(ages, curve.bandwidths[:3]), rtol=1e-9)


def test_cv_without_an_interior_maximum_keeps_the_curve_and_says_why():
    ages = np.repeat(np.arange(1.0, 21.0), 6)  # every star has twins: the point score rises as h -> 0
    curve = cv_curve(ages)
    assert curve.best_bandwidth is None
    assert re.match(r"not available for n = 120: the cross-validated likelihood keeps rising as the bandwidth "
                    r"shrinks, down to [0-9.e-]+ Gyr, so it has no maximum", curve.unavailable)
    np.testing.assert_allclose(curve.mean_log_likelihood[::20], _brute_force_cv(ages, curve.bandwidths[::20]), rtol=1e-9)
    assert np.argmax(curve.mean_log_likelihood) == 0  # highest at the narrowest bandwidth searched
    with pytest.raises(NotAvailable, match="keeps rising"):
        _rule("cv", ages)


def test_interval_scores_give_tied_ages_a_maximum():
    ages = np.repeat(np.arange(1.0, 21.0), 6) + np.repeat(np.random.default_rng(5).normal(0, 0.2, 20), 6).round(1) * 0
    assert detect_precision(ages) == 1.0
    curve = cv_curve(ages, precision=1.0)
    assert curve.kind == "loo-interval" and curve.best_bandwidth is not None and curve.best_bandwidth > 0.2


def test_the_cv_bandwidth_draws_nothing():
    ages = _mixture(100, np.random.default_rng(12))
    assert cv_curve(ages) == cv_curve(ages)


def test_cv_of_three_ages_is_leave_one_out_by_hand():
    ages = np.array([1.0, 2.0, 4.0, 8.0])
    curve = cv_curve(ages)
    assert curve.folds == 4
    np.testing.assert_allclose(curve.mean_log_likelihood, _brute_force_cv(ages, curve.bandwidths), rtol=1e-9)
    assert curve.best_bandwidth is not None and curve.unavailable is None
    assert _brute_force_cv(ages, [curve.best_bandwidth])[0] >= max(curve.mean_log_likelihood)


def test_cv_of_two_ages_is_not_available():
    with pytest.raises(NotAvailable, match=r"^not available for n = 2: cross-validation needs at least 3 ages"):
        cv_curve(np.array([1.0, 2.0]))


@pytest.mark.parametrize(
    ("ages", "missing"),
    [
        (np.array([1.0, 2.0]), {"isj": "ISJ needs at least 3 distinct ages", "cv": "cross-validation needs at least 3"}),
        (np.array([1.0, 2.0, 3.5, 4.1, 6.0]), {"isj": "has no root for these 5 distinct ages"}),
        (np.repeat([1.0, 2.0, 3.0], 2), {"isj": "no root for these 3 distinct", "cv": "keeps rising as the bandwidth shrinks"}),
    ],
)
def test_choose_bandwidths_of_small_data_sets(ages, missing):
    chosen, choices, curve, _ = choose_bandwidths(ages)
    for choice in choices:
        if choice.rule in missing:
            assert choice.bandwidth is None and getattr(chosen, choice.rule) is None
            assert choice.unavailable.startswith(f"not available for n = {ages.size}: ")
            assert missing[choice.rule] in choice.unavailable
        else:
            assert choice.unavailable is None
            assert choice.bandwidth == getattr(chosen, choice.rule) > 0
    # Scott's and Silverman's rules are defined for any two distinct ages (scipy and statsmodels agree).
    assert chosen.scott == pytest.approx(gaussian_kde(ages).factor * np.std(ages, ddof=1), rel=1e-12)
    assert chosen.silverman == pytest.approx(bw_silverman(ages), rel=1e-12)
    assert (curve is None) == (ages.size < 3)
    if curve is not None:
        assert curve.folds == ages.size
        assert "leave-one-out" in choices[-1].note


def test_constant_ages_are_a_data_error():
    with pytest.raises(DataError, match="all 5 ages equal 3 Gyr"):
        _rule("scott", np.full(5, 3.0))


def test_unknown_rule_lists_the_options():
    with pytest.raises(ConfigError, match=r"expected one of scott, silverman, isj, cv, got 'sj'"):
        bandwidth_for("sj", np.arange(10.0))


def test_bandwidth_for_dispatches_to_the_registry():
    ages = _mixture(60, np.random.default_rng(17))
    for rule, function in BANDWIDTH_RULES.items():
        assert bandwidth_for(rule, ages) == function(ages)


def test_ties_bensby_heavy_joyce_not(real_ages):
    joyce, bensby = (tie_report(real_ages[:, i], detect_precision(real_ages[:, i]), smooth_bandwidth=1.3) for i in (0, 1))
    assert (joyce.precision, bensby.precision) == (0.01, 0.1)
    assert not joyce.heavy
    assert bensby.heavy
    assert (bensby.n, bensby.n_distinct) == (91, np.unique(real_ages[:, 1]).size)
    assert bensby.largest_tie == np.unique(real_ages[:, 1], return_counts=True)[1].max() == 9
    assert bensby.largest_tie_age == 11.6 and bensby.predicted_largest == 3 and bensby.pvalue < 1e-3
    assert "more than rounding explains" in bensby.message
    assert "as many as rounding explains" in joyce.message


def test_ties_of_a_catalog_stored_to_a_micro_gyr_are_not_heavy():
    ages = np.round(np.random.default_rng(30).normal(8.0, 2.0, 400_000), 6)
    q = detect_precision(ages)
    assert q == 1e-6
    report = tie_report(ages, q, smooth_bandwidth=0.9 * 2.0 * 400_000 ** -0.2)
    assert report.largest_tie >= 3 and not report.heavy


@pytest.mark.parametrize(
    ("ages", "heavy"),
    [
        (np.arange(10.0) * np.e, False),  # all distinct
        (np.r_[np.arange(9.0), 0.0] + np.pi, True),  # continuous values with a duplicate
    ],
)
def test_ties_without_a_precision(ages, heavy):
    assert detect_precision(ages) is None
    report = tie_report(ages, None, smooth_bandwidth=1.0)
    assert report.heavy == heavy
    assert report.n_distinct == np.unique(ages).size


def test_choose_bandwidths_on_real_data(real_ages):
    for column, heavy in [(0, False), (1, True)]:
        ages = real_ages[:, column]
        chosen, choices, curve, ties = choose_bandwidths(ages, precision=detect_precision(ages))
        assert [c.rule for c in choices] == list(BANDWIDTH_RULES)
        assert curve == cv_curve(ages, precision=detect_precision(ages))
        assert chosen.cv == curve.best_bandwidth
        for choice in choices:
            assert getattr(chosen, choice.rule) == choice.bandwidth
            if choice.rule != "cv":
                assert choice.bandwidth == _rule(choice.rule, ages)
        assert ties.heavy == heavy
        cv_note = choices[-1].note
        assert ("more than that rounding explains" in cv_note) == heavy
        assert "leave-one-out" in cv_note and "same for every seed" in cv_note
