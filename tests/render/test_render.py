"""publish.render: the filters, the template context and the rendered Quarto pages, read as text."""

import json
import re
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pypandoc
import pytest
import yaml
from scipy import stats

from analysis.config import AnalysisConfig
from analysis.dataset import Dataset
from analysis.errors import RenderError
from analysis.statistics import auto_histogram
from analysis.pipeline import analyse
from analysis.results import EngineInfo
from publish.buildinfo import BuildInfo, SourceInfo
from publish.figures import figure_plan
from publish.render.filters import gyr, level, md, na, num, pct, pvalue, sci, url
from publish.render import (
    EXPLORER_BIN_GYR,
    EXPLORER_MAX_AGES,
    EXPLORER_MAX_BINS,
    build_context,
    explorer_json,
    fine_histogram,
    make_environment,
    render_pages,
)

EVIL_LABEL = "<script>alert(1)</script> {{< include x >}} *bold*"
EVIL_ESCAPED = r"&lt;script&gt;alert\(1\)&lt;\/script&gt; \{[]{}\{[]{}&lt; include x &gt;[]{}\}[]{}\} \*bold\*"
EXPLORER_JSON = re.compile(r'<script type="application/json" id="explorer-data">(.*?)</script>', re.S)


@dataclass(frozen=True)
class FakeFigure:
    """The fields of publish.figures.Figure that the templates use."""

    id: str
    svg: str
    png: str
    alt: str
    caption: str
    aspect: float = 0.6


def synthetic_datasets(rng: np.random.Generator) -> list[Dataset]:
    """Two paired data sets (same stars, one older by ~0.8 Gyr) and one unpaired, in Gyr."""
    joyce = np.round(rng.normal(7.0, 2.5, 60), 1)  # rounded so ties exist, as in real catalogues
    bensby = joyce + rng.normal(0.8, 0.7, 60)
    other = rng.gamma(5.0, 1.6, 45)
    rows60, rows45 = tuple(range(60)), tuple(range(45))
    return [
        Dataset("joyce", EVIL_LABEL, "#1f77b4", tuple(map(float, joyce)), rows60, 3, "ages.dat", "stars"),
        Dataset("bensby", "Bensby et al.", "#d95f02", tuple(map(float, bensby)), rows60, 0, "ages.dat", "stars",
                doi="10.1051/0004-6361/201322631"),
        Dataset("other", "Other survey", "#1b9e77", tuple(map(float, other)), rows45, 0, "other.csv"),
    ]


def figures_for(result) -> dict[str, FakeFigure]:
    """A stand-in for every figure ``publish.figures.draw_figures`` would draw."""
    ids = figure_plan(result).ids
    return {i: FakeFigure(i, f"figures/{i}.svg", f"figures/{i}.png", f'Alt text of "{i}"', f"Figure {i}") for i in ids}


def build_info(config: AnalysisConfig) -> BuildInfo:
    source = SourceInfo(
        id="ages", file="ages.dat", url="https://example.org/ages.dat", sha256="0" * 64, pinned=True,
        licence="CC BY 4.0", licence_url="https://creativecommons.org/licenses/by/4.0/",
        citation="A. Author (2023)", datasets=("joyce", "bensby"),
    )
    return BuildInfo("pandoc", "3.9", (("numpy", np.__version__),), (source,),
                     (("Results (JSON)", "downloads/results.json"),), config)


def render_synthetic(out_dir: Path, *, rng: np.random.Generator):
    """Analyse three synthetic data sets and render their pages into ``out_dir``."""
    datasets = synthetic_datasets(rng)
    config = AnalysisConfig(replicates=20)
    result = analyse(datasets, config)
    context = build_context(result, datasets, figures_for(result), build_info(config))
    return datasets, result, context, render_pages(context, out_dir)


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    out = tmp_path_factory.mktemp("pages")
    datasets, result, context, pages = render_synthetic(out, rng=np.random.default_rng(20240611))
    return out, datasets, result, context, pages


def front_matter(text: str) -> dict:
    match = re.match(r"---\n(.*?)\n---\n", text, re.S)
    assert match, text[:200]
    return yaml.safe_load(match.group(1))


