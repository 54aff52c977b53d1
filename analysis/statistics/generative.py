"""The KDE as a generative model: one synthetic sample and the envelope of many, from an engine's draws.

The engine draws (``engine.Draws``: the sample shown, the replicates' counts
in the data histogram's bins, how many replicate ages fall below 0 Gyr and
above the age of the Universe); the record is made here, once.
"""

import numpy as np

from ..config import AGE_OF_UNIVERSE_GYR
from ..engine import Draws
from ..results import MAX_STORED_VALUES, SyntheticSample

__all__ = ["PERCENTILES", "model_draws", "synthetic"]

#: Envelope percentiles of the replicate histogram counts.
PERCENTILES = (5.0, 50.0, 95.0)


def synthetic(kind: str, bandwidth: float, draws: Draws, *, replicates: int, n: int) -> SyntheticSample:
    """The synthetic sample of one model and the 5th, 50th and 95th percentile of its replicates' counts.

    ``kind`` is ``"grid"`` or the bandwidth rule's name; ``bandwidth`` in Gyr;
    ``n`` the size of each synthetic sample (the data set's). The envelope is
    numpy's linear percentile over the ``replicates`` counts of each bin; the
    fractions are over all replicate ages.
    """
    low, median, high = np.percentile(draws.counts, PERCENTILES, axis=0)
    return SyntheticSample(
        kind=kind,
        bandwidth=float(bandwidth),
        ages=tuple(float(a) for a in draws.shown[:MAX_STORED_VALUES]),
        replicates=int(replicates),
        envelope_low=tuple(float(c) for c in low),
        envelope_median=tuple(float(c) for c in median),
        envelope_high=tuple(float(c) for c in high),
        fraction_below_zero=draws.below / draws.total,
        fraction_above_universe=draws.above / draws.total,
        n_total=int(n),
    )


def model_draws(model, n: int, edges: np.ndarray, replicates: int, *, rng: np.random.Generator) -> Draws:
    """The draws of a fitted model (``models.KdeModel``: reflected, log-age, error-convolved) with no engine.

    A sample of n ages (``model.sample``), then ``replicates`` samples of n
    binned on ``edges`` (Gyr; ``np.histogram``'s half-open bins, the last
    closed), counting the ages below 0 Gyr and above the age of the Universe.
    """
    edges = np.asarray(edges, dtype=float)
    shown = model.sample(n, rng=rng)
    counts = np.empty((replicates, edges.size - 1), dtype=np.int64)
    below = above = 0
    for row in range(replicates):
        ages = model.sample(n, rng=rng)
        counts[row] = np.histogram(ages, bins=edges)[0]
        below += int(np.count_nonzero(ages < 0.0))
        above += int(np.count_nonzero(ages > AGE_OF_UNIVERSE_GYR))
    return Draws(shown=shown, counts=counts, below=below, above=above, total=replicates * n)
