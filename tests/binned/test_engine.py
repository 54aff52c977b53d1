"""The binned path of the analysis against the exact path, on data sets both can run."""

import json

import numpy as np
import pytest
from scipy import stats

from analysis import AnalysisConfig, Dataset, analyse, to_json
from analysis.binned import BINNED_METHOD, SCIPY_BINNED_METHOD
from analysis.binned.heldout import fold_labels
from analysis.compare import compare
from analysis.kernel import log_density
from analysis.pipeline import analyse_dataset
from analysis.results import MAX_STORED_VALUES
from analysis.statistics import (
    auto_histogram,
    empirical_cdf,
    fit_gaussian,
    improved_sheather_jones,
    summarise,
    tie_report,
)

N = 2_000  # the exact path's 5-fold CV is O(n^2) x 80 bandwidths: seconds at 2000
CONFIG = AnalysisConfig(replicates=100, bootstrap_resamples=400)


def _dataset(name: str, ages: np.ndarray, *, source: str = "cat.csv", pair_group: str | None = None) -> Dataset:
    return Dataset(
        name=name, label=name.title(), colour="#0072B2", ages_gyr=ages, rows=np.arange(ages.size),
        n_missing=0, source=source, pair_group=pair_group,
    )


def _ages(seed: int, n: int = N) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return np.concatenate([rng.normal(4.0, 1.0, n * 3 // 5), rng.gamma(9.0, 1.0, n - n * 3 // 5)])


@pytest.fixture(scope="module")
def both():
    """The same ages through the exact path and, forced by exact_max_n=0, the binned path."""
    data = _dataset("survey", _ages(7))
    return analyse_dataset(data, CONFIG), analyse_dataset(data, CONFIG, exact_max_n=0)


def test_engine_is_recorded(both):
    exact, binned = both
    assert exact.engine.path == "exact" and exact.engine.n_bins == 0
    assert binned.engine.path == "binned" and binned.engine.n_bins > 0
    assert binned.engine.bin_width_gyr <= min(CONFIG.bandwidths) / 3
    assert 0 < binned.engine.max_rel_error < 1e-6


def test_descriptive_records_agree(both):
    exact, binned = both
    for field in ("n", "n_missing", "min", "max", "q25", "q75", "median", "n_above_universe", "n_distinct", "std_ddof"):
        assert getattr(binned.summary, field) == pytest.approx(getattr(exact.summary, field), rel=1e-13)
    assert binned.summary.mean == pytest.approx(exact.summary.mean, rel=1e-12)
    assert binned.histogram == exact.histogram
    assert binned.ecdf == exact.ecdf
    assert binned.ties == exact.ties
    g, e = binned.gaussian, exact.gaussian
    assert (g.lecture_edges, g.lecture_histogram) == (e.lecture_edges, e.lecture_histogram)
    for field in ("mu", "sigma", "log_likelihood", "aic", "ks_statistic", "ks_pvalue"):
        assert getattr(g, field) == pytest.approx(getattr(e, field), rel=1e-9, abs=1e-300)
    np.testing.assert_allclose(g.smooth_density, e.smooth_density, rtol=1e-10)


def test_bandwidths_agree(both):
    exact, binned = both
    assert binned.bandwidths.scott == pytest.approx(exact.bandwidths.scott, rel=1e-12)
    assert binned.bandwidths.silverman == pytest.approx(exact.bandwidths.silverman, rel=1e-12)
    assert binned.bandwidths.isj == pytest.approx(exact.bandwidths.isj, rel=1e-9)
    # Both paths are leave-one-out: the binned one equals the exact LOO optimum to the search's tolerance.
    ages = _ages(7)
    h = binned.bandwidths.cv

    def loo(bw: float) -> float:
        sums = np.exp(log_density(ages, ages, bw)) * ages.size * bw * np.sqrt(2 * np.pi)
        return float(np.mean(np.log((sums - 1) / ((ages.size - 1) * bw * np.sqrt(2 * np.pi)))))

    grid = h * np.exp(np.linspace(-0.1, 0.1, 11))
    assert grid[int(np.argmax([loo(b) for b in grid]))] == pytest.approx(h, rel=0.01)
    assert binned.cv_curve.folds == exact.cv_curve.folds == ages.size
    assert binned.bandwidths.cv == pytest.approx(exact.bandwidths.cv, rel=2e-5)
    assert "leave-one-out" in binned.bandwidth_choices[3].note and "binned" in binned.bandwidth_choices[3].note
    assert "leave-one-out" in exact.bandwidth_choices[3].note


def test_curves_within_the_stated_bound(both):
    exact, binned = both
    ages = _ages(7)
    assert [c.kind for c in binned.kde_curves] == [c.kind for c in exact.kde_curves]
    assert {c.method for c in binned.kde_curves} == {BINNED_METHOD}
    assert binned.scipy_kde.method == SCIPY_BINNED_METHOD
    for curve in (*binned.kde_curves, binned.scipy_kde):
        truth = np.exp(log_density(ages, np.array(curve.x), curve.bandwidth))
        error = np.abs(np.array(curve.density) - truth).max() / truth.max()
        assert error <= binned.engine.max_rel_error
        np.testing.assert_allclose(curve.counts, np.array(curve.density) * ages.size, rtol=1e-12)
    assert binned.scipy_kde.bandwidth == pytest.approx(exact.scipy_kde.bandwidth, rel=1e-12)
    np.testing.assert_allclose(binned.scipy_kde.density, exact.scipy_kde.density, rtol=0, atol=1e-6)


def test_envelopes_agree_in_distribution(both):
    exact, binned = both
    for e, b in zip(exact.synthetic, binned.synthetic, strict=True):
        assert (e.kind, e.n_total, len(e.ages)) == (b.kind, b.n_total, len(b.ages))
        if e.kind == "cv":  # 5-fold vs leave-one-out: different bandwidths, different envelopes
            continue
        assert e.bandwidth == pytest.approx(b.bandwidth, rel=1e-9)
        median, spread = np.array(e.envelope_median), np.array(e.envelope_high) - np.array(e.envelope_low)
        # Medians of 100 replicates differ by their sampling error, about spread / 10; allow 4 of those.
        assert np.all(np.abs(np.array(b.envelope_median) - median) <= 0.4 * spread + 1.0)
        b_spread = np.array(b.envelope_high) - np.array(b.envelope_low)
        assert np.sum(b_spread) == pytest.approx(np.sum(spread), rel=0.1)
        assert b.fraction_below_zero == pytest.approx(e.fraction_below_zero, abs=2e-4)
        # The stored sample is a sample of the same KDE (two-sample KS at the 0.1 % level).
        assert stats.ks_2samp(b.ages, e.ages).pvalue > 1e-3


def test_held_out_scores_close(both):
    exact, binned = both
    for e, b in zip(exact.held_out, binned.held_out, strict=True):
        assert (e.model, e.folds) == (b.model, b.folds)
        if e.model == "cv" or (e.bandwidth or 1.0) < 0.05:
            # cv: another bandwidth; 0.01 Gyr: a few isolated stars at -d^2/2h^2 each dominate the
            # score, so it changes with the random split. Same folds: test_held_out_with_the_same_folds.
            continue
        # Different random folds of 2000 stars: the scores agree to their split-to-split noise (~0.04).
        assert b.mean_log_likelihood == pytest.approx(e.mean_log_likelihood, abs=0.1)


def test_held_out_with_the_same_folds_equals_the_exact_sum():
    from analysis.binned import BinnedEngine
    from analysis.statistics import Sample, scores as held_out_scores

    ordered = np.sort(_ages(8, 5000))
    models = [("grid", 0.01), ("grid", 0.3)]
    kde = BinnedEngine(Sample.of(ordered)).fit([0.01, 0.3])
    scores = held_out_scores(kde.fold_scores(models, folds=4, rng=np.random.default_rng(3)), models, ordered.size)
    labels = fold_labels(ordered.size, 4, rng=np.random.default_rng(3))
    for score in scores:
        total = 0.0
        for fold in range(4):
            train, test = ordered[labels != fold], ordered[labels == fold]
            if score.bandwidth is None:
                total += stats.norm.logpdf(test, *stats.norm.fit(train)).sum()
            else:
                total += log_density(train, test, score.bandwidth).sum()
        assert score.mean_log_likelihood == pytest.approx(total / ordered.size, abs=1e-6)


def test_fold_labels_are_a_near_equal_split():
    labels = fold_labels(103, 5, rng=np.random.default_rng(1))
    assert sorted(np.bincount(labels).tolist()) == [20, 20, 21, 21, 21]
    assert not np.array_equal(labels, fold_labels(103, 5, rng=np.random.default_rng(2)))


def test_the_records_of_a_catalog_equal_numpy_and_scipy_with_ties():
    # One sort serves every n (statistics.sample): at 30 000 ages, above its 2**15-age chunks of sums
    # only by a little, and with many ties and more than 4096 distinct values.
    ages = np.round(_ages(9, 30_000), 2)
    values, counts = np.unique(ages, return_counts=True)
    ties = tie_report(ages, 0.01, smooth_bandwidth=0.3)
    assert (ties.n, ties.n_distinct, ties.largest_tie) == (ages.size, values.size, int(counts.max()))
    s = summarise(ages, n_missing=2)
    q25, q75 = np.percentile(ages, [25.0, 75.0])
    assert (s.q25, s.q75, s.median, s.min, s.max) == (q25, q75, np.median(ages), ages.min(), ages.max())
    assert (s.n, s.n_missing, s.n_distinct, s.n_above_universe) == (ages.size, 2, values.size, np.sum(ages > 13.8))
    assert s.mean == pytest.approx(np.mean(ages), rel=1e-13) and s.std == pytest.approx(np.std(ages, ddof=1), rel=1e-12)
    ecdf = empirical_cdf(ages)
    assert ecdf.exact and ecdf.x == tuple(values) and ecdf.fraction == tuple(np.cumsum(counts) / ages.size)
    fine = np.sort(np.round(ages + 1e-3 * np.arange(ages.size) % 7, 3))
    summarised = empirical_cdf(fine)
    assert not summarised.exact
    assert summarised.x == tuple(np.quantile(fine, summarised.fraction, method="inverted_cdf"))
    fit = fit_gaussian(ages, rng=np.random.default_rng(0))
    mu, sigma = stats.norm.fit(ages)
    ks = stats.kstest(ages, "norm", args=(mu, sigma))
    assert (fit.mu, fit.sigma) == pytest.approx((mu, sigma), rel=1e-12)
    assert fit.ks_statistic == pytest.approx(ks.statistic, rel=1e-12)
    assert fit.ks_pvalue == pytest.approx(ks.pvalue, rel=1e-9)
    assert fit.log_likelihood == pytest.approx(np.sum(stats.norm.logpdf(ages, mu, sigma)), rel=1e-12)
    assert fit.lecture_histogram == tuple(np.histogram(ages)[0].tolist())
    assert auto_histogram(ages).counts == tuple(np.histogram(ages, "auto")[0].tolist())
    assert improved_sheather_jones(ages) > 0


def test_comparison_at_scale_agrees_with_the_exact_one():
    a, b = _dataset("a", _ages(10)), _dataset("b", _ages(11) + 0.3, source="other.csv")
    rng = np.random.default_rng
    exact = compare(a, b, a_bandwidth=0.2, b_bandwidth=0.25, rng=rng(1), resamples=2000)
    scaled = compare(a, b, a_bandwidth=0.2, b_bandwidth=0.25, rng=rng(1), resamples=2000, exact_max_n=0)
    assert "bootstrap" in exact.ci_method and "normal approximation" in scaled.ci_method
    assert (scaled.ks_statistic, scaled.wasserstein) == (exact.ks_statistic, exact.wasserstein)
    assert scaled.anderson_statistic == exact.anderson_statistic
    # Percentile bootstrap (2000 resamples, Monte Carlo error ~0.006 Gyr) vs the normal approximation.
    np.testing.assert_allclose(scaled.mean_difference_ci, exact.mean_difference_ci, atol=0.02)
    assert scaled.cross_a_on_b == pytest.approx(exact.cross_a_on_b, abs=1e-6)
    assert scaled.cross_b_on_a == pytest.approx(exact.cross_b_on_a, abs=1e-6)


def test_normal_interval_matches_scipy_bootstrap():
    rng = np.random.default_rng(12)
    x, y = rng.gamma(2.0, 2.0, 3000), rng.normal(4.5, 2.0, 2500)
    reference = stats.bootstrap((x, y), lambda p, q, axis: p.mean(axis) - q.mean(axis), n_resamples=4000,
                                method="percentile", rng=rng).confidence_interval
    c = compare(_dataset("x", x), _dataset("y", y, source="y.csv"), a_bandwidth=0.5, b_bandwidth=0.5,
                rng=np.random.default_rng(1), resamples=100, exact_max_n=0)
    np.testing.assert_allclose(c.mean_difference_ci, (reference.low, reference.high), atol=0.01)


def test_stored_arrays_are_capped_and_the_json_contract_holds():
    n = MAX_STORED_VALUES + 2500
    truth = _ages(13, n)
    a = _dataset("a", truth + np.random.default_rng(1).normal(0, 0.3, n), pair_group="g")
    b = _dataset("b", truth, pair_group="g")
    result = analyse([a, b], AnalysisConfig(bandwidths=(0.3,), replicates=20, bootstrap_resamples=100), exact_max_n=0)
    data = json.loads(to_json(result))
    sample = data["datasets"][0]["synthetic"][0]
    assert len(sample["ages"]) == MAX_STORED_VALUES and sample["n_total"] == n and "bandwidth" in sample
    paired = data["comparisons"][0]["paired"]
    assert paired["n_pairs"] == n and len(paired["differences"]) == MAX_STORED_VALUES
    assert {"mean_difference", "wilcoxon_pvalue"} <= paired.keys()
    assert paired["mean_difference"] == pytest.approx(float(np.mean(a.ages - b.ages)), rel=1e-12)


def test_both_paths_report_the_same_rules_as_not_available():
    # 300 stars on 2 distinct ages: ISJ has no root on either path, and with 150 stars on each value
    # every held-out star has a twin in training, so the CV score rises without end as h shrinks.
    data = _dataset("twins", np.repeat([3.0, 9.0], 150))
    exact, binned = analyse_dataset(data, CONFIG), analyse_dataset(data, CONFIG, exact_max_n=0)
    for result in (exact, binned):
        choices = {c.rule: c for c in result.bandwidth_choices}
        assert choices["isj"].unavailable == (
            "not available for n = 300: ISJ needs at least 3 distinct ages; with 2 its fixed-point equation "
            "(Botev et al. 2010) has no root"
        )
        assert choices["cv"].bandwidth is None and result.cv_curve.best_bandwidth is None
        assert choices["cv"].unavailable == result.cv_curve.unavailable
        assert "keeps rising as the bandwidth shrinks" in choices["cv"].unavailable
        assert [c.kind for c in result.kde_curves] == ["grid"] * 3 + ["scott", "silverman"]
        assert [s.model for s in result.held_out] == ["gaussian"] + ["grid"] * 3 + ["scott", "silverman"]
        json.loads(to_json(result))
    for rule in ("scott", "silverman"):
        assert getattr(binned.bandwidths, rule) == pytest.approx(getattr(exact.bandwidths, rule), rel=1e-12)
    assert (exact.bandwidths.isj, exact.bandwidths.cv) == (binned.bandwidths.isj, binned.bandwidths.cv) == (None, None)