def test_every_page_exists_in_navigation_order_with_front_matter(rendered):
    out, datasets, _, _, pages = rendered
    expected = ["index.qmd"] + [f"dataset-{d.name}.qmd" for d in datasets]
    expected += ["bandwidth.qmd", "generative.qmd", "comparison.qmd", "methods.qmd", "data.qmd"]
    assert [p.file for p in pages] == expected
    for page in pages:
        assert front_matter((out / page.file).read_text())["title"]
    report = front_matter((out / "report.qmd").read_text())
    # The report lays out its own title and contents pages (in raw typst), so neither engine adds its own.
    assert report["toc"] is False and "title" not in report
    assert report["format"]["typst"]["citeproc"] is True and report["bibliography"] == "references.json"
    assert sorted(p.name for p in out.iterdir()) == sorted(expected + ["report.qmd", "references.json"])


def test_gaussian_fit_of_each_data_set_appears_formatted(rendered):
    out, datasets, _, _, _ = rendered
    index = (out / "index.qmd").read_text()
    for d in datasets:
        mu, sigma = stats.norm.fit(d.ages)  # independent of the pipeline's fit
        page = (out / f"dataset-{d.name}.qmd").read_text()
        assert f"| $\\mu$ (Gyr) | {mu:.2f} |" in page
        assert f"| $\\sigma$ (Gyr, maximum likelihood) | {sigma:.2f} |" in page
        assert f" | {mu:.2f} | {sigma:.2f} | " in index


def test_no_page_prints_nan_or_none(rendered):
    out = rendered[0]
    for path in out.glob("*.qmd"):
        # Raw typst is layout, where `none` is a keyword; everything else is for readers.
        text = re.sub(r"```\{=typst\}.*?```", "", path.read_text(), flags=re.S)
        assert not re.search(r"\bnan\b|\bNone\b|\binf\b", text, re.I), path.name


def test_findings_state_which_data_set_is_older_from_the_means(rendered):
    out, datasets, _, _, _ = rendered
    by_name = {d.name: d for d in datasets}
    a, b = by_name["joyce"], by_name["bensby"]
    older, younger = (a, b) if a.ages.mean() > b.ages.mean() else (b, a)
    difference = abs(a.ages.mean() - b.ages.mean())
    index = (out / "index.qmd").read_text()
    assert f"- **{md(older.label)}** is older on average than **{md(younger.label)}** by {gyr(difference)} Gyr" in index


def _oriented(difference: float, interval: tuple[float, float]) -> tuple[float, float]:
    """The interval of a difference as the pages state it: for the older data set minus the younger."""
    low, high = interval
    return (low, high) if difference >= 0 else (-high, -low)


def test_the_headline_difference_is_paired_for_the_same_stars_and_of_the_means_otherwise(rendered):
    out, _, result, _, _ = rendered
    index, comparison, report = ((out / name).read_text() for name in ("index.qmd", "comparison.qmd", "report.qmd"))
    paired = [c for c in result.comparisons if c.paired is not None]
    assert len(paired) == 1 and len(result.comparisons) == 3
    for c in result.comparisons:
        q = c.paired
        if q is not None:
            low, high = _oriented(q.mean_difference, q.mean_difference_ci)
            unpaired = _oriented(c.mean_difference, c.mean_difference_ci)
            assert q.ci_method.startswith("paired percentile bootstrap: 2000 resamples of the 60 stars")
            stated = (
                f"the mean of the per-star differences of the {q.n_pairs} stars in both (paired 95 % interval "
                f"{gyr(low)} to {gyr(high)} Gyr, a {md(q.ci_method)}; paired $t$-test $p$ "
                f"{pvalue(q.ttest_pvalue, relation=True)})"
            )
            assert stated in index and stated in report
            assert f"(paired 95 % interval {gyr(low)} to {gyr(high)} Gyr)" in comparison
            row = f"{gyr(q.mean_difference_ci[0])} to {gyr(q.mean_difference_ci[1])}"
            assert f"| Paired 95 % interval of the mean difference (Gyr) | {row} |" in comparison
            assert f"$t$ = {num(q.ttest_statistic)} with {q.n_pairs - 1} degrees of freedom" in comparison
            # The interval that ignores the pairing is not stated for the same stars.
            for page in (index, comparison, report):
                assert f"{gyr(unpaired[0])} to {gyr(unpaired[1])}" not in page
                assert f"{gyr(c.mean_difference_ci[0])} to {gyr(c.mean_difference_ci[1])}" not in page
        else:
            low, high = _oriented(c.mean_difference, c.mean_difference_ci)
            assert f"(95 % interval {gyr(low)} to {gyr(high)} Gyr, a {md(c.ci_method)})" in index
            row = f"{gyr(c.mean_difference_ci[0])} to {gyr(c.mean_difference_ci[1])}"
            assert f"95 % interval {row} | – |" in comparison


