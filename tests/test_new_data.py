"""New data with no code change: a third data set in the manifest, and a user's own file.

Each build runs on a copy of the project (as a user's checkout would be), so
the repository's own manifest is never edited.
"""

from itertools import combinations
from pathlib import Path
import re
import shutil

from bs4 import BeautifulSoup
import numpy as np
import pypdf
import pytest
import yaml

from publish.render.filters import pct
from tests.support import ROOT, require, run_build

NOT_PROJECT = shutil.ignore_patterns(
    ".git", "_site", ".cache", ".venv", "test-artifacts", "__pycache__", "node", ".pytest_cache", "_generated"
)


def _project_copy(folder: Path) -> Path:
    copy = folder / "project"
    shutil.copytree(ROOT, copy, ignore=NOT_PROJECT)
    return copy


def _build_in(project: Path, *args: str, env: dict[str, str]):
    return run_build(*args, env=env, cwd=project)


def _text(page: Path) -> str:
    return BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser").get_text(" ")


@pytest.fixture(scope="module")
def three_sets(build_env, tmp_path_factory) -> tuple[Path, dict]:
    """The default manifest plus a second file holding 57 stars of another survey."""
    project = _project_copy(tmp_path_factory.mktemp("three"))
    ages = np.random.default_rng(3).gamma(9.0, 1.0, 57).round(2)
    (project / "data" / "survey_b.csv").write_text(
        "Age_Gyr\n" + "\n".join(f"{a:.2f}" for a in ages) + "\n", encoding="utf-8"
    )
    manifest_path = project / "data" / "datasets.yml"
    manifest = yaml.safe_load(manifest_path.read_text(encoding="utf-8"))
    manifest["sources"].append(
        {
            "id": "survey-b",
            "file": "survey_b.csv",
            "licence": "CC BY 4.0",
            "licence_url": "https://creativecommons.org/licenses/by/4.0/",
            "citation": "A. Nother et al. 2026",
            "datasets": [
                {"column": "Age_Gyr", "name": "survey-b", "label": "Survey B (2026)", "colour": "#009E73", "units": "Gyr"}
            ],
        }
    )
    manifest_path.write_text(yaml.safe_dump(manifest, sort_keys=False), encoding="utf-8")
    done = _build_in(project, "--engine", "pandoc", "--quiet", env=build_env)
    assert done.returncode == 0, done.stderr
    return project / "_site", {"ages": ages}


def test_a_page_and_figures_for_every_data_set(three_sets):
    site, _ = three_sets
    for name in ("joyce", "bensby", "survey-b"):
        page = site / f"dataset-{name}.html"
        assert page.is_file(), name
        images = [img["src"] for img in BeautifulSoup(page.read_text(), "html.parser").find_all("img")]
        for figure in ("step7", "step9", "bandwidths", "synthetic"):
            assert f"figures/{name}-{figure}.svg" in images
            assert (site / "figures" / f"{name}-{figure}.svg").stat().st_size > 1000
    assert "Survey B (2026)" in _text(site / "index.html")
    assert (site / "report.pdf").stat().st_size > 10_000


def test_every_pair_is_compared_and_only_same_stars_per_star(three_sets):
    site, _ = three_sets
    comparison = _text(site / "comparison.html")
    for a, b in combinations(("Joyce et al. (2023)", "Bensby et al. (2017)", "Survey B (2026)"), 2):
        assert a in comparison and b in comparison
    assert (site / "figures" / "pair-joyce-bensby.svg").is_file()
    assert not list((site / "figures").glob("pair-*survey-b*"))
    # The comparison page says why the new survey gets no per-star comparison.
    assert comparison.count("different files") >= 2 or comparison.count("not the same stars") >= 2


def test_the_new_data_sets_numbers_are_on_its_page(three_sets):
    site, info = three_sets
    text = _text(site / "dataset-survey-b.html")
    assert f"{np.mean(info['ages']):.2f}" in text
    assert "57" in text


