"""Benchmark reading large catalogs (run on demand; not a test).

    python -m benchmarks.read_speed --sizes 1e6,1e7 [--repeats 3] [--slow-max-n 1e6]

Writes seeded two-column tables of ages (Gyr, ``%.6g``) in memory in three
layouts and times, per layout and size (median of ``--repeats`` runs in one
process):

- ``np.loadtxt`` (numpy's C reader; the reference the issue names),
- ``parse_table`` with its default threshold (pyarrow for files >= 1 MiB),
- the line-by-line parser (``fast_threshold`` above the size; the reader
  before the pyarrow path, only up to ``--slow-max-n`` rows),
- ``read_catalog`` on the same columns written as Parquet.

Layouts: "csv" (comma, ``#a,b`` header), "ws" (one space), "irregular"
(tabs and runs of spaces, a comment line every 1000 rows: the vectorised
line path). Every reader's columns are checked equal to loadtxt's. Prints
markdown tables.
"""

import argparse
import io

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

import analysis.table_fast  # noqa: F401  (imported here so that no timing includes pyarrow's import)
from analysis.table import parse_table
from benchmarks.timing import median_time
from publish.readers import read_catalog

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



def check(columns, reference: np.ndarray, what: str) -> None:
    for c, column in enumerate(columns):
        if not np.array_equal(column, reference[:, c]):
            raise AssertionError(f"{what}: column {c} differs from np.loadtxt")


def run(n: int, repeats: int, slow_max_n: int) -> None:
    ages = ages_for(n)
    print(f"\n### n = {n:.0e} rows x 2 columns\n")
    print("| layout | MB | np.loadtxt (s) | parse_table (s) | speed-up | line-by-line (s) | speed-up |")
    print("|---|---|---|---|---|---|---|")
    for name, (raw, delimiter) in layouts(ages).items():
        t_np, reference = median_time(lambda: np.loadtxt(io.BytesIO(raw), delimiter=delimiter), repeats)
        t_fast, table = median_time(lambda: parse_table(raw, name), repeats)
        check(table.columns, reference, f"parse_table {name}")
        slow = ""
        if n <= slow_max_n:
            t_slow, table = median_time(lambda: parse_table(raw, name, fast_threshold=len(raw) + 1), 1)
            check(table.columns, reference, f"line-by-line {name}")
            slow = f"{t_slow:.2f} | {t_slow / t_fast:.1f}"
        else:
            slow = "| "
        print(f"| {name} | {len(raw) / 1e6:.0f} | {t_np:.2f} | {t_fast:.2f} | {t_np / t_fast:.1f} | {slow} |")
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
    for size in args.sizes.split(","):
        run(int(float(size)), args.repeats, int(args.slow_max_n))


if __name__ == "__main__":
    main()
