"""Small data sets end to end: ``python build.py --data`` on files of 5, 3 and 2 stars, with each engine.

The pages, the PDF and the downloads are read as a reader reads them: every
result the data allow is there, every one they do not is "not available for
n = ..." with its reason, and no "nan" or "None" reaches anyone. One star, or
one repeated age, stops the build with one line.
"""

import csv
import json
from pathlib import Path
import re

from bs4 import BeautifulSoup
import numpy as np
import pypdf
import pytest
from scipy import stats

from publish.engines import find_quarto
from tests.support import open_offline, require, run_build

# Words that mean a missing or broken number reached the reader (as tests/test_build.py).
BROKEN_NUMBER = re.compile(r"\b(nan|NaN|None|inf|undefined)\b")
FIVE = (1.0, 2.0, 3.5, 4.1, 6.0)
ISJ_FIVE = (
    "not available for n = 5: the fixed-point equation of ISJ (Botev et al. 2010) has no root for these 5 "
    "distinct ages, as is common below about 10"
)
CV_TWO = (
    "not available for n = 2: cross-validation needs at least 3 ages, so that a model fitted without the "
    "held-out star still has 2 to learn from"
)


def _text(page: Path) -> str:
    """The reader's text of a page's main content, whitespace collapsed."""
    main = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser").find("main")
    return " ".join(main.get_text(" ").split())


def _build(data: Path, out: Path, env: dict[str, str], *args: str):
    return run_build("--data", str(data), "--out", str(out), "--force", *args, env=env)


@pytest.fixture(scope="module")
def five_site(build_env, tmp_path_factory) -> Path:
    """5 stars, one column, built with the pandoc engine (site and PDF)."""
    folder = tmp_path_factory.mktemp("five")
    data = folder / "five.dat"
    data.write_text("age\n" + "\n".join(map(str, FIVE)) + "\n", encoding="utf-8")
    done = _build(data, folder / "site", build_env, "--engine", "pandoc")
    assert done.returncode == 0, done.stderr
    return folder / "site"


@pytest.fixture(scope="module")
def paired_site(build_env, tmp_path_factory) -> Path:
    """3 stars measured twice, one of them missing the second age: 3 and 2 stars, paired, built by Quarto."""
    require(find_quarto()[0] is not None, "Quarto is not installed (no quarto on PATH, no quarto-cli package)")
    folder = tmp_path_factory.mktemp("paired")
    data = folder / "pairs.csv"
    data.write_text("three,two\n1.0,1.5\n2.0,\n3.5,3.0\n", encoding="utf-8")
    done = _build(data, folder / "site", build_env, "--engine", "quarto")
    assert done.returncode == 0, done.stderr
    return folder / "site"


def test_five_stars_build_everything_but_isj(five_site):
    page = _text(five_site / "dataset-age.html")
    assert f"ISJ not available {ISJ_FIVE}." in page
    # Scott's rule from scipy, independently of the pipeline.
    scott = stats.gaussian_kde(np.array(FIVE)).factor * np.std(FIVE, ddof=1)
    assert f"Scott {scott:.2f}" in page
    assert (
        "Held-out scores of age (leave-one-out, nested: every data-driven bandwidth re-selected on each training part; "
        "higher is better)" in page
    )
    assert "No model is ahead by more than two standard errors; indistinguishable:" in page
    for name in ("index", "bandwidth", "generative", "comparison", "methods", "data", "dataset-age"):
        found = BROKEN_NUMBER.findall(_text(five_site / f"{name}.html"))
        assert not found, (name, found)
    assert "Figure not drawn" not in _text(five_site / "bandwidth.html")  # 5 stars can be cross-validated


def test_five_stars_pdf_and_downloads_say_why_isj_is_missing(five_site):
    pdf = " ".join(" ".join(p.extract_text().split()) for p in pypdf.PdfReader(five_site / "report.pdf").pages)
    assert "not available for n = 5: the fixed-point equation of ISJ" in pdf
    assert not BROKEN_NUMBER.findall(pdf)
    (row,) = csv.DictReader((five_site / "downloads" / "results.csv").open(encoding="utf-8"))
    assert row["bandwidth_isj_gyr"] == "" and float(row["bandwidth_cv_gyr"]) > 0
    (entry,) = json.loads((five_site / "downloads" / "results.json").read_text(encoding="utf-8"))["datasets"]
    assert entry["bandwidths"]["isj"] is None
    assert entry["bandwidth_choices"][2]["unavailable"] == ISJ_FIVE


