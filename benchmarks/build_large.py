"""Time ``python build.py --data FILE`` on a large seeded catalog and report the site's size.

Run on demand, not by the tests:

    python benchmarks/build_large.py --rows 1000000

Writes a seeded two-column CSV (``age_a``: 60 % N(4, 1) + 40 % Gamma(9, 1) Gyr;
``age_b = age_a + N(0.5, 0.7)``, the same stars, both clipped at 0.05 Gyr) into a
temporary folder, then runs ``build.py --data FILE --engine pandoc --force``
into a temporary output folder and prints the wall time, the file's size, the
site's total size and its largest files. Targets (issue 5): under 60 s and
under 5 MB at 10^6 rows.
"""

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
#: Ages are written with 4 decimals (0.1 Myr), as catalogs give them.
DECIMALS = 4
#: Lower clip of the ages (Gyr): the reader refuses ages that are not positive.
MIN_AGE_GYR = 0.05


def write_catalog(path: Path, rows: int, *, rng: np.random.Generator) -> None:
    """A two-column CSV of ``rows`` paired ages in Gyr (see the module docstring)."""
    young = rng.random(rows) < 0.6
    a = np.where(young, rng.normal(4.0, 1.0, rows), rng.gamma(9.0, 1.0, rows))
    b = a + rng.normal(0.5, 0.7, rows)
    ages = np.column_stack([a, b]).clip(MIN_AGE_GYR)
    np.savetxt(path, ages, fmt=f"%.{DECIMALS}f", delimiter=",", header="age_a,age_b", comments="")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=float, default=1e6, help="catalog rows (default 1e6)")
    parser.add_argument("--seed", type=int, default=2024, help="seed of the catalog's ages")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        data, out = Path(scratch) / "catalog.csv", Path(scratch) / "site"
        write_catalog(data, int(args.rows), rng=np.random.default_rng(args.seed))
        start = time.perf_counter()
        subprocess.run(
            [sys.executable, "build.py", "--quiet", "--force", "--engine", "pandoc", "--data", str(data), "--out", str(out)],
            cwd=ROOT, check=True, env={**os.environ, "MPLBACKEND": "Agg"},
        )  # fmt: skip
        wall = time.perf_counter() - start
        files = sorted((p for p in out.rglob("*") if p.is_file()), key=lambda p: p.stat().st_size, reverse=True)
        total = sum(p.stat().st_size for p in files)
        print(f"rows: {int(args.rows):,}; input file: {data.stat().st_size / 1e6:.1f} MB")
        print(f"build.py --data (pandoc, html + pdf): {wall:.1f} s wall")
        print(f"site: {total / 1e6:.2f} MB in {len(files)} files; largest:")
        for p in files[:8]:
            print(f"  {p.relative_to(out)}: {p.stat().st_size / 1e3:.0f} kB")


if __name__ == "__main__":
    main()
