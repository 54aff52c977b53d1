import numpy as np
import pytest

from analysis.statistics.benchmark import benchmark_comparison
from analysis.errors import DataError
from analysis.statistics.models import fit_kde, fit_normal


def trained_on(ages, h):
    return {"cv": fit_kde(ages, h), "gaussian": fit_normal(ages)}


def test_closer_training_set_predicts_the_benchmark_better():
    rng = np.random.default_rng(101)
    truth = rng.normal(9, 2.5, 400)
    a = truth[:150] + rng.normal(0, 0.5, 150)  # unbiased ages
    b = truth[:150] - 2.5 + rng.normal(0, 0.5, 150)  # ages 2.5 Gyr too young
    benchmark = truth[150:190]
    result = benchmark_comparison(benchmark, {"A": trained_on(a, 0.8), "B": trained_on(b, 0.8)})
    row = next(r for r in result.rows if r.model == "cv")
    d = fit_kde(a, 0.8).log_pdf(benchmark) - fit_kde(b, 0.8).log_pdf(benchmark)
    assert row.difference == pytest.approx(d.mean()) and row.se == pytest.approx(
        d.std(ddof=1) / np.sqrt(40)
    )
    assert row.better == "A" and "trained on A predicts" in result.verdict


def test_identical_training_sets_are_indistinguishable():
    ages = np.random.default_rng(102).normal(9, 2, 100)
    result = benchmark_comparison(
        ages[:20] + 0.3, {"A": trained_on(ages, 1.0), "B": trained_on(ages.copy(), 1.0)}, precision=0.1
    )
    assert all(r.difference == 0.0 and r.better is None for r in result.rows)
    assert "indistinguishable" in result.verdict and result.precision == 0.1


def test_needs_two_training_sets_with_the_same_models():
    ages = np.arange(10.0)
    with pytest.raises(DataError, match="exactly two"):
        benchmark_comparison(ages, {"A": trained_on(ages, 1.0)})
    with pytest.raises(DataError, match="same models"):
        benchmark_comparison(ages, {"A": trained_on(ages, 1.0), "B": {"cv": fit_kde(ages, 1.0)}})
