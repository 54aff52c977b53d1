"""The whole analysis: determinism, independence of data sets, the JSON contract."""

import json
from dataclasses import replace

import numpy as np
import pytest
from scipy import stats

from analysis import AnalysisConfig, DataError, Dataset, analyse, to_json
from analysis.pipeline import analyse_dataset

CONFIG = AnalysisConfig(replicates=20, bootstrap_resamples=200)


def _dataset(name: str, ages, *, pair_group: str | None = "file") -> Dataset:
    ages = tuple(float(a) for a in ages)
    return Dataset(
        name=name, label=name.title(), colour="#0072B2", ages_gyr=ages, rows=tuple(range(len(ages))),
        n_missing=0, source=f"{pair_group or name}.csv", pair_group=pair_group,
    )


@pytest.fixture(scope="module")
def three() -> list[Dataset]:
    rng = np.random.default_rng(2024)
    return [
        _dataset("alpha", rng.normal(10.0, 3.0, 60).clip(0.5)),
        _dataset("beta", rng.normal(8.0, 4.0, 60).clip(0.5)),
        _dataset("gamma", rng.gamma(6.0, 1.5, 45), pair_group=None),
    ]


def test_same_seed_gives_identical_results(three):
    assert to_json(analyse(three, CONFIG)) == to_json(analyse(three, CONFIG))


def test_another_seed_changes_the_draws_but_not_the_fits(three):
    first = analyse(three[:1], CONFIG).datasets[0]
    other = analyse(three[:1], AnalysisConfig(seed=CONFIG.seed + 1, replicates=20, bootstrap_resamples=200)).datasets[0]
    assert first.synthetic[0].ages != other.synthetic[0].ages
    assert first.gaussian == other.gaussian


def test_adding_a_data_set_leaves_the_others_unchanged(three):
    alone = analyse(three[:1], CONFIG).datasets[0]
    among_others = analyse(three, CONFIG).datasets[0]
    reordered = analyse(three[::-1], CONFIG).datasets[2]
    assert alone == among_others == reordered


def test_every_pair_is_compared_once(three):
    result = analyse(three, CONFIG)
    assert [(c.a, c.b) for c in result.comparisons] == [("alpha", "beta"), ("alpha", "gamma"), ("beta", "gamma")]
    paired = {(c.a, c.b): c.paired is not None for c in result.comparisons}
    assert paired == {("alpha", "beta"): True, ("alpha", "gamma"): False, ("beta", "gamma"): False}


def test_json_has_the_documented_fields(three):
    data = json.loads(to_json(analyse(three, CONFIG)))
    assert data["seed"] == CONFIG.seed
    for entry, dataset in zip(data["datasets"], three, strict=True):
        assert entry["name"] == dataset.name and entry["n"] == len(dataset.ages_gyr)
        assert entry["gaussian"]["mu"] == pytest.approx(np.mean(dataset.ages_gyr), rel=1e-12)
        assert entry["gaussian"]["sigma"] == pytest.approx(np.std(dataset.ages_gyr), rel=1e-12)
        assert set(entry["bandwidths"]) == {"scott", "silverman", "isj", "cv"}
        assert all(b > 0 for b in entry["bandwidths"].values())
        bandwidths = [s["bandwidth"] for s in entry["synthetic"]]
        assert set(CONFIG.bandwidths) <= set(bandwidths)
        assert all(len(s["ages"]) == entry["n"] for s in entry["synthetic"])
    first = data["comparisons"][0]
    assert {"a", "b", "ks_pvalue", "wasserstein", "paired"} <= set(first)
    assert {"mean_difference", "wilcoxon_pvalue"} <= set(first["paired"])
    assert data["comparisons"][1]["paired"] is None


def test_real_data_reference_values(real_data_dir):
    from analysis.inputs import load_datasets
    from pathlib import Path

    manifest = Path(__file__).resolve().parent.parent / "data" / "datasets.yml"
    result = analyse(load_datasets(manifest, env={"KDE_REPORT_DATA_DIR": str(real_data_dir)}), CONFIG)
    joyce, bensby = result.datasets
    assert (joyce.gaussian.mu, joyce.gaussian.sigma) == pytest.approx((10.8341, 3.4309), abs=1e-4)
    assert (bensby.gaussian.mu, bensby.gaussian.sigma) == pytest.approx((8.1703, 3.9351), abs=1e-4)
    assert (joyce.bandwidths.scott, bensby.bandwidths.scott) == pytest.approx((1.3996, 1.6053), abs=1e-4)
    assert bensby.ties.heavy and not joyce.ties.heavy
    assert result.comparisons[0].paired.n_pairs == 91


