"""analysis.minimums: one list of what each result needs, stated alike in the README and on the pages."""

import re

import pytest

from analysis import DataError
from analysis.statistics import ISJ_MIN_DISTINCT
from analysis.compare import AD_MIN_AGES, MIN_PAIRS, PEARSON_MIN_PAIRS, SPEARMAN_MIN_PAIRS, WILCOXON_MIN_DIFFERENCES
from analysis.dataset import MIN_DISTINCT_AGES
from analysis.folds import MIN_CROSS_VALIDATED_AGES, MIN_TRAINING_STARS
from analysis.readers.manifest import DatasetSpec, SourceSpec
from analysis.minimums import MINIMUMS
from analysis.readers import datasets_from_table, parse_table
from tests.support import ROOT


def _readme_table() -> list[tuple[str, str, str]]:
    """The rows of the README's table of minimums (under "Small data sets")."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("### Small data sets", 1)[1].split("\n## ", 1)[0]
    rows = re.findall(r"^\| (.+?) \| (.+?) \| (.+?) \|$", section, re.M)
    return [row for row in rows if row != ("result", "needs at least", "why") and not set(row[0]) <= {"-"}]


def test_the_readme_lists_every_minimum_as_the_registry_does():
    assert _readme_table() == [(m.result, m.needs, m.why) for m in MINIMUMS]


def test_each_minimum_states_its_constant():
    needs = {m.result: m.needs for m in MINIMUMS}
    assert needs["Every data set"] == f"{MIN_DISTINCT_AGES} distinct ages" == "2 distinct ages"
    assert needs["ISJ bandwidth"] == f"{ISJ_MIN_DISTINCT} distinct ages"
    assert needs["CV bandwidth, held-out scores"] == f"{MIN_CROSS_VALIDATED_AGES} ages" == "3 ages"
    assert MIN_CROSS_VALIDATED_AGES == MIN_TRAINING_STARS + 1
    assert needs["Anderson-Darling test"] == f"{AD_MIN_AGES} ages in each data set"
    assert needs["Per-star comparison"] == f"{MIN_PAIRS} stars in both data sets"
    assert needs["Wilcoxon signed-rank test"] == f"{WILCOXON_MIN_DIFFERENCES} non-zero difference"
    assert needs["Pearson's r"] == f"{PEARSON_MIN_PAIRS} pairs"
    assert needs["Spearman's rho"] == f"{SPEARMAN_MIN_PAIRS} pairs"


def test_the_readme_example_error_is_the_one_a_one_star_file_gives():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    (example,) = re.findall(r"build failed in stage 'load': (tiny\.csv: .*)", readme)
    source = SourceSpec(
        id="tiny", file="tiny.csv", url=None, sha256=None, licence="", licence_url="", citation="", paired=True,
        datasets=(DatasetSpec(column="age", name="age", label="age", colour="#000000"),),
    )
    with pytest.raises(DataError) as error:
        datasets_from_table(parse_table(b"age\n4.2\n", "tiny.csv"), source)
    assert str(error.value) == example