def test_a_users_own_file_with_three_columns(build_env, tmp_path):
    project = _project_copy(tmp_path)
    rng = np.random.default_rng(8)
    ages = np.column_stack([rng.normal(9, 2, 40), rng.normal(7, 3, 40), rng.normal(11, 1.5, 40)]).clip(0.2).round(3)
    data = tmp_path / "my_ages.csv"
    data.write_text("MESA,PARSEC,BaSTI\n" + "\n".join(",".join(f"{v}" for v in row) for row in ages) + "\n")
    check = _build_in(project, "--data", str(data), "--check", env=build_env)
    assert check.returncode == 0, check.stderr
    for name in ("mesa", "parsec", "basti"):
        assert f"data set '{name}'" in check.stdout
    done = _build_in(project, "--data", str(data), "--engine", "pandoc", "--format", "html", "--quiet", env=build_env)
    assert done.returncode == 0, done.stderr
    site = project / "_site"
    assert {p.name for p in site.glob("dataset-*.html")} == {"dataset-mesa.html", "dataset-parsec.html", "dataset-basti.html"}
    # Columns of one file are the same stars: every pair gets the per-star figure.
    assert {p.name for p in (site / "figures").glob("pair-*.svg")} == {
        "pair-mesa-parsec.svg", "pair-mesa-basti.svg", "pair-parsec-basti.svg"
    }
    assert not (site / "report.pdf").exists()


def test_a_benchmark_data_set_is_scored_on_the_comparison_page(build_env, tmp_path):
    # A synthetic benchmark drawn near Joyce's ages: scored under every model of both training sets, not analysed.
    project = _project_copy(tmp_path)
    ages = np.random.default_rng(12).normal(9.0, 2.5, 40).clip(0.5).round(2)
    (project / "data" / "astero.csv").write_text("age\n" + "\n".join(f"{a:.2f}" for a in ages) + "\n", encoding="utf-8")
    manifest_path = project / "data" / "datasets.yml"
    manifest = yaml.safe_load(manifest_path.read_text(encoding="utf-8"))
    manifest["sources"].append(
        {"id": "astero", "file": "astero.csv", "paired": False, "datasets": [
            {"column": "age", "name": "astero", "label": "Asteroseismic (synthetic)", "colour": "#009E73", "role": "benchmark"},
        ]}  # fmt: skip
    )
    manifest_path.write_text(yaml.safe_dump(manifest, sort_keys=False), encoding="utf-8")
    done = _build_in(project, "--engine", "pandoc", "--quiet", env=build_env)
    assert done.returncode == 0, done.stderr
    site = project / "_site"
    assert not (site / "dataset-astero.html").exists()
    text = " ".join(_text(site / "comparison.html").split())
    assert "40 ages of Asteroseismic (synthetic)" in text
    assert "per star (standard error of the per-benchmark-star differences)" in text
    assert "Trained on Joyce et al. (2023)" in text and "KDE, leave-one-out CV" in text
    assert "this report has no such data set" not in text
    # The CV KDEs (and the reflected ones at their own CV bandwidths) favour Joyce; the others do not: said so.
    assert "Joyce et al. (2023) predicts the 40 ages of Asteroseismic (synthetic) better" in text
    assert "Only 2 of the 7 models favour it by more than two standard errors" in text
    assert "nan" not in text.split() and "None" not in text.split()
    assert "would decide it" not in _text(site / "index.html")


@pytest.fixture(scope="module")
def measured(build_env, tmp_path_factory) -> tuple[Path, Path, dict]:
    """A user's file of 150 ages, each with its one-sigma uncertainty, built into the site and the PDF."""
    # Known truth: true ages N(7, 1.5), each measured with its own sigma.
    folder = tmp_path_factory.mktemp("measured")
    project = _project_copy(folder)
    rng = np.random.default_rng(21)
    sigma = rng.uniform(0.5, 1.5, 150)
    observed = rng.normal(7.0, 1.5, 150) + sigma * rng.standard_normal(150)
    data = folder / "measured.csv"
    data.write_text("age,age_err\n" + "\n".join(f"{a:.4f},{s:.4f}" for a, s in zip(observed, sigma)) + "\n")
    args = ("--data", str(data), "--column", "age", "--error-column", "age_err")
    done = _build_in(project, *args, "--engine", "pandoc", "--quiet", env=build_env)
    assert done.returncode == 0, done.stderr
    return project, data, {"sigma": sigma, "observed": observed}


