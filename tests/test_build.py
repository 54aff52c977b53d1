"""End to end: ``python build.py`` on the real data, with each engine.

Each engine's site is built once per test run (``conftest.built``) into a
temporary folder; the tests then read it as a reader would: pages, links,
figures, numbers, PDF text. Rebuilds run on a copy, so the shared site stays
as built.
"""

from pathlib import Path
import re
import shutil

from bs4 import BeautifulSoup
import matplotlib.image
import pypdf
import pytest
from scipy import stats

from analysis.inputs import load_manifest
from tests.support import run_build as _build

ROOT = Path(__file__).resolve().parent.parent
REAL_FILE = "stellar_ages.dat"
FIXED_PAGES = ("index", "bandwidth", "generative", "comparison", "methods", "data")
# Words that mean a missing or broken number reached the reader.
BROKEN_NUMBER = re.compile(r"\b(nan|NaN|None|inf|undefined)\b")


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _changed(before: dict[str, bytes], folder: Path) -> list[str]:
    """Files added, removed or rewritten with other bytes since ``before``."""
    after = _snapshot(folder)
    return sorted(name for name in before.keys() | after.keys() if before.get(name) != after.get(name))


@pytest.fixture
def env(build_env) -> dict[str, str]:
    return build_env


@pytest.fixture
def site(built) -> Path:
    return built.site


@pytest.fixture
def site_copy(built, tmp_path) -> Path:
    """A copy of the built site in a folder of its own, for tests that rebuild into it."""
    copy = tmp_path / "out" / "site"
    shutil.copytree(built.site, copy)
    return copy


@pytest.fixture
def pdf_text(site) -> str:
    return " ".join(" ".join(page.extract_text().split()) for page in pypdf.PdfReader(site / "report.pdf").pages)


def _pages(site: Path) -> list[Path]:
    return sorted(site.glob("*.html"))


def _soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def test_every_page_and_the_pdf_exist(site):
    names = [d.name for s in load_manifest(ROOT / "data" / "datasets.yml").sources for d in s.datasets]
    expected = {f"{page}.html" for page in FIXED_PAGES} | {f"dataset-{name}.html" for name in names}
    assert {p.name for p in _pages(site)} == expected
    assert (site / "report.pdf").read_bytes().startswith(b"%PDF-")
    assert {p.name for p in (site / "downloads").iterdir()} >= {"input", "results.json", "results.csv"}
    assert [p.name for p in (site / "downloads" / "input").iterdir()] == [REAL_FILE]


def _nav_links(soup: BeautifulSoup) -> list:
    """The links of a page's navigation bar: the pandoc template's or Quarto's."""
    nav = soup.find("nav", attrs={"aria-label": "Report pages"})
    return nav.select("li a") if nav is not None else soup.select("#quarto-header .navbar-nav a.nav-link")


def test_every_internal_link_and_image_resolves(site):
    ids = {page.name: {tag["id"] for tag in _soup(page).find_all(id=True)} for page in _pages(site)}
    for page in _pages(site):
        soup = _soup(page)
        for tag, attr in [(t, "src") for t in soup.find_all(src=True)] + [(t, "href") for t in soup.find_all(href=True)]:
            target = tag[attr]
            if re.match(r"(https?:|mailto:)", target):
                assert tag.name == "a", f"{page.name}: remote {attr} on <{tag.name}>: {target}"
                continue
            path, _, fragment = target.partition("#")
            file = site / path if path else page
            assert file.is_file(), f"{page.name}: <{tag.name} {attr}={target!r}> does not resolve"
            if fragment and file.suffix == ".html":
                assert fragment in ids[file.name], f"{page.name}: {target!r} names no element"


def test_navigation_links_every_page_and_the_pdf(site):
    for page in _pages(site):
        links = _nav_links(_soup(page))
        hrefs = [a["href"].removeprefix("./") for a in links]
        assert hrefs == [
            "index.html", "dataset-joyce.html", "dataset-bensby.html", "bandwidth.html", "generative.html",
            "comparison.html", "methods.html", "data.html", "report.pdf",
        ]  # fmt: skip
        assert [a["href"].removeprefix("./") for a in links if a.get("aria-current") == "page"] == [page.name]


def test_gaussian_fits_appear_on_the_pages_and_in_the_pdf(site, real_ages, pdf_text):
    names = ("joyce", "bensby")  # the manifest's column order
    for column, name in enumerate(names):
        mu, sigma = stats.norm.fit(real_ages[:, column])
        text = _soup(site / f"dataset-{name}.html").get_text()
        for value in (f"{mu:.2f}", f"{sigma:.2f}"):
            assert value in text, f"dataset-{name}.html lacks {value}"
            assert value in pdf_text, f"report.pdf lacks {value}"
    assert "10.83" in pdf_text and "3.43" in pdf_text  # the lecture's Joyce fit, as a reader knows it


