"""Tests for analysis.summary against numpy and direct counts."""

import json

import numpy as np
import pytest

from analysis.results import to_json
from analysis.statistics import summarise



def _check_against_numpy(ages: np.ndarray, n_missing: int) -> None:
    s = summarise(ages, n_missing=n_missing)
    assert s.n == len(ages)
    assert s.n_missing == n_missing
    assert s.mean == pytest.approx(sum(ages) / len(ages), rel=1e-12)
    assert s.median == pytest.approx(np.median(ages), rel=1e-12)
    assert s.std_ddof == 1
    assert s.std == pytest.approx(np.sqrt(np.sum((ages - ages.mean()) ** 2) / (len(ages) - 1)), rel=1e-12)
    assert (s.min, s.max) == (ages.min(), ages.max())
    assert (s.q25, s.q75) == pytest.approx(tuple(np.percentile(ages, [25, 75])), rel=1e-12)
    assert s.n_above_universe == sum(1 for a in ages if a > 13.8)
    assert s.n_distinct == len(set(ages.tolist()))


def test_summary_matches_numpy_with_ties_and_old_stars():
    rng = np.random.default_rng(11)
    ages = np.round(rng.normal(10.0, 4.0, size=57), 1)  # rounding makes ties; some exceed 13.8
    assert len(set(ages.tolist())) < ages.size and np.any(ages > 13.8)
    _check_against_numpy(ages, n_missing=3)


def test_summary_of_real_columns_matches_numpy(real_ages):
    data = real_ages
    for column in data.T:
        _check_against_numpy(column, n_missing=0)


def test_summary_is_plain_json():
    rng = np.random.default_rng(12)
    s = summarise(rng.uniform(0.0, 15.0, size=20), n_missing=0)
    decoded = json.loads(to_json(s))
    assert type(decoded["n"]) is int and type(decoded["mean"]) is float
    assert all(type(getattr(s, f)) is float for f in ("mean", "median", "std", "min", "max", "q25", "q75"))


def test_summary_needs_two_ages():
    with pytest.raises(ValueError, match="at least 2 ages.*got shape \\(1,\\)"):
        summarise(np.array([3.0]), n_missing=0)

