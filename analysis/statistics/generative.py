"""The KDE as a generative model: one synthetic sample and the envelope of many, from an engine's draws.

The engine draws (``engine.Draws``: the sample shown, the replicates' counts
in the data histogram's bins, how many replicate ages fall below 0 Gyr and
above the age of the Universe); the record is made here, once.
"""

import numpy as np

from ..engine import Draws
from ..results import MAX_STORED_VALUES, SyntheticSample

__all__ = ["PERCENTILES", "synthetic"]

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