def test_the_same_stars_are_compared_star_by_star_and_normality_is_rejected(site, real_ages, pdf_text):
    joyce, bensby = real_ages[:, 0], real_ages[:, 1]
    # The numbers, from 10000 resamples: paired 2.27 to 3.06 Gyr (unpaired 1.58 to 3.75), t = 13.26.
    # The report's 2000 resamples of its seeded stream give 2.28 to 3.07 Gyr.
    paired = "paired 95 % interval 2.28 to 3.07 Gyr"
    t = stats.ttest_rel(joyce, bensby)
    assert round(t.statistic, 2) == 13.26 and t.pvalue < 1e-22
    overview = " ".join(_soup(site / "index.html").find("main").get_text(" ").split())
    comparison = " ".join(_soup(site / "comparison.html").find("main").get_text(" ").split())
    for text in (overview, comparison, pdf_text):
        assert paired in text
        assert "1.58 to 3.75" not in text  # the interval that ignores the pairing
    assert "the mean of the per-star differences of the 91 stars in both" in overview
    assert "with 90 degrees of freedom" in comparison and "13.3" in comparison
    # Lilliefors (p = 0.0045 and 0.0071) and Shapiro-Wilk (p = 0.014 and 0.0022) reject normality at 5 %.
    verdict = "Lilliefors and Shapiro-Wilk reject normality at the 5 % level for Joyce et al. (2023)"
    for text in (overview, pdf_text):
        assert verdict in text.replace(" p p ", " p ")
    for name in ("joyce", "bensby"):
        page = " ".join(_soup(site / f"dataset-{name}.html").find("main").get_text(" ").split())
        assert "Lilliefors and Shapiro-Wilk reject normality at the 5 % level" in page
        assert "not calibrated" in page


def test_no_missing_numbers_in_any_text(site, pdf_text):
    for page in _pages(site):
        main = _soup(page).find("main")
        found = BROKEN_NUMBER.findall(main.get_text(" "))
        assert not found, f"{page.name}: {found}"
    assert not BROKEN_NUMBER.findall(pdf_text)


def test_no_empty_figure(site):
    images = {img["src"] for page in _pages(site) for img in _soup(page).find_all("img")}
    assert images, "the site shows no figures"
    for src in images:
        path = site / src
        if path.suffix == ".svg":
            svg = path.read_text(encoding="utf-8")
            assert svg.count("<path") >= 5, f"{src}: almost nothing drawn"
        else:
            pixels = matplotlib.image.imread(path)
            assert pixels.std() > 0.01, f"{src}: a blank image"




def test_unchanged_rebuild_renders_nothing(built, site_copy, env):
    before = _snapshot(site_copy)
    done = _build("--engine", built.engine, "--out", str(site_copy), env=env)
    assert done.returncode == 0, done.stderr
    assert "nothing changed since the last build" in done.stderr and "--force" in done.stderr
    assert _changed(before, site_copy) == []


def test_forced_rebuild_changes_no_byte_not_even_in_the_pdf(built, site_copy, env):
    before = _snapshot(site_copy)
    done = _build("--engine", built.engine, "--out", str(site_copy), "--force", "--quiet", env=env)
    assert done.returncode == 0, done.stderr
    assert _changed(before, site_copy) == []


def test_failing_build_says_one_line_and_keeps_the_site(built, site_copy, env, tmp_path):
    site = site_copy
    broken = tmp_path / "broken_ages.dat"
    broken.write_text("#Joyce_age   Bensby_age\n10.1 9.0\n11.2 abc\n", encoding="utf-8")
    before = _snapshot(site)
    done = _build("--engine", built.engine, "--out", str(site), "--data", str(broken), "--quiet", env=env)
    assert done.returncode == 1
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert re.match(r"build failed in stage 'load': .*broken_ages\.dat:3\b.*'abc'", lines[0]), lines[0]
    assert _changed(before, site) == []
    assert sorted(p.name for p in site.parent.iterdir()) == ["site"]  # no stage left behind


def test_bad_option_is_a_configuration_error(built_site, env):
    done = _build("--engine", "pandoc", "--out", str(built_site), "--bandwidths", "0.1,zero", "--quiet", env=env)
    assert done.returncode == 2
    assert done.stderr.strip() == (
        "build failed in stage 'configure': --bandwidths: expected comma-separated positive numbers of Gyr, "
        "got 'zero' in '0.1,zero'"
    )


def test_check_reports_the_data_and_builds_nothing(env, real_ages, tmp_path):
    out = tmp_path / "site"
    done = _build("--check", "--out", str(out), env=env)
    assert done.returncode == 0, done.stderr
    n = real_ages.shape[0]
    above = [int((real_ages[:, column] > 13.8).sum()) for column in (0, 1)]
    assert f"data set 'joyce' (Joyce et al. (2023)): {n} rows, {n} ages, 0 missing values dropped, {above[0]} above" in done.stdout
    assert f"data set 'bensby' (Bensby et al. (2017)): {n} rows, {n} ages, 0 missing values dropped, {above[1]} above" in done.stdout
    assert "seed=20230301" in done.stdout
    assert not out.exists()