def _verdict(rejecting: list[str], not_rejecting: list[str]) -> str:
    """What the tests of normality decide, in the pages' words (written out independently of the macro)."""
    if rejecting and not_rejecting:
        return f"{rejecting[0]} rejects normality at the 5 % level ({not_rejecting[0]} does not)"
    if rejecting:
        verb = "reject" if len(rejecting) == 2 else "rejects"
        return f"{' and '.join(rejecting)} {verb} normality at the 5 % level"
    return "Neither Lilliefors nor Shapiro-Wilk rejects normality at the 5 % level"


def test_normality_is_judged_by_lilliefors_and_shapiro_wilk_not_by_the_fitted_ks(rendered):
    out, datasets, result, _, _ = rendered
    index = (out / "index.qmd").read_text()
    from statsmodels.stats.diagnostic import lilliefors

    verdicts = set()
    for d, r in zip(datasets, result.datasets, strict=True):
        lilliefors_p, shapiro_p = lilliefors(d.ages, dist="norm")[1], stats.shapiro(d.ages).pvalue
        tests = {"Lilliefors": lilliefors_p, "Shapiro-Wilk": shapiro_p}
        verdict = _verdict([t for t, p in tests.items() if p < 0.05], [t for t, p in tests.items() if p >= 0.05])
        verdicts.add(verdict)
        page = (out / f"dataset-{d.name}.qmd").read_text()
        assert f"| Lilliefors $p$ | {pvalue(lilliefors_p)} |" in page
        assert f"| Shapiro-Wilk $p$ | {pvalue(shapiro_p)} |" in page
        assert f"from the ages): {verdict}." in page
        assert "not calibrated" in page and "Kolmogorov-Smirnov $p$ |" not in page
        assert f"{verdict} for" in index and f"Lilliefors $p$ {pvalue(lilliefors_p, relation=True)}" in index
    assert "Kolmogorov-Smirnov test rejects the fitted Gaussian" not in index


@pytest.mark.parametrize(
    ("rejecting", "not_rejecting"),
    [(["Lilliefors", "Shapiro-Wilk"], []), (["Lilliefors"], ["Shapiro-Wilk"]), ([], ["Lilliefors", "Shapiro-Wilk"])],
)
def test_the_normality_verdict_names_the_tests_that_reject(rendered, rejecting, not_rejecting):
    macros = make_environment().get_template("partials/macros.md.j2").make_module({"alpha": 0.05})
    verdict = {"rejecting": rejecting, "not_rejecting": not_rejecting}
    assert str(macros.normality_verdict(verdict)) == _verdict(rejecting, not_rejecting)
    assert str(macros.normality_verdict({"rejecting": [], "not_rejecting": []})) == "No test of normality is available"


def test_data_label_is_escaped_for_markdown_html_and_quarto(rendered):
    out = rendered[0]
    page = (out / "dataset-joyce.qmd").read_text()
    assert f": Summary of {EVIL_ESCAPED}." in page
    assert "{{<" not in page and "<script>" not in page
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(pypandoc.convert_text(page, "html", format="markdown"), "html.parser")
    assert soup.find("script") is None
    captions = [" ".join(c.get_text().split()) for c in soup.find_all("caption")]
    assert f"Summary of {EVIL_LABEL}." in captions


