"""A catalog above ``binned.EXACT_MAX_N`` stars: the binned path, stated on the pages, in a small site.

One build of a seeded 50 000-row, two-column file (the same stars in two
columns) with the pandoc engine, on a copy of the project; 10^6 rows are timed
by ``benchmarks/build_large.py``, not here.
"""

import json
from pathlib import Path
import re

from bs4 import BeautifulSoup
import numpy as np
import pytest

from analysis.engine import EXACT_MAX_N
from publish.downloads import INPUT_COPY_MAX_BYTES, MAX_PER_STAR_VALUES
from tests.test_new_data import _build_in, _project_copy

ROWS = 50_000
#: The issue's bound on a catalog's whole site.
MAX_SITE_BYTES = 5_000_000
EXPLORER_JSON = re.compile(r'<script type="application/json" id="explorer-data">(.*?)</script>', re.S)


def _text(page: Path) -> str:
    return " ".join(BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser").get_text(" ").split())


@pytest.fixture(scope="module")
def large_site(build_env, tmp_path_factory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("large")
    project = _project_copy(folder)
    rng = np.random.default_rng(50)
    a = np.where(rng.random(ROWS) < 0.6, rng.normal(4.0, 1.0, ROWS), rng.gamma(9.0, 1.0, ROWS))
    ages = np.column_stack([a, a + rng.normal(0.5, 0.7, ROWS)]).clip(0.05)
    data = folder / "catalog.csv"
    np.savetxt(data, ages, fmt="%.4f", delimiter=",", header="age_a,age_b", comments="")
    assert ROWS > EXACT_MAX_N and data.stat().st_size > INPUT_COPY_MAX_BYTES
    done = _build_in(project, "--data", str(data), "--engine", "pandoc", "--quiet", env=build_env)
    assert done.returncode == 0, done.stderr
    return project / "_site", data


def test_every_page_exists_and_prints_no_nan_or_none(large_site):
    site, _ = large_site
    names = ["index", "dataset-age_a", "dataset-age_b", "bandwidth", "generative", "comparison", "methods", "data"]
    for name in names:
        text = _text(site / f"{name}.html")
        assert not re.search(r"\bnan\b|\bNone\b|\binf\b", text, re.I), name
    assert (site / "report.pdf").stat().st_size > 10_000


def test_pages_state_the_binned_path_and_its_bound(large_site):
    site, _ = large_site
    methods = _text(site / "methods.html")
    for name in ("age_a", "age_b"):
        page = _text(site / f"dataset-{name}.html")
        match = re.search(r"binned engine: (\d+) bins of ([0-9.]+) Gyr, error below ([0-9.]+) × 10 ?−(\d+) of the peak density", page)
        assert match, page[:600]
        bins, width, mantissa, exponent = int(match[1]), float(match[2]), float(match[3]), int(match[4])
        assert bins > 100 and 0 < width <= 0.01 / 3  # at most a third of the 0.01 Gyr lecture bandwidth
        assert mantissa * 10.0**-exponent < 1e-3
        assert match[0] in methods
        assert "evaluated exactly" not in page and "direct sum" not in page  # a catalog's KDEs are binned
    assert "Above 20000 stars" in methods


def test_explorer_holds_binned_counts_not_ages(large_site):
    site, _ = large_site
    data = json.loads(EXPLORER_JSON.search((site / "bandwidth.html").read_text(encoding="utf-8")).group(1))
    for entry in data["datasets"]:
        assert "ages" not in entry
        assert entry["n"] == ROWS and sum(entry["binned"]["counts"]) == ROWS
        assert len(entry["counts"]) == len(entry["edges"]) - 1


def test_site_is_small_and_the_input_is_linked_not_copied(large_site):
    site, data = large_site
    sizes = {p.relative_to(site).as_posix(): p.stat().st_size for p in site.rglob("*") if p.is_file()}
    assert sum(sizes.values()) < MAX_SITE_BYTES, sorted(sizes.items(), key=lambda kv: -kv[1])[:8]
    assert not [name for name in sizes if name.endswith(data.name)]
    assert "not copied: the file is larger than 500 kB" in _text(site / "data.html")
    assert max(size for name, size in sizes.items() if name.endswith(".svg")) < 300_000
    results = json.loads((site / "downloads" / "results.json").read_text(encoding="utf-8"))
    for d in results["datasets"]:
        assert all(len(s["ages"]) == MAX_PER_STAR_VALUES and s["n_total"] == ROWS for s in d["synthetic"])
    (pair,) = [c["paired"] for c in results["comparisons"]]
    assert pair["n_pairs"] == ROWS and len(pair["a_ages"]) == MAX_PER_STAR_VALUES
    rows = (site / "downloads" / "synthetic_samples.csv").read_text(encoding="utf-8").count("\n") - 1
    assert rows == sum(len(d["synthetic"]) for d in results["datasets"]) * MAX_PER_STAR_VALUES
