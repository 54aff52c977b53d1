"""The compiled loops that touch every row of a partition (numba; one pass each, no temporaries).

Every floating-point step is a function of one row alone (its age, the grid,
the fixed-point scale), so a row contributes the same integers whichever
partition it is read in; sums are 128-bit (``fixedpoint``) or int64 counts.
Missing ages (NaN, from Parquet nulls) are skipped and counted.

Longer than 300 lines: every loop that touches a row is here, with the
fixed-point additions they inline, so a row's arithmetic is read in one place
and the numba cache (``cache=True``) covers them together: after editing an
inlined helper, clear ``__pycache__/*.nbi`` (numba does not see a change in
an inlined function of another module, so the helpers live here).
"""

import numba
import numpy as np

from .fixedpoint import MOMENT_BITS, SQUARE_BITS, SUM_BITS

__all__ = [
    "add_product", "add_scaled", "bin_moments", "count_decimal", "count_floor", "count_nearest", "count_pair_cells",
    "fold_sums", "hash_labels", "linear_weights", "mix_array", "pair_range", "range_sums",
]

#: Powers of ten for the precision detector (``digits`` arrays say how many places are tried).
_POW10 = 10.0 ** np.arange(20)
_SUM_SCALE = 2.0**SUM_BITS
_SQUARE_SCALE = 2.0**SQUARE_BITS
_MOMENT_SCALE = 2.0**MOMENT_BITS
_TWO64 = 2.0**64
_INV_TWO64 = 2.0**-64
#: Veltkamp's splitting constant 2**27 + 1 for Dekker's exact product.
_SPLIT = 134217729.0

@numba.njit(inline="always", nogil=True)
def add_scaled(acc, i, scaled):  # pragma: no cover - compiled
    """Add ``rint(scaled)`` to the 128-bit integer ``acc[i]`` (``acc`` shape (m, 2) uint64).

    ``scaled`` is the term times ``2**F`` (a power-of-two scaling, exact);
    ``rint`` is the only rounding. The magnitude is split into 64-bit words
    exactly: the floor of a non-negative double divided by 2**64 is exact,
    and the remainder keeps a subset of the double's 53 significant bits, so
    it is representable. (For a negative value the remainder modulo 2**64
    would need 64 bits, hence the magnitude and a subtraction with borrow.)
    """
    r = np.rint(scaled)
    m = abs(r)
    top = np.floor(m * _INV_TWO64)
    lo_w = np.uint64(m - top * _TWO64)
    hi_w = np.uint64(top)
    lo = acc[i, 1]
    if r >= 0:
        s = lo + lo_w
        carry = np.uint64(1) if s < lo_w else np.uint64(0)
        acc[i, 1] = s
        acc[i, 0] = acc[i, 0] + hi_w + carry
    else:
        borrow = np.uint64(1) if lo < lo_w else np.uint64(0)
        acc[i, 1] = lo - lo_w
        acc[i, 0] = acc[i, 0] - hi_w - borrow


@numba.njit(inline="always", nogil=True)
def add_product(acc, i, a, b, scale):  # pragma: no cover - compiled
    """Add ``a * b * scale`` to ``acc[i]``, the product taken exactly (Dekker's two-product).

    ``a * b = p + e`` exactly with ``p = fl(a * b)``; both parts are scaled
    and rounded, so the error is at most one unit of the fixed point (2**-F).
    """
    p = a * b
    t = _SPLIT * a
    ah = t - (t - a)
    al = a - ah
    t = _SPLIT * b
    bh = t - (t - b)
    bl = b - bh
    e = ((ah * bh - p) + ah * bl + al * bh) + al * bl
    add_scaled(acc, i, p * scale)
    add_scaled(acc, i, e * scale)



_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_MIX1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX2 = np.uint64(0x94D049BB133111EB)


@numba.njit(inline="always", nogil=True)
def _mix(x):  # pragma: no cover - compiled
    z = x + _GOLDEN
    z = (z ^ (z >> np.uint64(30))) * _MIX1
    z = (z ^ (z >> np.uint64(27))) * _MIX2
    return z ^ (z >> np.uint64(31))


@numba.njit(nogil=True, cache=True)
def mix_array(keys, out):  # pragma: no cover - compiled
    for i in range(keys.size):
        out[i] = _mix(keys[i])


