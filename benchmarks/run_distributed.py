"""The analysis of a partitioned catalog on a LocalCluster of 2 workers (2 GiB each), against the in-memory path.

    python -m benchmarks.make_catalog --ages 1e8 --files 100 --out DIR
    python -m benchmarks.run_distributed --data DIR [--subset-files 10]

Prints the wall time of the two passes over the partitions and of the
analysis from the merged reductions (every statistic of both columns and
their comparison), the mean cost of one partition per pass (from Dask's task
stream), the peak resident memory of each worker process
(``ru_maxrss`` through ``client.run``: the whole process, Python, numba,
pyarrow and Dask included), and, on the first ``--subset-files`` files, the
difference of each number from the in-memory binned path on the same ages
(``analysis.analyse`` of the arrays), with the bound the report states.
"""

import argparse
import glob
import json
import logging
from pathlib import Path
import resource
import time

import numpy as np

from analysis import analyse, to_json
from analysis.config import AnalysisConfig
from analysis.dataset import Dataset
from analysis.distributed import reduce_datasets
from analysis.inputs import load_datasets

ROOT = Path(__file__).resolve().parent.parent
MANIFEST = ROOT / "data" / "datasets.yml"
COLUMNS = ["age_a", "age_b"]
CONFIG = AnalysisConfig()


def _peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _warm_up() -> None:
    """Compile (or load from numba's cache) the kernels on a worker, outside the timing."""
    from analysis.distributed import reduce_arrays

    rng = np.random.default_rng(0)
    reduce_arrays([rng.gamma(9, 1, 1000), rng.gamma(9, 1, 1000)], ["a", "b"], CONFIG)


def _stage_costs(stream) -> dict[str, tuple[int, float]]:
    costs: dict[str, list[float]] = {}
    for task in stream:
        stage = str(task["key"]).split("-")[0].strip("('\"")
        if stage in ("range", "bins"):
            costs.setdefault(stage, []).append(
                sum(s["stop"] - s["start"] for s in task["startstops"] if s["action"] == "compute")
            )
    return {stage: (len(d), float(np.mean(d))) for stage, d in costs.items()}


def _run(data: Path, client) -> tuple[object, float, float]:
    start = time.perf_counter()
    datasets = reduce_datasets(load_datasets(MANIFEST, data_file=data, columns=COLUMNS), CONFIG, client=client)
    reduced = time.perf_counter() - start
    start = time.perf_counter()
    result = analyse(list(datasets), CONFIG)
    return result, reduced, time.perf_counter() - start


def _largest(x, y) -> float:
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    return float(np.max(np.abs(x - y))) if x.shape == y.shape and x.size else float("nan")


def _compare(memory, mine) -> list[str]:
    lines = []
    for m, d in zip(memory.datasets, mine.datasets):
        s, t = d.summary, m.summary
        lines.append(
            f"  {d.name}: mean {s.mean - t.mean:+.1e}, std {s.std - t.std:+.1e}, median {s.median - t.median:+.1e}, "
            f"q25 {s.q25 - t.q25:+.1e}, q75 {s.q75 - t.q75:+.1e} Gyr (stated bound {d.partitioned.quantile_bound_gyr:g} "
            f"for quantiles); histogram counts equal: {d.histogram == m.histogram}; ECDF equal: {d.ecdf == m.ecdf}"
        )
        curves = max(_largest(a.density, b.density) / max(b.density) for a, b in zip(d.kde_curves[:3], m.kde_curves[:3]))
        lines.append(
            f"    KDE curves at the grid bandwidths: max |difference| / peak {curves:.1e} (stated bound "
            f"{d.engine.max_rel_error:.1e}); Scott {d.bandwidths.scott / m.bandwidths.scott - 1:+.1e}, Silverman "
            f"{d.bandwidths.silverman / m.bandwidths.silverman - 1:+.1e}, ISJ {d.bandwidths.isj / m.bandwidths.isj - 1:+.1e}, "
            f"CV {d.bandwidths.cv / m.bandwidths.cv - 1:+.1e} (relative)"
        )
        held = max(abs(a.mean_log_likelihood - b.mean_log_likelihood) for a, b in zip(d.held_out, m.held_out))
        lines.append(f"    held-out scores (hashed vs shuffled folds): max |difference| {held:.1e} per star")
    for c, e in zip(mine.comparisons, memory.comparisons):
        lines.append(
            f"  {c.a} vs {c.b}: KS {c.ks_statistic - e.ks_statistic:+.1e}, Wasserstein {c.wasserstein - e.wasserstein:+.1e} Gyr, "
            f"mean difference {c.mean_difference - e.mean_difference:+.1e} Gyr, Anderson-Darling {c.anderson_statistic - e.anderson_statistic:+.2e} "
            f"(in memory: a subsample of 1e6 per column above 1e6)"
        )
        if c.paired and e.paired:
            lines.append(
                f"    paired: mean {c.paired.mean_difference - e.paired.mean_difference:+.1e}, median "
                f"{c.paired.median_difference - e.paired.median_difference:+.1e}, sd {c.paired.std_difference - e.paired.std_difference:+.1e} Gyr, "
                f"Pearson r {c.paired.pearson_r - e.paired.pearson_r:+.1e}, sign counts equal: "
                f"{(c.paired.n_a_older, c.paired.n_b_older) == (e.paired.n_a_older, e.paired.n_b_older)}"
            )
    return lines


