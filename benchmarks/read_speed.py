"""Benchmark reading large catalogs (run on demand; not a test).

    python -m benchmarks.read_speed --sizes 1e6,1e7 [--repeats 3] [--slow-max-n 1e6]

Writes seeded two-column tables of ages (Gyr, ``%.6g``) in memory in three
layouts and times, per layout and size (median of ``--repeats`` runs in one
process):

- ``np.loadtxt`` (numpy's C reader; the reference the issue names),
- ``parse_table`` with its default threshold (for files >= 1 MiB: the numba
  kernel of ``analysis.readers.text_bytes``, then the pyarrow path if it hands on),
- the pyarrow path alone (``analysis.readers.text_arrow.parse_large``, the reader
  before the kernel),
- the line-by-line parser (``fast_threshold`` above the size; the reader
  before the pyarrow path, only up to ``--slow-max-n`` rows),
- ``read_catalog`` on the same columns written as Parquet.

Layouts: "csv" (comma, ``#a,b`` header), "ws" (one space), "irregular"
(tabs and runs of spaces, a comment line every 1000 rows: the vectorised
line path). Every reader's columns are checked equal to loadtxt's. Prints
markdown tables. numba's one-off costs (the first call, and a compile from
scratch without its on-disk cache) are paid before any timing and printed
separately.
"""

import argparse
import io
import time

import numba
import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

import analysis.readers.text_bytes
from analysis.readers import parse_table
from analysis.readers.text_arrow import parse_large  # imported here so that no timing includes pyarrow's
from benchmarks.timing import median_time
from analysis.readers.catalogs import read_catalog

COMMENT_EVERY = 1000  # rows between comment lines in the irregular layout


def ages_for(n: int) -> np.ndarray:
    rng = np.random.default_rng(20240601)
    return rng.gamma(9.0, 1.0, size=(n, 2))


def layouts(ages: np.ndarray) -> dict[str, tuple[bytes, str | None]]:
    """Bytes of each layout and the delimiter np.loadtxt needs."""
    out = {}
    for name, sep in (("csv", ","), ("ws", " ")):
        buffer = io.StringIO()
        np.savetxt(buffer, ages, fmt="%.6g", delimiter=sep, header=f"a{sep}b")
        out[name] = (buffer.getvalue().encode(), "," if sep == "," else None)
    lines = ["#a b"]
    for i, (x, y) in enumerate(ages):
        if i % COMMENT_EVERY == 0:
            lines.append("# a comment line")
        lines.append(f"{x:.6g}\t  {y:.6g}")
    out["irregular"] = (("\n".join(lines) + "\n").encode(), None)
    return out


def parquet_bytes(ages: np.ndarray) -> bytes:
    out = io.BytesIO()
    pq.write_table(pa.table({"a": ages[:, 0], "b": ages[:, 1]}), out)
    return out.getvalue()



def numba_one_off() -> None:
    """Print the first call's time (compile or cache load) and a compile from scratch."""
    raw = b"a,b\n1.5,2\n"
    start = time.perf_counter()
    analysis.readers.text_bytes.scan_table(raw, "warm-up")
    first = time.perf_counter() - start
    data = np.frombuffer(raw, dtype=np.uint8)
    out, lines, slow = np.empty((2, 1)), np.empty(1, dtype=np.int64), np.empty((1, 4), dtype=np.int64)
    start = time.perf_counter()
    numba.njit(nogil=True)(analysis.readers.text_bytes._count_part.py_func)(data, 4, len(raw))
    numba.njit(nogil=True)(analysis.readers.text_bytes._scan_part.py_func)(data, 4, len(raw), True, 1, 0, out, lines, slow)
    scratch = time.perf_counter() - start
    print(
        "numba one-off costs (not in the timings): first call "
        f"{first:.2f} s (compile, or load from numba's on-disk cache); compile from scratch {scratch:.2f} s"
    )


def check(columns, reference: np.ndarray, what: str) -> None:
    for c, column in enumerate(columns):
        if not np.array_equal(column, reference[:, c]):
            raise AssertionError(f"{what}: column {c} differs from np.loadtxt")


def run(n: int, repeats: int, slow_max_n: int) -> None:
    ages = ages_for(n)
    print(f"\n### n = {n:.0e} rows x 2 columns\n")
    print(
        "| layout | MB | reader | np.loadtxt (s) | parse_table (s) | speed-up | pyarrow path (s) | speed-up "
        "| line-by-line (s) | speed-up |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    for name, (raw, delimiter) in layouts(ages).items():
        t_np, reference = median_time(lambda: np.loadtxt(io.BytesIO(raw), delimiter=delimiter), repeats)
        t_fast, table = median_time(lambda: parse_table(raw, name), repeats)
        check(table.columns, reference, f"parse_table {name}")
        reader = "kernel" if analysis.readers.text_bytes.scan_table(raw, name) is not None else "pyarrow"
        t_arrow, table = median_time(lambda: parse_large(raw, name), repeats)
        check(table.columns, reference, f"pyarrow path {name}")
        slow = ""
        if n <= slow_max_n:
            t_slow, table = median_time(lambda: parse_table(raw, name, fast_threshold=len(raw) + 1), 1)
            check(table.columns, reference, f"line-by-line {name}")
            slow = f"{t_slow:.2f} | {t_slow / t_fast:.1f}"
        else:
            slow = "| "
        print(
            f"| {name} | {len(raw) / 1e6:.0f} | {reader} | {t_np:.2f} | {t_fast:.2f} | {t_np / t_fast:.1f} "
            f"| {t_arrow:.2f} | {t_arrow / t_fast:.1f} | {slow} |"
        )
    raw = parquet_bytes(ages)
    t_pq, table = median_time(lambda: read_catalog(raw, "x.parquet", format="parquet"), repeats)
    check(table.columns, ages, "parquet")  # parquet keeps the doubles exactly
    print(f"\nParquet ({len(raw) / 1e6:.0f} MB, full precision): read_catalog {t_pq:.2f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1e6,1e7", help="comma-separated row counts")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--slow-max-n", type=float, default=1e6, help="largest n for the line-by-line parser")
    args = parser.parse_args()
    numba_one_off()
    for size in args.sizes.split(","):
        run(int(float(size)), args.repeats, int(args.slow_max_n))


if __name__ == "__main__":
    main()