def test_three_and_two_paired_stars_build_with_quarto(paired_site):
    two = _text(paired_site / "dataset-two.html")
    assert f"CV not available {CV_TWO}." in two
    assert f"Held-out scores: {CV_TWO}." in two
    index = _text(paired_site / "index.html")
    assert f"CV bandwidth of two: {CV_TWO}." in index
    assert "two: no model can be scored on held-out stars" in index
    comparison = _text(paired_site / "comparison.html")
    # The $k$ is MathML, whose text differs between the engines.
    assert re.search(r"Anderson-Darling \(.{1,12}-sample, midrank\) not available not available", comparison)
    assert "not available for n = 3 and 2: the Anderson-Darling p-value" in comparison
    assert "Pearson's r: not available for 2 pairs: Pearson's r needs at least 3 pairs." in comparison
    assert "Stars in both 2" in comparison
    for page in paired_site.glob("*.html"):
        found = BROKEN_NUMBER.findall(_text(page))
        assert not found, (page.name, found)
    assert (paired_site / "report.pdf").stat().st_size > 10_000


def test_two_stars_leave_out_the_figures_nothing_can_fill(build_env, tmp_path):
    data = tmp_path / "two.dat"
    data.write_text("age\n3.1\n9.4\n", encoding="utf-8")
    done = _build(data, tmp_path / "site", build_env, "--engine", "pandoc", "--format", "html")
    assert done.returncode == 0, done.stderr
    site = tmp_path / "site"
    bandwidth = _text(site / "bandwidth.html")
    assert f"Figure not drawn This figure is not drawn: no data set has a cross-validation curve (age: {CV_TWO})." in bandwidth
    assert not (site / "figures" / "bandwidth-cv.svg").exists()
    assert "Figure not drawn" in _text(site / "generative.html") and "Figure not drawn" in _text(site / "comparison.html")
    for page in site.glob("*.html"):
        assert not BROKEN_NUMBER.findall(_text(page)), page.name


def test_the_explorer_starts_without_a_cv_bandwidth(browser, build_env, tmp_path):
    data = tmp_path / "two.dat"
    data.write_text("age\n3.1\n9.4\n", encoding="utf-8")
    done = _build(data, tmp_path / "site", build_env, "--engine", "pandoc", "--format", "html")
    assert done.returncode == 0, done.stderr
    page, errors, failed = open_offline(browser, tmp_path / "site" / "bandwidth.html")
    # No CV bandwidth to start from: the slider stays in its middle, and the plot is drawn.
    assert page.input_value("#explorer-h") == "500"
    assert page.get_attribute("#explorer-kde", "d").startswith("M")
    assert errors == [] and failed == []
    page.close()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("age\n4.2\n", "only 1 age; expected at least 2 distinct ages, the fewest the report is built from"),
        ("age\nnan\n4.2\n", "only 1 age (1 missing value dropped); expected at least 2 distinct ages"),
        ("age\nnan\nnan\n", "all 2 values are missing; expected at least 2 distinct ages"),
        ("age\n5.0\n5.0\n5.0\n", "every age is 5.0 Gyr (3 stars); expected at least 2 distinct ages"),
    ],
)
def test_fewer_than_two_distinct_ages_is_one_line_and_builds_nothing(build_env, tmp_path, content, message):
    data = tmp_path / "tiny.dat"
    data.write_text(content, encoding="utf-8")
    done = _build(data, tmp_path / "site", build_env, "--engine", "pandoc")
    assert done.returncode == 1
    (line,) = [line for line in done.stderr.splitlines() if line.startswith("build failed")]
    assert line.startswith(f"build failed in stage 'load': {data}: column 'age' (data set 'age'): {message}")
    assert "Traceback" not in done.stderr
    assert not (tmp_path / "site").exists()
