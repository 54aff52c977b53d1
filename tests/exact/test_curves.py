"""Tests for analysis.kde: scipy against scikit-learn, direct sums and unit mass."""

import logging

import numpy as np
import pytest
from scipy.integrate import trapezoid
from scipy.stats import gaussian_kde, norm

from analysis.statistics import BANDWIDTH_RULES
from analysis.exact import kde_grid, scipy_curve, sklearn_curve



@pytest.mark.parametrize("h", [0.01, 0.1, 1.0, 5.0])
def test_grid_reaches_three_bandwidths_beyond_the_data(h):
    ages = np.random.default_rng(1).uniform(0.5, 14.0, 50)
    x = kde_grid(ages, h)
    assert x[0] == pytest.approx(ages.min() - 3 * h, rel=1e-12)
    assert x[-1] == pytest.approx(ages.max() + 3 * h, rel=1e-12)
    assert 512 <= x.size <= 20001
    assert np.diff(x).max() <= h / 4 * (1 + 1e-9)
    np.testing.assert_allclose(np.diff(x), np.diff(x)[0], rtol=1e-9)


def test_grid_is_capped_with_a_warning(caplog):
    ages = np.array([0.0, 15.0])
    with caplog.at_level(logging.WARNING, logger="analysis.exact.curves"):
        x = kde_grid(ages, 1e-4)
    assert x.size == 20001
    assert "capped at 20001 points" in caplog.text


@pytest.mark.parametrize("column", [0, 1], ids=["joyce", "bensby"])
def test_scipy_equals_sklearn_at_scotts_bandwidth(column, real_ages):
    ages = real_ages[:, column]
    scipy = scipy_curve(ages)
    assert (scipy.method, scipy.kind) == ("scipy", "scott")
    assert scipy.bandwidth == pytest.approx(BANDWIDTH_RULES["scott"](ages))
    sklearn = sklearn_curve(ages, scipy.bandwidth, kind="scott")
    assert sklearn.x == scipy.x
    np.testing.assert_allclose(sklearn.density, scipy.density, rtol=1e-10)


def test_sklearn_curve_is_the_direct_sum():
    ages = np.random.default_rng(2).gamma(4.0, 2.0, 40)
    curve = sklearn_curve(ages, 0.7, kind="grid")
    x = np.asarray(curve.x)
    direct = norm.pdf(x[:, None], loc=ages[None, :], scale=0.7).mean(axis=1)
    np.testing.assert_allclose(curve.density, direct, rtol=1e-10)
    np.testing.assert_allclose(curve.counts, direct * ages.size, rtol=1e-10)
    assert (curve.method, curve.kind, curve.bandwidth) == ("sklearn", "grid", 0.7)


def test_scipy_curve_is_gaussian_kde():
    ages = np.random.default_rng(3).normal(9.0, 3.0, 60)
    curve = scipy_curve(ages)
    kde = gaussian_kde(ages)
    np.testing.assert_allclose(curve.density, kde(np.asarray(curve.x)), rtol=1e-12)
    np.testing.assert_allclose(curve.counts, np.asarray(curve.density) * 60, rtol=1e-12)
    assert curve.bandwidth == pytest.approx(kde.factor * np.std(ages, ddof=1), rel=1e-12)


@pytest.mark.parametrize("column", [0, 1], ids=["joyce", "bensby"])
def test_every_density_integrates_to_one(column, real_ages):
    ages = real_ages[:, column]
    bandwidths = {f"grid {h}": h for h in (0.01, 0.1, 1.0)}
    bandwidths |= {rule: f(ages) for rule, f in BANDWIDTH_RULES.items()}
    curves = [sklearn_curve(ages, h, kind=kind) for kind, h in bandwidths.items()] + [scipy_curve(ages)]
    for curve in curves:
        mass = trapezoid(curve.density, curve.x)
        assert mass == pytest.approx(1.0, abs=1e-3), (curve.kind, curve.bandwidth)