@pytest.mark.parametrize(
    ("ages", "message"),
    [
        ([4.2], r"^tiny\.csv: data set 'tiny': only 1 age; expected at least 2 distinct ages, the fewest the report"),
        ([], r"^tiny\.csv: data set 'tiny': no ages; expected at least 2 distinct ages"),
        ([5.0, 5.0, 5.0], r"^tiny\.csv: data set 'tiny': every age is 5\.0 Gyr \(3 stars\); expected at least 2 distinct"),
    ],
)
def test_fewer_than_two_distinct_ages_is_a_data_error(ages, message):
    with pytest.raises(DataError, match=message):
        analyse_dataset(_dataset("tiny", ages, pair_group=None), CONFIG)


def _reasons(result) -> dict[str, str]:
    """Every reason a data set or pair records, keyed by where it is (the JSON's own paths)."""
    found = {}

    def walk(value, path):
        if isinstance(value, dict):
            for key, item in value.items():
                if key == "unavailable" or key.endswith("_unavailable"):
                    if item is not None:
                        found[f"{path}.{key}"] = item
                else:
                    walk(item, f"{path}.{key}")
        elif isinstance(value, list):
            for i, item in enumerate(value):
                walk(item, f"{path}[{i}]")

    walk(json.loads(to_json(result)), "")
    return found


def test_two_stars_build_everything_but_what_needs_more():
    result = analyse([_dataset("pair", [3.1, 9.4], pair_group=None)], CONFIG)
    (d,) = result.datasets
    # What two stars support, against independent references.
    assert (d.gaussian.mu, d.gaussian.sigma) == pytest.approx((6.25, 3.15), rel=1e-12)
    assert d.bandwidths.scott == pytest.approx(np.std([3.1, 9.4], ddof=1) * 2 ** (-1 / 5), rel=1e-12)
    assert [c.kind for c in d.kde_curves] == ["grid", "grid", "grid", "scott", "silverman"]
    assert [s.kind for s in d.synthetic] == ["grid", "grid", "grid", "scott", "silverman"]
    # What they do not, each with its reason.
    assert (d.bandwidths.isj, d.bandwidths.cv, d.cv_curve, d.held_out) == (None, None, None, ())
    reasons = _reasons(result)
    assert set(reasons) == {
        ".datasets[0].bandwidth_choices[2].unavailable",
        ".datasets[0].bandwidth_choices[3].unavailable",
        ".datasets[0].cv_curve_unavailable",
        ".datasets[0].held_out_unavailable",
        ".datasets[0].gaussian.lilliefors_unavailable",
        ".datasets[0].gaussian.shapiro_unavailable",
    }
    assert all(r.startswith("not available for n = 2: ") for r in reasons.values())
    assert d.held_out_unavailable == d.cv_curve_unavailable == d.bandwidth_choices[3].unavailable


def test_three_paired_stars_are_compared_with_what_three_allow():
    a = _dataset("a", [1.0, 2.0, 3.5])
    b = _dataset("b", [1.5, 2.2, 3.0])
    result = analyse([a, b], CONFIG)
    for d in result.datasets:
        assert d.cv_curve.folds == 3 and d.bandwidths.cv is not None  # leave-one-out
        assert [s.folds for s in d.held_out] == [3] * len(d.held_out)
    (c,) = result.comparisons
    assert c.anderson_pvalue is None and c.anderson_unavailable.startswith("not available for n = 3 and 3: ")
    assert c.paired.pearson_r == pytest.approx(np.corrcoef(a.ages, b.ages)[0, 1], rel=1e-12)
    assert c.paired.spearman_rho is None and "needs at least 6 pairs" in c.paired.spearman_unavailable
    assert c.paired.ttest_pvalue == pytest.approx(stats.ttest_rel(a.ages, b.ages).pvalue, rel=1e-12)
    for d in result.datasets:  # Shapiro-Wilk needs 3 ages, Lilliefors 4
        assert d.gaussian.shapiro_pvalue is not None and d.gaussian.lilliefors_pvalue is None
    assert c.cross_a_on_b is not None and c.cross_b_on_a is not None


def test_five_stars_have_every_result_but_isj():
    result = analyse([_dataset("five", [1.0, 2.0, 3.5, 4.1, 6.0], pair_group=None)], CONFIG)
    assert list(_reasons(result).values()) == [
        "not available for n = 5: the fixed-point equation of ISJ (Botev et al. 2010) has no root for these "
        "5 distinct ages, as is common below about 10"
    ]
    (d,) = result.datasets
    # Gaussian, the grid, Scott, Silverman, CV, the reflected and log-age KDEs; leave-one-out CV (n folds)
    assert d.cv_curve.folds == 5 and len(d.held_out) == 1 + 3 + 3 + 2


