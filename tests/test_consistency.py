"""One quantity, one format, everywhere a reader meets it: pages, tables, figures and the PDF, from each engine.

The real data's report is read as a reader reads it: the pages' text and
tables, the figures' SVG text (titles, tick labels) and the PDF's text. Each
test names one inconsistency a careful reader noticed: a fraction printed "22 %"
beside "22.7 %", a panel titled "Scott: 1.4 Gyr" beside 1.40 in the table, the
Anderson-Darling p-value at scipy's floor printed "0.001" beside "< 0.001",
age axes ticked 0.0/2.5 on one figure and 0/5 on the next, and the lecture's 10
bins shown as if they were the data set's histogram.
"""

import json
import math
from pathlib import Path
import re
import xml.etree.ElementTree as ET

from bs4 import BeautifulSoup
import pypdf
import pytest

from analysis.config import AGE_OF_UNIVERSE_GYR
from analysis.formatting import gyr, num, pct, pvalue
from publish.figures.dataset import LECTURE_BARS

SVG = "{http://www.w3.org/2000/svg}"
#: A fraction of stars as ``formatting.pct`` prints it: one decimal from 0.1 %, two below, a bound, or none.
FRACTION = re.compile(r"^(?:0|< 0\.01|0\.0\d|[1-9]\d*\.\d|0\.[1-9]) %$")
#: Axes whose ticks are ages or differences of ages, by their label.
AGE_AXIS = re.compile(r"\b(?:[Aa]ge|Difference) \(Gyr\)")


@pytest.fixture
def site(built) -> Path:
    return built.site


def _results(site: Path) -> dict:
    return json.loads((site / "downloads" / "results.json").read_text(encoding="utf-8"))


def _main(site: Path, page: str) -> BeautifulSoup:
    """A page's main text, without the TeX sources of its MathML."""
    main = BeautifulSoup((site / page).read_text(encoding="utf-8"), "html.parser").find("main")
    assert main is not None, page
    for hidden in main.select("annotation"):
        hidden.decompose()
    return main


def _text(node) -> str:
    return " ".join(node.get_text(" ").split())


def _rows(table) -> list[list[str]]:
    return [[_text(cell) for cell in row.find_all(["td", "th"])] for row in table.find_all("tr")]


def _table_with(main: BeautifulSoup, heading: str):
    """The first table whose header row starts with ``heading``."""
    for table in main.find_all("table"):
        rows = _rows(table)
        if rows and rows[0] and rows[0][0] == heading:
            return rows
    raise AssertionError(f"no table headed {heading!r}")


def _pdf_text(site: Path) -> str:
    return " ".join(" ".join(page.extract_text().split()) for page in pypdf.PdfReader(site / "report.pdf").pages)


def _svg_texts(path: Path) -> list[str]:
    return ["".join(t.itertext()).strip() for t in ET.parse(path).getroot().iter(f"{SVG}text")]


#: The models' names as the tables print them.
MODELS = {"grid": "Fixed", "scott": "Scott", "silverman": "Silverman", "isj": "ISJ", "cv": "CV",
          "reflected": "Reflected at 0 Gyr", "log": "Log age"}  # fmt: skip


def _bandwidth_cell(kind: str, h: float) -> str:
    """A synthetic table's bandwidth cell: Gyr, or the log-age KDE's bandwidth in ln age."""
    return f"{num(h)} (ln age)" if kind == "log" else gyr(h)


def test_a_fraction_of_synthetic_ages_prints_alike_on_every_page_and_in_the_pdf(site):
    result, pdf = _results(site), _pdf_text(site)
    generative = _table_with(_main(site, "generative.html"), "Data set")[1:]
    for d in result["datasets"]:
        own = _table_with(_main(site, f"dataset-{d['name']}.html"), "Model")[1:]
        expected = [[MODELS[s["kind"]], _bandwidth_cell(s["kind"], s["bandwidth"]), pct(s["fraction_below_zero"]),
                     pct(s["fraction_above_universe"])] for s in d["synthetic"]]  # fmt: skip
        assert own == expected
        assert [row[1:] for row in generative if row[0] == d["label"]] == expected
        for row in expected:
            assert FRACTION.match(row[2]) and FRACTION.match(row[3]), row
            assert " ".join(row) in pdf  # the PDF's table row, as its text reads
        cv = next(s for s in d["synthetic"] if s["kind"] == "cv")
        overview = _text(_main(site, "index.html"))
        assert f"the CV model puts {pct(cv['fraction_above_universe'])} of synthetic stars there" in overview
    # The rule itself: 22 % and 22.7 % read 22.0 % and 22.7 %.
    assert pct(0.22) == "22.0 %" and pct(0.227) == "22.7 %"


