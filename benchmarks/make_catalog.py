"""A seeded partitioned Parquet catalog of stellar ages: ``python -m benchmarks.make_catalog --ages 1e8 --files 100 --out DIR``.

Each row is a star: ``source_id`` (int64, unique, shuffled within a file),
``age_a`` (60 % N(4, 1) + 40 % Gamma(9, 1) Gyr, folded at 0, the project's
benchmark mixture) and ``age_b`` (the same star + N(0.5, 0.7) Gyr, folded at
0), rounded to ``--decimals`` places (default 4, as catalogs report them; -1
keeps every bit) and at least one unit of the last place (an age is positive).
File k is generated from ``SeedSequence(seed, spawn_key=(k,))``, so files can
be made in any order and the same arguments give the same bytes; row groups
of 2**20 rows, zstd. 10^8 ages in 100 files take about 1 GiB.
"""

import argparse
from pathlib import Path
import time

import numpy as np

__all__ = ["catalog_columns", "write_catalog", "write_files"]


def catalog_columns(n: int, *, rng: np.random.Generator, first_id: int = 0, decimals: int = 4) -> dict[str, np.ndarray]:
    """The columns of n stars (ids from ``first_id``), ages in Gyr."""
    young = rng.random(n) < 0.6
    age_a = np.abs(np.where(young, rng.normal(4.0, 1.0, n), rng.gamma(9.0, 1.0, n)))
    age_b = np.abs(age_a + rng.normal(0.5, 0.7, n))
    if decimals >= 0:
        unit = 10.0**-decimals
        age_a, age_b = np.maximum(np.round(age_a, decimals), unit), np.maximum(np.round(age_b, decimals), unit)
    else:
        age_a, age_b = np.maximum(age_a, 1e-9), np.maximum(age_b, 1e-9)
    ids = first_id + rng.permutation(n).astype(np.int64)
    return {"source_id": ids, "age_a": age_a, "age_b": age_b}


def write_files(folder: Path, columns: dict[str, np.ndarray], files: int, *, row_group: int = 2**17) -> Path:
    """The same rows cut into ``files`` Parquet files named in row order (for tests of re-partitioning)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    folder.mkdir(parents=True, exist_ok=True)
    n = len(next(iter(columns.values())))
    bounds = np.linspace(0, n, files + 1).astype(int)
    for k in range(files):
        part = pa.table({name: values[bounds[k] : bounds[k + 1]] for name, values in columns.items()})
        pq.write_table(part, folder / f"part-{k:05d}.parquet", row_group_size=row_group)
    return folder


def write_catalog(out: str, ages: int, files: int, *, seed: int = 13, decimals: int = 4, row_group: int = 2**20) -> list[Path]:
    """Write ``files`` Parquet files of about ages / files rows each into ``out``; return their paths."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    folder = Path(out)
    folder.mkdir(parents=True, exist_ok=True)
    bounds = np.linspace(0, ages, files + 1).astype(np.int64)
    paths = []
    for k in range(files):
        n = int(bounds[k + 1] - bounds[k])
        rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(k,)))
        table = pa.table(catalog_columns(n, rng=rng, first_id=int(bounds[k]), decimals=decimals))
        path = folder / f"part-{k:05d}.parquet"
        pq.write_table(table, path, row_group_size=row_group, compression="zstd")
        paths.append(path)
    return paths


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ages", type=float, required=True, help="rows (each two ages), e.g. 1e8")
    parser.add_argument("--files", type=int, required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--decimals", type=int, default=4)
    args = parser.parse_args()
    start = time.perf_counter()
    paths = write_catalog(args.out, int(args.ages), args.files, seed=args.seed, decimals=args.decimals)
    size = sum(p.stat().st_size for p in paths)
    print(f"wrote {int(args.ages)} rows in {len(paths)} files, {size / 2**30:.2f} GiB, in {time.perf_counter() - start:.1f} s")


if __name__ == "__main__":
    main()
