import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import integrate, stats

from analysis.statistics.normal_mass import log_normal_mass


def reference(a: float, b: float) -> float:
    """log of the integral of phi over [a, b] by quad, factoring out phi at the point nearest 0."""
    m = min(max(0.0, a), b)
    value, _ = integrate.quad(lambda t: np.exp(-(t * t - m * m) / 2), a, b, epsabs=0, epsrel=1e-13, limit=200)
    return stats.norm.logpdf(m) + np.log(value)


@settings(max_examples=300, deadline=None)
@given(st.floats(-37, 37), st.floats(-9, 1.2))
def test_matches_quadrature_in_body_tails_and_narrow_intervals(a, log_width):
    b = a + 10**log_width
    got = log_normal_mass(np.array([a]), np.array([b]))[0]
    want = reference(a, b)
    assert got == pytest.approx(want, rel=1e-11, abs=1e-11)


def test_symmetry_and_infinite_edges():
    a = np.array([-np.inf, 0.0, -np.inf, 1.0])
    b = np.array([np.inf, np.inf, 0.0, 1.0])
    got = log_normal_mass(a, b)
    assert got[:3] == pytest.approx([0.0, np.log(0.5), np.log(0.5)], abs=1e-15)
    assert got[3] == -np.inf
    x = np.linspace(-30, 30, 61)
    assert log_normal_mass(x, x + 0.3) == pytest.approx(log_normal_mass(-x - 0.3, -x), rel=1e-13)


def test_body_matches_plain_cdf_difference():
    a = np.linspace(-3, 3, 25)
    b = a + 0.7
    assert np.exp(log_normal_mass(a, b)) == pytest.approx(stats.norm.cdf(b) - stats.norm.cdf(a), rel=1e-13)
