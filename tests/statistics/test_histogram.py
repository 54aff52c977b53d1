"""Tests for analysis.histogram against the 'auto' rule written out by hand."""


import numpy as np
import pytest

from analysis.statistics import auto_histogram


def _auto_edges(ages: np.ndarray) -> np.ndarray:
    """numpy's documented 'auto': the smaller of the Freedman-Diaconis and Sturges widths."""
    n, span = ages.size, np.ptp(ages)
    q25, q75 = np.percentile(ages, [25, 75])
    width = min(2.0 * (q75 - q25) / n ** (1 / 3), span / (np.log2(n) + 1.0))
    bins = int(np.ceil(span / width))
    return np.linspace(ages.min(), ages.max(), bins + 1)


def _slow_counts(ages: np.ndarray, edges: np.ndarray) -> list[int]:
    counts = [0] * (len(edges) - 1)
    for a in ages:
        for i in range(len(counts)):
            last = i == len(counts) - 1
            if edges[i] <= a < edges[i + 1] or (last and a == edges[-1]):
                counts[i] += 1
                break
    return counts


@pytest.mark.parametrize("seed", [21, 22])
def test_auto_histogram_matches_rule_written_out(seed):
    rng = np.random.default_rng(seed)
    ages = rng.gamma(4.0, 2.5, size=91)
    h = auto_histogram(ages)
    expected_edges = _auto_edges(ages)
    assert len(h.edges) == len(h.counts) + 1 == len(expected_edges)
    np.testing.assert_allclose(h.edges, expected_edges, rtol=1e-12)
    assert list(h.counts) == _slow_counts(ages, np.asarray(h.edges))
    assert sum(h.counts) == ages.size
    assert all(type(c) is int for c in h.counts) and all(type(e) is float for e in h.edges)



def test_empirical_cdf_matches_scipy():
    from scipy.stats import ecdf

    from analysis.statistics import empirical_cdf

    ages = np.round(np.random.default_rng(41).gamma(5.0, 2.0, 300), 1)  # rounded: ties
    result = empirical_cdf(ages)
    reference = ecdf(ages).cdf
    assert result.exact
    np.testing.assert_array_equal(result.x, reference.quantiles)
    np.testing.assert_allclose(result.fraction, reference.probabilities, rtol=1e-15)


def test_empirical_cdf_of_a_catalog_is_summarised():
    from analysis.statistics import empirical_cdf

    ages = np.random.default_rng(42).normal(9.0, 2.0, 50_000)
    result = empirical_cdf(ages, max_points=1000)
    assert not result.exact and len(result.x) == 1000
    # Each summarised point is a true ECDF point: the fraction of ages at or below it.
    for x, f in zip(result.x[::97], result.fraction[::97], strict=True):
        assert np.mean(ages <= x) == pytest.approx(f, abs=1 / ages.size)
