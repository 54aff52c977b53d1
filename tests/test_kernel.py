"""The exact KDE log density against scikit-learn, including the chunked path."""

import numpy as np
from sklearn.neighbors import KernelDensity

from analysis import kernel
from analysis.kernel import log_density


def _sklearn(train, points, h):
    return KernelDensity(bandwidth=h).fit(train[:, None]).score_samples(points[:, None])


def test_matches_sklearn():
    rng = np.random.default_rng(11)
    train, points = rng.normal(8.0, 3.0, 200), np.linspace(-5.0, 25.0, 301)
    for h in (0.01, 0.3, 2.0):
        np.testing.assert_allclose(log_density(train, points, h), _sklearn(train, points, h), rtol=1e-10, atol=1e-8)


def test_chunks_give_the_same_answer(monkeypatch):
    rng = np.random.default_rng(12)
    train, points = rng.gamma(4.0, 2.0, 500), rng.uniform(0.0, 20.0, 777)
    whole = log_density(train, points, 0.4)
    monkeypatch.setattr(kernel, "_CHUNK_FLOATS", 1000)  # two points per chunk
    np.testing.assert_array_equal(log_density(train, points, 0.4), whole)


def test_far_points_stay_finite():
    # 1000 bandwidths away: exp underflows, the log must not.
    value = log_density(np.array([0.0, 0.0]), np.array([10.0]), 0.01)[0]
    expected = -0.5 * 1000.0**2 - np.log(0.01) - 0.5 * np.log(2 * np.pi)
    assert np.isclose(value, expected, rtol=1e-12)
