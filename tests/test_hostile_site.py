"""User text is never markup: a site built from hostile labels, headers and citations, in a browser.

Column headers of a user's file and labels and citations of a manifest are
data; each output context escapes them (``publish/filters.py``: markdown,
HTML, attributes, URLs, YAML; matplotlib draws ``$`` as a dollar). Both
engines build the report from a hostile manifest and from a file with hostile
headers; every page is opened in Chromium with a dialog listener, every
distinct link is clicked, and the HTML, the figures and the PDF are searched
for what an injection would leave.
"""

from pathlib import Path
import re

from bs4 import BeautifulSoup
import numpy as np
import pypdf
import pytest
import yaml

from tests.support import open_offline, run_build, serve
from tests.test_new_data import _project_copy

#: Labels that would be markup in HTML, markdown, Quarto shortcodes, matplotlib's mathtext or YAML.
HOSTILE = (
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(2)>",
    "[click](javascript:alert(3))",
    "{{< include /etc/passwd >}}",
    "{{< meta title >}}",
    "$\\foo{$ *b* `c` @fig-x",
)
#: What including /etc/passwd would put on a page.
PASSWD = "root:x:0:0"


def _hostile_file(folder: Path) -> Path:
    """A CSV whose headers are HOSTILE, 60 stars of plausible ages per column (Gyr)."""
    rng = np.random.default_rng(9)
    ages = rng.gamma(8.0, 1.2, size=(60, len(HOSTILE))).round(2)
    path = folder / "hostile ages.csv"
    lines = [",".join(HOSTILE)] + [",".join(f"{a:.2f}" for a in row) for row in ages]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _hostile_manifest(project: Path) -> None:
    """The default manifest with hostile labels, citations and method texts."""
    path = project / "data" / "datasets.yml"
    manifest = yaml.safe_load(path.read_text(encoding="utf-8"))
    source = manifest["sources"][0]
    source["citation"] = f"{HOSTILE[0]} 2024, {HOSTILE[3]}"
    source["licence"] = HOSTILE[2]
    for dataset, label in zip(source["datasets"], (HOSTILE[1], HOSTILE[4])):
        dataset["label"] = label
        dataset["method"] = HOSTILE[5]
        dataset["citation"] = f"{HOSTILE[2]} et al. 2023, {HOSTILE[0]} 946, 31"
    path.write_text(yaml.safe_dump(manifest, sort_keys=False), encoding="utf-8")


@pytest.fixture(scope="module", params=["pandoc", "quarto"])
def hostile_sites(request, build_env, tmp_path_factory) -> list[Path]:
    """Both hostile builds (headers, manifest) with one engine."""
    from publish.engines import find_quarto
    from tests.support import require

    engine = request.param
    if engine == "quarto":
        require(find_quarto()[0] is not None, "Quarto is not installed (no quarto on PATH, no quarto-cli package)")
    folder = tmp_path_factory.mktemp(f"hostile-{engine}")
    project = _project_copy(folder)
    sites = []
    data = _hostile_file(folder)
    done = run_build("--engine", engine, "--data", str(data), "--out", str(folder / "headers"), env=build_env, cwd=project)
    assert done.returncode == 0, done.stderr
    sites.append(folder / "headers")
    _hostile_manifest(project)
    done = run_build("--engine", engine, "--out", str(folder / "manifest"), env=build_env, cwd=project)
    assert done.returncode == 0, done.stderr
    sites.append(folder / "manifest")
    return sites


def _attribute_urls(soup: BeautifulSoup) -> list[str]:
    return [tag[attr] for attr in ("href", "src", "action", "formaction") for tag in soup.find_all(attrs={attr: True})]


def test_no_script_link_or_included_file_in_any_output(hostile_sites):
    for site in hostile_sites:
        for path in site.rglob("*"):
            if path.is_file() and path.suffix in (".html", ".svg", ".json", ".js", ".csv"):
                text = path.read_text(encoding="utf-8")
                assert PASSWD not in text, f"{path}: /etc/passwd was included"
        for page in site.glob("*.html"):
            soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
            urls = [re.sub(r"\s", "", u).lower() for u in _attribute_urls(soup)]
            assert not [u for u in urls if u.startswith(("javascript:", "data:text", "vbscript:"))], page
            # Quarto's own menu button has an onclick; none may carry a label's code.
            handlers = [v for tag in soup.find_all(True) for a, v in tag.attrs.items() if a.lower().startswith("on")]
            assert not [v for v in handlers if "alert" in v], f"{page.name}: event handlers {handlers}"
            assert not soup.find("img", src="x"), page.name
            # Labels reach scripts only as JSON data (the explorer's), where they cannot run.
            code = [s for s in soup.find_all("script") if s.get("type") != "application/json" and "alert" in s.get_text()]
            assert code == [], f"{page.name}: a script with the label's code"


def test_labels_show_as_written_in_navigation_pages_and_figures(hostile_sites):
    headers = hostile_sites[0]
    nav_texts = set()
    for page in headers.glob("*.html"):
        soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
        nav_texts |= {" ".join(a.get_text().split()) for a in soup.select("header nav a")}
    for label in HOSTILE:
        assert label in nav_texts, f"{label!r} is not in the navigation as written"
    # No separator: md() puts empty spans between braces, which a reader does not see.
    overview = BeautifulSoup((headers / "index.html").read_text(encoding="utf-8"), "html.parser").find("main").get_text()
    for label in HOSTILE:
        assert label in " ".join(overview.split()), label
    svg = (headers / "figures" / "overview.svg").read_text(encoding="utf-8")
    assert "$\\foo{$ *b* `c` @fig-x" in svg.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def test_pdf_shows_the_labels_and_links_nowhere_but_the_web(hostile_sites):
    for site in hostile_sites:
        reader = pypdf.PdfReader(site / "report.pdf")
        text = " ".join(" ".join(page.extract_text().split()) for page in reader.pages)
        assert PASSWD not in text
        for page in reader.pages:
            for annotation in page.get("/Annots") or []:
                action = annotation.get_object().get("/A")
                uri = str(action.get("/URI", "")) if action is not None else ""
                assert not re.sub(r"\s", "", uri).lower().startswith(("javascript:", "data:", "file:")), uri
    text = " ".join(" ".join(p.extract_text().split()) for p in pypdf.PdfReader(hostile_sites[0] / "report.pdf").pages)
    assert "<img src=x onerror=alert(2)>" in text and "{{< include /etc/passwd >}}" in text


def test_no_dialog_opens_on_any_page_or_link(browser, hostile_sites):
    dialogs: list[str] = []
    for site in hostile_sites:
        with serve(site) as base:
            clicked: set[str] = set()
            for page_path in sorted(site.glob("*.html")):
                page, _, _ = open_offline(browser, base + page_path.name)
                page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
                page.wait_for_timeout(100)
                hrefs = page.eval_on_selector_all("a[href]", "links => links.map(a => a.getAttribute('href'))")
                for i, href in enumerate(hrefs):
                    if href in clicked or href.startswith("http"):
                        continue
                    clicked.add(href)
                    # HTMLElement.click() follows the link as a reader's click does, javascript: URLs included.
                    page.locator("a[href]").nth(i).evaluate("a => a.click()")
                    page.wait_for_timeout(50)
                    if page.url != base + page_path.name and not page.url.startswith(base + page_path.name + "#"):
                        page.goto(base + page_path.name)
                page.close()
    assert dialogs == []
