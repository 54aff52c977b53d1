"""The grids of the second pass, fixed from the merged first pass alone (no ages in memory).

Per column, all functions of the exact first-pass reduction (so of the
catalog, not of its partitioning):

* the KDE nodes (``NodeGrid``): ``binned.plan`` over [min, max] for the
  smallest configured bandwidth (the in-memory binned engine's nodes when
  that is the smallest bandwidth fitted). A rule's bandwidth below it (CV,
  Silverman or ISJ on very peaked data) is refused by the engine with the
  option that fixes it (``covers``);
* the leave-one-out CV nodes (``binned.loo_nodes``), Scott/800 apart from the
  minimum, Scott's bandwidth computed as the pipeline computes it
  (``summary.exact_mean``, ``summary.exact_spread``, ``statistics.scott_rule``);
* ISJ's 1024-point linear binning domain, half the range beyond each extreme.

And one cell grid shared by all columns (``CellGrid``), for quantiles, ties,
the ECDF, histograms, comparisons, draws and held-out scores: one cell per
possible value when every age has at most ``MAX_DIGITS`` decimal places and
the cells number at most ``MAX_EXACT_CELLS`` ("decimal": each cell is one
double, so what is read off it is exact), otherwise ``FINE_CELLS`` equal cells
over the pooled range ("uniform": each age known to half a cell).
"""

from dataclasses import dataclass

import numpy as np

from ..binned import ORDER, loo_nodes, plan
from ..errors import DataError
from ..seeds import HELD_OUT_FOLDS
from ..statistics import scott_rule
from .identity import seed_word
from .ranges import MAX_DIGITS, RangeReduction
from .summary import exact_mean, exact_spread

__all__ = ["FINE_CELLS", "ISJ_POINTS", "MAX_EXACT_CELLS", "CellGrid", "ColumnPlan", "NodeGrid", "Plan", "plan_reductions"]

#: Uniform cells over the pooled range when the ages are not on a decimal grid: 2 MiB of int64
#: per fold and column, a quantile known to half a cell (3e-5 Gyr over 15 Gyr).
FINE_CELLS = 2**18
#: Most cells of a decimal grid (one per possible value): 8 MiB of int64 per fold and column.
MAX_EXACT_CELLS = 2**20
#: Points of ISJ's linear binning (``statistics.isj``'s default).
ISJ_POINTS = 2**10
#: Purpose of the seed word selecting the stored per-star pairs (figures), as ``seeds``' purposes.
PAIR_SAMPLE = "paired-sample"
#: Purpose of the seed word selecting each column's normality subsample (``binning``).
NORMALITY_SAMPLE = "normality-sample"


@dataclass(frozen=True)
class NodeGrid:
    """Nodes ``lo_gyr + j * step_gyr``, j < n_bins, ``step_gyr = (hi - lo) / (n_bins - 1)`` as ``bin_ages``."""

    lo_gyr: float
    step_gyr: float
    n_bins: int


@dataclass(frozen=True)
class CellGrid:
    """Cells for counts: ``kind`` "decimal" (cell j holds the value ``(base + j) / 10**digits``)
    or "uniform" (cell j is [lo + j w, lo + (j+1) w), the last one closed)."""

    kind: str
    lo_gyr: float
    width_gyr: float
    n_cells: int
    digits: int
    base: int

    @property
    def exact(self) -> bool:
        return self.kind == "decimal"

    @property
    def bound_gyr(self) -> float:
        """How far an age may lie from its cell's value: 0 on a decimal grid, half a cell otherwise."""
        return 0.0 if self.exact else self.width_gyr / 2

    def values(self) -> np.ndarray:
        """Each cell's value (decimal: exact, the double a reader gives) or centre (uniform), Gyr."""
        j = np.arange(self.n_cells, dtype=np.float64)
        if self.exact:
            return (self.base + j) / 10.0**self.digits
        return self.lo_gyr + (j + 0.5) * self.width_gyr

    def edges(self) -> np.ndarray:
        """The n_cells + 1 cell edges (Gyr); decimal cells are centred on their values."""
        j = np.arange(self.n_cells + 1, dtype=np.float64)
        if self.exact:
            return (self.base + j - 0.5) / 10.0**self.digits
        return self.lo_gyr + j * self.width_gyr


@dataclass(frozen=True)
class ColumnPlan:
    """One age column's grids: KDE nodes, CV nodes (binning grid and the FFT's step), ISJ's domain;
    its Scott bandwidth (Gyr) and its fold seed word."""

    name: str
    kde: NodeGrid
    cv: NodeGrid
    cv_step_gyr: float
    isj_start_gyr: float
    isj_width_gyr: float
    scott_gyr: float
    h_floor_gyr: float
    fold_word: int


@dataclass(frozen=True)
class Plan:
    """Everything the second pass needs, fixed before it starts."""

    columns: tuple[ColumnPlan, ...]
    cells: CellGrid
    pair_cells: tuple[CellGrid | None, ...]
    folds: int
    sample_word: int
    sample_threshold: int
    normality_word: int
    order: int = ORDER


