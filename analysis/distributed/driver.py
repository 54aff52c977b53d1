"""Run the two passes over a partitioned catalog, on a Dask cluster or in this process, merged in a fixed order.

``reduce_source`` reads the source's pieces (``inputs.read_piece``), one task
per piece and pass, and merges the results in a tree of fan-in ``FAN_IN``
over the pieces in sorted key order, on the workers. The tree is submitted
depth first, so the scheduler (which runs tasks in submission order when it
can) merges a group before it reads far ahead: a worker holds the piece it is
reducing plus a few reductions of fixed size, whatever the catalog's size,
and the client receives only the root. Only the leaves' keys are kept, never
their futures, so no finished reduction is pinned in a worker's memory.
Without a client the same functions run here, piece by piece (memory: one
piece plus two reductions). Every reduction is integer, so the merge order
could not change a bit anyway.

Failures: a bad value raises ``DataError`` naming the stage, the piece's file
(or HATS pixel file), the row and the column; any other failure in a task,
or a worker dying more often than Dask's ``allowed-failures`` while running
one, raises ``EngineError`` naming the stage and the partition, in one line.
The rest of the pass is cancelled.
"""

from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import replace
from functools import partial
import logging

import numpy as np

from ..config import AnalysisConfig
from ..errors import DataError, EngineError
from ..inputs import read_piece
from ..partitioned import PartitionedSource, Piece
from ..results import MAX_STORED_VALUES
from .binning import merge_bins, reduce_bins
from .identity import healpix_keys, index_keys
from .plan import plan_reductions
from .ranges import merge_ranges, reduce_ranges
from .reductions import CatalogReductions

__all__ = ["FAN_IN", "LOCAL_MEMORY_LIMIT", "LOCAL_WORKERS", "dask_client", "reduce_arrays", "reduce_source"]

logger = logging.getLogger(__name__)

#: Reductions merged per merge task.
FAN_IN = 4
#: ``--dask`` without an address: a LocalCluster of this many single-threaded worker processes ...
LOCAL_WORKERS = 2
#: ... each with this memory limit (Dask pauses a worker at 80 % and restarts it at 95 %).
LOCAL_MEMORY_LIMIT = "2GiB"
#: Rows kept for the per-star figures before the last cut to ``MAX_STORED_VALUES``.
_KEEP = 2 * MAX_STORED_VALUES


def _plan(ranges, names, config: AnalysisConfig):
    return plan_reductions(
        ranges, names=names, bandwidths_gyr=config.bandwidths, folds=config.cv_folds, seed=config.seed,
        sample_size=MAX_STORED_VALUES,
    )  # fmt: skip


def reduce_arrays(columns: list[np.ndarray], names, config: AnalysisConfig, *, ids=None) -> CatalogReductions:
    """The reductions of whole in-memory age columns (Gyr, NaN = missing), with the functions the cluster runs.

    The reference a partitioned run must equal byte for byte; ``ids`` are the
    row identities (default the row index, as Parquet files without an id column).
    """
    names = tuple(names)
    n = len(columns[0])
    keys = index_keys(0, n) if ids is None else np.asarray(ids).astype(np.int64).view(np.uint64)
    ranges = reduce_ranges(dict(zip(names, columns)), paired=len(columns) > 1, where="in memory")
    plan = _plan(ranges, names, config)
    return CatalogReductions(names, ranges, plan, reduce_bins(columns, keys, plan, where="in memory"), 1)


def _load(piece: Piece, source: PartitionedSource):
    ages, ids, healpix = read_piece(piece, source)
    if ids is not None:
        keys = ids
    elif healpix is not None:
        keys = healpix_keys(healpix)
    else:
        keys = index_keys(piece.offset, ages[0].size)
    return ages, keys


def _range_task(piece: Piece, source: PartitionedSource):
    ages, _ = _load(piece, source)
    return reduce_ranges(dict(zip(source.columns, ages)), paired=len(ages) > 1, where=piece.label)


def _bins_task(piece: Piece, source: PartitionedSource, plan):
    ages, keys = _load(piece, source)
    return reduce_bins(ages, keys, plan, where=piece.label)


def _guarded(stage: str, task: Callable, piece: Piece, *args):
    """Run a task; a failure becomes one line naming the stage and the partition (a ``DataError`` its row)."""
    try:
        return task(piece, *args)
    except DataError as error:
        raise DataError(f"stage '{stage}': {error}") from None
    except Exception as error:  # anything else: say where, keep the type
        text = " ".join(str(error).split())[:300]
        raise EngineError(f"stage '{stage}': partition {piece.label}: {type(error).__name__}: {text}") from None


def _merge(merge, *parts):
    total = parts[0]
    for part in parts[1:]:
        total = merge(total, part)
    return total


