"""The one template context: every number the pages print and every finding they state, from the result.

Templates only format: every number they print comes from :func:`build_context`
and every finding (which data set is older, whether a test rejects, which
model predicts best) is decided here from the numbers. Text that comes from
data or the manifest goes through the ``md``, ``attr`` or ``html`` filter so
that neither Quarto nor pandoc interprets it.
"""

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from analysis.binned import BINS_PER_BANDWIDTH, NODES_PER_BANDWIDTH, ORDER
from analysis.engine import EXACT_MAX_N
from analysis.config import AGE_OF_UNIVERSE_GYR
from analysis.dataset import Dataset
from analysis.errors import RenderError
from analysis.folds import MIN_TRAINING_STARS
from analysis.minimums import MINIMUMS
from analysis.results import AnalysisResult
from analysis.pipeline import NESTED_MAX_N
from analysis.statistics import (
    BANDWIDTH_RULES, INTERVAL_RATIO, LILLIEFORS_MAX_N, LILLIEFORS_PVALUE_RANGE, SHAPIRO_MAX_N, VERDICT_MIN_MARGIN,
)  # fmt: skip

from ..buildinfo import BuildInfo
from ..downloads import INPUT_COPY_MAX_BYTES, INPUT_FOLDER
from ..figures import Figure, figure_plan
from ..project import MARGIN_CM, PAPER_CM
from .explorer import (
    EXPLORER_BANDWIDTHS_GYR,
    EXPLORER_BIN_GYR,
    EXPLORER_MAX_AGES,
    EXPLORER_MAX_BINS,
    EXPLORER_MAX_SAMPLE,
    explorer_json,
)
from .references import csl_entries, source_key
from .views import ALPHA, CV_SMALL_RATIO, comparison_view, dataset_view

__all__ = ["build_context"]

#: Tallest a figure may stand in the PDF, as a fraction of the text height. A figure that does not
#: fit where it stands moves to the next page, and this keeps the page it leaves about half full.
MAX_FIGURE_HEIGHT = 0.42
#: ``format.typst`` options the report lays out itself (``report.qmd.j2``) rather than leave to Quarto's template.
_OWN_TYPST_OPTIONS = ("toc", "toc-depth", "number-sections", "title")
_MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip



def _pdf_href(info: BuildInfo, path: str) -> str:
    """A site file's link in the PDF, which travels without the site: absolute when its address is known."""
    return f"{info.site_url}/{path}" if info.site_url and path else path


def _source_views(info: BuildInfo) -> list[dict[str, Any]]:
    """Each input file with the path of its copy in the site ("" when too large to copy) and its citation key."""
    copies = {Path(path).name: path for _, path in info.downloads if path.startswith(f"downloads/{INPUT_FOLDER}/")}
    views = [
        {"s": s, "copy_path": copies.get(Path(s.file).name, ""), "cite": source_key(s.id) if s.citation.strip() else ""}
        for s in info.sources
    ]
    return [{**v, "copy_pdf_href": _pdf_href(info, v["copy_path"])} for v in views]


def _pdf_view(info: BuildInfo, figures: Mapping[str, Figure]) -> dict[str, Any]:
    """The PDF's layout (``format.typst`` of ``_quarto.yml``), the date it shows and each figure's width.

    A figure's width (percent of the text width) is the widest that keeps it
    within ``MAX_FIGURE_HEIGHT`` of the text height.
    """
    spec = info.site
    paper_w, paper_h = PAPER_CM[spec.papersize]
    side, top, bottom = MARGIN_CM
    text_w, text_h = paper_w - 2 * side, paper_h - top - bottom
    options = {key: value for key, value in spec.typst.items() if key not in _OWN_TYPST_OPTIONS}
    # Quarto formats citations with typst's own processor unless told to use citeproc, as pandoc does.
    options["citeproc"] = True
    if info.date:
        year, month, day = (int(part) for part in info.date.split("-"))
        document_date = f"datetime(year: {year}, month: {month}, day: {day})"
        date_text = f"{day} {_MONTHS[month - 1]} {year}"
    else:
        document_date, date_text = "none", ""
    return {
        "papersize": spec.papersize,
        "number_sections": spec.number_sections,
        "toc": spec.pdf_toc,
        "toc_depth": spec.toc_depth,
        "quarto_options": sorted(options.items()),
        "document_date": document_date,
        "date_text": date_text,
        "margin": {"side": side, "top": top, "bottom": bottom},
        "figure_widths": {
            key: min(100, int(100 * MAX_FIGURE_HEIGHT * text_h / (text_w * f.aspect))) for key, f in figures.items()
        },
    }


