"""The whole analysis: determinism, independence of data sets, the JSON contract."""

import json

import numpy as np
import pytest

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
    from publish.sources import load_datasets
    from pathlib import Path

    manifest = Path(__file__).resolve().parent.parent / "data" / "datasets.yml"
    result = analyse(load_datasets(manifest, env={"KDE_REPORT_DATA_DIR": str(real_data_dir)}), CONFIG)
    joyce, bensby = result.datasets
    assert (joyce.gaussian.mu, joyce.gaussian.sigma) == pytest.approx((10.8341, 3.4309), abs=1e-4)
    assert (bensby.gaussian.mu, bensby.gaussian.sigma) == pytest.approx((8.1703, 3.9351), abs=1e-4)
    assert (joyce.bandwidths.scott, bensby.bandwidths.scott) == pytest.approx((1.3996, 1.6053), abs=1e-4)
    assert bensby.ties.heavy and not joyce.ties.heavy
    assert result.comparisons[0].paired.n_pairs == 91


def test_too_few_ages_for_the_folds_is_a_data_error():
    with pytest.raises(DataError, match=r"tiny\.csv: data set 'tiny': expected at least 5 ages .* got 4"):
        analyse_dataset(_dataset("tiny", [1.0, 2.0, 3.0, 4.0], pair_group=None), CONFIG)


def test_duplicate_names_are_refused(three):
    with pytest.raises(DataError, match="repeated: alpha"):
        analyse([three[0], three[0]], CONFIG)