@numba.njit(nogil=True, cache=True)
def hash_labels(keys, word, folds, out):  # pragma: no cover - compiled
    k = np.uint64(folds)
    for i in range(keys.size):
        h = _mix(_mix(keys[i]) ^ word)
        out[i] = np.int8(((h >> np.uint64(32)) * k) >> np.uint64(32))





@numba.njit(nogil=True, cache=True)
def range_sums(ages, max_age, extremes, sums, squares, digits):  # pragma: no cover - compiled
    """One column's first pass: min/max, sum, sum of squares and decimal places of each age.

    ``extremes`` (float64[2]) holds running (min, max); ``sums``/``squares``
    are (1, 2) accumulators; ``digits[k]`` counts ages whose shortest decimal
    has k places (``m / 10**k == age`` for ``m = rint(age * 10**k)``: the
    division by an exact power of ten is correctly rounded, so this holds
    exactly when the age is the double nearest a k-place decimal, as a reader
    parsing text produces), ``digits[-1]`` those with more (``ranges.MAX_DIGITS`` places are tried).

    Returns ``(n, n_missing, first_bad)``: first_bad is the index of the
    first age that is not in (0, max_age] (NaN is missing, not bad), or -1:
    the readers' rule (``readers.age_problem``).
    """
    n, missing = 0, 0
    most = digits.size - 2  # places tried: digits[most + 1] counts the ages with more
    for i in range(ages.size):
        a = ages[i]
        if np.isnan(a):
            missing += 1
            continue
        if not (a > 0.0 and a <= max_age):
            return n, missing, i
        n += 1
        extremes[0] = min(extremes[0], a)
        extremes[1] = max(extremes[1], a)
        add_scaled(sums, 0, a * _SUM_SCALE)
        add_product(squares, 0, a, a, _SQUARE_SCALE)
        k = 0
        while k <= most:
            if np.rint(a * _POW10[k]) / _POW10[k] == a:
                break
            k += 1
        digits[k] += 1
    return n, missing, -1


@numba.njit(nogil=True, cache=True)
def pair_range(first, second, extremes, sums, counts):  # pragma: no cover - compiled
    """Paired rows (both present): d = first - second (A minus B), per row, then reduced.

    ``extremes`` (min d, max d); ``sums`` (7, 2) accumulators of sum d,
    sum d**2, sum a*b, sum a, sum b, sum a**2, sum b**2 over the pairs;
    ``counts`` int64[3] of d < 0, d == 0, d > 0. Returns the number of pairs.
    """
    n = 0
    for i in range(first.size):
        a, b = first[i], second[i]
        if np.isnan(a) or np.isnan(b):
            continue
        n += 1
        d = a - b
        extremes[0] = min(extremes[0], d)
        extremes[1] = max(extremes[1], d)
        add_scaled(sums, 0, d * _SUM_SCALE)
        add_product(sums, 1, d, d, _SQUARE_SCALE)
        add_product(sums, 2, a, b, _SQUARE_SCALE)
        add_scaled(sums, 3, a * _SUM_SCALE)
        add_scaled(sums, 4, b * _SUM_SCALE)
        add_product(sums, 5, a, a, _SQUARE_SCALE)
        add_product(sums, 6, b, b, _SQUARE_SCALE)
        if d < 0:
            counts[0] += 1
        elif d == 0:
            counts[1] += 1
        else:
            counts[2] += 1
    return n


@numba.njit(nogil=True, cache=True)
def bin_moments(ages, labels, lo, inv_step, counts, moments):  # pragma: no cover - compiled
    """Taylor moments of each age at its nearest node, into its fold's rows.

    ``u = (age - lo) * inv_step - j`` in [-1/2, 1/2] as in
    ``binned_kernels.accumulate_moments``; ``counts`` (folds, n_bins) int64
    holds p = 0, ``moments`` (folds * (order - 1) * n_bins, 2) the 128-bit
    sums of u**p, p = 1 .. order - 1, at index ((fold * (order-1)) + p-1) * n_bins + j.
    Returns the number of ages skipped (NaN or off the grid).
    """
    folds, n_bins = counts.shape
    higher = moments.shape[0] // (folds * n_bins)
    skipped = 0
    for i in range(ages.size):
        position = (ages[i] - lo) * inv_step
        if not (position > -0.5 and position < n_bins - 0.5):
            skipped += 1
            continue
        node = int(position + 0.5)
        u = position - node
        fold = labels[i]
        counts[fold, node] += 1
        base = fold * higher * n_bins + node
        power = 1.0
        for p in range(higher):
            power *= u
            add_scaled(moments, base + p * n_bins, power * _MOMENT_SCALE)
    return skipped


