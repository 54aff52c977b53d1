"""Tests for analysis.heldout against brute-force loops and scikit-learn."""

import json
import math

import numpy as np
import pytest
from sklearn.neighbors import KernelDensity

from analysis.availability import NotAvailable
from analysis.folds import kfold_indices
from analysis.statistics import held_out_scores
from analysis.results import to_json



def _brute_force_gaussian(ages: np.ndarray, folds: int, seed: int) -> float:
    """Star by star: fit mean and MLE sigma on the other folds, add the log pdf of the star."""
    total = 0.0
    for train, test in kfold_indices(ages.size, folds, rng=np.random.default_rng(seed)):
        values = [float(ages[i]) for i in train]
        mu = sum(values) / len(values)
        sigma = math.sqrt(sum((v - mu) ** 2 for v in values) / len(values))
        for i in test:
            z = (ages[i] - mu) / sigma
            total += -0.5 * z * z - math.log(sigma * math.sqrt(2.0 * math.pi))
    return total / ages.size


def _sklearn_kde(ages: np.ndarray, bandwidth: float, folds: int, seed: int) -> float:
    total = 0.0
    for train, test in kfold_indices(ages.size, folds, rng=np.random.default_rng(seed)):
        kde = KernelDensity(bandwidth=bandwidth).fit(ages[train, None])
        total += kde.score(ages[test, None])
    return total / ages.size


@pytest.mark.parametrize("folds", [2, 5])
def test_scores_match_brute_force_and_sklearn(folds):
    ages = np.random.default_rng(61).gamma(5.0, 2.0, size=53)
    models = [("grid", 0.1), ("grid", 1.0), ("scott", 1.7)]
    scores = held_out_scores(ages, models, folds=folds, rng=np.random.default_rng(62))
    assert [(s.model, s.bandwidth, s.folds) for s in scores] == [("gaussian", None, folds)] + [
        (kind, h, folds) for kind, h in models
    ]
    assert scores[0].mean_log_likelihood == pytest.approx(_brute_force_gaussian(ages, folds, 62), rel=1e-10)
    for score, (_, h) in zip(scores[1:], models):
        assert score.mean_log_likelihood == pytest.approx(_sklearn_kde(ages, h, folds, 62), rel=1e-8)


def test_scores_are_reproducible_by_seed():
    ages = np.random.default_rng(63).normal(9.0, 3.0, size=40)

    def run(seed):
        return held_out_scores(ages, [("grid", 1.0)], folds=5, rng=np.random.default_rng(seed))

    assert run(64) == run(64)
    assert run(64)[0].mean_log_likelihood != run(65)[0].mean_log_likelihood


def test_real_data_tiny_bandwidth_predicts_unseen_stars_badly(real_ages):
    joyce = real_ages[:, 0]
    scores = held_out_scores(joyce, [("grid", 0.01), ("grid", 1.0)], folds=5, rng=np.random.default_rng(66))
    json.loads(to_json(scores[1]))  # finite, plain JSON even for the spiky 0.01 Gyr kernel
    gaussian, tiny, wide = (s.mean_log_likelihood for s in scores)
    # a 0.01 Gyr kernel puts almost no density between measured ages
    assert tiny < gaussian - 10 and tiny < wide - 10


def test_fewer_ages_than_folds_are_scored_leave_one_out():
    ages = np.array([1.0, 2.5, 3.0, 6.0])
    scores = held_out_scores(ages, [("grid", 1.0)], folds=5, rng=np.random.default_rng(67))
    assert [s.folds for s in scores] == [4, 4]
    # Leave-one-out by hand: each star under the normal (MLE) and the KDE of the other three.
    gaussian = kde = 0.0
    for i in range(4):
        rest = np.delete(ages, i)
        mu, sigma = rest.mean(), rest.std()
        gaussian += -0.5 * ((ages[i] - mu) / sigma) ** 2 - math.log(sigma * math.sqrt(2 * math.pi))
        kde += KernelDensity(bandwidth=1.0).fit(rest[:, None]).score(ages[[i], None])
    assert scores[0].mean_log_likelihood == pytest.approx(gaussian / 4, rel=1e-12)
    assert scores[1].mean_log_likelihood == pytest.approx(kde / 4, rel=1e-10)


def test_two_ages_have_no_held_out_scores():
    with pytest.raises(NotAvailable, match=r"^not available for n = 2: cross-validation needs at least 3 ages"):
        held_out_scores(np.array([1.0, 2.0]), [("grid", 1.0)], folds=5, rng=np.random.default_rng(68))


def test_a_training_fold_of_one_repeated_age_has_no_gaussian_score():
    # Leaving out the 2.0 Gyr star trains on three stars of 1.0 Gyr: a normal of zero width.
    ages = np.array([1.0, 1.0, 1.0, 2.0])
    gaussian, kde = held_out_scores(ages, [("grid", 0.5)], folds=5, rng=np.random.default_rng(69))
    assert gaussian.mean_log_likelihood is None
    assert gaussian.unavailable == (
        "not available for n = 4: in 1 of the 4 folds the training ages are all equal, so the Gaussian fitted "
        "to them has zero width"
    )
    expected = sum(
        KernelDensity(bandwidth=0.5).fit(np.delete(ages, i)[:, None]).score(ages[[i], None]) for i in range(4)
    )
    assert kde.mean_log_likelihood == pytest.approx(expected / 4, rel=1e-10) and kde.unavailable is None
    assert json.loads(to_json(gaussian))["mean_log_likelihood"] is None
