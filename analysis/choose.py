"""The one place an engine is chosen: exact sums up to ``engine.EXACT_MAX_N`` ages, one binning above.

As scikit-learn's ``algorithm="auto"``: the analysis asks for an engine of a
sample and gets the one its size calls for (``engine.engine_path``).
"""

from .binned import BinnedEngine
from .engine import EXACT_MAX_N, Engine, engine_path
from .exact import ExactEngine
from .statistics import Sample

__all__ = ["engine_for", "make_engine"]


def make_engine(path: str, sample: Sample) -> Engine:
    """The engine named ``path`` (``"exact"`` or ``"binned"``) over ``sample``."""
    if path == "exact":
        return ExactEngine(sample)
    if path == "binned":
        return BinnedEngine(sample)
    raise ValueError(f"engine path: expected 'exact' or 'binned', got {path!r}")


def engine_for(sample: Sample, *, exact_max_n: int = EXACT_MAX_N) -> Engine:
    """The engine for a sample of n ages: exact for n <= ``exact_max_n`` (default ``EXACT_MAX_N``), else binned."""
    return make_engine(engine_path(sample.n, exact_max_n=exact_max_n), sample)
