"""Time a cold build and a no-change rebuild of the default report.

Run on demand, not by the tests:

    python benchmarks/build_timing.py --repeats 3

"Cold" removes the artefact cache (``.cache/``) and forces every stage; a
"no-change rebuild" is ``python build.py`` again with nothing changed, which
must render nothing. Machines here are shared and noisy, so the script prints
medians and the ratio between the two, measured in one run.
"""

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _timed_build(*args: str) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "build.py", "--quiet", *args], cwd=ROOT, check=True, env={**os.environ, "MPLBACKEND": "Agg"})
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--engine", default="pandoc", choices=("auto", "quarto", "pandoc"))
    args = parser.parse_args()
    cold, warm = [], []
    with tempfile.TemporaryDirectory() as scratch:
        out = str(Path(scratch) / "site")
        for _ in range(args.repeats):
            shutil.rmtree(ROOT / ".cache", ignore_errors=True)
            cold.append(_timed_build("--engine", args.engine, "--out", out, "--force"))
            warm.append(_timed_build("--engine", args.engine, "--out", out))
    cold_s, warm_s = statistics.median(cold), statistics.median(warm)
    print(f"| build ({args.engine} engine, median of {args.repeats}) | seconds |")
    print("|---|---|")
    print(f"| cold (no cache, --force) | {cold_s:.1f} |")
    print(f"| no-change rebuild | {warm_s:.2f} |")
    print(f"| ratio no-change / cold | {warm_s / cold_s:.3f} |")


if __name__ == "__main__":
    main()
