"""Reported precision of ages, the rule for interval scores, and ties judged against the precision.

Ages printed to one decimal sit on a 0.1 Gyr grid: two stars share a value
far more often than a continuous density allows, and a point-density score
rewards kernels narrower than the grid. Knowing the quantum q lets the scores
treat an age x as the interval [x - q/2, x + q/2] and lets ties be judged
against what rounding a smooth density to q predicts.
"""

import numpy as np
from scipy import stats
from scipy.signal import fftconvolve

from ..errors import DataError
from ..results import TieReport
from .sample import CHUNK, Sample, as_sample

__all__ = [
    "HEAVY_TIE_PVALUE",
    "INTERVAL_RATIO",
    "MIN_DISTINCT_FOR_PRECISION",
    "PRECISION_CANDIDATES",
    "detect_precision",
    "tie_report",
    "use_interval_scores",
]

#: Candidate quanta (Gyr), {1, 2, 2.5, 5} x 10^k from 1e-6 Gyr (1 kyr, finer than any stellar age
#: is known) to 10 Gyr, coarsest first.
PRECISION_CANDIDATES = tuple(
    sorted({round(m * 10.0**k, 12) for k in range(-6, 2) for m in (1, 2, 2.5, 5)} - {20.0, 25.0, 50.0}, reverse=True)
)
#: An age lies on the grid when |x - q round(x/q)| <= this x max(|x|, q): ages read from decimal
#: text are within half an ulp (1.1e-16 relative) of the decimal, and simple arithmetic (Myr to Gyr)
#: adds a few ulps; a random double passes a 1e-6 Gyr grid with probability ~2.8e-3 at 14 Gyr.
_RELATIVE_TOLERANCE = 1e-10
#: Fewest distinct ages to name a precision: ages on a grid q/2 land on the grid q by chance with
#: probability 1/2 each (every candidate's next finer divisor in the set is at most half of it),
#: so 10 distinct ages leave a 2**-10 ~ 0.1 % chance of reporting a grid twice too coarse.
MIN_DISTINCT_FOR_PRECISION = 10
#: Interval scores by default when q >= this x the smallest bandwidth in play (see
#: ``use_interval_scores`` and experiments/interval_rule.txt).
INTERVAL_RATIO = 0.25
#: Ties are heavy when a smooth density rounded to q makes the largest observed multiplicity (or
#: more) this improbable: P(some cell holds >= m stars) < 1 %.
HEAVY_TIE_PVALUE = 0.01
#: Grid of the smooth density used to predict cell counts.
_TIE_GRID = 4096
#: The smooth reference density of a catalog is built from this many evenly spaced sorted ages.
_TIE_MAX_AGES = 200_000


def _on_grid(ordered: np.ndarray, q: float) -> bool:
    """Whether every age lies on the grid q; chunk by chunk, stopping at the first that does not."""
    for start in range(0, ordered.size, CHUNK):
        part = ordered[start : start + CHUNK]
        residual = np.abs(part - q * np.round(part / q))
        if not np.all(residual <= _RELATIVE_TOLERANCE * np.maximum(np.abs(part), q)):
            return False
    return True


def detect_precision(ages: "np.ndarray | Sample") -> float | None:
    """The largest quantum q of ``PRECISION_CANDIDATES`` on which every age lies, or None.

    Parameters
    ----------
    ages : ndarray, shape (n,), or Sample
        Ages in Gyr.

    Returns
    -------
    float or None
        q in Gyr; None when no candidate fits (the ages are stored finer than
        1e-6 Gyr) or when there are fewer than ``MIN_DISTINCT_FOR_PRECISION``
        distinct ages, too few to tell a grid from chance.

    Examples
    --------
    >>> detect_precision(np.array([11.6, 13.1, 0.3, 2.2, 5.5, 7.9, 1.4, 9.1, 6.6, 4.7]))
    0.1
    >>> detect_precision(np.arange(10) * 0.5 + 1.0)
    0.5
    """
    if not getattr(ages, "exact", True):
        # A partitioned catalog on a uniform cell grid: its cells' centres are not its ages, but the first
        # pass counted each age's decimal places, so the ages lie on 10**-decimals (the largest q known).
        q = None if ages.decimals is None else round(10.0**-ages.decimals, 12)
        return q if q in PRECISION_CANDIDATES and ages.n_distinct >= MIN_DISTINCT_FOR_PRECISION else None
    sample = as_sample(_checked_finite(ages))
    if sample.n_distinct < MIN_DISTINCT_FOR_PRECISION:
        return None
    # A sample's sorted ages as they are; a catalog's cells (exact on a decimal grid) by their values.
    values = sample.ordered if isinstance(sample, Sample) else sample.distinct()[0]
    return next((q for q in PRECISION_CANDIDATES if _on_grid(values, q)), None)


