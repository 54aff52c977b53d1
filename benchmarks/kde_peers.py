"""Benchmark the binned KDE engine against its peers (run on demand; not a test).

    python -m benchmarks.kde_peers --max-n 1e6 [--repeats 3]

Same seeded ages (a normal + gamma mixture, Gyr) and the same 1024-point grid for
every method; times are medians of ``--repeats`` runs in one process; ratios are
peer time / this engine's time. Prints markdown tables.
"""

import argparse
import time

import numpy as np
from KDEpy import FFTKDE
from scipy.stats import gaussian_kde
from sklearn.neighbors import KernelDensity
from statsmodels.nonparametric.kde import KDEUnivariate

from analysis.binned import BinnedEngine
from analysis.binned.density import density_nodes, interpolate
from analysis.binned.grid import bin_for_bandwidths
from analysis.exact import sample_kde
from analysis.kernel import log_density
from analysis.statistics import Sample, improved_sheather_jones, scott_rule, search, silverman_rule, summarise
from benchmarks.timing import median_time, peak_memory

GRID_BANDWIDTHS = (0.01, 0.1, 1.0)
DIRECT_MAX_N = 10**5  # scipy, sklearn and direct-sampling envelopes beyond this take minutes
CHECK_POINTS = 32  # grid points where errors are measured against the exact sum