def test_report_is_every_page_as_level_one_sections_with_png_figures(rendered):
    out, _, _, _, pages = rendered
    report = (out / "report.qmd").read_text()
    headings = re.findall(r"^# (.+)$", report, re.M)
    assert headings == [md(p.title) for p in pages] + ["References {.unnumbered}"]
    assert "figures/overview.png" in report and ".svg" not in report
    assert "{=html}" not in report and "explorer-data" not in report


def test_explorer_json_is_valid_and_holds_every_data_set(rendered):
    out, datasets, result, _, _ = rendered
    text = (out / "bandwidth.qmd").read_text()
    (raw,) = EXPLORER_JSON.findall(text)
    assert "</" not in raw and "<" not in raw
    data = json.loads(raw)
    assert [d["name"] for d in data["datasets"]] == [d.name for d in datasets]
    for entry, d, r in zip(data["datasets"], datasets, result.datasets):
        np.testing.assert_array_equal(entry["ages"], d.ages)
        assert entry["label"] == d.label
        assert entry["edges"] == list(r.histogram.edges)
    assert '<script src="assets/explorer.js" defer></script>' in text
    assert '<input type="range" id="explorer-h"' in text and '<label for="explorer-h">' in text


def test_unpaired_comparison_shows_the_reason_and_paired_one_the_figure(rendered):
    out, _, result, _, _ = rendered
    page = (out / "comparison.qmd").read_text()
    unpaired = [c for c in result.comparisons if c.paired is None]
    assert len(unpaired) == 2
    for c in unpaired:
        assert md(c.unpaired_reason) in page
    assert "figures/pair-joyce-bensby.svg" in page and page.count("No per-star comparison") == 2


def test_missing_context_key_raises_render_error(rendered, tmp_path):
    context = dict(rendered[3])
    del context["seed"]
    with pytest.raises(RenderError, match="'seed' is undefined"):
        render_pages(context, tmp_path)
    assert not list(tmp_path.iterdir())  # nothing is written when any page fails


def test_missing_figure_is_named(rendered):
    _, datasets, result, _, _ = rendered
    figures = figures_for(result)
    del figures["bensby-step9"]
    with pytest.raises(RenderError, match="figures missing: bensby-step9"):
        build_context(result, datasets, figures, build_info(AnalysisConfig(replicates=20)))


def test_rerender_keeps_unchanged_files(rendered):
    out, _, _, context, _ = rendered
    before = {p.name: p.stat().st_mtime_ns for p in out.iterdir()}
    render_pages(context, out)
    assert {p.name: p.stat().st_mtime_ns for p in out.iterdir()} == before


@pytest.mark.parametrize(
    ("value", "gyr_text", "num_text"),
    [(7.456, "7.46", "7.46"), (0.0123, "0.0123", "0.0123"), (0.1, "0.10", "0.100"), (-212.34, "-212.34", "-212")],
)
def test_number_filters(value, gyr_text, num_text):
    assert gyr(value) == gyr_text
    assert num(value) == num_text


def test_sci_filter():
    assert [sci(v) for v in (4.4e-7, 9.96e-8, 2.5e-12, 0.0123)] == ["4.4 × 10^−7^", "1.0 × 10^−7^", "2.5 × 10^−12^", "0.0123"]


def test_pvalue_and_percent_filters():
    assert [pvalue(p) for p in (0.0001, 0.0342, 1.0)] == ["< 0.001", "0.034", "1.000"]
    assert pvalue(0.2, relation=True) == "= 0.200"
    # A p-value a test's table clips reads as a bound, in tables and prose alike.
    assert [pvalue(0.001, bound="floor"), pvalue(0.99, relation=True, bound="cap")] == ["≤ 0.001", "≥ 0.990"]
    with pytest.raises(RenderError, match="expected bound floor, cap or None, got 'ceiling'"):
        pvalue(0.5, bound="ceiling")
    # One rule for a fraction of stars: one decimal from 0.1 %, so 22 % reads 22.0 % beside 22.7 %.
    assert [pct(f) for f in (0.0, 0.00004, 0.0005, 0.0321, 0.22, 0.227, 0.95)] == [
        "0 %", "< 0.01 %", "0.05 %", "3.2 %", "22.0 %", "22.7 %", "95.0 %"
    ]
    # Levels are chosen, not measured: as given.
    assert [level(a) for a in (0.05, 0.95, 0.025)] == ["5 %", "95 %", "2.5 %"]


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), None, "3"])
@pytest.mark.parametrize("fmt", [gyr, num, pvalue, pct, level])
def test_filters_refuse_missing_or_non_finite_numbers(fmt, bad):
    with pytest.raises(RenderError, match="expected a"):
        fmt(bad)


