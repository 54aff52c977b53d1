"""The binned KDE engine and its selectors against exact sums, analysis.bandwidth and scipy."""

import subprocess
import sys

import numpy as np
import pytest
from scipy.optimize import minimize_scalar
from scipy.special import logsumexp
from scipy.stats import norm

from scipy.stats import gaussian_kde
from statsmodels.nonparametric.bandwidths import bw_silverman

from analysis.binned import BinnedEngine
from analysis.binned.density import density_nodes, interpolate
from analysis.binned.grid import MAX_BINS, bin_ages, bin_for_bandwidths, rebin, relative_error_bound, without
from analysis.binned.sampling import component_cdf
from analysis.choose import engine_for
from analysis.engine import EXACT_MAX_N, engine_path
from analysis.errors import DataError
from analysis.statistics import BANDWIDTH_RULES, Sample, scott_rule, search, silverman_rule, summarise
from analysis.exact import kde_grid
from analysis.kernel import log_density
from analysis.exact import sample_kde


def _ages(rng: np.random.Generator, n: int) -> np.ndarray:
    """Two populations, a narrow normal and a skewed gamma (Gyr)."""
    return np.concatenate([rng.normal(4.0, 1.0, n * 3 // 5), rng.gamma(9.0, 1.0, n - n * 3 // 5)])


def _exact(ages, points, h):
    return np.exp(log_density(ages, points, h))


def binned_density(binned, bandwidths, points):
    """The densities the binned engine's curves interpolate (``density_nodes`` reaching ``points``)."""
    points = np.asarray(points, dtype=float)
    reach = (float(points.min(initial=binned.lo_gyr)), float(points.max(initial=binned.lo_gyr)))
    return interpolate(density_nodes(binned, bandwidths, reach_gyr=reach), points)


def rule_of_thumb(ages):
    """Scott's and Silverman's bandwidths as the pipeline takes them, from the summary (one pass, one sort)."""
    s = summarise(ages, n_missing=0)
    return scott_rule(s.std, s.n), silverman_rule(s.std, s.q25, s.q75, s.n)


def binned_loo_cv(ages, *, scott=None):
    """The binned engine's CV curve, as the pipeline searches it."""
    sample = Sample.of(ages)
    scott = rule_of_thumb(ages)[0] if scott is None else scott
    scorer = BinnedEngine(sample).cv_scorer(scott=scott, precision=None)
    return search(scorer, scott=scott, n=sample.n)


def envelope_multinomial(ages, bandwidth, edges, replicates, *, rng):
    """The binned engine's replicate counts."""
    kde = BinnedEngine(Sample.of(ages)).fit([bandwidth])
    return kde.draws(bandwidth, np.asarray(edges, dtype=float), replicates, rng=rng).counts


def engine_info(ages, bandwidths):
    return engine_for(Sample.of(ages)).fit(bandwidths).info()


def test_one_binning_matches_exact_sum_for_every_bandwidth():
    rng = np.random.default_rng(101)
    ages = _ages(rng, 5000)
    scott, silverman = rule_of_thumb(ages)
    bandwidths = [0.01, 0.1, 1.0, scott, silverman]
    binned = bin_for_bandwidths(ages, bandwidths)
    assert binned.step_gyr <= 0.01 / 3
    for h in bandwidths:
        points = kde_grid(ages, h)
        exact = _exact(ages, points, h)
        error = np.abs(binned_density(binned, [h], points)[0] - exact).max() / exact.max()
        assert error < 1e-6
        assert error <= relative_error_bound(binned.step_gyr, h)
    # Several bandwidths in one call give the rows of separate calls (their padding, and so
    # their nodes, differ: within twice the bound).
    points = np.linspace(-2.0, 25.0, 1024)
    together = binned_density(binned, bandwidths, points)
    assert together.shape == (5, 1024)
    for row, h in zip(together, bandwidths):
        alone = binned_density(binned, [h], points)[0]
        np.testing.assert_allclose(row, alone, rtol=0, atol=2 * relative_error_bound(binned.step_gyr, h) * alone.max())


def test_points_off_the_data_and_the_bound_as_data():
    rng = np.random.default_rng(102)
    ages = rng.uniform(2.0, 12.0, 3000)
    binned = bin_ages(ages, lo=1.0, hi=13.0, n_bins=2**14)
    points = rng.uniform(-4.0, 18.0, 500)  # beyond the binning grid on both sides
    exact = _exact(ages, points, 0.5)
    assert np.abs(binned_density(binned, [0.5], points)[0] - exact).max() / exact.max() < 1e-9
    info = engine_info(np.tile(ages, 10), [0.01, 1.0])
    assert info.path == "binned" and info.bin_width_gyr <= 0.01 / 3 and 0 < info.max_rel_error < 1e-6
    assert info.n_bins == pytest.approx(np.ptp(ages) / info.bin_width_gyr + 1)
    assert engine_info(ages, [0.01]).path == "exact"


def test_density_integrates_to_one():
    rng = np.random.default_rng(103)
    ages = _ages(rng, 5000)
    binned = bin_for_bandwidths(ages, [0.01, 1.0])
    for h in (0.01, 1.0):
        x = np.linspace(ages.min() - 10 * h, ages.max() + 10 * h, int(np.ptp(ages) / (h / 8)) + 1)
        assert np.trapezoid(binned_density(binned, [h], x)[0], x) == pytest.approx(1.0, abs=1e-7)


def test_bins_hold_counts_and_offsets():
    ages = np.array([0.0, 0.24, 0.26, 1.0])
    binned = bin_ages(ages, lo=0.0, hi=1.0, n_bins=3)  # nodes 0, 0.5, 1
    np.testing.assert_allclose(binned.moments[0], [2, 1, 1])
    np.testing.assert_allclose(binned.moments[1], [0.48, -0.48, 0.0])
    with pytest.raises(DataError, match=r"outside the grid \[0, 0.5\]"):
        bin_ages(ages, lo=0.0, hi=0.5, n_bins=3)


def test_too_narrow_bandwidths_are_named():
    ages = np.array([0.0, 15.0])
    with pytest.raises(DataError, match=r"bandwidths \[1e-06\] Gyr .* exact path"):
        bin_for_bandwidths(ages, [1e-6, 0.5])
    assert 15.0 / (1e-6 / 3) > MAX_BINS
    binned = bin_for_bandwidths(ages, [0.5])
    with pytest.raises(ValueError, match="bandwidths must be >= 3 bin steps"):
        binned_density(binned, [0.1], np.zeros(1))


def test_engine_threshold():
    assert engine_path(EXACT_MAX_N) == "exact"
    assert engine_path(EXACT_MAX_N + 1) == "binned"
    assert engine_for(Sample.of(np.arange(1.0, EXACT_MAX_N + 2))).path == "binned"


def test_rules_of_thumb_equal_analysis_bandwidth():
    for seed, n in ((104, 91), (105, 10_000), (106, 4)):
        ages = _ages(np.random.default_rng(seed), n)
        scott, silverman = rule_of_thumb(ages)
        assert scott == pytest.approx(BANDWIDTH_RULES["scott"](ages), rel=1e-12)
        assert silverman == pytest.approx(BANDWIDTH_RULES["silverman"](ages), rel=1e-12)
        # ... and both against their independent definitions (scipy, statsmodels).
        assert scott == pytest.approx(gaussian_kde(ages).factor * np.std(ages, ddof=1), rel=1e-12)
        assert silverman == pytest.approx(bw_silverman(ages), rel=1e-12)


def test_binned_cv_within_one_percent_of_exact_leave_one_out():
    rng = np.random.default_rng(107)
    ages = _ages(rng, 2000)
    squared = (ages[:, None] - ages[None, :]) ** 2

    def exact_loo(log_h):
        h = np.exp(log_h)
        z = -0.5 * squared / h**2
        np.fill_diagonal(z, -np.inf)
        return np.mean(logsumexp(z, axis=1)) - np.log((ages.size - 1) * h * np.sqrt(2 * np.pi))

    reference = minimize_scalar(
        lambda x: -exact_loo(x), bounds=(np.log(0.02), np.log(2.0)), method="bounded", options={"xatol": 1e-7}
    )
    curve = binned_loo_cv(ages)
    assert curve.folds == ages.size
    # No floor, and every star not accurate to 1e-6 recomputed exactly: the exact optimum to the search's tolerance.
    assert curve.best_bandwidth == pytest.approx(np.exp(reference.x), rel=2e-5)
    assert curve.best_score == pytest.approx(-reference.fun, abs=1e-9)


def _kde_bin_probabilities(ages, h, edges):
    """P(draw in each bin) of the exact KDE: mixture of normal CDF differences (scipy)."""
    return np.diff(norm.cdf(edges[None, :], loc=ages[:, None], scale=h).mean(axis=0))


def test_multinomial_envelope_agrees_with_direct_sampling():
    rng = np.random.default_rng(108)
    ages, h, replicates = _ages(rng, 400), 0.3, 4000
    edges = np.histogram_bin_edges(ages, bins="auto")
    fast = envelope_multinomial(ages, h, edges, replicates, rng=np.random.default_rng(1))
    direct = np.array(
        [np.histogram(sample_kde(ages, h, ages.size, rng=rng), bins=edges)[0] for _ in range(replicates)]
    )
    p = _kde_bin_probabilities(ages, h, edges)
    mean, var = ages.size * p, ages.size * p * (1 - p)
    for counts in (fast, direct):
        assert counts.shape == (replicates, edges.size - 1)
        z = (counts.mean(axis=0) - mean) / np.sqrt(var / replicates)
        assert np.abs(z).max() < 5
        # Where >= 5 stars are expected the sample variance's sd is about sqrt(2 / B) = 2.2 %
        # of the variance; in sparser bins its excess kurtosis 1/var widens that.
        populated = mean >= 5
        assert populated.sum() >= 10
        np.testing.assert_allclose(counts.var(axis=0, ddof=1)[populated], var[populated], rtol=0.12)


def test_the_tails_of_the_per_bin_normals_match_the_kde():
    # The binned engine's mass below 0 Gyr and above 13.8 Gyr comes from component_cdf.
    rng = np.random.default_rng(109)
    ages, h = _ages(rng, 1000), 0.2
    binned = bin_for_bandwidths(ages, [h])
    edges = np.linspace(0.0, 20.0, 41)
    p = _kde_bin_probabilities(ages, h, edges)
    np.testing.assert_allclose(np.diff(component_cdf(binned, h, edges)), p, rtol=0, atol=1e-5)
    exact_tails = norm.cdf([0.0, 13.8], loc=ages[:, None], scale=h).mean(axis=0)
    np.testing.assert_allclose(component_cdf(binned, h, [0.0, 13.8]), exact_tails, rtol=0, atol=1e-6)


def test_same_seed_same_output_different_seed_different_output():
    ages = _ages(np.random.default_rng(110), 300)
    kde = BinnedEngine(Sample.of(ages)).fit([0.5])
    edges = np.linspace(0.0, 20.0, 21)

    def draw(seed):
        drawn = kde.draws(0.5, edges, 5, rng=np.random.default_rng(seed))
        return drawn.shown, drawn.counts

    for a, b in zip(draw(7), draw(7)):
        np.testing.assert_array_equal(a, b)
    for a, b in zip(draw(7), draw(8)):
        assert not np.array_equal(a, b)


def test_binning_in_threaded_parts_gives_the_same_moments(monkeypatch):
    from analysis.binned import grid as module, parts

    ages = _ages(np.random.default_rng(111), 5000)
    whole = bin_ages(ages, lo=0.0, hi=40.0, n_bins=1001).moments
    monkeypatch.setattr(module, "_PART", 100)  # 50 parts, binned in threads
    threaded = bin_ages(ages, lo=0.0, hi=40.0, n_bins=1001).moments
    np.testing.assert_allclose(threaded, whole, rtol=0, atol=1e-10)
    # Bit for bit the same on a machine with one core or with eight.
    for cores in (1, 8):
        monkeypatch.setattr(parts.os, "cpu_count", lambda cores=cores: cores)
        np.testing.assert_array_equal(bin_ages(ages, lo=0.0, hi=40.0, n_bins=1001).moments, threaded)
    assert whole[0].sum() == ages.size
    # Every moment against its definition, sum over each node's ages of u**p.
    u = ages / 0.04 - np.rint(ages / 0.04)
    node = np.rint(ages / 0.04).astype(int)
    for p in range(whole.shape[0]):
        np.testing.assert_allclose(whole[p], np.bincount(node, u**p, minlength=1001), rtol=0, atol=1e-9)


def test_a_fold_binned_through_its_labels_equals_binning_its_ages():
    ages = _ages(np.random.default_rng(112), 3000)
    binned = bin_ages(ages, lo=0.0, hi=40.0, n_bins=801)
    labels = np.random.default_rng(5).integers(0, 3, ages.size).astype(np.int8)
    fold = rebin(binned, ages, labels=labels, fold=1)
    np.testing.assert_array_equal(fold.moments, rebin(binned, ages[labels == 1]).moments)
    assert fold.n == np.count_nonzero(labels == 1)
    rest = without(binned, fold)
    np.testing.assert_allclose(rest.moments, rebin(binned, ages[labels != 1]).moments, rtol=0, atol=1e-9)
    with pytest.raises(DataError, match="1 ages are not finite or lie outside the nodes"):
        rebin(binned, np.array([1.0, 41.0]))
    with pytest.raises(ValueError, match="one label per age"):
        rebin(binned, ages, labels=labels[:10])


def test_ages_that_are_not_finite_are_refused():
    with pytest.raises(DataError, match="expected finite ages in Gyr, got 1 that are not"):
        bin_ages(np.array([1.0, np.nan, 2.0]), lo=0.0, hi=3.0, n_bins=31)


def test_the_exact_path_never_loads_numba():
    # Importing numba costs about half a second: the 91-star default must not pay it.
    script = (
        "import sys, numpy as np\n"
        "from analysis import AnalysisConfig, Dataset, analyse\n"
        "ages = np.random.default_rng(1).gamma(9.0, 1.0, 91)\n"
        "d = Dataset(name='a', label='A', colour='#0072B2', ages_gyr=ages, rows=np.arange(91), n_missing=0,"
        " source='a.csv', pair_group=None)\n"
        "analyse([d], AnalysisConfig(replicates=20, bootstrap_resamples=100))\n"
        "assert 'numba' not in sys.modules, 'numba was imported'\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr


def test_cv_on_a_span_too_wide_for_its_nodes_names_the_problem():
    # In a catalog of 1e7 stars one age of 5e4 Gyr leaves Scott's bandwidth near 0.6 Gyr and
    # the span 8e4 times it; the same proportions here, with Scott's bandwidth given.
    ages = np.append(_ages(np.random.default_rng(120), 2000), 5e4)
    with pytest.raises(DataError, match=r"ages span 49998.8 Gyr, 8.33e\+04 times Scott.*more than 4194304 bins.*values in years"):
        binned_loo_cv(ages, scott=0.6)


@pytest.mark.parametrize("case", ["isolated", "outliers"])
def test_binned_cv_is_the_exact_leave_one_out_optimum_with_isolated_stars_and_far_outliers(case):
    # The catalogs, smaller: one star 0.79 Gyr from its nearest neighbour, and 10 far outliers.
    # A floor on the binned leave-one-out density moved the first choice by 23 %; without one, and with
    # every star not accurate to 1e-6 recomputed exactly, the choice is the exact optimum.
    from analysis.statistics import cv_bandwidth, exact_loo_scorer, loo_log_scores

    rng = np.random.default_rng(140 if case == "isolated" else 141)
    core = rng.normal(5.0, 0.3, 1500)
    extra = [core.max() + 0.79] if case == "isolated" else rng.uniform(15.0, 35.0, 10)
    ages = np.sort(np.concatenate([core, extra]))
    curve = binned_loo_cv(ages)
    scott = rule_of_thumb(ages)[0]
    exact = search(exact_loo_scorer(ages), scott=scott, n=ages.size)
    assert curve.best_bandwidth == pytest.approx(exact.best_bandwidth, rel=2e-5)
    assert curve.best_score == pytest.approx(loo_log_scores(ages, curve.best_bandwidth).mean(), abs=1e-9)
    brute = [loo_log_scores(ages, h).mean() for h in curve.bandwidths[::6]]
    np.testing.assert_allclose(curve.mean_log_likelihood[::6], brute, atol=1e-9)
    assert cv_bandwidth(ages) == pytest.approx(curve.best_bandwidth, rel=2e-5)


def test_binned_loo_score_is_the_exact_mean_and_standard_error_over_stars():
    # The score sums each star's log as it goes and repairs the stars it cannot trust; its mean and
    # standard error are those of scipy's per-star leave-one-out densities, flagged stars included.
    from analysis.binned.selectors import loo_scorer

    rng = np.random.default_rng(142)
    ages = np.sort(np.concatenate([rng.normal(5.0, 0.3, 1200), [7.4], rng.uniform(15.0, 35.0, 5)]))
    score = loo_scorer(ages, scott=rule_of_thumb(ages)[0]).score
    for h in (0.02, 0.08, 0.3):
        per_star = np.array([
            logsumexp(norm.logpdf(ages[i], np.delete(ages, i), h)) - np.log(ages.size - 1) for i in range(ages.size)
        ])  # fmt: skip
        mean, se = score(h)
        assert mean == pytest.approx(per_star.mean(), abs=1e-9)
        assert se == pytest.approx(per_star.std(ddof=1) / np.sqrt(ages.size), rel=1e-7)


def test_binned_loo_score_does_not_depend_on_how_the_stars_are_split_into_threads(monkeypatch):
    # Parts run in threads and their sums are added in order; smaller parts (more threads, and flagged
    # stars in several parts) change the score only by the rounding of the sums.
    from analysis.binned import parts, selectors

    rng = np.random.default_rng(143)
    ages = np.sort(np.concatenate([_ages(rng, 5000), rng.uniform(30.0, 60.0, 7)]))
    scott = rule_of_thumb(ages)[0]
    whole = [selectors.loo_scorer(ages, scott=scott).score(h) for h in (0.05, 0.4)]
    monkeypatch.setattr(selectors, "_PART", 333)
    threaded = [selectors.loo_scorer(ages, scott=scott).score(h) for h in (0.05, 0.4)]
    np.testing.assert_allclose(threaded, whole, rtol=1e-12)
    # Bit for bit the same on a machine with one core or with eight.
    for cores in (1, 8):
        monkeypatch.setattr(parts.os, "cpu_count", lambda cores=cores: cores)
        assert [selectors.loo_scorer(ages, scott=scott).score(h) for h in (0.05, 0.4)] == threaded
