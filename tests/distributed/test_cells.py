"""The statistics of a reduced catalog (``CellSample``) against the same statistics of the ages in memory (``Sample``)."""

import numpy as np
import pytest
from scipy import stats

from analysis.config import AnalysisConfig
from analysis.distributed import CellSample, reduce_arrays
from analysis.distributed.cells import auto_edges
from analysis.errors import DataError
from analysis.statistics import (
    Sample, auto_histogram, detect_precision, empirical_cdf, fit_gaussian, improved_sheather_jones, loo_log_scores,
    mean_and_se, quantile, scott_rule, summarise, tie_report,
)  # fmt: skip
from analysis.statistics.isj import isj

CONFIG = AnalysisConfig()


def _samples(ages: np.ndarray) -> tuple[Sample, CellSample]:
    return Sample.of(ages), CellSample(reduce_arrays([ages], ["a"], CONFIG).column(0))


@pytest.fixture(scope="module")
def decimal() -> np.ndarray:
    rng = np.random.default_rng(11)
    return np.maximum(np.round(np.abs(rng.normal(5, 2, 60_000)), 3), 0.001)


def test_on_a_decimal_grid_every_descriptive_statistic_is_the_in_memory_one(decimal):
    memory, cells = _samples(decimal)
    assert cells.exact and cells.decimals == 3
    assert summarise(cells, n_missing=0) == summarise(memory, n_missing=0)
    precision = detect_precision(memory)
    assert precision == 0.001 and detect_precision(cells) == precision
    assert tie_report(cells, precision, smooth_bandwidth=0.3) == tie_report(memory, precision, smooth_bandwidth=0.3)
    assert auto_histogram(cells) == auto_histogram(memory)
    assert empirical_cdf(cells) == empirical_cdf(memory)
    assert empirical_cdf(cells, max_points=100) == empirical_cdf(memory, max_points=100)
    fit, expected = fit_gaussian(cells, rng=np.random.default_rng(0)), fit_gaussian(memory, rng=np.random.default_rng(0))
    # The sums are exact here and rounded once, numpy's are pairwise: equal to the last bits.
    assert fit.mu == pytest.approx(expected.mu, rel=1e-15) and fit.sigma == pytest.approx(expected.sigma, rel=1e-14)
    assert fit.log_likelihood == pytest.approx(expected.log_likelihood, rel=1e-12)
    assert fit.ks_statistic == pytest.approx(stats.kstest(decimal, "norm", args=(fit.mu, fit.sigma)).statistic, rel=1e-12)
    assert (fit.lecture_edges, fit.lecture_histogram) == (expected.lecture_edges, expected.lecture_histogram)
    # ISJ's linear binning summed in fixed point: the weights within 1e-15, the bandwidth within 1e-9.
    assert isj(cells) == pytest.approx(improved_sheather_jones(decimal), rel=1e-9)


def test_normality_runs_on_the_hash_selected_subsample_whatever_the_partitioning():
    from analysis.statistics import SHAPIRO_MAX_N, normality_tests

    ages = np.random.default_rng(5).gamma(9.0, 0.6, 3 * SHAPIRO_MAX_N)
    whole = CellSample(reduce_arrays([ages], ["a"], CONFIG).column(0))
    drawn = whole.normality_subsample()
    assert drawn.size == SHAPIRO_MAX_N and np.isin(drawn, ages).all() and np.unique(drawn).size == drawn.size
    result = normality_tests(whole, rng=np.random.default_rng(0))
    expected = stats.shapiro(drawn)
    assert result.shapiro_n == SHAPIRO_MAX_N and result.shapiro_pvalue == pytest.approx(expected.pvalue, rel=1e-12)
    assert result.lilliefors_pvalue is not None and "smallest seeded hashes" in result.normality_note
    # Reduced in 7 pieces and merged: the same rows, so the same tests to the bit.
    from analysis.distributed.binning import merge_bins, reduce_bins
    from analysis.distributed.identity import index_keys

    reduced = reduce_arrays([ages], ["a"], CONFIG)
    cuts = np.linspace(0, ages.size, 8).astype(int)
    parts = [reduce_bins([ages[i:j]], index_keys(i, j - i), reduced.plan, where="t") for i, j in zip(cuts, cuts[1:])]
    merged = parts[0]
    for part in parts[1:]:
        merged = merge_bins(merged, part, keep=10)
    assert np.array_equal(merged.columns[0].normality_ages, reduced.bins.columns[0].normality_ages)