def test_duplicate_names_are_refused(three):
    with pytest.raises(DataError, match="repeated: alpha"):
        analyse([three[0], three[0]], CONFIG)


def test_a_benchmark_is_scored_not_analysed_and_says_which_training_set_is_closer_to_it():
    # Known truth: the benchmark and "close" are drawn from N(6, 1.5); "far" is shifted by 2 Gyr.
    rng = np.random.default_rng(2026)
    close = _dataset("close", rng.normal(6.0, 1.5, 80).clip(0.2), pair_group=None)
    far = _dataset("far", rng.normal(8.0, 1.5, 80).clip(0.2), pair_group=None)
    truth = rng.normal(6.0, 1.5, 60).clip(0.2)
    bench = replace(_dataset("astero", truth, pair_group=None), role="benchmark")
    result = analyse([close, bench, far], CONFIG)
    assert [d.name for d in result.datasets] == ["close", "far"]
    assert [(c.a, c.b) for c in result.comparisons] == [("close", "far")]
    (bm,) = result.benchmarks
    assert (bm.benchmark, bm.a, bm.b, bm.n_benchmark, bm.headline) == ("astero", "close", "far", 60, "cv")
    assert (bm.benchmark_label, bm.a_label, bm.b_label) == ("Astero", "Close", "Far")
    assert bm.better == "close" and {r.model for r in bm.rows} >= {"gaussian", "scott", "silverman", "cv", "reflected"}
    # Each row against an independent sum: the normal fitted to all of each training set, scored per benchmark star.
    from scipy.stats import norm

    gaussian = next(r for r in bm.rows if r.model == "gaussian")
    per_star = [norm.logpdf(truth, np.mean(d.ages), np.std(d.ages)) for d in (close, far)]
    assert gaussian.score_a == pytest.approx(per_star[0].mean(), rel=1e-12)
    assert gaussian.difference == pytest.approx((per_star[0] - per_star[1]).mean(), rel=1e-12)
    assert gaussian.se == pytest.approx(np.std(per_star[0] - per_star[1], ddof=1) / np.sqrt(60), rel=1e-12)
    cv = next(r for r in bm.rows if r.model == "cv")
    h = result.datasets[0].bandwidths.cv
    kde = np.log(np.mean(norm.pdf(truth[:, None], np.asarray(close.ages)[None, :], h), axis=1))
    assert cv.score_a == pytest.approx(kde.mean(), rel=1e-10)
    assert cv.difference > 2 * cv.se
    json.loads(to_json(result))


def test_only_benchmarks_is_an_error():
    bench = replace(_dataset("astero", np.linspace(1.0, 9.0, 30)), role="benchmark")
    with pytest.raises(DataError, match="every data set is a benchmark"):
        analyse([bench], CONFIG)


def test_per_star_uncertainties_give_an_error_convolved_kde_with_its_closed_form_and_the_spread_explained():
    # Known truth: true ages N(7, 1.5) measured with sigma_i in [0.5, 1.5] Gyr (asymmetric, lower/upper).
    from scipy.stats import norm

    rng = np.random.default_rng(31)
    lower, upper = rng.uniform(0.5, 1.5, 300), rng.uniform(0.5, 1.5, 300)
    sigma = (lower + upper) / 2
    ages = rng.normal(7.0, 1.5, 300) + sigma * rng.standard_normal(300)
    d = replace(_dataset("measured", ages), errors_gyr=np.column_stack([lower, upper]))
    r = analyse([d], CONFIG).datasets[0]
    e = r.errors
    assert r.errors_unavailable is None and e.mean_sigma == pytest.approx(sigma.mean(), rel=1e-12)
    assert e.spread_fraction == pytest.approx(np.mean(sigma**2) / np.var(ages, ddof=1), rel=1e-12)
    assert e.intrinsic_sd == pytest.approx(1.5, abs=0.2)
    assert e.max_asymmetry == pytest.approx(np.max(np.abs(upper - lower) / (upper + lower)), rel=1e-12)
    x = np.asarray(e.curve.x)
    widths = np.hypot(e.bandwidth, sigma)
    closed = norm.pdf(x[:, None], ages[None, :], widths[None, :]).mean(axis=1)
    np.testing.assert_allclose(e.curve.density, closed, rtol=1e-10, atol=1e-300)
    assert np.trapezoid(e.curve.density, x) == pytest.approx(1.0, abs=2e-3)
    assert e.synthetic.kind == "errors" and e.synthetic.n_total == 300
    # Without uncertainties nothing is said about them.
    plain = analyse([_dataset("plain", ages)], CONFIG).datasets[0]
    assert plain.errors is None and plain.errors_unavailable is None
