"""Tests for analysis.histogram against the 'auto' rule written out by hand."""


import numpy as np
import pytest

from analysis.histogram import auto_histogram


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