def _normality_findings(views: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """The data sets grouped by what the tests of normality decide, in the order they come.

    Each group holds the tests that reject and those that do not (``views._normality_view``) and its
    data sets; data sets no test is available for form a group with both lists empty.
    """
    groups: dict[tuple[tuple[str, ...], tuple[str, ...]], dict[str, Any]] = {}
    for v in views:
        n = v["normality"]
        key = (tuple(n["rejecting"]), tuple(n["not_rejecting"]))
        groups.setdefault(key, {"rejecting": n["rejecting"], "not_rejecting": n["not_rejecting"], "datasets": []})
        groups[key]["datasets"].append(v)
    return list(groups.values())


def build_context(
    result: AnalysisResult,
    datasets: Sequence[Dataset],
    figures: Mapping[str, Figure],
    info: BuildInfo,
) -> dict[str, Any]:
    """The one template context: numbers raw (filters format them) and every finding decided.

    Raises
    ------
    RenderError
        If the data sets do not match the result or a figure the pages show is missing.
    """
    names = [r.name for r in result.datasets]
    given = [d.name for d in datasets]
    if sorted(names) != sorted(given):
        raise RenderError(f"build_context: the result has data sets {names} but the data sets given are {given}")
    plan = figure_plan(result)
    missing = [i for i in plan.ids if i not in figures]
    if missing:
        raise RenderError(f"build_context: figures missing: {', '.join(missing)}; have: {', '.join(sorted(figures))}")
    by_name = {d.name: d for d in datasets}
    views = {r.name: dataset_view(r, by_name[r.name], figures) for r in result.datasets}
    dataset_views = list(views.values())
    comparisons = [comparison_view(c, views, figures) for c in result.comparisons]
    return {
        "title": "Stellar ages: histograms, kernel density estimates and generative models",
        "age_of_universe": AGE_OF_UNIVERSE_GYR,
        "alpha": ALPHA,
        "cv_small_ratio": CV_SMALL_RATIO,
        "seed": result.seed,
        "replicates": result.replicates,
        "cv_folds": result.cv_folds,
        "bandwidth_grid": list(result.bandwidth_grid),
        "bootstrap_resamples": info.config.bootstrap_resamples,
        "normality": {
            "lilliefors_range": LILLIEFORS_PVALUE_RANGE,
            "shapiro_max_n": SHAPIRO_MAX_N,
            "lilliefors_max_n": LILLIEFORS_MAX_N,
        },
        "rules": [{"key": r.name, "name": r.title, "reference": r.reference} for r in BANDWIDTH_RULES.values()],
        "datasets": dataset_views,
        "common_bandwidth": result.common_bandwidth,
        "benchmarks": list(result.benchmarks),
        "verdict_margin": VERDICT_MIN_MARGIN,
        "interval_ratio": INTERVAL_RATIO,
        "nested_max_n": NESTED_MAX_N,
        "comparisons": comparisons,
        # A data set's missing own score is one note, however many pairs it is in.
        "cross_notes": list({n["what"]: n for p in comparisons for x in p["cross"] for n in x["notes"]}.values()),
        "findings": {
            "normality": _normality_findings(dataset_views),
            "kde_beats_gaussian": [v for v in dataset_views if v["kde_beats_gaussian"]],
            "cv_small": [v for v in dataset_views if v["cv_pulled_small"]],
            "heavy_ties": [v for v in dataset_views if v["ties"].heavy],
            "above_universe": [v for v in dataset_views if v["summary"].n_above_universe > 0],
        },
        "figures": dict(figures),
        "figures_omitted": plan.omitted,
        # The notes of the tables across data sets: each data set's, naming it.
        "notes": {
            table: [{**n, "what": f"{n['what']} of {v['label']}"} for v in dataset_views for n in v["notes"][table]]
            for table in ("cv", "synthetic", "held_out")
        },
        "minimums": MINIMUMS,
        "min_training_stars": MIN_TRAINING_STARS,
        # Data sets cross-validated leave-one-out because they have too few ages for the configured folds.
        "leave_one_out": [v for v in dataset_views if v["folds"] not in (None, result.cv_folds)],
        "with_held_out": [v for v in dataset_views if v["held_out"]],
        "explorer_json": explorer_json(result, datasets),
        "explorer": {
            "bandwidths": EXPLORER_BANDWIDTHS_GYR,
            "max_ages": EXPLORER_MAX_AGES,
            "max_sample": EXPLORER_MAX_SAMPLE,
            "bin_gyr": EXPLORER_BIN_GYR,
            "max_bins": EXPLORER_MAX_BINS,
            "fine_span": EXPLORER_BIN_GYR * EXPLORER_MAX_BINS,
            "binned": [v for v in dataset_views if v["summary"].n > EXPLORER_MAX_AGES],
        },
        "exact_max_n": EXACT_MAX_N,
        "binned_engine": {"bins_per_bandwidth": BINS_PER_BANDWIDTH, "order": ORDER, "nodes_per_bandwidth": NODES_PER_BANDWIDTH},
        "engines": {
            "exact": [v for v in dataset_views if not v["engine"]["binned"]],
            "binned": [v for v in dataset_views if v["engine"]["binned"]],
        },
        "partitioned": [v for v in dataset_views if v["partitioned"]],
        "info": info,
        "sources": _source_views(info),
        "input_copy_max_kb": INPUT_COPY_MAX_BYTES // 1000,
        "versions": [{"name": n, "version": v} for n, v in info.versions],
        "site_url": info.site_url,
        "explorer_href": _pdf_href(info, "bandwidth.html#explore-the-bandwidth"),
        "downloads": [{"label": label, "path": path, "pdf_href": _pdf_href(info, path)} for label, path in info.downloads],
        "bibliography": csl_entries(info.sources, datasets),
        "pdf": _pdf_view(info, figures),
    }
