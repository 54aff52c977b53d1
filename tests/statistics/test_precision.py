import numpy as np
import pytest

from analysis.statistics.precision import (
    INTERVAL_RATIO,
    MIN_DISTINCT_FOR_PRECISION,
    detect_precision,
    tie_report,
    use_interval_scores,
)


def test_real_data_precisions(real_ages):
    assert detect_precision(real_ages[:, 0]) == 0.01
    assert detect_precision(real_ages[:, 1]) == 0.1


@pytest.mark.parametrize("q", [5.0, 2.5, 2.0, 1.0, 0.5, 0.25, 0.2, 0.1, 0.05, 0.01, 0.001, 1e-6])
def test_detects_each_grid_from_rounded_values(q):
    rng = np.random.default_rng(41)
    ages = np.round(rng.uniform(0, 60 if q >= 2 else 14, 300) / q) * q
    assert detect_precision(ages) == q


def test_robust_to_floating_point_representation():
    myr = np.random.default_rng(42).integers(100, 14000, 200)
    from_myr = myr / 1000.0  # 1 Myr grid by arithmetic
    from_text = np.array([float(f"{m / 1000:.3f}") for m in myr])
    assert detect_precision(from_myr) == detect_precision(from_text) == 0.001
    accumulated = 3.0 + np.cumsum(np.full(50, 0.1))  # 3.1, 3.2, ... with accumulated rounding error
    assert detect_precision(accumulated) == 0.1


def test_none_for_continuous_or_too_few():
    assert detect_precision(np.random.default_rng(43).normal(9, 3, 500)) is None
    few = np.arange(MIN_DISTINCT_FOR_PRECISION - 1) * 0.5
    assert detect_precision(np.repeat(few, 5)) is None
    assert detect_precision(np.arange(MIN_DISTINCT_FOR_PRECISION) * 0.5) == 0.5


def test_bensby_ties_are_heavy_relative_to_its_precision(real_ages):
    report = tie_report(real_ages[:, 1], 0.1)
    assert report.heavy and report.largest_tie == 9 and report.largest_tie_age == pytest.approx(11.6)
    assert report.predicted_largest <= 4 and report.pvalue < 1e-4
    assert "more than rounding explains" in report.message and "11.6 Gyr" in report.message


def test_joyce_ties_are_not_heavy(real_ages):
    report = tie_report(real_ages[:, 0], 0.01)
    assert not report.heavy and report.largest_tie == 2


def test_catalog_stored_to_a_microgyr_is_not_heavy():
    ages = np.round(np.random.default_rng(44).normal(9, 3, 400_000), 6)
    q = detect_precision(ages)
    assert q == 1e-6
    report = tie_report(ages, q)
    assert report.n_distinct < report.n  # thousands of exact ties ...
    assert not report.heavy  # ... exactly as many as rounding a smooth density to 1e-6 Gyr predicts
    assert abs(report.largest_tie - report.predicted_largest) <= 1


def test_predicted_largest_matches_simulation():
    # Rounding a normal sample to 0.5 Gyr: compare the predicted median of the largest multiplicity
    # with the simulated one.
    rng = np.random.default_rng(45)
    largest = [np.unique(np.round(rng.normal(9, 3, 300) / 0.5) * 0.5, return_counts=True)[1].max() for _ in range(200)]
    ages = np.round(rng.normal(9, 3, 300) / 0.5) * 0.5
    assert abs(tie_report(ages, 0.5).predicted_largest - np.median(largest)) <= 1


def test_pile_up_in_a_rounded_sample_is_heavy_but_rounding_alone_is_not():
    rng = np.random.default_rng(46)
    ages = np.round(rng.normal(9, 3, 200), 1)
    assert not tie_report(ages, 0.1).heavy
    piled = np.concatenate([ages, np.full(8, 11.6)])
    assert tie_report(piled, 0.1).heavy


def test_duplicate_in_continuous_ages_is_heavy():
    ages = np.random.default_rng(47).normal(9, 3, 100)
    ages[1] = ages[0]
    report = tie_report(ages, None)
    assert report.heavy and report.pvalue == 0.0


def test_interval_rule():
    assert use_interval_scores(0.1, [0.2, 1.3]) is True
    assert use_interval_scores(0.01, [1.26, 1.4]) is False
    assert use_interval_scores(None, [0.01]) is False
    h = 1.0
    assert use_interval_scores(INTERVAL_RATIO * h, [h]) and not use_interval_scores(0.99 * INTERVAL_RATIO * h, [h])
