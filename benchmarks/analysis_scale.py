"""Benchmark the whole per-data-set analysis at catalog sizes (run on demand; not a test).

    python -m benchmarks.analysis_scale --sizes 1e6 1e7 [--pair 1e6] [--profile 1e6]

For each size: ``analyse_dataset`` with the default ``AnalysisConfig`` (3 grid
bandwidths, 200 replicates, 5 folds) on seeded ages (a normal + gamma mixture,
Gyr): wall time (median of ``--repeats`` runs), peak traced memory (tracemalloc,
allocations made during the call, the input excluded) as a multiple of the input
array, and the size of the result's JSON. ``--pair`` runs ``analyse`` on two data
sets of that size, including their comparison. ``--profile`` prints the top of a
cProfile of one run. Prints markdown tables.
"""

import argparse
import cProfile
import pstats

import numpy as np

from analysis import AnalysisConfig, Dataset, analyse, to_json
from analysis.pipeline import analyse_dataset
from benchmarks.timing import median_time, peak_memory


def dataset_for(name: str, n: int, seed: int) -> Dataset:
    """n seeded ages (Gyr): 60 % normal(4, 1), 40 % gamma(9, 1)."""
    rng = np.random.default_rng(seed)
    ages = np.concatenate([rng.normal(4.0, 1.0, n * 3 // 5), rng.gamma(9.0, 1.0, n - n * 3 // 5)])
    return Dataset(
        name=name, label=name, colour="#0072B2", ages_gyr=ages, rows=np.arange(n), n_missing=0,
        source=f"{name}.csv", pair_group=None,
    )




def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", nargs="*", type=float, default=[1e6, 1e7])
    parser.add_argument("--pair", type=float, default=1e6)
    parser.add_argument("--profile", type=float, default=0)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    config = AnalysisConfig()
    print("| n | time (s) | peak memory / input | JSON (MB) | engine |")
    print("|---|---|---|---|---|")
    for size in args.sizes:
        data = dataset_for("catalog", int(size), 1)
        seconds, result = median_time(lambda: analyse_dataset(data, config), args.repeats)
        peak = peak_memory(lambda: analyse_dataset(data, config))
        megabytes = len(to_json(result)) / 1e6
        e = result.engine
        print(
            f"| {int(size):.0e} | {seconds:.2f} | {peak / data.ages.nbytes:.2f} | {megabytes:.2f} | "
            f"{e.path}, {e.n_bins} bins of {e.bin_width_gyr:.2g} Gyr, bound {e.max_rel_error:.1e} |"
        )
    if args.pair:
        pair = [dataset_for("a", int(args.pair), 2), dataset_for("b", int(args.pair), 3)]
        seconds, result = median_time(lambda: analyse(pair, config), 1)
        print(f"\nanalyse() of two {int(args.pair):.0e}-age data sets with their comparison: {seconds:.2f} s, "
              f"JSON {len(to_json(result)) / 1e6:.2f} MB")
    if args.profile:
        data = dataset_for("catalog", int(args.profile), 1)
        profiler = cProfile.Profile()
        profiler.runcall(analyse_dataset, data, config)
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)


if __name__ == "__main__":
    main()
