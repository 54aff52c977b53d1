"""128-bit fixed-point sums: partition-wise reductions that merge by exact integer addition.

A floating-point sum depends on the order of its terms, so a sum split over 7
partitions and one split over 23 differ in the last bits. Here every term is
scaled by ``2**F`` and rounded to an integer once, at the row, and the
integers are summed in a two's-complement 128-bit accumulator stored as two
uint64 words ``[hi, lo]``. Integer addition is associative and commutative,
so any partitioning, any merge order and any number of workers give the same
bits. The price is one rounding per term, of at most ``2**-(F+1)`` absolute:

========================  ====  ===============================  =============================
sum                       F     term range                       capacity (terms, worst case)
========================  ====  ===============================  =============================
Taylor moments u**p, p>=1  90    abs(u**p) <= 1/2                 2**37 = 1.4e11 per bin
ages (Gyr)                80    0 <= a < 2**10                   2**37 = 1.4e11
squares, products (Gyr^2) 60    0 <= a*b < 2**20 (two parts)     2**47
========================  ====  ===============================  =============================

For the moments the rounding (<= 2**-91 = 4e-28 per age) is eleven orders of
magnitude below a double's relative precision (2**-53 = 1.1e-16) of the
count it is added to; a sum of ages is exact for every age above 2**-28 Gyr
(3.7 years), since such an age times 2**80 is already an integer. The
per-row additions are compiled (``kernels.add_scaled``, ``add_product``);
this module holds the words' layout and their exact merges.
"""

import numpy as np

__all__ = ["MOMENT_BITS", "SQUARE_BITS", "SUM_BITS", "add128", "as_fraction", "as_int", "to_float", "zeros128"]

#: Fraction bits of the Taylor-moment sums (terms u**p, abs(u) <= 1/2).
MOMENT_BITS = 90
#: Fraction bits of sums of ages and of age differences (Gyr, below 2**10 in size).
SUM_BITS = 80
#: Fraction bits of sums of squares and products (Gyr^2, below 2**20).
SQUARE_BITS = 60
_TWO64 = 2.0**64


def zeros128(shape) -> np.ndarray:
    """A zeroed accumulator array, shape ``(*shape, 2)`` uint64: ``[..., 0]`` high word, ``[..., 1]`` low."""
    shape = (shape,) if isinstance(shape, int) else tuple(shape)
    return np.zeros((*shape, 2), dtype=np.uint64)


def add128(total: np.ndarray, part: np.ndarray) -> None:
    """``total += part`` in place for accumulator arrays of the same shape ``(..., 2)``.

    numpy's uint64 array arithmetic wraps modulo 2**64, which is what two's
    complement words need; the carry is ``lo < part_lo`` after the add.
    """
    if total.shape != part.shape or total.dtype != np.uint64 or part.dtype != np.uint64:
        raise ValueError(f"add128: expected two uint64 arrays of one shape, got {total.shape} and {part.shape}")
    lo = total[..., 1] + part[..., 1]
    carry = (lo < part[..., 1]).astype(np.uint64)
    total[..., 0] += part[..., 0] + carry
    total[..., 1] = lo


def as_int(acc: np.ndarray) -> int:
    """One accumulator ``[hi, lo]`` as a Python int (exact, signed)."""
    hi = int(np.asarray(acc[0], dtype=np.uint64).view(np.int64))
    return (hi << 64) + int(acc[1])


def as_fraction(acc: np.ndarray, bits: int):
    """One accumulator as an exact ``fractions.Fraction`` (the sum, in the term's units)."""
    from fractions import Fraction

    return Fraction(as_int(acc), 1 << bits)


def to_float(acc: np.ndarray, bits: int) -> np.ndarray:
    """Accumulators ``(..., 2)`` as float64 sums ``(...)``: ``(hi * 2**64 + lo) / 2**F``.

    ``hi * 2**64`` is exact; the addition of the low word rounds once more
    (relative 2**-53), deterministically: the same integer always gives the
    same double. Use ``as_fraction`` where the correctly rounded value matters.
    """
    hi = np.ascontiguousarray(acc[..., 0]).view(np.int64).astype(np.float64)
    return (hi * _TWO64 + acc[..., 1].astype(np.float64)) * 2.0**-bits
