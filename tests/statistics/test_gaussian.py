"""Tests for analysis.gaussian against closed forms and the lecture's numbers."""

import json

import numpy as np
import pytest
from scipy import stats
from scipy.integrate import trapezoid

from analysis.statistics import fit_gaussian
from analysis.results import to_json



def _normal_pdf(x: np.ndarray, mu: float, sigma: float) -> np.ndarray:
    return np.exp(-0.5 * ((x - mu) / sigma) ** 2) / (sigma * np.sqrt(2.0 * np.pi))


def test_real_data_matches_lecture_fit(real_ages):
    data = real_ages
    joyce, bensby = (fit_gaussian(data[:, column], rng=np.random.default_rng(0)) for column in (0, 1))
    assert (joyce.mu, joyce.sigma) == pytest.approx((10.8341, 3.4309), abs=1e-4)
    assert (bensby.mu, bensby.sigma) == pytest.approx((8.1703, 3.9351), abs=1e-4)


def test_mle_likelihood_and_aic_match_closed_form():
    rng = np.random.default_rng(31)
    ages = rng.normal(9.0, 3.0, size=91)
    fit = fit_gaussian(ages, rng=np.random.default_rng(0))
    n = ages.size
    mu = ages.sum() / n
    sigma = np.sqrt(np.sum((ages - mu) ** 2) / n)  # the MLE divides by n
    # At the MLE the quadratic term sums to n/2: lnL = -n/2 (ln(2 pi sigma^2) + 1).
    log_likelihood = -0.5 * n * (np.log(2.0 * np.pi * sigma**2) + 1.0)
    assert fit.mu == pytest.approx(mu, rel=1e-10)
    assert fit.sigma == pytest.approx(sigma, rel=1e-10)
    assert fit.log_likelihood == pytest.approx(log_likelihood, rel=1e-10)
    assert fit.aic == pytest.approx(4.0 - 2.0 * log_likelihood, rel=1e-10)


def test_ks_matches_statistic_written_out():
    rng = np.random.default_rng(32)
    ages = rng.gamma(3.0, 3.0, size=60)
    fit = fit_gaussian(ages, rng=np.random.default_rng(0))
    cdf = stats.norm.cdf(np.sort(ages), fit.mu, fit.sigma)
    i = np.arange(1, ages.size + 1)
    d = max(np.max(i / ages.size - cdf), np.max(cdf - (i - 1) / ages.size))
    assert fit.ks_statistic == pytest.approx(d, rel=1e-12)
    assert fit.ks_pvalue == pytest.approx(stats.kstwo.sf(d, ages.size), rel=1e-8)


def test_lecture_curve_is_pdf_at_histogram_edges_times_n():
    rng = np.random.default_rng(33)
    ages = rng.uniform(1.0, 14.0, size=91)
    fit = fit_gaussian(ages, rng=np.random.default_rng(0))
    edges = np.linspace(ages.min(), ages.max(), 11)  # np.histogram's default: 10 equal bins
    np.testing.assert_allclose(fit.lecture_edges, edges, rtol=1e-12)
    expected = _normal_pdf(edges, fit.mu, fit.sigma) * ages.size
    np.testing.assert_allclose(fit.lecture_counts, expected, rtol=1e-12)
    # The lecture's histogram: stars counted into those bins, the last bin closed.
    by_hand = [np.sum((ages >= lo) & ((ages < hi) | (hi == edges[-1]) & (ages <= hi))) for lo, hi in zip(edges, edges[1:])]
    assert list(fit.lecture_histogram) == by_hand and sum(fit.lecture_histogram) == ages.size


def test_smooth_curve_covers_data_and_four_sigma_and_integrates_to_one():
    rng = np.random.default_rng(34)
    ages = np.concatenate([rng.normal(8.0, 1.0, size=50), [30.0]])  # an outlier beyond mu + 4 sigma
    fit = fit_gaussian(ages, rng=np.random.default_rng(0))
    x = np.asarray(fit.smooth_x)
    assert x.size == 400 and np.all(np.diff(x) > 0)
    assert x[0] == pytest.approx(min(ages.min(), fit.mu - 4 * fit.sigma))
    assert x[-1] == pytest.approx(max(ages.max(), fit.mu + 4 * fit.sigma))
    assert x[-1] == pytest.approx(30.0)
    np.testing.assert_allclose(fit.smooth_density, _normal_pdf(x, fit.mu, fit.sigma), rtol=1e-12)
    # mass within mu +- 4 sigma is 0.99994; the grid covers at least that
    assert trapezoid(fit.smooth_density, x) == pytest.approx(1.0, abs=1e-3)


def test_fit_is_plain_finite_json():
    rng = np.random.default_rng(35)
    fit = fit_gaussian(rng.normal(10.0, 3.0, size=30), rng=rng)
    decoded = json.loads(to_json(fit))
    assert len(decoded["lecture_edges"]) == 11 and type(decoded["aic"]) is float


def test_constant_ages_are_rejected():
    with pytest.raises(ValueError, match="at least 2 distinct ages.*got.*1 distinct"):
        fit_gaussian(np.full(5, 7.0), rng=np.random.default_rng(0))
