"""The built sites as a reader's browser sees them: Debian Chromium driven by Playwright.

Every page of each engine's site is opened with every request that leaves the
site refused: served over HTTP (as GitHub Pages serves it) for both engines,
and from ``file://`` for the pandoc site, which works without a server (Quarto
1.10's ``type="module"`` scripts do not load from ``file://``: the README says
to serve that folder). Screenshots land in ``test-artifacts/screenshots/`` and
axe-core checks accessibility.
"""

from pathlib import Path

import pytest

from tests.support import axe_violations, open_offline, serve

ARTEFACTS = Path(__file__).resolve().parent.parent / "test-artifacts" / "screenshots"


@pytest.fixture
def served(built):
    """(engine, site, base URL) with the site served on 127.0.0.1."""
    with serve(built.site) as base:
        yield built.engine, built.site, base


def _check_loaded(page, errors: list[str], refused: list[str], name: str) -> None:
    assert errors == [], f"{name}: console errors {errors}"
    assert refused == [], f"{name}: requests that left the site {refused}"
    broken = page.evaluate("Array.from(document.images).filter(i => !(i.complete && i.naturalWidth > 0)).map(i => i.src)")
    assert broken == [], f"{name}: images that did not load {broken}"


def test_every_page_loads_offline_over_http_without_errors(browser, served):
    engine, site, base = served
    pages = sorted(site.glob("*.html"))
    assert len(pages) >= 7, [p.name for p in pages]
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    for page_path in pages:
        for width in (1280, 390):
            page, errors, refused = open_offline(browser, base + page_path.name, width=width)
            page.wait_for_timeout(200)  # late requests (fonts, search index) would show now
            _check_loaded(page, errors, refused, f"{engine} {page_path.name} at {width} px")
            overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            assert overflow <= 1, f"{engine} {page_path.name} scrolls sideways by {overflow}px at {width} px"
            page.screenshot(path=str(ARTEFACTS / f"{engine}-{page_path.stem}-{width}.png"), full_page=True)
            page.close()


def test_pandoc_pages_work_from_file_without_a_server(browser, built_site):
    for page_path in sorted(built_site.glob("*.html")):
        page, errors, refused = open_offline(browser, page_path)
        _check_loaded(page, errors, refused, f"file:// {page_path.name}")
        page.close()


def test_the_title_is_whole_and_no_table_header_wraps_letter_by_letter(browser, served):
    engine, site, base = served
    for width in (1280, 390):
        page, _, _ = open_offline(browser, base + "dataset-joyce.html", width=width)
        # The site's title is shown in full, on one or two lines, never cut with an ellipsis.
        title = page.locator(".navbar-brand").first
        assert title.evaluate("e => e.scrollWidth <= e.clientWidth + 1"), f"{engine}: title cut at {width} px"
        assert "…" not in title.inner_text()
        # A header cell narrower than its longest word would break it letter by letter.
        squeezed = page.evaluate(
            """() => Array.from(document.querySelectorAll('main th')).filter(th => {
                 const range = document.createRange(); range.selectNodeContents(th);
                 const words = th.textContent.trim().split(/\\s+/);
                 const longest = Math.max(...words.map(w => w.length));
                 return longest > 3 && th.getBoundingClientRect().width < longest * 5;
               }).map(th => th.textContent.trim())"""
        )
        page.close()
        assert squeezed == [], f"{engine} at {width} px: squeezed headers {squeezed}"


def test_navigation_folds_into_a_menu_button_on_phones(browser, served):
    engine, _, base = served
    page, errors, _ = open_offline(browser, base + "index.html", width=390)
    links = page.locator("header nav a.nav-link")
    assert links.count() >= 9
    assert not links.nth(3).is_visible(), f"{engine}: the navigation is not folded at 390 px"
    toggle = page.locator("header button[aria-controls]").first
    assert toggle.get_attribute("aria-expanded") == "false"
    toggle.click()
    page.wait_for_timeout(400)  # Bootstrap's collapse animation
    assert toggle.get_attribute("aria-expanded") == "true"
    assert links.nth(3).is_visible()
    page.close()
    assert errors == []
    # On a desktop every link shows and no button offers to open what is already open.
    page, errors, _ = open_offline(browser, base + "index.html", width=1280)
    toggles = page.locator("header button[aria-controls]")
    assert not any(toggles.nth(i).is_visible() for i in range(toggles.count())), f"{engine}: a menu button at 1280 px"
    links = page.locator("header nav a.nav-link")
    assert all(links.nth(i).is_visible() for i in range(links.count())), f"{engine}: a page link hidden at 1280 px"
    page.close()
    assert errors == []


def test_search_finds_a_page_by_its_words(browser, served):
    engine, _, base = served
    page, errors, refused = open_offline(browser, base + "index.html")
    if engine == "quarto":
        page.locator("#quarto-search .aa-DetachedSearchButton, #quarto-search button").first.click()
        box = page.locator("input.aa-Input").first
    else:
        box = page.locator("#site-search-input")
    box.fill("Silverman")
    page.wait_for_timeout(600)
    results = page.locator(".aa-Item a, .aa-Item, #site-search-results a").all_inner_texts()
    page.close()
    assert any("Silverman" in text or "Bandwidth" in text for text in results), results
    assert errors == [] and refused == []


def test_explorer_slider_redraws_the_curve(browser, served):
    engine, _, base = served
    page, errors, _ = open_offline(browser, base + "bandwidth.html")
    page.wait_for_function("document.querySelector('#explorer-kde')?.getAttribute('d')")
    before = page.get_attribute("#explorer-kde", "d")
    page.focus("#explorer-h")
    for _ in range(10):
        page.keyboard.press("ArrowRight")
    after = page.get_attribute("#explorer-kde", "d")
    page.close()
    assert before and after and before != after
    assert errors == [], engine


def test_no_serious_accessibility_violations(browser, served):
    engine, site, base = served
    for page_path in sorted(site.glob("*.html")):
        page, _, _ = open_offline(browser, base + page_path.name)
        violations = axe_violations(page)
        page.close()
        assert violations == [], f"{engine} {page_path.name}: {violations}"


def test_overview_screenshot_for_the_readme(browser, quarto_site):
    """The README's picture is this screenshot of the published (Quarto) site; it must show a drawn page."""
    with serve(quarto_site) as base:
        page, _, _ = open_offline(browser, base + "index.html")
        page.set_viewport_size({"width": 1200, "height": 1560})  # tall enough to show the overview figure
        shot = ARTEFACTS / "overview-readme.png"
        ARTEFACTS.mkdir(parents=True, exist_ok=True)
        page.wait_for_timeout(300)
        page.screenshot(path=str(shot), full_page=False)
        page.close()
    from PIL import Image  # matplotlib depends on Pillow

    colours = Image.open(shot).convert("RGB").getcolors(maxcolors=1 << 20)
    assert colours is not None and len(colours) > 50, "the overview screenshot is nearly blank"
