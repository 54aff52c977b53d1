"""Jinja2 templates -> Quarto markdown pages: the environment, the one template context, the writer.

Templates only format: every number they print comes from :func:`build_context`
and every finding (which data set is older, whether a test rejects, which
model predicts best) is decided here from the numbers. Text that comes from
data or the manifest goes through the ``md``, ``attr`` or ``html`` filter so
that neither Quarto nor pandoc interprets it.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
import json
from pathlib import Path
from typing import Any, Protocol

import jinja2
import numpy as np

from analysis.binned.grid import BINS_PER_BANDWIDTH, EXACT_MAX_N, NODES_PER_BANDWIDTH, ORDER
from analysis.config import AGE_OF_UNIVERSE_GYR
from analysis.dataset import Dataset
from analysis.errors import RenderError
from analysis.folds import MIN_TRAINING_STARS, folds_text
from analysis.minimums import MINIMUMS
from analysis.results import AnalysisResult, Comparison, DatasetResult, EngineInfo
from .buildinfo import BuildInfo
from .downloads import INPUT_COPY_MAX_BYTES, INPUT_FOLDER
from .engines import MARGIN_CM, PAPER_CM
from .figure_plan import DATASET_FIGURES, figure_plan
from .filters import FILTERS
from .references import csl_entries, csl_json, dataset_key, source_key

__all__ = [
    "Page", "REFERENCES_FILE", "build_context", "explorer_json", "fine_histogram", "make_environment", "render_pages",
]

TEMPLATE_DIR = Path(__file__).resolve().parent.parent / "templates"
#: Significance level at which the report says a test "rejects".
ALPHA = 0.05
#: CV counts as "pulled small" when it is below this fraction of Silverman's rule.
CV_SMALL_RATIO = 0.5
#: Display names and references of the bandwidth rules, in the order of ``BandwidthSet``.
RULES: dict[str, tuple[str, str]] = {
    "scott": ("Scott", "Scott, D. W. (1992), *Multivariate Density Estimation*, Wiley, eq. 6.44"),
    "silverman": ("Silverman", "Silverman, B. W. (1986), *Density Estimation*, Chapman & Hall, eq. 3.31"),
    "isj": ("ISJ", "Botev, Grotowski & Kroese (2010), Ann. Statist. 38, 2916"),
    "cv": ("CV", "k-fold cross-validated log-likelihood (Hall 1982; Stone 1984)"),
}
#: The explorer embeds a data set's raw ages up to this many; above, a fine histogram of them
#: (the browser's KDE sums over bins, and 2000 x 8000 grid points is about the most a redraw affords).
EXPLORER_MAX_AGES = 2000
#: Widest bin of the explorer's fine histogram (Gyr): a quarter of its smallest bandwidth, 0.01 Gyr,
#: so the binned KDE is within (0.25^2 / 24) ~ 0.3 % of the exact one at every slider position.
EXPLORER_BIN_GYR = 0.0025
#: Most bins of the fine histogram (wider catalogs get wider bins), which bounds the page's size.
EXPLORER_MAX_BINS = 8000
#: Largest synthetic sample the explorer draws per redraw from a fine histogram.
EXPLORER_MAX_SAMPLE = 100_000
#: The staged bibliography (CSL-JSON) that every page and the PDF cite from.
REFERENCES_FILE = "references.json"
#: Tallest a figure may stand in the PDF, as a fraction of the text height. A figure that does not
#: fit where it stands moves to the next page, and this keeps the page it leaves about half full.
MAX_FIGURE_HEIGHT = 0.42
#: ``format.typst`` options the report lays out itself (``report.qmd.j2``) rather than leave to Quarto's template.
_OWN_TYPST_OPTIONS = ("toc", "toc-depth", "number-sections", "title")
_MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip


class FigureLike(Protocol):
    """What the templates use of ``publish.figures.Figure`` (paths relative to the site root)."""

    id: str
    svg: str
    png: str
    alt: str
    caption: str
    aspect: float


@dataclass(frozen=True)
class Page:
    """One generated page: its file in the staged project and its navigation title (plain text)."""

    file: str
    title: str


def make_environment(template_dir: Path = TEMPLATE_DIR) -> jinja2.Environment:
    """The one Jinja environment: StrictUndefined, no autoescape, the filters above.

    Jinja comments are ``{## ... ##}`` because ``{#`` starts markdown ids (``{#fig-x}``).
    """
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(template_dir),
        undefined=jinja2.StrictUndefined,
        autoescape=False,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        comment_start_string="{##",
        comment_end_string="##}",
    )
    env.filters.update(FILTERS)
    return env


def _model_name(kind: str) -> str:
    """Reader's name of a held-out or synthetic model kind."""
    if kind == "gaussian":
        return "Gaussian"
    if kind == "grid":
        return "Fixed"
    if kind in RULES:
        return RULES[kind][0]
    raise RenderError(f"model kind: expected gaussian, grid or one of {', '.join(RULES)}, got {kind!r}")


def _engine_view(e: EngineInfo, n: int) -> dict[str, Any]:
    """How the KDEs of one data set were evaluated, for the data set page and Methods."""
    if e.path not in ("exact", "binned"):
        raise RenderError(f"engine path: expected 'exact' or 'binned', got {e.path!r}")
    return {
        "binned": e.path == "binned",
        "n": n,
        "n_bins": e.n_bins,
        "bin_width": e.bin_width_gyr,
        "max_rel_error": e.max_rel_error,
    }


def _notes(*pairs: tuple[str, str | None]) -> list[dict[str, str]]:
    """The (what, reason) pairs whose reason is set: a table's notes on what is not available."""
    return [{"what": what, "reason": reason} for what, reason in pairs if reason]


def _dataset_view(r: DatasetResult, d: Dataset, figures: Mapping[str, FigureLike]) -> dict[str, Any]:
    """One data set's numbers, decisions and figures for the templates.

    A value that is not available is ``None`` here too (the ``na`` filter
    prints it) and a finding that needs it is ``None`` or empty; ``notes``
    holds, per table, what is not available and why.
    """
    held_out = [
        {
            "name": _model_name(s.model),
            "bandwidth": s.bandwidth,
            "score": s.mean_log_likelihood,
            "best": False,
            "unavailable": s.unavailable,
        }
        for s in r.held_out
    ]
    scored = [m for m in held_out if m["score"] is not None]
    best = max(scored, key=lambda m: m["score"]) if scored else None
    if best:
        best["best"] = True
    synthetic = [
        {
            "name": _model_name(s.kind),
            "bandwidth": s.bandwidth,
            "below": s.fraction_below_zero,
            "above": s.fraction_above_universe,
            "replicates": s.replicates,
        }
        for s in r.synthetic
    ]
    bw = r.bandwidths
    # Rules without a bandwidth, as (reader's name, reason): no curve, sample or score of theirs exists.
    missing = [(RULES[c.rule][0], c.unavailable) for c in r.bandwidth_choices if c.unavailable]
    # The held-out split (a catalog's CV is leave-one-out on binned counts, its held-out scores k-fold).
    folds = r.held_out[0].folds if r.held_out else (r.cv_curve.folds if r.cv_curve else None)
    return {
        "name": r.name,
        "label": r.label,
        "colour": r.colour,
        "page": f"dataset-{r.name}.qmd",
        "href": f"dataset-{r.name}.html",
        "source": d.source,
        "citation": d.citation,
        "doi": d.doi,
        "doi_url": f"https://doi.org/{d.doi}" if d.doi else "",
        "cite": dataset_key(d.name) if d.citation.strip() else "",
        "method": d.method,
        "pair_group": d.pair_group or "",
        "summary": r.summary,
        "engine": _engine_view(r.engine, r.n),
        "gaussian": r.gaussian,
        "ks_rejects": r.gaussian.ks_pvalue < ALPHA,
        "bw": bw,
        "bandwidths": [
            {"name": RULES[c.rule][0], "bandwidth": c.bandwidth, "note": c.note, "unavailable": c.unavailable}
            for c in r.bandwidth_choices
        ],
        "folds": folds,
        "folds_text": folds_text(folds, r.n) if folds else None,
        "ties": r.ties,
        "cv_pulled_small": bw.cv is not None and bw.silverman is not None and bw.cv < CV_SMALL_RATIO * bw.silverman,
        "cv_over_silverman": bw.cv / bw.silverman if bw.cv is not None and bw.silverman is not None else None,
        "held_out": held_out,
        "held_out_unavailable": r.held_out_unavailable,
        "best_model": best,
        "gaussian_score": next((m for m in held_out if m["name"] == "Gaussian"), None),
        "kde_beats_gaussian": best is not None and best["name"] != "Gaussian",
        "cv_score": next((s.mean_log_likelihood for s in r.held_out if s.model == "cv"), None),
        "synthetic": synthetic,
        "cv_synthetic": next((s for s, raw in zip(synthetic, r.synthetic) if raw.kind == "cv"), None),
        "notes": {
            "cv": _notes(*((f"{name} bandwidth", why) for name, why in missing if name == RULES["cv"][0])),
            "synthetic": _notes(*((f"Synthetic samples at the {name} bandwidth", why) for name, why in missing)),
            # All scores missing say so once; otherwise the Gaussian's and each missing rule's.
            "held_out": _notes(("Held-out scores", r.held_out_unavailable))
            or _notes(
                *(("Gaussian held-out score", m["unavailable"]) for m in held_out if m["name"] == "Gaussian"),
                *((f"Held-out score at the {name} bandwidth", why) for name, why in missing),
            ),
        },
        "figures": {part: figures[f"{r.name}-{part}"] for part in DATASET_FIGURES},
    }


def _rejects(pvalue: float | None) -> bool | None:
    """Whether a test rejects at ``ALPHA``; None when it is not available."""
    return None if pvalue is None else pvalue < ALPHA


def _cross_view(train: dict[str, Any], test: dict[str, Any], score: float | None, reason: str | None) -> dict[str, Any]:
    """One row of the cross-prediction table: ``test``'s ages under ``train``'s KDE, against ``test``'s own score.

    The loss (own minus cross) needs both; the notes say which is missing and why.
    """
    own = test["cv_score"]
    own_reason = None if own is not None else (
        test["held_out_unavailable"] or next(n["reason"] for n in test["notes"]["cv"])
    )
    return {
        "train": train,
        "test": test,
        "score": score,
        "own": own,
        "drop": None if score is None or own is None else own - score,
        "notes": _notes(
            (f"{train['label']} scored on {test['label']}", reason),
            (f"{test['label']}'s own held-out CV score", own_reason),
        ),
    }


def _comparison_view(
    c: Comparison, views: Mapping[str, dict[str, Any]], figures: Mapping[str, FigureLike]
) -> dict[str, Any]:
    """One pair's tests with the decisions the text states (None where a test is not available)."""
    a, b = views[c.a], views[c.b]
    a_older = c.mean_difference >= 0
    low, high = c.mean_difference_ci
    # Cross-prediction loss: how much worse the other's KDE predicts a data set than its own held-out CV score.
    cross = [
        _cross_view(a, b, c.cross_a_on_b, c.cross_a_on_b_unavailable),
        _cross_view(b, a, c.cross_b_on_a, c.cross_b_on_a_unavailable),
    ]
    drops = [x["drop"] for x in cross]
    q = c.paired
    return {
        "a": a,
        "b": b,
        "c": c,
        "ks_rejects": c.ks_pvalue < ALPHA,
        "anderson_rejects": _rejects(c.anderson_pvalue),
        "older": a if a_older else b,
        "younger": b if a_older else a,
        "older_by": abs(c.mean_difference),
        "older_ci": (low, high) if a_older else (-high, -low),
        "ci_excludes_zero": low > 0 or high < 0,
        "cross": cross,
        "better_training": None if None in drops else (a if drops[0] <= drops[1] else b),
        "wilcoxon_rejects": None if q is None else _rejects(q.wilcoxon_pvalue),
        "paired_notes": [] if q is None else _notes(
            ("Wilcoxon signed-rank test", q.wilcoxon_unavailable),
            ("Pearson's r", q.pearson_unavailable),
            ("Spearman's rho", q.spearman_unavailable),
        ),
        "figure": figures[f"pair-{c.a}-{c.b}"] if q is not None else None,
    }


def fine_histogram(ages: np.ndarray) -> dict[str, Any]:
    """Counts of the ages on a regular grid fine enough for the explorer's smallest bandwidth.

    Parameters
    ----------
    ages : ndarray, shape (n,)
        Ages in Gyr.

    Returns
    -------
    dict
        ``lo`` (Gyr, the left edge of bin 0), ``step`` (Gyr, the bin width:
        at most ``EXPLORER_BIN_GYR`` unless that needs more than
        ``EXPLORER_MAX_BINS`` bins) and ``counts`` (ints, one per bin, summing
        to n); bin k is ``[lo + k step, lo + (k + 1) step)``, the last one closed.
    """
    lo, span = float(ages.min()), float(np.ptp(ages))
    n_bins = min(EXPLORER_MAX_BINS, max(1, int(np.ceil(span / EXPLORER_BIN_GYR))))
    step = max(span, EXPLORER_BIN_GYR) / n_bins
    # Index by division rather than np.histogram's edges so the largest age never falls off by rounding.
    index = np.minimum(((ages - lo) / step).astype(np.intp), n_bins - 1)
    counts = np.bincount(index, minlength=n_bins)
    return {"lo": lo, "step": step, "counts": counts.tolist()}


def _explorer_entry(r: DatasetResult, d: Dataset) -> dict[str, Any]:
    """One data set for the explorer: raw ages when few, else the fine histogram and the shown one."""
    entry: dict[str, Any] = {"name": r.name, "label": r.label, "colour": r.colour}
    if d.ages_gyr.size <= EXPLORER_MAX_AGES:
        entry["ages"] = d.ages_gyr.tolist()
    else:
        entry["n"] = int(d.ages_gyr.size)
        entry["binned"] = fine_histogram(d.ages_gyr)
        entry["counts"] = list(r.histogram.counts)
        entry["sample_size"] = min(int(d.ages_gyr.size), EXPLORER_MAX_SAMPLE)
    entry["edges"] = list(r.histogram.edges)
    entry["cv"] = r.bandwidths.cv
    return entry


def explorer_json(result: AnalysisResult, datasets: Sequence[Dataset]) -> str:
    """The explorer's data per data set as JSON: colours, histogram edges, CV bandwidth and the ages.

    The CV bandwidth, where the slider starts, is ``null`` for a data set
    without one; the slider then starts in its middle.

    A data set of at most ``EXPLORER_MAX_AGES`` ages is embedded as its ages;
    a larger one as ``n``, its ``fine_histogram`` (``binned``), the counts of
    the histogram the report shows (``counts``, on ``edges``) and the size of
    the synthetic sample the browser draws (``sample_size``), so the page
    stays small whatever n is.

    ``<``, ``>`` and ``&`` are ``\\u`` escapes so the text can sit inside
    ``<script type="application/json">`` (no ``</script>``) and no Quarto
    shortcode (``{{<``) can form.
    """
    by_name = {d.name: d for d in datasets}
    data = {
        "age_of_universe": AGE_OF_UNIVERSE_GYR,
        "datasets": [_explorer_entry(r, by_name[r.name]) for r in result.datasets],
    }
    text = json.dumps(data, allow_nan=False, ensure_ascii=True, separators=(",", ":"))
    return text.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")


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


def _pdf_view(info: BuildInfo, figures: Mapping[str, FigureLike]) -> dict[str, Any]:
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


def build_context(
    result: AnalysisResult,
    datasets: Sequence[Dataset],
    figures: Mapping[str, FigureLike],
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
    views = {r.name: _dataset_view(r, by_name[r.name], figures) for r in result.datasets}
    dataset_views = list(views.values())
    comparisons = [_comparison_view(c, views, figures) for c in result.comparisons]
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
        "rules": [{"key": k, "name": n, "reference": ref} for k, (n, ref) in RULES.items()],
        "datasets": dataset_views,
        "comparisons": comparisons,
        # A data set's missing own score is one note, however many pairs it is in.
        "cross_notes": list({n["what"]: n for p in comparisons for x in p["cross"] for n in x["notes"]}.values()),
        "findings": {
            "gaussian_rejected": [v for v in dataset_views if v["ks_rejects"]],
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


def _navigation(context: Mapping[str, Any]) -> list[tuple[Page, str, Any]]:
    """Pages in navigation order, each with its body partial and data set (or None)."""
    pages: list[tuple[Page, str, Any]] = [(Page("index.qmd", "Overview"), "partials/index.md.j2", None)]
    pages += [(Page(d["page"], d["label"]), "partials/dataset.md.j2", d) for d in context["datasets"]]
    pages += [
        (Page("bandwidth.qmd", "Bandwidth"), "partials/bandwidth.md.j2", None),
        (Page("generative.qmd", "Generative models"), "partials/generative.md.j2", None),
        (Page("comparison.qmd", "Comparison"), "partials/comparison.md.j2", None),
        (Page("methods.qmd", "Methods"), "partials/methods.md.j2", None),
        (Page("data.qmd", "Data"), "partials/data.md.j2", None),
    ]
    return pages


def _render(env: jinja2.Environment, template: str, context: Mapping[str, Any]) -> str:
    try:
        return env.get_template(template).render(context)
    except jinja2.TemplateError as exc:
        where = f"templates/{exc.name}:{exc.lineno}" if isinstance(exc, jinja2.TemplateSyntaxError) else f"templates/{template}"
        raise RenderError(f"{where}: {exc.message}") from exc


def _write_if_changed(path: Path, text: str) -> None:
    """Rewrite a file only when its content changes, so unchanged pages keep their timestamps."""
    if not path.exists() or path.read_text(encoding="utf-8") != text:
        path.write_text(text, encoding="utf-8")


def render_pages(context: dict[str, Any], out_dir: Path, *, pdf: bool = True) -> tuple[Page, ...]:
    """Write the ``.qmd`` pages (and ``references.json``) into ``out_dir``; return the pages in navigation order.

    Every page is rendered before any file is written. With ``pdf=True`` also
    writes ``report.qmd``: every page as one document for the typst PDF, with
    PNG figures and each page a level-1 section; it is not in the navigation.

    Raises
    ------
    RenderError
        If a template fails, e.g. it uses a key the context lacks (StrictUndefined).
    """
    env = make_environment()
    pages = _navigation(context)
    texts = {
        page.file: _render(
            env,
            "page.qmd.j2",
            {**context, "page_title": page.title, "body": body, "dataset": dataset, "pdf_document": False},
        )
        for page, body, dataset in pages
    }
    if pdf:
        sections = [{"title": page.title, "body": body, "dataset": dataset} for page, body, dataset in pages]
        texts["report.qmd"] = _render(env, "report.qmd.j2", {**context, "sections": sections, "pdf_document": True})
    if context["bibliography"]:
        texts[REFERENCES_FILE] = csl_json(context["bibliography"])
    out_dir.mkdir(parents=True, exist_ok=True)
    for file, text in texts.items():
        _write_if_changed(out_dir / file, text)
    return tuple(page for page, _, _ in pages)
