"""Partitioned catalogs on Dask (or in this process): every statistic from partition-wise integer reductions.

Face of the family. ``reduce_datasets`` runs two passes over a partitioned
catalog's pieces (``driver``: on a Dask cluster, merged in a fixed tree, or
in this process) and fills each ``partitioned.PartitionedDataset`` with its
merged reduction: exact first-pass sums and extremes (``ranges``), grids
fixed from them (``plan``), and per-fold Taylor moments, CV counts, cell
counts, ISJ weights and fold sums (``binning``), every sum a 128-bit
fixed-point integer (``fixedpoint``, ``kernels``), so the bits do not
depend on the number of workers or partitions. Folds follow each row's
identity (``identity``). The analysis then reads a column through
``CellSample`` (``cells``: what ``statistics`` asks of a ``Sample``) and
``DistributedEngine`` (``engine``: the binned engine's sums from the merged
moments), and compares two columns with ``compare_partitioned``
(``compare``, ``paired``). It imports the core, ``inputs`` (to read a
piece), ``statistics``, ``binned`` and ``exact``; numba and Dask are imported
only when a catalog is reduced.
"""

from dataclasses import replace

from ..config import AnalysisConfig
from ..partitioned import PartitionedDataset
from ..results import PartitionedInfo
from .cells import CellSample
from .compare import compare_partitioned
from .driver import LOCAL_MEMORY_LIMIT, LOCAL_WORKERS, dask_client, reduce_arrays, reduce_source
from .engine import DistributedEngine
from .reductions import CatalogReductions, digest, to_bytes
from .summary import VARIANCE_BOUND_GYR2

__all__ = [
    "LOCAL_MEMORY_LIMIT", "LOCAL_WORKERS", "CatalogReductions", "CellSample", "DistributedEngine",
    "compare_partitioned", "dask_client", "digest", "partitioned_info", "reduce_arrays", "reduce_datasets",
    "reduce_source", "to_bytes",
]  # fmt: skip


def reduce_datasets(datasets, config: AnalysisConfig, *, dask: str | None = None, client=None) -> tuple:
    """The data sets with every partitioned catalog among them reduced (the others as they are).

    Parameters
    ----------
    datasets : sequence of Dataset or PartitionedDataset
    config : AnalysisConfig
        Seed, bandwidths and folds (the reductions are planned for them).
    dask : str, optional
        ``None``: reduce in this process, piece by piece; ``""``: on a
        LocalCluster of ``LOCAL_WORKERS`` processes with ``LOCAL_MEMORY_LIMIT``
        each; else the address of a Dask scheduler (``distributed.Client``).
    client : distributed.Client, optional
        An existing client instead (tests share one cluster).
    """
    groups: dict[int, list[PartitionedDataset]] = {}
    for d in datasets:
        if isinstance(d, PartitionedDataset):
            groups.setdefault(id(d.partitions), []).append(d)
    if not groups:
        return tuple(datasets)
    reduced = {}
    for group in groups.values():
        source = group[0].partitions
        names = [next((d.name for d in group if d.column == i), f"column-{i}") for i in range(len(source.columns))]
        if client is not None or dask is None:
            catalog = reduce_source(source, names, config, client=client)
        else:
            with dask_client(dask or None) as active:
                catalog = reduce_source(source, names, config, client=active)
        reduced.update({d.name: replace(d, reduced=catalog.column(d.column)) for d in group})
    return tuple(reduced.get(d.name, d) if isinstance(d, PartitionedDataset) else d for d in datasets)


def partitioned_info(dataset: PartitionedDataset, sample: CellSample, *, notes: tuple[str, ...] = ()) -> PartitionedInfo:
    """What the pages say about how a partitioned data set was computed: the grid, each bound, the folds, and
    ``notes`` (sentences on what it was not given and why)."""
    source, reduced = dataset.partitions, dataset.reduced
    grid = reduced.grid
    (distinct_low, distinct_high), (tie_low, tie_high) = sample.tie_bounds
    identity = f"the id column '{source.id_column}'" if source.id_column else (
        "each row's _healpix_29 and its occurrence number among equal ones" if source.kind == "hats"
        else "each row's index in the files in sorted path order"
    )  # fmt: skip
    return PartitionedInfo(
        grid=grid.kind, cell_width_gyr=grid.width_gyr,
        decimals=sample.decimals, quantile_bound_gyr=grid.bound_gyr, n_distinct_bounds=(distinct_low, distinct_high),
        largest_tie_bounds=(tie_low, tie_high), variance_bound_gyr2=VARIANCE_BOUND_GYR2, folds_from=identity,
        fold_sizes=tuple(int(c) for c in reduced.bins.fold_counts), notes=notes,
    )  # fmt: skip