def main() -> None:
    from distributed import Client, LocalCluster, get_task_stream
    import pyarrow.parquet as pq

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--subset-files", type=int, default=10)
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    files = sorted(glob.glob(str(args.data / "*.parquet")))
    rows = sum(pq.ParquetFile(f).metadata.num_rows for f in files)
    size = sum(Path(f).stat().st_size for f in files)
    print(f"catalog: {rows:.3g} rows x 2 age columns ({2 * rows:.3g} ages) in {len(files)} files, {size / 2**30:.2f} GiB on disk")
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, memory_limit="2GiB", dashboard_address=":0") as cluster:
        with Client(cluster) as client:
            print(f"LocalCluster: 2 workers x 1 thread, 2 GiB each; dashboard {client.dashboard_link}")
            client.run(_warm_up)
            with get_task_stream(client) as stream:
                start = time.perf_counter()
                result, reduced, analysed = _run(args.data, client)
                wall = time.perf_counter() - start
            print(f"wall time: {wall:.1f} s = two passes over the partitions {reduced:.1f} s + analysis from the merged reductions {analysed:.1f} s")
            for stage, (count, mean) in _stage_costs(stream.data).items():
                print(f"  pass '{stage}': {count} partitions, {mean:.3f} s each ({mean / (rows / count) * 1e9:.0f} ns per row of 2 ages)")
            for worker, peak in sorted(client.run(_peak_rss_mib).items()):
                print(f"  peak RSS of worker {worker}: {peak:.0f} MiB (limit 2048 MiB)")
            print(f"  peak RSS of the client: {_peak_rss_mib():.0f} MiB")
            d = result.datasets[0]
            print(f"  {d.name}: n {d.n}, mean {d.summary.mean!r} Gyr, median {d.summary.median!r} Gyr, grid {d.partitioned.grid}, CV {d.bandwidths.cv:.4g} Gyr")
            subset = args.data.parent / f"{args.data.name}-first{args.subset_files}"
            subset.mkdir(exist_ok=True)
            for f in files[: args.subset_files]:
                link = subset / Path(f).name
                if not link.exists():
                    link.symlink_to(Path(f).resolve())
            start = time.perf_counter()
            small, _, _ = _run(subset, client)
            print(f"subset of {args.subset_files} files: on the cluster {time.perf_counter() - start:.1f} s")
    table = pq.read_table(files[: args.subset_files], columns=COLUMNS)
    n = table.num_rows
    labels = {d.name: d for d in small.datasets}
    start = time.perf_counter()
    memory = analyse(
        [
            Dataset(r.name, r.label, r.colour, table.column(c).to_numpy(), np.arange(n), 0, "subset", pair_group="subset")
            for r, c in zip(labels.values(), COLUMNS)
        ],
        CONFIG,
    )
    print(f"subset in memory (binned engine, one process): {time.perf_counter() - start:.1f} s, {n:.3g} rows; differences (partitioned - in memory):")
    for line in _compare(memory, small):
        print(line)
    print(f"results JSON of the full catalog: {len(to_json(result)) / 2**20:.1f} MiB; layout keys {sorted(json.loads(to_json(result)))}")


if __name__ == "__main__":
    main()
