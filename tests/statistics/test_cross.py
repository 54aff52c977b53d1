import numpy as np
import pytest
from sklearn.neighbors import KernelDensity

from analysis.statistics.cross import common_bandwidth, cross_prediction


def sk_scores(train, points, h):
    return KernelDensity(bandwidth=h).fit(train[:, None]).score_samples(points[:, None])


def test_matches_scikit_learn_and_paired_standard_error():
    rng = np.random.default_rng(81)
    a = rng.normal(10, 3, 80)
    b = a - 2 + rng.normal(0, 1, 80)
    result = cross_prediction(a, b, bandwidth_a=1.2, bandwidth_b=0.4, names=("A", "B"), paired=True)
    on_b, on_a = sk_scores(a, b, 1.2), sk_scores(b, a, 0.4)
    assert result.own.a_on_b == pytest.approx(on_b.mean(), rel=1e-12)
    assert result.own.b_on_a == pytest.approx(on_a.mean(), rel=1e-12)
    d = on_b - on_a
    assert result.own.se == pytest.approx(d.std(ddof=1) / np.sqrt(80), rel=1e-10)
    assert result.common.bandwidth_a == result.common.bandwidth_b == 1.2 == common_bandwidth(1.2, 0.4)


def test_unpaired_standard_error():
    rng = np.random.default_rng(82)
    a, b = rng.normal(10, 3, 50), rng.normal(8, 3, 70)
    case = cross_prediction(a, b, bandwidth_a=1.0, bandwidth_b=1.0, paired=False).own
    on_b, on_a = sk_scores(a, b, 1.0), sk_scores(b, a, 1.0)
    want = np.sqrt(on_b.var(ddof=1) / 70 + on_a.var(ddof=1) / 50)
    assert case.se == pytest.approx(want, rel=1e-10)


def test_verdict_flips_when_one_bandwidth_is_too_narrow():
    rng = np.random.default_rng(83)
    # Same law for both, so at a common bandwidth neither transfers clearly better; b is a bit wider,
    # so a's KDE loses on b's ages; but at b's own tiny bandwidth b's KDE loses far more.
    a = rng.normal(9, 2.5, 150)
    b = rng.normal(9, 3.2, 150)
    result = cross_prediction(a, b, bandwidth_a=1.0, bandwidth_b=0.05, names=("A", "B"), paired=False)
    assert result.own.better == "A"
    assert result.common.better == "B"
    assert result.flips


def test_interval_scores_are_used_for_the_scored_set():
    a = np.round(np.random.default_rng(84).normal(9, 3, 60), 1)
    b = np.round(a - 2, 1)
    point = cross_prediction(a, b, bandwidth_a=0.3, bandwidth_b=0.3, paired=True)
    interval = cross_prediction(a, b, bandwidth_a=0.3, bandwidth_b=0.3, paired=True, precision_a=0.1, precision_b=0.1)
    assert interval.own.a_on_b != point.own.a_on_b
    assert interval.own.a_on_b == pytest.approx(point.own.a_on_b, abs=0.02)


def test_real_data_flip(real_ages):
    j, b = real_ages[:, 0], real_ages[:, 1]
    result = cross_prediction(
        j, b, bandwidth_a=1.26, bandwidth_b=0.20, names=("Joyce", "Bensby"), paired=True, precision_b=0.1
    )
    assert result.own.better == "Joyce"
