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
