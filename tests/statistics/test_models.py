import numpy as np
import pytest
from KDEpy import NaiveKDE
from scipy import integrate, stats
from sklearn.neighbors import KernelDensity

from analysis.statistics.boundary import unphysical_fractions
from analysis.errors import DataError
from analysis.statistics.models import fit_kde, fit_normal


def direct_kde(train, points, h):
    return stats.norm.pdf(points[:, None], train[None, :], h).mean(axis=1)


def test_gaussian_kde_matches_scikit_learn_and_kdepy():
    rng = np.random.default_rng(11)
    train = np.round(rng.normal(8, 3, 60), 1)  # ties included
    points = np.linspace(-10, 30, 41)  # far tails too
    model = fit_kde(train, 0.8)
    sk = KernelDensity(bandwidth=0.8).fit(train[:, None]).score_samples(points[:, None])
    assert model.log_pdf(points) == pytest.approx(sk, abs=1e-12)
    inner = points[(points > -2) & (points < 20)]
    kdepy = NaiveKDE(kernel="gaussian", bw=0.8).fit(train).evaluate(inner)
    assert np.exp(model.log_pdf(inner)) == pytest.approx(kdepy, rel=1e-10)


def test_cdf_and_interval_score_of_gaussian_kde():
    rng = np.random.default_rng(12)
    train = rng.normal(5, 2, 30)
    model = fit_kde(train, 0.6)
    x = np.array([-2.0, 3.0, 5.5, 12.0])
    assert model.cdf(x) == pytest.approx(stats.norm.cdf(x[:, None], train, 0.6).mean(axis=1), rel=1e-12)
    q = 0.5
    lo, hi = x[:, None] - q / 2, x[:, None] + q / 2
    # Each difference taken on the side of the kernel where it does not cancel.
    upper_side = x[:, None] > train[None, :]
    mass = np.where(
        upper_side,
        stats.norm.sf(lo, train, 0.6) - stats.norm.sf(hi, train, 0.6),
        stats.norm.cdf(hi, train, 0.6) - stats.norm.cdf(lo, train, 0.6),
    )
    want = np.log(mass.mean(axis=1) / q)
    assert model.log_interval_density(x, q) == pytest.approx(want, rel=1e-12)
    assert model.score(x, None) == pytest.approx(model.log_pdf(x))
    # A vanishing interval tends to the point density: the gap is O(q^2/(24 h^2)) plus the rounding
    # of the edges x -/+ q/2, eps |x| / q relative to the width.
    assert model.log_interval_density(x, 1e-5) == pytest.approx(model.log_pdf(x), abs=1e-8)


def test_reflected_kde_closed_form():
    rng = np.random.default_rng(13)
    train = np.abs(rng.normal(1.5, 2, 40))
    h = 0.9
    model = fit_kde(train, h, kind="reflected")
    x = np.linspace(0, 10, 21)
    assert np.exp(model.log_pdf(x)) == pytest.approx(direct_kde(train, x, h) + direct_kde(train, -x, h), rel=1e-12)
    assert model.log_pdf(np.array([-0.1]))[0] == -np.inf
    total, _ = integrate.quad(lambda t: np.exp(model.log_pdf(np.array([t]))[0]), 0, np.inf, limit=200)
    assert total == pytest.approx(1.0, abs=1e-9)
    plain = fit_kde(train, h)
    assert model.cdf(x) == pytest.approx(plain.cdf(x) - plain.cdf(-x), abs=1e-13)
    draws = model.sample(20000, rng=np.random.default_rng(1))
    assert draws.min() >= 0
    assert stats.kstest(draws, model.cdf).pvalue > 0.001
    assert unphysical_fractions(model).below_zero == 0.0


def test_log_age_kde_closed_form_and_sampler():
    rng = np.random.default_rng(14)
    train = np.exp(rng.normal(1.8, 0.5, 50))
    h = 0.2
    model = fit_kde(train, h, kind="log")
    x = np.linspace(0.5, 20, 15)
    sk = KernelDensity(bandwidth=h).fit(np.log(train)[:, None]).score_samples(np.log(x)[:, None])
    assert model.log_pdf(x) == pytest.approx(sk - np.log(x), abs=1e-12)
    total, _ = integrate.quad(lambda t: np.exp(model.log_pdf(np.array([t]))[0]), 0, np.inf, limit=300)
    assert total == pytest.approx(1.0, abs=1e-8)
    draws = model.sample(20000, rng=np.random.default_rng(2))
    assert draws.min() > 0
    assert stats.kstest(draws, model.cdf).pvalue > 0.001
    assert unphysical_fractions(model).below_zero == 0.0


def test_normal_model_matches_scipy():
    ages = np.random.default_rng(15).normal(9, 2.5, 80)
    model = fit_normal(ages)
    mu, sd = stats.norm.fit(ages)
    assert (model.mean, model.sd) == pytest.approx((mu, sd))
    fractions = unphysical_fractions(model)
    assert fractions.below_zero == pytest.approx(stats.norm.cdf(0, mu, sd), rel=1e-12)
    assert fractions.above_upper == pytest.approx(stats.norm.sf(13.8, mu, sd), rel=1e-12)


def test_kde_unphysical_fractions_are_exact():
    train = np.array([0.5, 1.0, 13.5, 14.0])
    model = fit_kde(train, 1.0)
    fractions = unphysical_fractions(model)
    assert fractions.below_zero == pytest.approx(stats.norm.cdf(0, train, 1.0).mean(), rel=1e-12)
    assert fractions.above_upper == pytest.approx(stats.norm.sf(13.8, train, 1.0).mean(), rel=1e-12)


def test_sampler_is_seeded():
    model = fit_kde(np.arange(10.0), 0.5)
    a = model.sample(5, rng=np.random.default_rng(3))
    assert np.array_equal(a, model.sample(5, rng=np.random.default_rng(3)))
    assert not np.array_equal(a, model.sample(5, rng=np.random.default_rng(4)))


def test_invalid_inputs_say_what_was_expected():
    with pytest.raises(DataError, match="reflected at 0 Gyr needs ages >= 0"):
        fit_kde(np.array([-1.0, 2.0]), 1.0, kind="reflected")
    with pytest.raises(DataError, match="log age needs ages > 0"):
        fit_kde(np.array([0.0, 2.0]), 1.0, kind="log")
    with pytest.raises(DataError, match="expected one of gaussian, reflected, log"):
        fit_kde(np.array([1.0, 2.0]), 1.0, kind="box")
    with pytest.raises(DataError, match="expected a positive number of Gyr"):
        fit_kde(np.array([1.0, 2.0]), 0.0)