def test_url_filter_refuses_script_links():
    assert url("https://doi.org/10.1/a b") == "https://doi.org/10.1/a%20b"
    with pytest.raises(RenderError, match="scheme 'javascript'"):
        url("javascript:alert(1)")


def test_context_rejects_mismatched_data_sets(rendered):
    _, datasets, result, _, _ = rendered
    with pytest.raises(RenderError, match="data sets given"):
        build_context(result, datasets[:2], figures_for(result), build_info(AnalysisConfig(replicates=20)))
    with pytest.raises(RenderError, match="data sets given"):
        build_context(result, [*datasets[:2], replace(datasets[2], name="renamed")], figures_for(result),
                      build_info(AnalysisConfig(replicates=20)))


def test_pages_state_the_exact_path(rendered):
    out, datasets, _, _, _ = rendered
    methods = (out / "methods.qmd").read_text()
    for d in datasets:
        sentence = f"KDEs evaluated exactly (direct sum over all {d.ages.size} stars)"
        assert sentence in (out / f"dataset-{d.name}.qmd").read_text()
        assert f"- {md(d.label)}: {sentence}." in methods
    assert "binned engine" not in methods


def test_pages_state_the_binned_path_and_its_bound(rendered, tmp_path):
    _, datasets, result, _, _ = rendered
    engine = EngineInfo(path="binned", n_bins=4801, bin_width_gyr=0.000625, max_rel_error=4.4e-7)
    binned = replace(result, datasets=(replace(result.datasets[0], engine=engine), *result.datasets[1:]))
    context = build_context(binned, datasets, figures_for(binned), build_info(AnalysisConfig(replicates=20)))
    render_pages(context, tmp_path)
    sentence = "binned engine: 4801 bins of 0.000625 Gyr, error below 4.4 × 10^−7^ of the peak density"
    assert sentence in (tmp_path / "dataset-joyce.qmd").read_text()
    methods = (tmp_path / "methods.qmd").read_text()
    assert f"- {md(datasets[0].label)}: {sentence}." in methods
    assert "KDEs evaluated exactly (direct sum over all 60 stars)" in methods  # bensby stays exact


def test_fine_histogram_counts_every_age_on_fine_bins():
    ages = np.random.default_rng(41).normal(8.0, 2.0, 30_000)  # spans ~17 Gyr: 0.0025 Gyr bins fit
    fine = fine_histogram(ages)
    counts = np.array(fine["counts"])
    assert counts.sum() == ages.size
    assert fine["step"] <= EXPLORER_BIN_GYR and counts.size <= EXPLORER_MAX_BINS
    edges = fine["lo"] + fine["step"] * np.arange(counts.size + 1)
    np.testing.assert_allclose(edges[-1], ages.max(), rtol=1e-12)
    inner = np.histogram(ages, bins=edges)[0]  # independent binning; edge rounding moves at most a few ages
    assert np.abs(inner - counts).sum() <= 4
    wide = fine_histogram(np.array([0.0, 100.0]))  # 100 Gyr / 0.0025 is above the bin limit: wider bins
    assert len(wide["counts"]) == EXPLORER_MAX_BINS and wide["step"] == pytest.approx(100.0 / EXPLORER_MAX_BINS)


