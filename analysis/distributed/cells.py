"""``CellSample``: a partitioned catalog's ages as the statistics read a ``Sample``, from merged reductions.

``statistics`` computes every descriptive statistic once, from a sample's
fields and methods (``statistics.sample``); here they are answered from one
column's merged counts on the shared cell grid and its exact sums, never
from the ages. On a decimal grid (every age a decimal of at most 9 places,
one cell per possible value) every cell is one double, so order statistics,
counts in bins, distinct values, ties, the ECDF and the KS distance to a
normal are exactly those of the ages; on a uniform grid each age is its
cell's centre, within half a cell (``CellGrid.bound_gyr``). The mean and
spreads come from the exact sums (``summary``); ISJ's linear binning from its
own fixed-point weights, binned in the second pass.
"""

from dataclasses import dataclass
from functools import cached_property

import numpy as np
from scipy.special import ndtr

from ..statistics import quantile

from .plan import ISJ_POINTS
from .ranges import MAX_DIGITS
from .reductions import ColumnReduction
from .summary import exact_mean, exact_spread, normal_log_likelihood

__all__ = ["CellSample", "auto_edges"]


def auto_edges(n: int, low: float, high: float, q25: float, q75: float) -> np.ndarray:
    """``np.histogram_bin_edges(ages, bins="auto")`` from n, the extremes and numpy's linear quartiles (Gyr).

    numpy's rule (2.x): the smaller of Sturges' width and the Freedman-Diaconis
    width, the latter at least half of the square-root rule's; then that many
    equal bins over [min, max] (``tests/distributed`` holds it to numpy's).
    """
    ptp = np.subtract(high, low)
    fd = 2.0 * (q75 - q25) * n ** (-1.0 / 3.0)
    sturges = ptp / (np.log2(n) + 1.0)
    width = min(max(fd, ptp / np.sqrt(n) / 2), sturges)
    bins = int(np.ceil(ptp / width)) if width else 1
    return np.linspace(low, high, bins + 1, endpoint=True)


@dataclass(frozen=True, eq=False)
class CellSample:
    """One reduced column, answering as a ``statistics.Sample`` (fields and methods of the same names)."""

    reduced: ColumnReduction

    @property
    def n(self) -> int:
        return self.reduced.n

    @property
    def minimum(self) -> float:
        return self.reduced.ranges.min_gyr

    @property
    def maximum(self) -> float:
        return self.reduced.ranges.max_gyr

    @cached_property
    def cells(self) -> np.ndarray:
        return self.reduced.cells()

    @cached_property
    def _cumulative(self) -> np.ndarray:
        return np.cumsum(self.cells)

    @cached_property
    def _values(self) -> np.ndarray:
        return self.reduced.grid.values()

    @property
    def exact(self) -> bool:
        """Whether every age is its cell's value (a decimal grid)."""
        return self.reduced.grid.exact

    @property
    def decimals(self) -> int | None:
        """The most decimal places an age has (``None``: more than 9), counted exactly in the first pass."""
        top = int(np.flatnonzero(self.reduced.ranges.digits)[-1])
        return None if top > MAX_DIGITS else top

    @cached_property
    def tie_bounds(self) -> tuple[tuple[int, int], tuple[int, int]]:
        """``((distinct low, high), (largest tie low, high))``: exact on a decimal grid, else bounds."""
        occupied, fullest = int(np.count_nonzero(self.cells)), int(self.cells.max())
        if self.exact or fullest <= 1:
            return (occupied, occupied), (fullest, fullest)
        return (occupied, self.n), (1, fullest)

    @property
    def n_distinct(self) -> int:
        """Distinct ages: exact on a decimal grid; otherwise all ages with more than 9 decimals are taken
        to differ (the upper bound), those with fewer to share their cell's value (the lower bound)."""
        (low, high), _ = self.tie_bounds
        return high if self.decimals is None else low

    @property
    def largest_tie(self) -> int:
        """The most ages sharing one value, bounded as ``n_distinct``."""
        _, (low, high) = self.tie_bounds
        return low if self.decimals is None else high

    @cached_property
    def auto_edges(self) -> np.ndarray:
        return auto_edges(self.n, self.minimum, self.maximum, quantile(self, 0.25), quantile(self, 0.75))

    @cached_property
    def lecture_edges(self) -> np.ndarray:
        return np.histogram_bin_edges(np.array([self.minimum, self.maximum]))

    def order_statistics(self, ranks) -> np.ndarray:
        """The ages of 0-based ``ranks`` in sorted order: each rank's cell value (Gyr)."""
        return self._values[np.searchsorted(self._cumulative, np.asarray(ranks), side="right")]

    def count_above(self, age: float) -> int:
        return int(self.cells[self._values > age].sum())

    def bin_counts(self, edges: np.ndarray) -> np.ndarray:
        """``np.histogram`` counts of the cell values, weighted by their counts: half-open bins, the last closed."""
        edges = np.asarray(edges, dtype=float)
        occupied = np.flatnonzero(self.cells)
        values = self._values[occupied]
        index = np.searchsorted(edges, values, side="right") - 1
        index[values == edges[-1]] = edges.size - 2
        inside = (index >= 0) & (index < edges.size - 1)
        return np.bincount(index[inside], weights=self.cells[occupied][inside], minlength=edges.size - 1).astype(np.int64)

    def distinct(self) -> tuple[np.ndarray, np.ndarray]:
        occupied = np.flatnonzero(self.cells)
        return self._values[occupied], self._cumulative[occupied]

    def mean(self) -> float:
        return exact_mean(self.n, self.reduced.ranges.sum_acc)

    def spread(self, centre: float, *, ddof: int = 0) -> float:
        ranges = self.reduced.ranges
        return exact_spread(self.n, ranges.sum_acc, ranges.square_acc, centre, ddof=ddof)

    def normal_log_likelihood(self, mu: float, sigma: float) -> float:
        ranges = self.reduced.ranges
        return normal_log_likelihood(self.n, ranges.sum_acc, ranges.square_acc, mu, sigma)

    def normal_ks(self, mu: float, sigma: float) -> float:
        """``kstest``'s D over the distinct values: a run of equal ages is extreme at its ends."""
        occupied = np.flatnonzero(self.cells)
        cdf = ndtr((self._values[occupied] - mu) / sigma)
        after = self._cumulative[occupied].astype(float)
        before = after - self.cells[occupied]
        return float(max(np.max(after / self.n - cdf), np.max(cdf - before / self.n)))

    def normality_subsample(self) -> np.ndarray:
        """The ages (Gyr) of at most ``statistics.SHAPIRO_MAX_N`` rows, those with the smallest seeded hashes of
        their identity (``binning``): what Lilliefors and Shapiro-Wilk test (``statistics.normality_tests``)."""
        return self.reduced.bins.normality_ages

    def linear_bins(self, start: float, width: float, points: int) -> np.ndarray:
        """ISJ's weights, binned in the second pass over the domain the plan fixed (the only one asked for)."""
        plan = self.reduced.plan
        if (start, width, points) != (plan.isj_start_gyr, plan.isj_width_gyr, ISJ_POINTS):
            raise ValueError(
                f"linear_bins: a partitioned catalog is binned for ISJ over [{plan.isj_start_gyr}, +{plan.isj_width_gyr}] "
                f"Gyr at {ISJ_POINTS} points, got [{start}, +{width}] at {points}"
            )
        return self.reduced.isj_weights()
