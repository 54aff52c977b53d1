"""publish.downloads: the input copies and the generated files never overwrite each other."""

import json

import numpy as np
import pytest

from analysis.config import AnalysisConfig
from analysis.dataset import Dataset
from analysis.pipeline import analyse
from publish.downloads import INPUT_FOLDER, write_downloads


@pytest.fixture(scope="module")
def result():
    ages = np.round(np.random.default_rng(41).gamma(6.0, 1.5, 40), 2)
    dataset = Dataset("survey", "Survey", "#009E73", tuple(map(float, ages)), tuple(range(40)), 0, "results.json")
    return analyse([dataset], AnalysisConfig(replicates=3, bootstrap_resamples=100, cv_folds=2))


@pytest.mark.parametrize("name", ["results.json", "results.csv", "synthetic_samples.csv"])
def test_an_input_named_like_a_generated_file_keeps_its_own_bytes(result, tmp_path, name):
    data = tmp_path / "in" / name
    data.parent.mkdir()
    data.write_bytes(b"age_gyr\n4.2\n7.5\n")
    folder = tmp_path / "downloads"
    listed = write_downloads(result, [data], folder)

    assert (folder / INPUT_FOLDER / name).read_bytes() == data.read_bytes()
    assert (folder / name).read_bytes() != data.read_bytes()
    assert listed[0] == (f"Input data ({name})", f"downloads/{INPUT_FOLDER}/{name}")
    paths = [path for _, path in listed]
    assert len(set(paths)) == len(paths) == 4
    assert json.loads((folder / "results.json").read_text())["datasets"][0]["name"] == "survey"


def test_values_that_are_not_available_are_empty_csv_cells_and_json_nulls_with_reasons(tmp_path):
    import csv

    two = Dataset("two", "Two", "#009E73", (3.1, 9.4), (0, 1), 0, "two.csv")
    result = analyse([two], AnalysisConfig(replicates=3, bootstrap_resamples=100))
    folder = tmp_path / "downloads"
    write_downloads(result, [], folder)
    (row,) = csv.DictReader((folder / "results.csv").open(encoding="utf-8"))
    assert row["bandwidth_isj_gyr"] == row["bandwidth_cv_gyr"] == ""
    assert float(row["bandwidth_scott_gyr"]) == pytest.approx(np.std([3.1, 9.4], ddof=1) * 2 ** -0.2, rel=1e-15)
    text = (folder / "results.json").read_text(encoding="utf-8")
    assert "NaN" not in text and "None" not in text
    (entry,) = json.loads(text)["datasets"]
    assert entry["bandwidths"]["isj"] is None and entry["bandwidths"]["cv"] is None
    isj, cv = entry["bandwidth_choices"][2:]
    assert isj["bandwidth"] is None and isj["unavailable"].startswith("not available for n = 2: ISJ needs at least 3")
    assert cv["unavailable"].startswith("not available for n = 2: cross-validation needs at least 3 ages")
    assert entry["cv_curve"] is None and entry["cv_curve_unavailable"] == cv["unavailable"]
    assert entry["held_out"] == [] and entry["held_out_unavailable"] == cv["unavailable"]
    # Synthetic samples exist for the fixed bandwidths and Scott's and Silverman's, not for ISJ or CV.
    with (folder / "synthetic_samples.csv").open(encoding="utf-8") as f:
        kinds = {r["kind"] for r in csv.DictReader(f)}
    assert kinds == {"grid", "scott", "silverman"}