def test_explorer_json_embeds_a_large_data_set_as_bins(rendered):
    _, datasets, result, _, _ = rendered
    ages = np.random.default_rng(42).normal(6.0, 2.0, EXPLORER_MAX_AGES + 1).clip(0.1)
    big = replace(datasets[2], ages_gyr=ages, rows=np.arange(ages.size))
    histogram = auto_histogram(ages)
    big_result = replace(result, datasets=(*result.datasets[:2], replace(result.datasets[2], histogram=histogram)))
    data = json.loads(explorer_json(big_result, [*datasets[:2], big]))
    small, _, entry = data["datasets"]
    assert "ages" in small and "binned" not in small
    assert "ages" not in entry
    assert entry["n"] == ages.size and sum(entry["binned"]["counts"]) == ages.size
    assert entry["counts"] == list(histogram.counts) and entry["edges"] == list(histogram.edges)
    assert entry["sample_size"] == ages.size


def test_data_page_links_the_copied_input(rendered, tmp_path):
    _, datasets, result, context, _ = rendered
    info = context["info"]
    copied = replace(info, downloads=(("Input data (ages.dat)", "downloads/input/ages.dat"), *info.downloads))
    render_pages(build_context(result, datasets, figures_for(result), copied), tmp_path)
    assert "| Copy in this site | [ages\\.dat](downloads/input/ages.dat) |" in (tmp_path / "data.qmd").read_text()
    assert "not copied: the file is larger than 500 kB" in (rendered[0] / "data.qmd").read_text()


def test_pdf_download_links_are_absolute_once_the_site_url_is_known(rendered, tmp_path):
    out, datasets, result, context, _ = rendered
    # Without website.site-url: relative links, and the PDF says where the files are.
    assert r"[Results \(JSON\)](downloads/results.json)" in (out / "data.qmd").read_text()
    report = (out / "report.qmd").read_text()
    assert r"[Results \(JSON\)](downloads/results.json)" in report
    assert "in the `downloads/` folder of the web report" in report
    # With it: the site's pages keep relative links; the PDF's become absolute.
    info = context["info"]
    info = replace(
        info, site_url="https://example.org/ages", downloads=(*info.downloads, ("Input", "downloads/input/ages.dat"))
    )
    with_url = build_context(result, datasets, figures_for(result), info)
    render_pages(with_url, tmp_path)
    assert r"[Results \(JSON\)](downloads/results.json)" in (tmp_path / "data.qmd").read_text()
    report = (tmp_path / "report.qmd").read_text()
    assert r"[Results \(JSON\)](https://example.org/ages/downloads/results.json)" in report
    assert r"[ages\.dat](https://example.org/ages/downloads/input/ages.dat)" in report  # the input's copy
    assert r"[ages\.dat](downloads/input/ages.dat)" in (tmp_path / "data.qmd").read_text()
    assert "folder of the web report" not in report


def small_datasets() -> list[Dataset]:
    """Five stars, two stars (another file) and three paired stars in two columns, in Gyr."""
    # A citation and a method, so that the Data page's provenance tables have no empty cell either.
    about = {"citation": "A. Author 2024", "method": "isochrones"}
    return [
        Dataset("five", "Five stars", "#1f77b4", (1.0, 2.0, 3.5, 4.1, 6.0), tuple(range(5)), 0, "five.dat", **about),
        Dataset("two", "Two stars", "#d95f02", (3.1, 9.4), (0, 1), 1, "two.dat", **about),
        Dataset("pa", "Paired A", "#1b9e77", (1.0, 2.0, 3.5), (0, 1, 2), 0, "pairs.dat", "pairs", **about),
        Dataset("pb", "Paired B", "#7570b3", (1.5, 2.2, 3.0), (0, 1, 2), 0, "pairs.dat", "pairs", **about),
    ]


@pytest.fixture(scope="module")
def small_rendered(tmp_path_factory):
    out = tmp_path_factory.mktemp("small-pages")
    datasets = small_datasets()
    config = AnalysisConfig(replicates=20, bootstrap_resamples=200)
    result = analyse(datasets, config)
    context = build_context(result, datasets, figures_for(result), build_info(config))
    render_pages(context, out)
    return out, result


def _page(out: Path, name: str) -> str:
    return (out / f"{name}.qmd").read_text()


