"""The built site as a reader's browser sees it: Debian Chromium driven by Playwright.

Every page is opened from ``file://`` with every network request refused;
screenshots land in ``test-artifacts/screenshots/`` and axe-core checks
accessibility.
"""

from pathlib import Path

from tests.support import axe_violations, open_offline

ARTEFACTS = Path(__file__).resolve().parent.parent / "test-artifacts" / "screenshots"


def test_every_page_loads_offline_without_errors(browser, built_site):
    pages = sorted(built_site.glob("*.html"))
    assert len(pages) >= 7, [p.name for p in pages]
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    for page_path in pages:
        page, errors, refused = open_offline(browser, page_path)
        assert errors == [], f"{page_path.name}: console errors {errors}"
        assert refused == [], f"{page_path.name}: requests that needed the network {refused}"
        broken = page.evaluate(
            "Array.from(document.images).filter(i => !(i.complete && i.naturalWidth > 0)).map(i => i.src)"
        )
        assert broken == [], f"{page_path.name}: images that did not load {broken}"
        page.screenshot(path=str(ARTEFACTS / f"{page_path.stem}.png"), full_page=True)
        page.close()


def test_pages_fit_a_phone_screen(browser, built_site):
    page, _, _ = open_offline(browser, built_site / "index.html")
    page.set_viewport_size({"width": 390, "height": 844})
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    page.screenshot(path=str(ARTEFACTS / "index-phone.png"), full_page=False)
    page.close()
    assert overflow <= 1, f"the overview page scrolls sideways by {overflow}px at phone width"


def test_explorer_slider_redraws_the_curve(browser, built_site):
    page, errors, _ = open_offline(browser, built_site / "bandwidth.html")
    page.wait_for_function("document.querySelector('#explorer-kde')?.getAttribute('d')")
    before = page.get_attribute("#explorer-kde", "d")
    page.focus("#explorer-h")
    for _ in range(10):
        page.keyboard.press("ArrowRight")
    after = page.get_attribute("#explorer-kde", "d")
    page.close()
    assert before and after and before != after
    assert errors == []


def test_no_serious_accessibility_violations(browser, built_site):
    for page_path in sorted(built_site.glob("*.html")):
        page, _, _ = open_offline(browser, page_path)
        violations = axe_violations(page)
        page.close()
        assert violations == [], f"{page_path.name}: {violations}"


def test_overview_screenshot_for_the_readme(browser, built_site):
    """The README's picture is this screenshot; it must show a drawn page, not a blank one."""
    page, _, _ = open_offline(browser, built_site / "index.html")
    page.set_viewport_size({"width": 1200, "height": 1560})  # tall enough to show the overview figure
    shot = ARTEFACTS / "overview-readme.png"
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(shot), full_page=False)
    page.close()
    from PIL import Image  # matplotlib depends on Pillow

    colours = Image.open(shot).convert("RGB").getcolors(maxcolors=1 << 20)
    assert colours is not None and len(colours) > 50, "the overview screenshot is nearly blank"