def _submit_tree(client, leaves, merge, fan_in: int):
    """Submit ``leaves`` (callables that submit one leaf) depth first; return the root future."""
    if len(leaves) <= fan_in:
        futures = [leaf() for leaf in leaves]
        return futures[0] if len(futures) == 1 else client.submit(_merge, merge, *futures, pure=False)
    size = -(-len(leaves) // fan_in)
    groups = [_submit_tree(client, leaves[i : i + size], merge, fan_in) for i in range(0, len(leaves), size)]
    return client.submit(_merge, merge, *groups, pure=False)


def _run_stage(client, stage: str, source: PartitionedSource, task, merge, args, *, fan_in: int):
    """One pass: a task per piece, merged in a tree; errors become one line naming the partition."""
    if client is None:
        total = None
        for i, piece in enumerate(source.pieces):
            part = _guarded(stage, task, piece, *args)
            total = part if total is None else merge(total, part)
            if (i + 1) % max(len(source.pieces) // 10, 1) == 0:
                logger.info("stage '%s': %d/%d partitions reduced", stage, i + 1, len(source.pieces))
        return total
    from distributed import KilledWorker, as_completed

    labels, pending = {}, []

    def leaf(i: int):
        def submit():
            piece = source.pieces[i]
            future = client.submit(_guarded, stage, task, piece, *args, key=f"{stage}-{i}", pure=False)
            labels[future.key] = piece.label
            pending.append(future)
            return future

        return submit

    root = _submit_tree(client, [leaf(i) for i in range(len(source.pieces))], merge, fan_in)
    done, total, step = 0, len(pending), max(len(pending) // 10, 1)
    finished = as_completed(pending)
    pending.clear()  # as_completed drops each leaf once done, so no finished result stays pinned
    try:
        for _ in finished:
            done += 1
            if done % step == 0 or done == total:
                logger.info("stage '%s': %d/%d partitions reduced", stage, done, total)
        return root.result()
    except BaseException as error:
        # Stop the rest of the pass at once; the build reports one line, not a cascade.
        client.cancel([root])
        if isinstance(error, KilledWorker):
            where = labels.get(getattr(error, "task", None), "a merge of partitions")
            raise EngineError(f"stage '{stage}': partition {where}: its workers kept dying (KilledWorker)") from None
        if isinstance(error, (DataError, EngineError)):
            raise type(error)(str(error)) from None
        raise


def reduce_source(
    source: PartitionedSource, names, config: AnalysisConfig, *, client=None, fan_in: int = FAN_IN
) -> CatalogReductions:
    """The merged reductions of a partitioned catalog, on a Dask ``client`` or, without one, in this process.

    Parameters
    ----------
    source : PartitionedSource
        The catalog's pieces (``inputs.open_partitioned``).
    names : sequence of str
        The data sets' names, one per column of ``source.columns`` (fold seeds are keyed by them).
    config : AnalysisConfig
        Seed, bandwidths (the KDE nodes' floor) and folds.

    Raises
    ------
    DataError
        A bad value or file, naming the stage, the partition, the row and the column.
    EngineError
        A task failed otherwise, or its workers kept dying: the stage and the partition.
    """
    names = tuple(names)
    logger.info("reducing %s", source.description)
    light = replace(source, pieces=())  # a task needs the columns, not the list of every piece
    ranges = _run_stage(client, "range", source, _range_task, merge_ranges, (light,), fan_in=fan_in)
    plan = _plan(ranges, names, config)
    bins = _run_stage(
        client, "bins", source, _bins_task, partial(merge_bins, keep=_KEEP), (light, plan), fan_in=fan_in
    )
    return CatalogReductions(names, ranges, plan, bins, len(source.pieces))


@contextmanager
def dask_client(address: str | None):
    """A ``distributed.Client``: of the scheduler at ``address``, or of a LocalCluster of ``LOCAL_WORKERS``
    single-threaded processes with ``LOCAL_MEMORY_LIMIT`` each; the dashboard's address is logged."""
    from distributed import Client, LocalCluster

    if address:
        with Client(address) as client:
            logger.info("Dask cluster at %s; dashboard: %s", address, client.dashboard_link)
            yield client
        return
    with LocalCluster(
        n_workers=LOCAL_WORKERS, threads_per_worker=1, processes=True, memory_limit=LOCAL_MEMORY_LIMIT,
        dashboard_address=":0",
    ) as cluster, Client(cluster) as client:  # fmt: skip
        logger.info(
            "Dask LocalCluster: %d workers x %s; dashboard: %s", LOCAL_WORKERS, LOCAL_MEMORY_LIMIT, client.dashboard_link
        )
        yield client
