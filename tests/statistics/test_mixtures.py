import numpy as np
import pytest
from scipy import integrate, stats

from tests.statistics.mixtures import NormalMixture, mise, mise_optimal_bandwidth

MIXTURE = NormalMixture((0.45, 0.55), (5.0, 10.0), (1.5, 2.0))


def mise_by_integration(mixture, h, n):
    """MISE = integral of Var f_hat + bias^2, with E f_hat and E K_h^2 closed form, integrated by quad."""
    w, mu, sd = map(np.asarray, (mixture.weights, mixture.means, mixture.sds))

    def integrand(x):
        mean = np.sum(w * stats.norm.pdf(x, mu, np.sqrt(sd**2 + h**2)))
        second = np.sum(w * stats.norm.pdf(x, mu, np.sqrt(sd**2 + h**2 / 2))) / (2 * np.sqrt(np.pi) * h)
        f = np.sum(w * stats.norm.pdf(x, mu, sd))
        return (second - mean**2) / n + (mean - f) ** 2

    value, _ = integrate.quad(integrand, -30, 45, limit=400, epsabs=1e-14)
    return value


@pytest.mark.parametrize("h", [0.2, 0.8, 2.0])
def test_mise_closed_form_matches_integration(h):
    assert mise(MIXTURE, h, 200) == pytest.approx(mise_by_integration(MIXTURE, h, 200), rel=1e-7)


def test_optimal_bandwidth_for_a_single_normal_is_silverman():
    # For one N(0, s^2) the AMISE optimum is (4/3)^(1/5) s n^(-1/5); the exact MISE optimum is close.
    normal = NormalMixture((1.0,), (0.0,), (2.0,))
    n = 10**5
    assert mise_optimal_bandwidth(normal, n) == pytest.approx((4 / 3) ** 0.2 * 2 * n**-0.2, rel=0.01)


def test_interval_score_of_the_truth():
    x = np.array([3.0, 9.5])
    got = MIXTURE.score(x, 0.5)
    cdf = lambda t: sum(w * stats.norm.cdf(t, m, s) for w, m, s in zip(MIXTURE.weights, MIXTURE.means, MIXTURE.sds))
    assert got == pytest.approx(np.log((cdf(x + 0.25) - cdf(x - 0.25)) / 0.5), rel=1e-12)
