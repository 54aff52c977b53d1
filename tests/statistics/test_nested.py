"""Nested, repeated k-fold held-out scores and the two-standard-error verdict, against a slow reference."""

import numpy as np
import pytest
from scipy import stats

from analysis.statistics import model_spec, nested_heldout, verdict, verdict_from_moments
from analysis.statistics.models import fit_normal
from analysis.statistics.nested import ModelSpec


def _slow_reference(ages, *, folds, repeats, seed):
    """The same nested scores with loops, scipy's densities and Scott's rule written out."""
    rng = np.random.default_rng(seed)
    n = ages.size
    totals = np.zeros((3, n))
    for _ in range(repeats):
        for test in np.array_split(rng.permutation(n), folds):
            train = np.setdiff1d(np.arange(n), test)
            x = ages[train]
            scott = np.std(x, ddof=1) * x.size ** (-1 / 5)
            for i in test:
                totals[0, i] += stats.norm.logpdf(ages[i], np.mean(x), np.std(x))
                totals[1, i] += np.log(np.mean(stats.norm.pdf(ages[i], x, 1.0)))
                totals[2, i] += np.log(np.mean(stats.norm.pdf(ages[i], x, scott)))
    return totals / repeats


def _specs():
    return [
        model_spec("gaussian", "gaussian-fit"),
        model_spec("fixed 1", "gaussian", bandwidth=1.0),
        model_spec("scott", "gaussian", rule="scott"),
    ]


def test_nested_scores_equal_a_slow_reference():
    ages = np.random.default_rng(1).normal(8.0, 3.0, 60)
    table = nested_heldout(ages, _specs(), rng=np.random.default_rng(2), folds=5, repeats=3)
    reference = _slow_reference(ages, folds=5, repeats=3, seed=2)
    np.testing.assert_allclose(table.per_star, reference, rtol=1e-12)
    assert table.scores == pytest.approx(reference.mean(axis=1), rel=1e-12)
    assert table.standard_errors == pytest.approx(reference.std(axis=1, ddof=1) / np.sqrt(60), rel=1e-10)


def test_every_training_part_leaves_its_test_stars_out():
    ages = np.random.default_rng(3).normal(8.0, 3.0, 40)
    seen = []

    def spy(train):
        seen.append(train.copy())
        return fit_normal(train)

    nested_heldout(ages, [ModelSpec("spy", spy)], rng=np.random.default_rng(4), folds=4, repeats=5)
    assert len(seen) == 20
    missing = np.zeros(ages.size, int)
    for train in seen:
        assert train.size == 30
        missing += ~np.isin(ages, train)
    assert (missing == 5).all()  # each star held out once per repeat


def test_a_copy_of_a_model_is_tied_and_no_best_is_named():
    ages = np.random.default_rng(5).normal(8.0, 3.0, 50)
    specs = [model_spec("a", "gaussian", bandwidth=1.0), model_spec("b", "gaussian", bandwidth=1.0)]
    table = nested_heldout(ages, specs, rng=np.random.default_rng(6), folds=5, repeats=2)
    assert table.verdict.best is None and set(table.verdict.indistinguishable) == {"a", "b"}


def test_normal_ages_favour_the_gaussian_over_an_oversmoothed_kde():
    ages = np.random.default_rng(7).normal(8.0, 2.0, 400)
    specs = [model_spec("gaussian", "gaussian-fit"), model_spec("wide", "gaussian", bandwidth=4.0)]
    table = nested_heldout(ages, specs, rng=np.random.default_rng(8), folds=5, repeats=1)
    assert table.verdict.top == "gaussian" and table.verdict.best == "gaussian"
    assert "wide" not in table.verdict.indistinguishable


def test_same_seed_same_table_other_seed_other_table():
    ages = np.random.default_rng(9).normal(8.0, 3.0, 50)
    first = nested_heldout(ages, _specs(), rng=np.random.default_rng(10), folds=5, repeats=2)
    again = nested_heldout(ages, _specs(), rng=np.random.default_rng(10), folds=5, repeats=2)
    other = nested_heldout(ages, _specs(), rng=np.random.default_rng(11), folds=5, repeats=2)
    assert first.scores == again.scores and first.scores != other.scores


def test_the_verdict_needs_two_standard_errors_and_the_minimum_lead():
    rng = np.random.default_rng(12)
    base = rng.normal(-2.6, 0.5, 100)
    noise = rng.normal(0, 0.01, 100)
    clear = verdict(["top", "next"], np.vstack([base + 0.05 + noise, base]))
    assert clear.best == "top" and clear.indistinguishable == ("top",)
    tiny = verdict(["top", "next"], np.vstack([base + 0.001 + noise * 0.001, base]))
    assert tiny.best is None  # far more than 2 SE ahead, but below the 0.005 the pages can show
    lead, se = clear.behind["next"]
    d = base + 0.05 + noise - base
    assert (lead, se) == pytest.approx((d.mean(), d.std(ddof=1) / 10), rel=1e-12)


def test_verdict_from_sums_equals_the_verdict_from_per_star_scores():
    rng = np.random.default_rng(13)
    per_star = rng.normal(-2.7, 0.4, (4, 200)) + np.array([[0.0], [0.02], [0.2], [-0.1]])
    names = ["a", "b", "c", "d"]
    errors, from_sums = verdict_from_moments(names, per_star.sum(axis=1), per_star @ per_star.T, 200)
    direct = verdict(names, per_star)
    assert errors == pytest.approx(per_star.std(axis=1, ddof=1) / np.sqrt(200), rel=1e-9)
    assert (from_sums.best, from_sums.top, from_sums.indistinguishable) == (
        direct.best, direct.top, direct.indistinguishable,
    )  # fmt: skip
    for name in names:
        assert from_sums.behind[name] == pytest.approx(direct.behind[name], rel=1e-9, abs=1e-12)
