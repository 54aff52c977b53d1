"""The bandwidth explorer as a reader's browser runs it: offline, from file://, keyboard-driven."""

import re
import shutil
from dataclasses import replace
from pathlib import Path

import numpy as np
import pypandoc
import pytest

from analysis.statistics import auto_histogram
from publish.render import explorer_json, render_pages
from tests.support import axe_violations, open_offline
from tests.render.test_render import render_synthetic

ASSETS = Path(__file__).resolve().parent.parent / "report" / "assets"
EXPLORER_JSON = re.compile(r'<script type="application/json" id="explorer-data">(.*?)</script>', re.S)
PLACEHOLDER_SVG = '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10"/></svg>'


@pytest.fixture(scope="module")
def bandwidth_html(tmp_path_factory) -> Path:
    """bandwidth.qmd converted by pandoc to standalone HTML, with report/assets/ beside it."""
    out = tmp_path_factory.mktemp("explorer")
    _, _, context, _ = render_synthetic(out, rng=np.random.default_rng(31))
    shutil.copytree(ASSETS, out / "assets")
    # publish/figures.py draws the real figures; the page only needs files that load.
    (out / "figures").mkdir()
    for figure in context["figures"].values():
        (out / figure.svg).write_text(PLACEHOLDER_SVG, encoding="utf-8")
    return _to_html(pypandoc, out / "bandwidth.qmd")


def _to_html(pypandoc, page: Path) -> Path:
    html = page.with_suffix(".html")
    pypandoc.convert_file(
        str(page), "html5", format="markdown", outputfile=str(html),
        extra_args=["--standalone", "--mathml", "--css", "assets/styles.css"],
    )
    return html


@pytest.fixture(scope="module")
def binned_html(tmp_path_factory) -> Path:
    """The Bandwidth page with the "other" data set replaced by 60 000 ages, embedded as bins."""
    out = tmp_path_factory.mktemp("explorer-binned")
    datasets, result, context, _ = render_synthetic(out, rng=np.random.default_rng(32))
    ages = np.random.default_rng(33).gamma(6.0, 1.2, 60_000)
    big = replace(datasets[2], ages_gyr=ages, rows=np.arange(ages.size))
    big_result = replace(
        result, datasets=(*result.datasets[:2], replace(result.datasets[2], histogram=auto_histogram(ages)))
    )
    context = {**context, "explorer_json": explorer_json(big_result, [*datasets[:2], big])}
    render_pages(context, out)
    shutil.copytree(ASSETS, out / "assets")
    (out / "figures").mkdir()
    for figure in context["figures"].values():
        (out / figure.svg).write_text(PLACEHOLDER_SVG, encoding="utf-8")
    return _to_html(pypandoc, out / "bandwidth.qmd")


def kde_path(page) -> str:
    return page.get_attribute("#explorer-kde", "d")


def _redraw_gives_a_new_sample_and_no_errors(page, errors: list[str], failed: list[str]) -> None:
    """"Draw a new sample" changes the synthetic outline; the page logged no error and asked no network."""
    synthetic = page.get_attribute("#explorer-synthetic", "d")
    page.click("#explorer-redraw")
    assert page.get_attribute("#explorer-synthetic", "d") != synthetic
    assert errors == [], errors
    assert failed == [], failed
    page.close()


def _legend_matches_the_curves(page) -> tuple[str, str]:
    """The legend's swatches have the colours of the histogram and the KDE curve; returns them."""
    style = "(e, p) => getComputedStyle(e)[p]"
    hist = page.eval_on_selector("#explorer-hist", style, "fill")
    kde = page.eval_on_selector("#explorer-kde", style, "stroke")
    assert page.eval_on_selector(".explorer-swatch.explorer-hist", style, "fill") == hist
    assert page.eval_on_selector(".explorer-swatch.explorer-kde", style, "stroke") == kde
    return hist, kde


def test_explorer_redraws_on_slider_and_data_set(browser, bandwidth_html):
    page, errors, failed = open_offline(browser, bandwidth_html)
    page.wait_for_function("document.querySelector('#explorer-kde') && document.querySelector('#explorer-kde').getAttribute('d')")
    first = kde_path(page)
    assert first.startswith("M") and first.count("L") > 100
    assert page.get_attribute("#explorer-synthetic", "d").startswith("M")
    assert page.text_content("#explorer-h-value").endswith(" Gyr")

    page.fill("#explorer-h", "900")  # log scale from 0.01 to 5 Gyr
    assert page.text_content("#explorer-h-value") == f"{0.01 * 500 ** 0.9:.2f} Gyr"
    after_fill = kde_path(page)
    assert after_fill != first

    page.focus("#explorer-h")
    page.keyboard.press("ArrowLeft")
    assert page.eval_on_selector("#explorer-h", "e => e.value") == "890"
    assert kde_path(page) != after_fill
    assert page.get_attribute("#explorer-h", "aria-valuetext") == page.text_content("#explorer-h-value")

    before_switch = (kde_path(page), page.get_attribute("#explorer-hist", "d"))
    first_colours = _legend_matches_the_curves(page)
    page.select_option("#explorer-dataset", "other")
    assert (kde_path(page), page.get_attribute("#explorer-hist", "d")) != before_switch
    assert "Other survey" in page.text_content("#explorer-status")
    assert _legend_matches_the_curves(page) != first_colours

    _redraw_gives_a_new_sample_and_no_errors(page, errors, failed)


def test_explorer_controls_are_labelled_and_reachable_by_keyboard(browser, bandwidth_html):
    page, errors, _ = open_offline(browser, bandwidth_html)
    for control in ("#explorer-dataset", "#explorer-h"):
        label = page.eval_on_selector(control, "e => e.labels.length ? e.labels[0].textContent : ''")
        assert label.strip(), control
    focused = []
    page.focus("#explorer-dataset")
    for _ in range(2):
        page.keyboard.press("Tab")
        focused.append(page.evaluate("document.activeElement.id"))
    assert focused == ["explorer-h", "explorer-redraw"]
    assert axe_violations(page, "#explorer") == []
    assert errors == []
    page.close()


def test_binned_explorer_redraws_from_counts(browser, binned_html):
    raw = EXPLORER_JSON.search(binned_html.read_text(encoding="utf-8")).group(1)
    assert '"binned"' in raw and len(raw) < 200_000  # 60 000 ages would be ~1 MB
    page, errors, failed = open_offline(browser, binned_html)
    page.wait_for_function("document.querySelector('#explorer-kde') && document.querySelector('#explorer-kde').getAttribute('d')")
    page.select_option("#explorer-dataset", "other")
    assert "a synthetic sample of 60000 ages" in page.text_content("#explorer-status")
    paths = [kde_path(page)]
    for value in ("0", "500", "1000"):  # 0.01, 0.22 and 5 Gyr
        page.fill("#explorer-h", value)
        paths.append(kde_path(page))
        assert paths[-1].startswith("M") and paths[-1].count("L") > 100
    assert len(set(paths)) == len(paths)
    _redraw_gives_a_new_sample_and_no_errors(page, errors, failed)