def ages_for(n: int) -> np.ndarray:
    rng = np.random.default_rng(20240601)
    return np.concatenate([rng.normal(4.0, 1.0, n * 3 // 5), rng.gamma(9.0, 1.0, n - n * 3 // 5)])



def ours(ages, bandwidths, grid):
    """The binned engine's densities: one binning, one FFT per bandwidth, interpolated on the grid."""
    binned = bin_for_bandwidths(ages, bandwidths)
    return interpolate(density_nodes(binned, bandwidths, reach_gyr=(float(grid[0]), float(grid[-1]))), grid)


def rule_of_thumb(ages):
    """Scott's and Silverman's bandwidths as the analysis takes them: from the summary (one sort)."""
    s = summarise(ages, n_missing=0)
    return scott_rule(s.std, s.n), silverman_rule(s.std, s.q25, s.q75, s.n)


def binned_loo_cv(ages):
    """The binned engine's leave-one-out CV curve, searched as the analysis does."""
    sample = Sample.of(ages)
    scott = rule_of_thumb(ages)[0]
    scorer = BinnedEngine(sample).cv_scorer(scott=scott, precision=None)
    return search(scorer, scott=scott, n=sample.n)


def envelope(ages, h, edges, replicates, rng):
    """The binned engine's synthetic draws (the sample shown and the replicates' multinomial counts)."""
    return BinnedEngine(Sample.of(ages)).fit([h]).draws(h, edges, replicates, rng=rng)


def kdepy(ages, bandwidths, grid):
    return np.array([FFTKDE(bw=h).fit(ages).evaluate(grid) for h in bandwidths])


def statsmodels_fft(ages, bandwidths, grid):
    # statsmodels picks its own grid (cut = 3 h); gridsize 1024 for a like-for-like cost.
    out = []
    for h in bandwidths:
        kde = KDEUnivariate(ages)
        kde.fit(kernel="gau", bw=h, fft=True, gridsize=grid.size)
        out.append(np.interp(grid, kde.support, kde.density, left=0.0, right=0.0))
    return np.array(out)


def scipy_kde(ages, bandwidths, grid):
    return np.array([gaussian_kde(ages, bw_method=h / np.std(ages, ddof=1))(grid) for h in bandwidths])


def sklearn_kde(ages, bandwidths, grid):
    return np.array(
        [np.exp(KernelDensity(bandwidth=h).fit(ages[:, None]).score_samples(grid[:, None])) for h in bandwidths]
    )


def histogram(ages, bandwidths, grid):
    return np.histogram(ages, bins=grid.size)[0][None, :]


def max_rel_error(curves, ages, bandwidths, grid, check):
    """max over bandwidths of max |curve - exact| / max exact, at the check points."""
    worst = 0.0
    for row, h in zip(curves, bandwidths):
        points = np.unique(np.append(check, np.argmax(row)))
        exact = np.exp(log_density(ages, grid[points], h))
        worst = max(worst, float(np.abs(row[points] - exact).max() / exact.max()))
    return worst


def bench_curves(n, repeats, rng):
    ages = ages_for(n)
    scott, silverman = rule_of_thumb(ages)
    report = list(GRID_BANDWIDTHS) + [scott, silverman, improved_sheather_jones(ages), binned_loo_cv(ages).best_bandwidth]
    grid = np.linspace(ages.min() - 3 * max(report), ages.max() + 3 * max(report), 1024)
    check = np.sort(rng.choice(grid.size, CHECK_POINTS, replace=False))
    peers = [("this engine", ours), ("KDEpy FFTKDE", kdepy), ("statsmodels fft", statsmodels_fft)]
    if n <= DIRECT_MAX_N:
        peers += [("scipy gaussian_kde", scipy_kde), ("sklearn KernelDensity", sklearn_kde)]
    rows = []
    for name, fn in peers:
        one, _ = median_time(lambda fn=fn: fn(ages, [scott], grid), repeats)
        every, curves = median_time(lambda fn=fn: fn(ages, report, grid), repeats)
        peak = peak_memory(lambda fn=fn: fn(ages, report, grid))
        rows.append((name, one, every, max_rel_error(curves, ages, report, grid, check), peak))
    floor, _ = median_time(lambda: histogram(ages, [scott], grid), repeats)
    return ages, scott, rows, floor



def bench_rest(ages, scott, repeats, rng):
    n, replicates = ages.size, 200
    edges = np.histogram_bin_edges(ages, bins="auto")
    timings = {
        "Scott + Silverman (statistics.summarise, one sort)": median_time(lambda: rule_of_thumb(ages), repeats)[0],
        "ISJ (statistics.improved_sheather_jones)": median_time(lambda: improved_sheather_jones(ages), repeats)[0],
        "LOO CV (binned engine's score, searched)": median_time(lambda: binned_loo_cv(ages), repeats)[0],
        "sample n ages (exact.sample_kde)": median_time(lambda: sample_kde(ages, scott, n, rng=rng), repeats)[0],
        f"sample + envelope B={replicates} (binned engine's draws, incl. binning)": median_time(
            lambda: envelope(ages, scott, edges, replicates, rng), repeats
        )[0],
    }
    if n <= DIRECT_MAX_N:
        timings[f"envelope B={replicates} (direct sampling + histogram)"] = median_time(
            lambda: [np.histogram(sample_kde(ages, scott, n, rng=rng), edges) for _ in range(replicates)], 1
        )[0]
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max-n", type=float, default=1e6, help="largest sample size (powers of ten from 1e3)")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    rng = np.random.default_rng(7)
    start = time.perf_counter()
    ours(ages_for(1000), GRID_BANDWIDTHS, np.linspace(0.0, 20.0, 64))
    print(f"First call, numba compiling the binning and interpolation loops (or loading its cache): "
          f"{time.perf_counter() - start:.2f} s; every time below is after it.")
    for exponent in range(3, int(np.log10(args.max_n)) + 1):
        n = 10**exponent
        ages, scott, rows, floor = bench_curves(n, args.repeats, rng)
        base_one, base_all = rows[0][1], rows[0][2]
        print(f"\n### n = {n:.0e} (Scott h = {scott:.3g} Gyr; 7 curves = 0.01, 0.1, 1, Scott, Silverman, ISJ, CV)\n")
        print(f"Input: {ages.nbytes / 2**20:.3g} MiB of ages.\n")
        print("| method | 1 curve (s) | ratio | 7 curves (s) | ratio | max error / peak | peak memory, 7 curves (MiB) |")
        print("|---|---|---|---|---|---|---|")
        for name, one, every, error, peak in rows:
            print(
                f"| {name} | {one:.4f} | {one / base_one:.2f} | {every:.4f} | {every / base_all:.2f} | {error:.1e} "
                f"| {peak / 2**20:.1f} |"
            )
        print(f"| np.histogram, 1024 bins (floor) | {floor:.4f} | {floor / base_one:.2f} | | | | |")
        print()
        print("| step | time (s) |\n|---|---|")
        for name, seconds in bench_rest(ages, scott, args.repeats, rng).items():
            print(f"| {name} | {seconds:.4f} |")


if __name__ == "__main__":
    main()
