import numpy as np
import pytest
from scipy import stats

from analysis.statistics import cv_curve
from analysis.errors import DataError
from analysis.statistics.loo import loo_log_scores
from analysis.statistics.models import fit_kde
from analysis.statistics.uncertainties import fit_error_convolved, spread_explained, symmetric_sigmas


def synthetic(seed, n=300, mu=8.0, tau=1.5):
    rng = np.random.default_rng(seed)
    truth = rng.normal(mu, tau, n)
    sigmas = rng.uniform(0.3, 1.5, n)
    return truth + sigmas * rng.standard_normal(n), sigmas


def test_error_convolved_density_is_the_normal_mixture():
    ages, sigmas = synthetic(91)
    h = 0.5
    model = fit_kde(ages, h, sigmas=sigmas)
    x = np.linspace(0, 16, 33)
    direct = stats.norm.pdf(x[:, None], ages[None, :], np.sqrt(h**2 + sigmas**2)[None, :]).mean(axis=1)
    assert np.exp(model.log_pdf(x)) == pytest.approx(direct, rel=1e-12)
    direct_cdf = stats.norm.cdf(x[:, None], ages[None, :], np.sqrt(h**2 + sigmas**2)[None, :]).mean(axis=1)
    assert model.cdf(x) == pytest.approx(direct_cdf, rel=1e-12, abs=1e-300)


def test_samples_have_the_predicted_variance():
    ages, sigmas = synthetic(92)
    h = 0.5
    model = fit_kde(ages, h, sigmas=sigmas)
    draws = model.sample(400_000, rng=np.random.default_rng(3))
    predicted = ages.var() + h**2 + np.mean(sigmas**2)  # ddof=0: the sample is the mixture's weights
    # Standard error of a variance from 4e5 near-normal draws is ~sqrt(2/4e5) = 0.22 % of it.
    assert draws.var() == pytest.approx(predicted, rel=0.01)
    assert draws.mean() == pytest.approx(ages.mean(), abs=0.02)


def test_loo_score_and_cv_with_errors():
    ages, sigmas = synthetic(93, n=60)
    h = 0.4
    s = loo_log_scores(ages, h, sigmas=sigmas)
    for i in (0, 17, 59):
        rest, sig = np.delete(ages, i), np.delete(sigmas, i)
        want = np.log(stats.norm.pdf(ages[i], rest, np.sqrt(h**2 + sig**2)).mean())
        assert s[i] == pytest.approx(want, rel=1e-12)
    fit = fit_error_convolved(ages, sigmas)
    curve = cv_curve(ages, sigmas=sigmas)
    assert fit.model.bandwidth == curve.best_bandwidth
    assert fit.loo_score == pytest.approx(curve.best_score)


def test_spread_explained():
    ages, sigmas = synthetic(94, n=2000, tau=1.0)
    spread = spread_explained(ages, sigmas)
    # var(ages) = tau^2 + mean sigma^2 in expectation.
    expected = np.mean(sigmas**2) / (1.0 + np.mean(sigmas**2))
    assert spread.fraction == pytest.approx(expected, abs=0.03)
    assert spread.intrinsic_sd == pytest.approx(1.0, abs=0.05)
    assert f"{spread.fraction:.0%}" in spread.sentence
    too_large = spread_explained(ages, sigmas * 3)
    assert too_large.fraction > 1 and too_large.intrinsic_sd is None and "overestimated" in too_large.sentence


def test_asymmetric_errors_are_symmetrised_by_their_mean():
    lower, upper = np.array([0.5, 1.0]), np.array([1.5, 1.0])
    assert symmetric_sigmas(lower, upper).tolist() == [1.0, 1.0]
    spread = spread_explained(np.array([5.0, 7.0]), symmetric_sigmas(lower, upper), lower=lower, upper=upper)
    assert spread.max_asymmetry == pytest.approx(0.5)
    with pytest.raises(DataError, match="errors >= 0 Gyr"):
        symmetric_sigmas(np.array([-1.0]), np.array([1.0]))