def test_small_pages_print_no_nan_none_or_empty_cell(small_rendered):
    out, _ = small_rendered
    for path in out.glob("*.qmd"):
        text = re.sub(r"```\{=typst\}.*?```", "", path.read_text(), flags=re.S)
        assert not re.search(r"\bnan\b|\bNone\b|\binf\b", text, re.I), path.name
        # No table cell is empty: every "|" row has text between its bars.
        for row in re.findall(r"^\|.*\|$", text, re.M):
            assert not re.search(r"\|\s*\|", row), (path.name, row)


def test_small_pages_say_what_is_not_available_and_why(small_rendered):
    out, result = small_rendered
    five, two, pa, pb = result.datasets
    isj = five.bandwidth_choices[2].unavailable
    assert isj == (
        "not available for n = 5: the fixed-point equation of ISJ (Botev et al. 2010) has no root for these "
        "5 distinct ages, as is common below about 10"
    )
    page = _page(out, "dataset-five")
    assert f"| ISJ | not available | {md(isj)}. " in page
    assert f"- Synthetic samples at the ISJ bandwidth: {md(isj)}." in page
    assert f"- Held\\-out score at the ISJ bandwidth: {md(isj)}." in page
    cv = two.bandwidth_choices[3].unavailable
    assert cv.startswith("not available for n = 2: cross-validation needs at least 3 ages")
    page = _page(out, "dataset-two")
    assert f"| CV | not available | {md(cv)}. " in page
    assert "tbl-two-heldout" not in page and f"- Held\\-out scores: {md(two.held_out_unavailable)}." in page
    index = _page(out, "index")
    assert f"| {gyr(two.bandwidths.scott)} |" not in index  # the headline table shows CV only
    assert "| 2 | 6.25 | 6.25 | 3.15 | not available | 0 |" in index
    assert f"- CV bandwidth of Two stars: {md(cv)}." in index
    bandwidth = _page(out, "bandwidth")
    assert (f"| Two stars | {gyr(two.bandwidths.scott)} | {gyr(two.bandwidths.silverman)} | not available | "
            "not available |") in bandwidth
    assert f"- ISJ: {md(isj)}. Improved Sheather" in bandwidth
    generative = _page(out, "generative")
    # Too few ages for 5 folds: each small data set's held-out scores are leave-one-out, and say so.
    for label in ("Five stars", "Paired A", "Paired B"):
        assert f"{label}: leave-one-out, nested: every data-driven bandwidth re-selected" in generative
    assert f"- Held\\-out scores of Two stars: {md(two.held_out_unavailable)}." in generative


def test_small_comparisons_show_each_test_or_why_not(small_rendered):
    out, result = small_rendered
    page = _page(out, "comparison")
    pair = next(c for c in result.comparisons if (c.a, c.b) == ("pa", "pb"))
    assert "| Anderson-Darling ($k$-sample, midrank) | not available | not available |" in page
    assert f"Anderson-Darling: {md(pair.anderson_unavailable)}." in page
    assert "the Anderson-Darling test is not available for so few ages." in page
    r = np.corrcoef([1.0, 2.0, 3.5], [1.5, 2.2, 3.0])[0, 1]
    assert f"| Pearson $r$ | {num(r)} ($p$ {pvalue(pair.paired.pearson_pvalue, relation=True)}) |" in page
    assert "| Spearman $\\rho$ | not available |" in page
    assert f"- Spearman\\'s rho: {md(pair.paired.spearman_unavailable)}." in page
    # Two stars have no CV bandwidth: their KDE scores nothing, and they have no own score.
    assert "| Two stars | Five stars | not available |" in page
    assert f"- Two stars scored on Five stars: {md(next(c for c in result.comparisons if c.b == 'two').cross_b_on_a_unavailable)}." in page
    assert "the losses cannot be compared" in page


def test_methods_states_every_minimum(small_rendered):
    out, _ = small_rendered
    methods = _page(out, "methods")
    from analysis.minimums import MINIMUMS

    for m in MINIMUMS:
        assert f"| {md(m.result)} | {md(m.needs)} | {md(m.why)} |" in methods
    assert "| ISJ bandwidth | 3 distinct ages |" in methods
    assert "leave\\-one\\-out" in methods or "leave-one-out" in methods