def use_interval_scores(precision: float | None, bandwidths_in_play: list[float] | tuple[float, ...]) -> bool:
    """Whether held-out and CV scores should be interval scores: q >= ``INTERVAL_RATIO`` x min(h).

    Parameters
    ----------
    precision : float or None
        q in Gyr from ``detect_precision``.
    bandwidths_in_play : sequence of float
        Every bandwidth (Gyr) the report fits to these ages: the fixed grid, the rules
        (Scott, Silverman, ISJ) and the point-score LOO-CV choice.

    Notes
    -----
    Rounding to q adds a uniform error of variance q^2/12, so a KDE of rounded ages at h
    behaves like one of exact ages at sqrt(h^2 + q^2/12); a point score differs from the
    interval score by up to -log(1 - q^2/(24 h^2)) ~ q^2/(24 h^2) per star (a tied training
    star's kernel averaged over the interval): 0.0026 at q = h/4, below the 0.005 the pages
    can display. The real danger is the collapse of point-score CV (ties reward h -> 0), which
    ``experiments/interval_rule.txt`` shows starting at q/h0 ~ 0.35 (n = 91), 0.25 (n = 300)
    and 0.2 (n = 1000), h0 the CV choice of the unrounded ages. Because the point-score CV
    choice is itself one of the bandwidths in play, a collapse makes the rule fire; on every
    synthetic sample where it did not fire, point and interval CV chose bandwidths within 0.3 %
    of each other. Below the ratio interval scores equal point scores to display precision,
    so nothing is lost either way.
    """
    if precision is None or not bandwidths_in_play:
        return False
    return bool(precision >= INTERVAL_RATIO * min(bandwidths_in_play))


def _smooth_density(ages: np.ndarray, h: float) -> tuple[np.ndarray, np.ndarray]:
    """A Gaussian KDE at h on a 4096-point grid (linear binning + FFT): cheap, accurate to ~1e-4 here."""
    grid = np.linspace(ages.min() - 5 * h, ages.max() + 5 * h, _TIE_GRID)
    step = grid[1] - grid[0]
    position = (ages - grid[0]) / step
    left = np.minimum(np.floor(position).astype(int), _TIE_GRID - 2)
    frac = position - left
    weights = np.bincount(left, 1 - frac, _TIE_GRID) + np.bincount(left + 1, frac, _TIE_GRID)
    offsets = np.arange(-int(np.ceil(5 * h / step)), int(np.ceil(5 * h / step)) + 1) * step
    kernel = stats.norm.pdf(offsets, 0, h)
    density = np.maximum(fftconvolve(weights, kernel, mode="same"), 0) / ages.size
    return grid, density


def _cells_with_at_least(m: int, ages: np.ndarray, n: int, q: float, h: float) -> float:
    """E, the expected number of q-cells holding >= m of n ages drawn from the smooth density (Poisson counts).

    The smooth density is the KDE at h of ``ages`` (all n ages, or a subsample of them).
    """
    grid, density = _smooth_density(ages, h)
    step = grid[1] - grid[0]
    if q <= step:
        # Many cells per grid step: the sum over cells is a Riemann integral with n q f(x) per cell.
        return float(np.sum(stats.poisson.sf(m - 1, n * q * density)) * step / q)
    cdf = np.concatenate([[0.0], np.cumsum(0.5 * (density[1:] + density[:-1]) * step)])
    edges = q * (np.arange(np.floor(grid[0] / q), np.ceil(grid[-1] / q) + 1) + 0.5)
    masses = np.diff(np.interp(edges, grid, cdf))
    return float(np.sum(stats.poisson.sf(m - 1, n * masses)))


def _checked_finite(ages: "np.ndarray | Sample") -> "np.ndarray | Sample":
    """Ages given as an array, checked to be a non-empty 1-D array of finite values (Gyr); a sample as it is."""
    if hasattr(ages, "order_statistics"):
        return ages
    ages = np.asarray(ages, dtype=float)
    if ages.ndim != 1 or ages.size == 0 or not np.all(np.isfinite(ages)):
        raise DataError(f"ages: expected a 1-D array of finite ages in Gyr, got shape {ages.shape}")
    return ages


