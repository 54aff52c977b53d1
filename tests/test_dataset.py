"""The Dataset record: read-only arrays, value equality, shape checks."""

import numpy as np
import pytest

from analysis.dataset import Dataset


def _dataset(ages, rows) -> Dataset:
    return Dataset(name="x", label="X", colour="#000000", ages_gyr=ages, rows=rows, n_missing=0, source="x.csv")


def test_ages_are_a_private_read_only_copy():
    given = [3.0, 1.5, 9.25]
    d = _dataset(given, range(3))
    given[0] = 99.0
    assert d.ages.tolist() == [3.0, 1.5, 9.25] and d.ages.dtype == np.float64
    with pytest.raises(ValueError, match="read-only"):
        d.ages[0] = 1.0
    assert d.rows.tolist() == [0, 1, 2]


def test_equality_compares_values():
    assert _dataset([1.0, 2.0], [0, 1]) == _dataset(np.array([1.0, 2.0]), (0, 1))
    assert _dataset([1.0, 2.0], [0, 1]) != _dataset([1.0, 2.5], [0, 1])
    assert _dataset([1.0, 2.0], [0, 1]) != "x"


def test_ages_and_rows_must_match():
    with pytest.raises(ValueError, match=r"shapes \(3,\) and \(2,\)"):
        _dataset([1.0, 2.0, 3.0], [0, 1])