def test_the_mean_is_correctly_rounded_from_exact_sums():
    from fractions import Fraction

    ages = np.random.default_rng(3).gamma(9.0, 0.6, 20_000)
    _, cells = _samples(ages)
    assert cells.mean() == float(sum(map(Fraction, ages)) / ages.size)


@pytest.mark.parametrize("seed", range(6))
def test_auto_edges_are_numpys(seed):
    rng = np.random.default_rng(seed)
    ages = rng.gamma(2 + seed, 1.0, [50, 500, 5_000, 60_000, 7, 1_000][seed]).round(seed % 3 + 1)
    sample = Sample.of(ages)
    mine = auto_edges(sample.n, sample.minimum, sample.maximum, quantile(sample, 0.25), quantile(sample, 0.75))
    assert np.array_equal(mine, np.histogram_bin_edges(ages, bins="auto"))


def test_on_a_uniform_grid_each_statistic_is_within_its_stated_bound():
    ages = np.random.default_rng(12).gamma(9.0, 0.6, 80_000)  # every bit: no decimal grid
    memory, cells = _samples(ages)
    grid = cells.reduced.grid
    assert not cells.exact and cells.decimals is None and grid.bound_gyr == grid.width_gyr / 2
    for q in (0.05, 0.25, 0.5, 0.75, 0.95):
        assert abs(quantile(cells, q) - np.quantile(ages, q)) <= grid.bound_gyr * (1 + 1e-9)
    (low, high), (tie_low, tie_high) = cells.tie_bounds
    assert low <= np.unique(ages).size <= high and tie_low <= 1 <= tie_high
    assert cells.n_distinct == ages.size and cells.largest_tie == 1  # > 9 decimals: taken as all distinct
    edges = memory.auto_edges
    # A cell straddling an edge may put its ages in the next bin: counts within the ages that close to an edge.
    near = sum(int(np.sum(np.abs(ages - e) <= grid.width_gyr)) for e in edges)
    assert np.abs(cells.bin_counts(edges) - memory.bin_counts(edges)).sum() <= near


def test_an_age_that_is_not_positive_names_its_row_and_column():
    ages = np.random.default_rng(5).gamma(9.0, 1.0, 3_000)
    ages[1234] = -1.5
    with pytest.raises(DataError, match=r"in memory: row 1234: column 'b': expected a positive number of Gyr, got -1.5"):
        reduce_arrays([np.abs(ages), ages], ["a", "b"], CONFIG)


def test_the_leave_one_out_score_from_counts_is_the_exact_one_with_isolated_stars_repaired_at_their_ages():
    from analysis.distributed import DistributedEngine

    rng = np.random.default_rng(23)
    # 20 000 ages to 4 decimals (a decimal grid) and 10 far outliers, each isolated by many bandwidths.
    ages = np.round(np.r_[rng.gamma(9.0, 0.6, 20_000), 30.0 + 2.0 * np.arange(10)], 4)
    cells = CellSample(reduce_arrays([ages], ["a"], CONFIG).column(0))
    summary = summarise(cells, n_missing=0)
    scott = scott_rule(summary.std, summary.n)
    scorer = DistributedEngine(cells).cv_scorer(scott=scott, precision=None)
    for h in (scott / 20, scott / 3, scott):
        mean, se = scorer.score(h)
        exact = loo_log_scores(ages, h)
        expected_mean, expected_se = mean_and_se(exact)
        # Ages rounded to nodes Scott/800 apart widen the kernel variance by ~step^2/6 (relative <= 7e-4 at
        # Scott/50): the mean per-star score moves by less than 1e-4, its standard error by less than 1 %.
        assert abs(mean - expected_mean) < 1e-4 and se == pytest.approx(expected_se, rel=1e-2), h
    # The isolated stars are recomputed exactly at their own ages: without the repair they would score
    # log(0) (their binned density is pure round-off) and the mean would not be finite.
    assert np.isfinite(scorer.score(scott / 20)[0])