def test_figure_titles_print_bandwidths_as_the_tables_do(site):
    result = _results(site)
    for d in result["datasets"]:
        table = {row[0]: row[1] for row in _table_with(_main(site, f"dataset-{d['name']}.html"), "Rule")[1:]}
        for part in ("bandwidths", "synthetic"):
            titles = [t for t in _svg_texts(site / "figures" / f"{d['name']}-{part}.svg") if t.endswith(" Gyr")]
            rules = dict(m.groups() for t in titles if (m := re.fullmatch(r"(\w+): (\S+) Gyr", t)))
            assert rules == table, (part, rules, table)
            # The KDE reflected at 0 Gyr has its own leave-one-out choice, printed as every bandwidth is.
            reflected = [m.group(1) for t in titles if (m := re.fullmatch(r"Reflected, CV: (\S+) Gyr", t))]
            own = next(c["bandwidth"] for c in d["kde_curves"] if c["kind"] == "reflected")
            assert reflected == [gyr(own)], (part, reflected)
            fixed = [re.fullmatch(r"h = (\S+) Gyr", t).group(1) for t in titles if t.startswith("h = ")]
            assert fixed == [gyr(h) for h in result["bandwidth_grid"]]


def test_a_pvalue_at_its_tables_floor_prints_as_a_bound_as_ks_prints_its_own(site):
    result = _results(site)
    (c,) = result["comparisons"]
    assert c["anderson_pvalue"] == 0.001 and "floors this p-value at 0.001" in c["anderson_pvalue_note"]
    rows = {row[0].split(" ")[0]: row for row in _table_with(_main(site, "comparison.html"), "Test")[1:]}
    assert rows["Kolmogorov-Smirnov"][2] == pvalue(c["ks_pvalue"]) == "< 0.001"
    assert rows["Anderson-Darling"][2] == "≤ 0.001"
    assert "≤ 0.001" in _pdf_text(site)


def _age_axes(path: Path) -> list[tuple[str, list[str]]]:
    """(label, tick labels) of every axis of an SVG figure whose label names ages or age differences in Gyr."""
    axes = []
    for group in ET.parse(path).getroot().iter(f"{SVG}g"):
        if not group.get("id", "").startswith("matplotlib.axis"):
            continue
        ticks, label = [], ""
        for child in group:
            texts = ["".join(t.itertext()).strip() for t in child.iter(f"{SVG}text")]
            if child.get("id", "").startswith(("xtick", "ytick")):
                ticks += texts
            elif texts:
                label = " ".join(texts)
        if AGE_AXIS.search(label) and ticks:
            axes.append((label, ticks))
    return axes


def test_every_age_axis_follows_one_tick_rule(site):
    checked = 0
    for path in sorted((site / "figures").glob("*.svg")):
        for label, ticks in _age_axes(path):
            values = [float(t.replace("−", "-")) for t in ticks]
            steps = {round(b - a, 9) for a, b in zip(values, values[1:])}
            assert len(steps) == 1, (path.name, label, ticks)
            (step,) = steps
            mantissa = step / 10 ** math.floor(math.log10(step))
            assert round(mantissa, 9) in (1, 2, 5), (path.name, label, ticks)  # never 2.5
            decimals = max(0, -math.floor(math.log10(step)))
            assert all(len(t.partition(".")[2]) == decimals for t in ticks), (path.name, label, ticks)
            checked += 1
    assert checked >= 10


def test_one_histogram_per_data_set_and_the_lectures_bins_only_with_its_steps(site):
    result = _results(site)
    explorer = json.loads(
        re.search(r'id="explorer-data">(.*?)</script>', (site / "bandwidth.html").read_text(encoding="utf-8"), re.S)
        .group(1).replace("\\u003c", "<").replace("\\u003e", ">").replace("\\u0026", "&")
    )
    for d in result["datasets"]:
        edges = d["histogram"]["edges"]
        shown = next(e for e in explorer["datasets"] if e["name"] == d["name"])
        assert shown["edges"] == edges  # the explorer bins as the pages do
        count, width = len(edges) - 1, (edges[-1] - edges[0]) / (len(edges) - 1)
        lecture = d["gaussian"]["lecture_edges"]
        page = _text(_main(site, f"dataset-{d['name']}.html"))
        # The page says which bins are the lecture's and which the report's ...
        lecture_width = gyr((lecture[-1] - lecture[0]) / (len(lecture) - 1))
        assert re.search(rf"numpy.s default 10 bins \(10 bins of {lecture_width} Gyr\)", page)
        assert re.search(rf"is the report.s: {count} bins of {gyr(width)} Gyr \(numpy.s .auto. rule\)", page)
        # ... and so do the figures: the lecture's bars are labelled as its, the others name the report's bins.
        for step in ("step7", "step9"):
            assert LECTURE_BARS in _svg_texts(site / "figures" / f"{d['name']}-{step}.svg")
        for part in ("bandwidths", "synthetic"):
            assert LECTURE_BARS not in _svg_texts(site / "figures" / f"{d['name']}-{part}.svg")
            image = _main(site, f"dataset-{d['name']}.html").find("img", src=re.compile(rf"{d['name']}-{part}\.svg$"))
            assert f"{count} bins of {gyr(width)} Gyr" in _text(image.find_parent("figure"))


def test_the_age_of_the_universe_prints_alike_on_every_page_and_in_the_pdf(site):
    texts = [_text(_main(site, page.name)) for page in sorted(site.glob("*.html"))] + [_pdf_text(site)]
    written = {m for text in texts for m in re.findall(r"\b13\.8\d* Gyr", text)}
    assert written == {f"{gyr(AGE_OF_UNIVERSE_GYR)} Gyr"}
