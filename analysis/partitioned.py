"""A catalog stored in partitions (a folder or glob of Parquet files, a HATS catalog): what it is, not its ages.

Records only, no I/O: ``inputs.partitions`` finds the partitions and reads one
of them; ``distributed`` reduces them to mergeable integer sums. A
``PartitionedDataset`` is one age column of such a catalog: the same
metadata as a ``Dataset`` (name, label, colour, source, pair group...), but
instead of the ages in memory, the source and the column to reduce, and
after the reduction (``distributed.reduce_datasets``) the merged reduction
(``reduced``) that the analysis reads its statistics from.
"""

from dataclasses import dataclass
from typing import Any

__all__ = ["PartitionedDataset", "PartitionedSource", "Piece"]


@dataclass(frozen=True)
class Piece:
    """One partition, read whole by one task.

    ``key`` orders the pieces (file index and first row group; HATS (order,
    pixel)); ``label`` names it in messages (a file, with its row groups when
    cut; a HATS pixel file); ``offset`` is the global index of its first row
    (files in sorted path order), the row identity when there is no id column.
    """

    key: tuple
    label: str
    path: str
    row_groups: tuple[int, ...]
    offset: int
    rows: int


@dataclass(frozen=True)
class PartitionedSource:
    """A partitioned catalog: its pieces in a fixed order, the age columns read and how rows are identified.

    ``kind`` is ``"parquet"`` (a folder or glob of files) or ``"hats"`` (an
    LSDB/HATS catalog folder); ``fingerprint`` is the SHA-256 of every file's
    name, size and modification time (what the build's cache key hashes: not
    the bytes, which may be terabytes); ``id_column`` an integer column naming
    each star, when given.
    """

    data: str
    kind: str
    description: str
    pieces: tuple[Piece, ...]
    columns: tuple[str, ...]
    id_column: str | None
    fingerprint: str

    @property
    def rows(self) -> int:
        return sum(p.rows for p in self.pieces)


@dataclass(frozen=True, eq=False)
class PartitionedDataset:
    """One age column of a partitioned catalog, as a data set; ``reduced`` once the catalog is reduced.

    The metadata fields are ``dataset.Dataset``'s. ``column`` is the column's
    position in ``source.columns``; ``reduced`` is ``None`` until
    ``distributed.reduce_datasets`` fills it (then a
    ``distributed.ColumnReduction``, which the pipeline's sample and engine
    read).
    """

    name: str
    label: str
    colour: str
    source: str
    partitions: PartitionedSource
    column: int
    pair_group: str | None = None
    units: str = "Gyr"
    citation: str = ""
    doi: str = ""
    method: str = ""
    reduced: Any = None
    #: Always ``"training"``: a benchmark is named in the manifest, which cannot name a partitioned catalog.
    role: str = "training"
    #: Always ``None``: a partitioned catalog's per-star uncertainties are not read (``--error-column`` is refused).
    errors_gyr: None = None

    @property
    def n_missing(self) -> int:
        """Missing values dropped (known once reduced; 0 before)."""
        return 0 if self.reduced is None else self.reduced.n_missing

    @property
    def n(self) -> int:
        """Ages (known once reduced)."""
        if self.reduced is None:
            raise ValueError(f"data set {self.name!r}: the partitioned catalog has not been reduced yet")
        return self.reduced.n
