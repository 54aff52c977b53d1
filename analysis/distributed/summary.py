"""Sums of a partitioned catalog as numbers: means, spreads and normal likelihoods from the exact 128-bit sums.

Each is computed from the sums as rational numbers (``fractions.Fraction``)
and rounded once, so it depends on the catalog, never on its partitioning:

* the mean is the correctly rounded mean of the ages (the sum of ages is
  exact for every age above 2**-28 Gyr, ``fixedpoint``);
* a spread about a centre c, ``sqrt(sum (a - c)**2 / (n - ddof))``, expands
  to ``sum a**2 - 2 c sum a + n c**2`` with the sum of squares within
  ``VARIANCE_BOUND_GYR2`` per age of exact (its fixed-point rounding), then
  one rounding and a correctly rounded square root;
* the normal log-likelihood ``sum log N(a; mu, sigma)`` from the same sums.
"""

from fractions import Fraction
import math

import numpy as np

from .fixedpoint import SQUARE_BITS, SUM_BITS, as_fraction

__all__ = ["VARIANCE_BOUND_GYR2", "exact_mean", "exact_spread", "normal_log_likelihood", "squares_about"]

#: Bound on |sum of squares - exact| / n before the final rounding: each age's square is rounded
#: twice (its two Dekker parts) to 2**-61, so the sum of squares is within n 2**-60 Gyr^2.
VARIANCE_BOUND_GYR2 = 2.0**-SQUARE_BITS


def exact_mean(n: int, sum_acc: np.ndarray) -> float:
    """The mean (Gyr) of n ages from their exact 128-bit sum, correctly rounded.

    >>> from analysis.distributed.fixedpoint import zeros128
    >>> from analysis.distributed.kernels import range_sums
    >>> s, q, e, d = zeros128(1), zeros128(1), np.array([np.inf, -np.inf]), np.zeros(11, dtype=np.int64)
    >>> _ = range_sums(np.array([1.0, 2.0, 4.0]), 1e3, e, s, q, d)
    >>> exact_mean(3, s[0]), exact_spread(3, s[0], q[0], exact_mean(3, s[0]), ddof=1) ** 2
    (2.3333333333333335, 2.3333333333333335)
    """
    return float(as_fraction(sum_acc, SUM_BITS) / n)


def squares_about(n: int, sum_acc: np.ndarray, square_acc: np.ndarray, centre: float) -> Fraction:
    """``sum (a - centre)**2`` (Gyr^2) as a rational, from the sums (never negative)."""
    total, squares, c = as_fraction(sum_acc, SUM_BITS), as_fraction(square_acc, SQUARE_BITS), Fraction(centre)
    return max(squares - 2 * c * total + n * c * c, Fraction(0))


def exact_spread(n: int, sum_acc: np.ndarray, square_acc: np.ndarray, centre: float, *, ddof: int = 0) -> float:
    """``sqrt(sum (a - centre)**2 / (n - ddof))`` (Gyr): as ``statistics.sample.spread``, from the sums."""
    return math.sqrt(float(squares_about(n, sum_acc, square_acc, centre) / (n - ddof)))


def normal_log_likelihood(n: int, sum_acc: np.ndarray, square_acc: np.ndarray, mu: float, sigma: float) -> float:
    """``sum(norm.logpdf(ages, mu, sigma))``: ``-n log(sigma sqrt(2 pi)) - sum (a - mu)**2 / (2 sigma**2)``."""
    return float(-n * (math.log(sigma) + 0.5 * math.log(2 * math.pi)) - float(squares_about(n, sum_acc, square_acc, mu)) / (2 * sigma * sigma))
