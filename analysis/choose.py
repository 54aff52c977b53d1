"""The one place an engine is chosen: exact sums up to ``engine.EXACT_MAX_N`` ages, one binning above.

As scikit-learn's ``algorithm="auto"``: the analysis asks for an engine of a
sample and gets the one its size calls for (``engine.engine_path``), or for a
partitioned catalog the one that reads its merged reductions.
"""

from .binned import BinnedEngine
from .distributed import CellSample, DistributedEngine
from .engine import EXACT_MAX_N, Engine, engine_path
from .exact import ExactEngine
from .partitioned import PartitionedDataset
from .statistics import Sample

__all__ = ["engine_for", "make_engine", "sample_for"]


def sample_for(dataset) -> Sample | CellSample:
    """A data set's sample: its ages sorted once, or a partitioned catalog's merged reductions (``CellSample``)."""
    if isinstance(dataset, PartitionedDataset):
        if dataset.reduced is None:
            raise ValueError(f"data set {dataset.name!r}: reduce the partitioned catalog first (distributed.reduce_datasets)")
        return CellSample(dataset.reduced)
    return Sample.of(dataset.ages)


def make_engine(path: str, sample: Sample) -> Engine:
    """The engine named ``path`` (``"exact"`` or ``"binned"``) over ``sample``."""
    if path == "exact":
        return ExactEngine(sample)
    if path == "binned":
        return BinnedEngine(sample)
    raise ValueError(f"engine path: expected 'exact' or 'binned', got {path!r}")


def engine_for(sample: Sample, *, exact_max_n: int = EXACT_MAX_N) -> Engine:
    """The engine for a sample of n ages: exact for n <= ``exact_max_n`` (default ``EXACT_MAX_N``), else binned;
    a partitioned catalog's always evaluates its merged reductions (``distributed.DistributedEngine``)."""
    if isinstance(sample, CellSample):
        return DistributedEngine(sample)
    return make_engine(engine_path(sample.n, exact_max_n=exact_max_n), sample)