def _node_grid(low: float, high: float, bandwidth: float, name: str) -> NodeGrid:
    lo, hi, n_bins = plan(np.array([low, high]), bandwidth)
    if n_bins > 2**22:
        raise DataError(
            f"column '{name}': bins of {bandwidth / 3:.3g} Gyr over {high - low:g} Gyr need {n_bins} bins, more "
            "than 2**22; expected ages in Gyr: are far outliers, or values in years, in the data?"
        )
    return NodeGrid(lo_gyr=float(lo), step_gyr=float((hi - lo) / (n_bins - 1)), n_bins=int(n_bins))


def _decimal_places(reduced: RangeReduction) -> int:
    """The most decimal places any age has (MAX_DIGITS + 1: more than the detector tries)."""
    return max(int(np.flatnonzero(c.digits)[-1]) for c in reduced.columns if c.n)


def _cells(low: float, high: float, digits: int, margin: int, cells: int, max_exact: int) -> CellGrid:
    if digits <= MAX_DIGITS:
        scale = 10.0**digits
        base = int(np.rint(low * scale)) - margin
        n_cells = int(np.rint(high * scale)) + margin - base + 1
        if n_cells <= max_exact:
            return CellGrid("decimal", base / scale, 1 / scale, n_cells, digits, base)
    width = (high - low) / cells if high > low else 1.0
    return CellGrid("uniform", float(low), float(width), cells, -1, 0)


def plan_reductions(
    reduced: RangeReduction, *, names, bandwidths_gyr, folds: int, seed: int, sample_size: int,
    fine_cells: int = FINE_CELLS, max_exact_cells: int = MAX_EXACT_CELLS,
) -> Plan:  # fmt: skip
    """The second pass's grids from the merged first pass.

    Parameters
    ----------
    reduced : RangeReduction
        The merged first pass over the whole catalog.
    names : sequence of str
        The data sets' names (fold seed words are keyed by them, as ``seeds.rng_for``).
    bandwidths_gyr : sequence of float
        The configured bandwidths (Gyr); the KDE step is at most a third of the smallest.
    folds : int
        Folds of the held-out scores.
    seed : int
        The report's root seed.
    sample_size : int
        Per-star pairs stored for the figures (``results.MAX_STORED_VALUES``).

    Raises
    ------
    DataError
        If a column has fewer than 2 ages or all its ages are equal, or a grid would be too large.
    """
    columns = []
    for name, col in zip(names, reduced.columns):
        if col.n < 2 or not col.max_gyr > col.min_gyr:
            raise DataError(
                f"column '{name}': {col.n} ages, {'all equal' if col.n else 'none'}; expected at least 2 distinct "
                "ages, the fewest the report is built from"
            )
        mean = exact_mean(col.n, col.sum_acc)
        scott = scott_rule(exact_spread(col.n, col.sum_acc, col.square_acc, mean, ddof=1), col.n)
        h_floor = min(float(h) for h in bandwidths_gyr)
        n_cv, cv_lo, cv_step = loo_nodes(col.min_gyr, col.max_gyr, scott)
        cv_hi = cv_lo + (n_cv - 1) * cv_step
        cv = NodeGrid(lo_gyr=cv_lo, step_gyr=(cv_hi - cv_lo) / (n_cv - 1), n_bins=n_cv)
        span = col.max_gyr - col.min_gyr
        columns.append(
            ColumnPlan(
                name, _node_grid(col.min_gyr, col.max_gyr, h_floor, name), cv, cv_step, col.min_gyr - span / 2,
                2 * span, scott, h_floor, int(seed_word(seed, name, HELD_OUT_FOLDS)),
            )  # fmt: skip
        )
    present = [c for c in reduced.columns if c.n]
    low, high = min(c.min_gyr for c in present), max(c.max_gyr for c in present)
    digits = _decimal_places(reduced)
    cells = _cells(low, high, digits, 0, fine_cells, max_exact_cells)
    pair_cells = tuple(
        # Integer differences of decimals lie within 2 cells of (a - b) * 10**digits.
        _cells(p.min_gyr, p.max_gyr, digits if cells.exact else MAX_DIGITS + 1, 2, fine_cells, max_exact_cells)
        if p.n else None
        for p in reduced.pairs
    )
    pairs = max((p.n for p in reduced.pairs), default=0)
    # Rows whose hash falls below this are kept as the stored per-star pairs: about twice as many
    # as stored, so that the smallest hashes among them fill the figures' sample.
    fraction = min(1.0, 2.0 * sample_size / pairs) if pairs else 0.0
    threshold = 2**64 - 1 if fraction >= 1.0 else int(fraction * 2.0**64)
    return Plan(
        columns=tuple(columns), cells=cells, pair_cells=pair_cells, folds=int(folds),
        sample_word=int(seed_word(seed, "|".join(names), PAIR_SAMPLE)), sample_threshold=threshold,
        normality_word=int(seed_word(seed, "|".join(names), NORMALITY_SAMPLE)),
    )  # fmt: skip


def covers(plan: ColumnPlan, bandwidth_gyr: float) -> bool:
    """Whether the column's KDE nodes are fine enough (step <= h/3) for this bandwidth."""
    return bandwidth_gyr >= 3 * plan.kde.step_gyr * (1 - 1e-9)