def test_a_file_with_an_uncertainty_column_gets_an_error_convolved_kde(measured, build_env):
    # The page says how much of the observed variance the sigmas account for, and the intrinsic spread left,
    # which is near 1.5 Gyr.
    project, data, truth = measured
    sigma, observed = truth["sigma"], truth["observed"]
    text = " ".join(_text(project / "_site" / "dataset-age.html").split())
    share = np.mean(sigma.round(4) ** 2) / np.var(observed.round(4), ddof=1)
    intrinsic = np.sqrt(np.var(observed.round(4), ddof=1) * (1 - share))
    assert "Per-star uncertainties" in text
    assert f"The stated uncertainties account for {pct(share)} of the observed age variance" in text
    assert f"an intrinsic spread of {intrinsic:.2f} Gyr" in text and abs(intrinsic - 1.5) < 0.3
    assert "kernel of variance" in text and "Synthetic samples drawn from it" in text
    # --error-column pairs with --column, one each; without --column, with the file's other column.
    bad = _build_in(project, "--data", str(data), "--column", "age", "--column", "age_err", "--error-column", "age_err", "--check", env=build_env)
    assert bad.returncode != 0 and "--error-column 'age_err': expected one per --column" in bad.stderr
    alone = _build_in(project, "--data", str(data), "--error-column", "age_err", "--check", env=build_env)
    assert alone.returncode == 0, alone.stderr


@pytest.fixture(scope="module", params=["pandoc", "quarto"])
def measured_site(request, measured, build_env) -> Path:
    """The site of ``measured`` from each engine: the pandoc build above, and one by Quarto."""
    project, data, _ = measured
    if request.param == "pandoc":
        return project / "_site"
    from publish.engines import find_quarto

    require(find_quarto()[0] is not None, "Quarto is not installed (no quarto on PATH, no quarto-cli package)")
    out = project.parent / "quarto-site"
    args = ("--data", str(data), "--column", "age", "--error-column", "age_err", "--out", str(out))
    done = _build_in(project, *args, "--engine", "quarto", "--quiet", env=build_env)
    assert done.returncode == 0, done.stderr
    return out


def test_the_uncertainties_figure_is_on_the_page_and_in_the_pdf_numbered_with_its_caption(measured_site):
    site = measured_site
    soup = BeautifulSoup((site / "dataset-age.html").read_text(encoding="utf-8"), "html.parser")
    (image,) = [img for img in soup.find_all("img") if img["src"] == "figures/age-errors.svg"]
    assert (site / "figures" / "age-errors.svg").stat().st_size > 1000 and "error-convolved KDE" in image["alt"]
    caption = " ".join(image.find_parent("figure").find("figcaption").get_text(" ").split())
    number = re.fullmatch(r"(Figure \d+): age: the report's histogram .* with the KDE at the leave-one-out CV "
                          r"bandwidth \(solid\) and the error-convolved KDE \(dashed\), .*", caption)
    assert number, caption
    # The section's text refers to the figure by its number, as a link to it.
    (link,) = [a for a in soup.find_all("a") if a.get("href") == "#fig-age-errors"]
    assert " ".join(link.get_text().split()) == number.group(1)
    reader = pypdf.PdfReader(site / "report.pdf")
    pages = [" ".join(page.extract_text().split()) for page in reader.pages]
    found = [i for i, page in enumerate(pages) if "the error-convolved KDE (dashed)" in page]
    assert len(found) == 1, found
    page = pages[found[0]]
    assert re.search(r"Figure \d+: age: the report's histogram", page), page
    assert reader.pages[found[0]].images, "the caption's page holds no image"
