"""The interactive explorer's data: each data set's ages, or a fine histogram of a catalog, as JSON.

``report/assets/explorer.js`` reads it from the Bandwidth page; see
``explorer_json``.
"""

from collections.abc import Sequence
import json
from typing import Any

import numpy as np

from analysis.config import AGE_OF_UNIVERSE_GYR
from analysis.dataset import Dataset
from analysis.partitioned import PartitionedDataset
from analysis.results import AnalysisResult, DatasetResult

__all__ = [
    "EXPLORER_BANDWIDTHS_GYR", "EXPLORER_BIN_GYR", "EXPLORER_MAX_AGES", "EXPLORER_MAX_BINS", "EXPLORER_MAX_SAMPLE",
    "explorer_json", "fine_histogram",
]  # fmt: skip

#: The range of the explorer's bandwidth slider (Gyr): from the lecture's smallest bandwidth to wider than any
#: data-driven choice. The page states it; ``report/assets/explorer.js`` maps its slider onto it (its
#: ``H_MIN``/``H_MAX``, which ``tests/render/test_render.py`` holds to this).
EXPLORER_BANDWIDTHS_GYR = (0.01, 5.0)
#: The explorer embeds a data set's raw ages up to this many; above, a fine histogram of them
#: (the browser's KDE sums over bins, and 2000 x 8000 grid points is about the most a redraw affords).
EXPLORER_MAX_AGES = 2000
#: Widest bin of the explorer's fine histogram (Gyr): a quarter of its smallest bandwidth, 0.01 Gyr,
#: so the binned KDE is within (0.25^2 / 24) ~ 0.3 % of the exact one at every slider position.
EXPLORER_BIN_GYR = 0.0025
#: Most bins of the fine histogram (wider catalogs get wider bins), which bounds the page's size.
EXPLORER_MAX_BINS = 8000
#: Largest synthetic sample the explorer draws per redraw from a fine histogram.
EXPLORER_MAX_SAMPLE = 100_000


def fine_histogram(ages: np.ndarray, weights: np.ndarray | None = None) -> dict[str, Any]:
    """Counts of the ages on a regular grid fine enough for the explorer's smallest bandwidth.

    Parameters
    ----------
    ages : ndarray, shape (n,)
        Ages in Gyr.
    weights : ndarray of int, shape (n,), optional
        How many ages each value stands for (a partitioned catalog's distinct
        values and their counts); default one each.

    Returns
    -------
    dict
        ``lo`` (Gyr, the left edge of bin 0), ``step`` (Gyr, the bin width:
        at most ``EXPLORER_BIN_GYR`` unless that needs more than
        ``EXPLORER_MAX_BINS`` bins) and ``counts`` (ints, one per bin, summing
        to n); bin k is ``[lo + k step, lo + (k + 1) step)``, the last one closed.
    """
    lo, span = float(ages.min()), float(np.ptp(ages))
    n_bins = min(EXPLORER_MAX_BINS, max(1, int(np.ceil(span / EXPLORER_BIN_GYR))))
    step = max(span, EXPLORER_BIN_GYR) / n_bins
    # Index by division rather than np.histogram's edges so the largest age never falls off by rounding.
    index = np.minimum(((ages - lo) / step).astype(np.intp), n_bins - 1)
    counts = np.bincount(index, weights=weights, minlength=n_bins).astype(np.int64)
    return {"lo": lo, "step": step, "counts": counts.tolist()}


def _ages_of(d: Dataset) -> tuple[np.ndarray, np.ndarray | None]:
    """A data set's ages, or a partitioned catalog's occupied cell values and their counts."""
    if isinstance(d, PartitionedDataset):
        cells = d.reduced.cells()
        occupied = np.flatnonzero(cells)
        return d.reduced.grid.values()[occupied], cells[occupied]
    return d.ages_gyr, None


def _explorer_entry(r: DatasetResult, d: Dataset) -> dict[str, Any]:
    """One data set for the explorer: raw ages when few, else the fine histogram and the shown one."""
    entry: dict[str, Any] = {"name": r.name, "label": r.label, "colour": r.colour}
    ages, weights = _ages_of(d)
    if weights is None and ages.size <= EXPLORER_MAX_AGES:
        entry["ages"] = ages.tolist()
    else:
        n = int(ages.size if weights is None else weights.sum())
        entry["n"] = n
        entry["binned"] = fine_histogram(ages, weights)
        entry["counts"] = list(r.histogram.counts)
        entry["sample_size"] = min(n, EXPLORER_MAX_SAMPLE)
    entry["edges"] = list(r.histogram.edges)
    entry["cv"] = r.bandwidths.cv
    return entry


def explorer_json(result: AnalysisResult, datasets: Sequence[Dataset]) -> str:
    """The explorer's data per data set as JSON: colours, histogram edges, CV bandwidth and the ages.

    The CV bandwidth, where the slider starts, is ``null`` for a data set
    without one; the slider then starts in its middle.

    A data set of at most ``EXPLORER_MAX_AGES`` ages is embedded as its ages;
    a larger one as ``n``, its ``fine_histogram`` (``binned``), the counts of
    the histogram the report shows (``counts``, on ``edges``) and the size of
    the synthetic sample the browser draws (``sample_size``), so the page
    stays small whatever n is.

    ``<``, ``>`` and ``&`` are ``\\u`` escapes so the text can sit inside
    ``<script type="application/json">`` (no ``</script>``) and no Quarto
    shortcode (``{{<``) can form.
    """
    by_name = {d.name: d for d in datasets}
    data = {
        "age_of_universe": AGE_OF_UNIVERSE_GYR,
        "datasets": [_explorer_entry(r, by_name[r.name]) for r in result.datasets],
    }
    text = json.dumps(data, allow_nan=False, ensure_ascii=True, separators=(",", ":"))
    return text.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")