def _largest_tie_at(sample) -> float:
    """The age (Gyr) of the first value held by ``sample.largest_tie`` stars, chunk by chunk."""
    if not isinstance(sample, Sample):  # a partitioned catalog: its most populous cell
        values, cumulative = sample.distinct()
        return float(values[np.argmax(np.diff(cumulative, prepend=0))])
    ordered, span = sample.ordered, sample.largest_tie - 1
    last = ordered.size - span  # runs of that length start below this index
    for start in range(0, last, CHUNK):
        stop = min(start + CHUNK, last)
        # A run of that length starts at i exactly when the age ``span`` places later is the same value.
        hits = np.flatnonzero(ordered[start + span : stop + span] == ordered[start:stop])
        if hits.size:
            return float(ordered[start + hits[0]])
    raise ValueError(f"Sample: no run of {sample.largest_tie} equal ages, although largest_tie says so")


def tie_report(
    ages: "np.ndarray | Sample", precision: float | None, *, smooth_bandwidth: float | None = None
) -> TieReport:
    """Judge the largest tie against a smooth density rounded to the precision.

    Parameters
    ----------
    ages : ndarray, shape (n,), or Sample
        Ages in Gyr, not all equal.
    precision : float or None
        q in Gyr (``detect_precision``), or None for ages stored as continuous values.
    smooth_bandwidth : float, optional
        Silverman's bandwidth of the ages (Gyr; computed when not given); the reference density uses max(it, q).

    Returns
    -------
    TieReport

    Notes
    -----
    The reference is a Gaussian KDE of the ages at max(Silverman, q): smooth enough not to
    reproduce the pile-ups it is asked about, never narrower than the grid. Each q-cell's
    count is approximately Poisson(n p_k), p_k the density's mass on the cell; E(m) =
    sum_k P(N_k >= m), and P(max >= m) ~ 1 - exp(-E(m)) (Poisson clumping). A catalog of
    4e5 ages stored to 1e-6 Gyr has thousands of ties and a largest of about 4, as
    predicted (not heavy); Bensby's 9 stars at 11.6 Gyr on a 0.1 Gyr grid, where about 3 are
    expected, are heavy. Without a precision the ages are continuous and any tie is heavy
    (a duplicated row, say). Above ``_TIE_MAX_AGES`` ages the smooth density is that of
    an evenly spaced subsample of the sorted ages (it only needs to be smooth).
    """
    sample = as_sample(_checked_finite(ages))
    n, distinct, largest = sample.n, sample.n_distinct, sample.largest_tie
    at = _largest_tie_at(sample)
    ranks = np.arange(n) if n <= _TIE_MAX_AGES else np.linspace(0, n - 1, _TIE_MAX_AGES).round().astype(int)
    reference = sample.order_statistics(ranks)
    ordered = sample.ordered if isinstance(sample, Sample) else reference
    if smooth_bandwidth is None:
        iqr = float(np.subtract(*np.percentile(ordered, [75, 25]))) / 1.349
        s = float(np.std(ordered, ddof=1))
        smooth_bandwidth = 0.9 * (min(s, iqr) if iqr > 0 else s) * n ** (-1 / 5)
    h = max(smooth_bandwidth, precision or 0.0)
    if precision is None:
        pvalue, predicted = (0.0 if largest >= 2 else 1.0), 1
    else:
        pvalue = float(-np.expm1(-_cells_with_at_least(largest, reference, n, precision, h))) if largest >= 2 else 1.0
        predicted = 1
        while _cells_with_at_least(predicted + 1, reference, n, precision, h) >= np.log(2):
            predicted += 1
    heavy = largest >= 2 and pvalue < HEAVY_TIE_PVALUE
    return TieReport(
        n=n, n_distinct=distinct, largest_tie=largest, heavy=heavy,
        message=_tie_message(n, distinct, largest, at, precision, predicted, pvalue, heavy),
        precision=precision, largest_tie_age=at, predicted_largest=predicted, pvalue=pvalue,
    )  # fmt: skip


def _tie_message(n, distinct, largest, at, precision, predicted, pvalue, heavy) -> str:
    """The reader's sentence on the ties."""
    if largest < 2:
        return f"All {n} ages are distinct."
    shared = f"{distinct} of {n} ages are distinct; up to {largest} stars share one age ({at:g} Gyr)"
    if precision is None:
        return (
            f"{shared}, although the ages are stored as continuous values (no common precision): repeated "
            "values there are more likely duplicated rows or placeholders than measurements."
        )
    chance = "below 0.001" if pvalue < 0.001 else f"{pvalue:.2g}"
    if heavy:
        return (
            f"{shared}. Rounding a smooth density to the ages' precision of {precision:g} Gyr predicts a largest "
            f"tie of about {predicted} (probability of {largest} or more: {chance}), so these pile-ups are more "
            "than rounding explains."
        )
    return (
        f"{shared}. Rounding a smooth density to the ages' precision of {precision:g} Gyr predicts a largest tie "
        f"of about {predicted}, so the ties are as many as rounding explains."
    )
