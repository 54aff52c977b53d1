"""The 128-bit fixed-point sums: integer addition, exact sums of ages, any split the same bits."""

from fractions import Fraction

from hypothesis import given, settings, strategies as st
import numpy as np
import pytest

from analysis.distributed.fixedpoint import MOMENT_BITS, SQUARE_BITS, SUM_BITS, add128, as_int, to_float, zeros128
from analysis.distributed.kernels import range_sums
from analysis.distributed.summary import exact_mean, exact_spread

words = st.integers(min_value=-(2**126), max_value=2**126 - 1)


def _acc(value: int) -> np.ndarray:
    bits = value % 2**128
    return np.array([bits >> 64, bits & (2**64 - 1)], dtype=np.uint64)


@given(st.lists(words, min_size=1, max_size=20))
def test_add128_is_integer_addition(values):
    total = zeros128(())
    for v in values:
        add128(total, _acc(v))
    expected = sum(values)
    assert as_int(total) == (expected + 2**127) % 2**128 - 2**127


@settings(max_examples=50)
@given(st.lists(st.floats(min_value=2.0**-28, max_value=999.0), min_size=2, max_size=200))
def test_sum_of_ages_is_exact_and_mean_correctly_rounded(ages):
    ages = np.array(ages)
    sums, squares = zeros128(1), zeros128(1)
    range_sums(ages, 1000.0, np.array([np.inf, -np.inf]), sums, squares, np.zeros(11, dtype=np.int64))
    exact = sum(Fraction(a) for a in ages)
    assert Fraction(as_int(sums[0]), 2**SUM_BITS) == exact
    mean = exact_mean(ages.size, sums[0])
    assert mean == float(exact / ages.size)
    variance = exact_spread(ages.size, sums[0], squares[0], mean, ddof=1) ** 2
    exact_var = sum((Fraction(a) - Fraction(mean)) ** 2 for a in ages) / (ages.size - 1)
    # The stated bound: squares within 2**-60 per age, so the variance within 2**-60 (+ its roundings).
    assert abs(Fraction(variance) - exact_var) <= Fraction(1, 2**SQUARE_BITS) * ages.size / (ages.size - 1) + Fraction(abs(variance)) * 2**-51


def test_any_split_gives_the_same_bits():
    rng = np.random.default_rng(7)
    ages = rng.gamma(9.0, 1.0, 100_001)
    whole = zeros128(1)
    range_sums(ages, 1000.0, np.array([np.inf, -np.inf]), whole, zeros128(1), np.zeros(11, dtype=np.int64))
    for cuts in ([50_000], [1, 2, 3, 99_999], sorted(rng.choice(100_000, 40, replace=False))):
        total = zeros128(1)
        for part in np.split(ages, cuts)[::-1]:  # reversed order too
            acc = zeros128(1)
            range_sums(part, 1000.0, np.array([np.inf, -np.inf]), acc, zeros128(1), np.zeros(11, dtype=np.int64))
            add128(total, acc)
        assert total.tobytes() == whole.tobytes()
    # ... whereas a float sum does depend on the split (the reason for the integers).
    assert any(sum(np.sum(p) for p in np.split(ages, [k])) != np.sum(ages) for k in range(1, 2000, 7))


def test_to_float_and_negative_words():
    assert to_float(_acc(-3 * 2**MOMENT_BITS), MOMENT_BITS) == -3.0
    assert to_float(_acc(2**100 + 2**MOMENT_BITS // 2), MOMENT_BITS) == pytest.approx(1024.5)