@numba.njit(nogil=True, cache=True)
def fold_sums(ages, labels, counts, sums, squares):  # pragma: no cover - compiled
    """Per fold: count (int64), sum of ages and of squares (128-bit, (folds, 2) each)."""
    for i in range(ages.size):
        a = ages[i]
        if np.isnan(a):
            continue
        f = labels[i]
        counts[f] += 1
        add_scaled(sums, f, a * _SUM_SCALE)
        add_product(squares, f, a, a, _SQUARE_SCALE)


@numba.njit(nogil=True, cache=True)
def count_nearest(ages, lo, inv_step, counts):  # pragma: no cover - compiled
    """Counts at the nearest node ``int((a - lo) * inv_step + 0.5)`` (``bin_ages`` with order 1)."""
    skipped = 0
    for i in range(ages.size):
        position = (ages[i] - lo) * inv_step
        if not (position > -0.5 and position < counts.size - 0.5):
            skipped += 1
            continue
        counts[int(position + 0.5)] += 1
    return skipped


@numba.njit(nogil=True, cache=True)
def count_floor(values, labels, lo, inv_width, counts):  # pragma: no cover - compiled
    """Counts (folds, cells) in cells ``floor((v - lo) * inv_width)`` of each row's fold, the top edge
    folded into the last cell."""
    n_cells = counts.shape[1]
    last = n_cells - 1
    skipped = 0
    for i in range(values.size):
        position = (values[i] - lo) * inv_width
        if not (position >= 0.0 and position <= n_cells):
            skipped += 1
            continue
        counts[labels[i], min(int(position), last)] += 1
    return skipped


@numba.njit(nogil=True, cache=True)
def count_decimal(values, labels, scale, base, counts):  # pragma: no cover - compiled
    """Counts (folds, cells) at decimal cells ``rint(v * scale) - base`` (scale = 10**digits) of each
    row's fold: one cell per value."""
    n_cells = counts.shape[1]
    skipped = 0
    for i in range(values.size):
        v = values[i]
        if np.isnan(v):
            skipped += 1
            continue
        cell = np.int64(np.rint(v * scale)) - base
        if cell < 0 or cell >= n_cells:
            skipped += 1
            continue
        counts[labels[i], cell] += 1
    return skipped


@numba.njit(nogil=True, cache=True)
def linear_weights(values, start, width, points, weights):  # pragma: no cover - compiled
    """ISJ's linear binning (``statistics.isj``) onto ``points`` nodes of [start, start + width], in
    128-bit fixed point (``weights`` (points, 2), units 2**-60): the same position and split per age
    as the float loop, each weight rounded once."""
    for i in range(values.size):
        v = values[i]
        if np.isnan(v):
            continue
        position = (v - start) / width * (points - 1)
        left = min(int(np.floor(position)), points - 2)
        frac = position - left
        add_scaled(weights, left, (1.0 - frac) * _SQUARE_SCALE)
        add_scaled(weights, left + 1, frac * _SQUARE_SCALE)


@numba.njit(nogil=True, cache=True)
def count_pair_cells(first, second, decimal, lo, scale, base, counts):  # pragma: no cover - compiled
    """Counts of per-row differences d = first - second on a cell grid; rows with a NaN skipped.

    ``decimal``: the cell is ``rint(a * scale) - rint(b * scale) - base``, the
    exact difference of the two decimals; otherwise ``floor((d - lo) * scale)``
    with ``scale`` = 1 / width, the top edge folded into the last cell.
    """
    last = counts.size - 1
    skipped = 0
    for i in range(first.size):
        a, b = first[i], second[i]
        if np.isnan(a) or np.isnan(b):
            continue
        if decimal:
            cell = np.int64(np.rint(a * scale)) - np.int64(np.rint(b * scale)) - base
        else:
            position = ((a - b) - lo) * scale
            cell = min(np.int64(position), last) if position >= 0.0 else np.int64(-1)
        if cell < 0 or cell > last:
            skipped += 1
            continue
        counts[cell] += 1
    return skipped