def test_explorer_json_has_no_cv_bandwidth_for_two_stars(small_rendered):
    out, result = small_rendered
    (raw,) = EXPLORER_JSON.findall(_page(out, "bandwidth"))
    entries = {e["name"]: e for e in json.loads(raw)["datasets"]}
    assert entries["two"]["cv"] is None and entries["two"]["ages"] == [3.1, 9.4]
    assert entries["five"]["cv"] == result.datasets[0].bandwidths.cv


def test_a_figure_left_out_is_a_note_where_it_would_be(tmp_path):
    datasets = small_datasets()[1:2]
    config = AnalysisConfig(replicates=20)
    result = analyse(datasets, config)
    figures = figures_for(result)
    assert "bandwidth-cv" not in figures
    render_pages(build_context(result, datasets, figures, build_info(config)), tmp_path)
    omitted = figure_plan(result).omitted
    bandwidth = (tmp_path / "bandwidth.qmd").read_text()
    assert f"## Figure not drawn\n\n{md(omitted['bandwidth-cv'])}" in bandwidth
    assert f"## Figure not drawn\n\n{md(omitted['generative-heldout'])}" in (tmp_path / "generative.qmd").read_text()
    assert f"## Figure not drawn\n\n{md(omitted['comparison-kde'])}" in (tmp_path / "comparison.qmd").read_text()
    # No data set has held-out scores: the table is left out, not printed empty.
    assert "tbl-heldout" not in (tmp_path / "generative.qmd").read_text()


def test_na_filter_prints_not_available_only_for_none():
    assert na(None, "pvalue") == "not available" and na(0.0001, "pvalue") == "< 0.001"
    with pytest.raises(RenderError, match="expected a finite number"):
        na(float("nan"), "gyr")


def test_the_explorer_script_slides_over_the_range_the_page_states():
    # The page states EXPLORER_BANDWIDTHS_GYR; explorer.js keeps the same two numbers as H_MIN and H_MAX.
    from publish.render import EXPLORER_BANDWIDTHS_GYR

    script = (Path(__file__).resolve().parents[2] / "report" / "assets" / "explorer.js").read_text(encoding="utf-8")
    found = {name: float(value) for name, value in re.findall(r"var (H_MIN|H_MAX) = ([0-9.]+);", script)}
    assert (found["H_MIN"], found["H_MAX"]) == EXPLORER_BANDWIDTHS_GYR


def test_the_uncertainties_section_shows_its_figure_only_for_a_data_set_with_uncertainties(rendered, tmp_path):
    rng = np.random.default_rng(5)
    sigma = rng.uniform(0.4, 1.0, 50)
    ages = rng.normal(8.0, 1.5, 50) + sigma * rng.standard_normal(50)
    measured = Dataset("measured", "Measured", "#0072B2", tuple(ages), tuple(range(50)), 0, "m.csv", errors_gyr=sigma)
    config = AnalysisConfig(replicates=20)
    result = analyse([measured], config)
    figures = figures_for(result)
    render_pages(build_context(result, [measured], figures, build_info(config)), tmp_path)
    page = (tmp_path / "dataset-measured.qmd").read_text()
    section = page[page.index("## Per-star uncertainties") : page.index("## Statistics")]
    assert "@fig-measured-errors shows what the uncertainties do to the KDE." in section
    assert f'![{md("Figure measured-errors")}](figures/measured-errors.svg){{#fig-measured-errors fig-alt="' in section
    report = (tmp_path / "report.qmd").read_text()
    assert "](figures/measured-errors.png){#fig-measured-errors" in report and "@fig-measured-errors" in report
    # Without uncertainties: no section, no figure, no reference.
    out = rendered[0]
    for name in ("joyce", "bensby", "other"):
        text = (out / f"dataset-{name}.qmd").read_text()
        assert "Per-star uncertainties" not in text and "-errors" not in text
    assert "-errors" not in (out / "report.qmd").read_text()
