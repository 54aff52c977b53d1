"""The loops of the binned engine that touch every age, compiled with numba.

Binning 1e7 ages into moments with numpy takes a dozen passes over the data
and temporaries of the data's size; here it is one pass and no temporaries,
so the binned KDE runs at the speed of the memory (about 5 ms per 1e6 ages).
Every loop releases the GIL, so callers run parts of the data in threads (``parts``).
Compiled on first use and cached beside the module (numba's ``cache=True``).
Importing numba takes about half a second, so this module is imported only
when a catalog is binned: the exact path (the 91-star default) never loads it.
"""

import numba
import numpy as np

from .stencil import INVERSE_DENOMINATORS

__all__ = ["accumulate_moments", "lagrange_interpolate", "loo_log_sums"]


@numba.njit(cache=True, nogil=True)
def accumulate_moments(ages, labels, fold, lo, inv_step, moments):  # pragma: no cover - compiled
    """Add ``u**p`` (p = 0 .. P-1) of each age to its nearest node's row of ``moments``.

    ``moments`` has shape (n_bins, P); ``u = (age - lo) * inv_step - j`` is the
    offset from node j in steps, in [-1/2, 1/2]. Only ages whose ``labels`` entry
    equals ``fold`` count, unless ``labels`` is empty. Ages that are not finite or
    fall outside the nodes are skipped and counted: the return value.
    """
    n_bins, order = moments.shape
    filtered = labels.size > 0
    skipped = 0
    for i in range(ages.size):
        if filtered and labels[i] != fold:
            continue
        position = (ages[i] - lo) * inv_step
        # The negated test also catches NaN, for which every comparison is False.
        if not (position > -0.5 and position < n_bins - 0.5):
            skipped += 1
            continue
        node = int(position + 0.5)
        u = position - node
        power = 1.0
        for p in range(order):
            moments[node, p] += power
            power *= u
    return skipped


@numba.njit(cache=True, nogil=True, inline="always")
def _lagrange_at(values, lo, step, point, left):  # pragma: no cover - compiled
    """8-point Lagrange interpolation of periodic ``values`` at ``point``; ``left`` is scratch of 8."""
    length = values.size
    position = (point - lo) / step
    node = np.floor(position)
    s = position - node
    base = (int(node) - 3) % length
    # Weight k is c_k * prod_{m != k} (s - m) over the stencil m = -3 .. 4:
    # prefix products from the left, suffix products on the way back.
    left[0] = 1.0
    for k in range(1, 8):
        left[k] = left[k - 1] * (s - (k - 4))
    right, total = 1.0, 0.0
    # Integer division is the loop's dearest step: wrap only the stencils that cross the period's end.
    if base + 8 <= length:
        for k in range(7, -1, -1):
            total += values[base + k] * left[k] * right * INVERSE_DENOMINATORS[k]
            right *= s - (k - 3)
    else:
        for k in range(7, -1, -1):
            total += values[(base + k) % length] * left[k] * right * INVERSE_DENOMINATORS[k]
            right *= s - (k - 3)
    return total


@numba.njit(cache=True, nogil=True)
def lagrange_interpolate(values, lo, step, points, out):  # pragma: no cover - compiled
    """``out[i]`` = 8-point Lagrange interpolation of periodic ``values`` at ``points[i]``.

    ``values[j]`` is the function at ``lo + j * step`` (Gyr), j taken modulo
    ``values.size``; the stencil is nodes j-3 .. j+4 around each point.
    """
    left = np.empty(8)
    for i in range(points.size):
        out[i] = _lagrange_at(values, lo, step, points[i], left)


@numba.njit(cache=True, nogil=True)
def loo_log_sums(values, lo, step, ages, n, own, bound, rtol, shift, flagged):  # pragma: no cover - compiled
    """Sum and sum of squares of ``log f_-i(x_i) - shift`` over the stars it can trust.

    ``values``/``lo``/``step`` are the KDE of all ``n`` ages on its nodes
    (``lagrange_interpolate``); star i's leave-one-out density is
    ``(n f(x_i) - own) / (n - 1)`` with ``own = K_h(0)``. A star is trusted when
    that density is positive and ``bound`` (its absolute error bound, 1/Gyr)
    is at most ``rtol`` of it; every other star gets ``flagged[i] = 1`` and
    adds nothing. No per-star array besides ``flagged``.
    """
    left = np.empty(8)
    total, squares = 0.0, 0.0
    for i in range(ages.size):
        loo = (_lagrange_at(values, lo, step, ages[i], left) * n - own) / (n - 1)
        if loo > 0.0 and bound <= rtol * loo:
            d = np.log(loo) - shift
            total += d
            squares += d * d
        else:
            flagged[i] = 1
    return total, squares
