"""Build the Stellar Age KDE Report: ``python build.py`` -> ``_site/`` (HTML site + ``report.pdf``).

The build is a list of named stages (``STAGES``), each a function that takes
what the stage before it returned and returns what the next one needs:

    configure -> load -> analyse -> figures -> render -> engine -> publish
    read_settings, load_data, analyse, draw_figures, write_pages, render_site, publish_site

A stage may instead return ``Finished``: ``--check`` and a build with nothing
changed stop after ``load``.

Everything is built in a temporary folder next to the output and swapped into
place only when every stage succeeded, so a failed build leaves the previous
site byte-identical. A build whose data, settings and code are unchanged is
skipped (``--force`` rebuilds).

``--out`` is checked before any work (``publish/site/outdir.py``): publishing
replaces the output folder whole, so only a new folder, an empty one or a site
this report built is accepted.

This file is longer than the house's 300 lines: it is the command line, the records the stages hand
on and the stages themselves, which read best together in build order.

Every failure is one line naming the stage: ``build failed in stage 'load':
...``. Exit status: 0 success (or nothing to do); 1 a stage failed on the
user's data or environment (a disk that is full is the environment too); 2
invalid command-line options or configuration (``--out``, ``_quarto.yml``, the
manifest); 130 interrupted. An exception that is none of these is a bug: it is
still one line, which says so, and ``--traceback`` shows where it came from.
"""

import argparse
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
import errno
import importlib.metadata
import logging
import os
from pathlib import Path
import platform
import sys
import tomllib
from typing import Any

from analysis.config import AGE_OF_UNIVERSE_GYR, AnalysisConfig
from analysis.errors import ConfigError, ReportError
from analysis.inputs import LoadedSource, Project, add_analysis_options, load_sources, settings
from analysis.results import AnalysisResult
from publish import cache, site
from publish.site import check_output
from publish.buildinfo import BuildInfo, Revision, SourceInfo, revision_of, source_date
from publish.downloads import write_downloads
from publish.engines import ENGINES, PandocEngine, QuartoEngine, select_engine
from publish.project import FORMATS, Page, site_spec
from publish.render import build_context, render_pages

ROOT = Path(__file__).resolve().parent
PROJECT_FILE = ROOT / "_quarto.yml"
MANIFEST = ROOT / "data" / "datasets.yml"
#: Hand-written folders of ``report/`` copied into the stage: the site's assets and Quarto's theme layer.
STAGED_FOLDERS = ("assets", "quarto")
GENERATED = ROOT / "report" / "_generated"
ARTEFACT_CACHE = ROOT / ".cache" / "artefacts"
#: The project's own folders: --out may not be in them (publishing would delete what is there).
PROJECT_FOLDERS = (
    "analysis", "publish", "templates", "report", "data", "tests", "benchmarks", "docs",
    ".git", ".github", ".ci", ".cache", ".venv",
)  # fmt: skip
#: Packages whose versions the Methods page prints.
VERSIONED = ("numpy", "scipy", "scikit-learn", "matplotlib", "jinja2", "pooch", "typst")

logger = logging.getLogger("build")


class StageError(Exception):
    """A failure inside a named stage, as the one line the user reads, and its exit status."""

    def __init__(self, stage: str, message: str, status: int = 1) -> None:
        super().__init__(f"build failed in stage '{stage}': {message}")
        self.status = status


@dataclass(frozen=True)
class Settings:
    """``read_settings``: the checked ``--out``, the formats, ``_quarto.yml``, the analysis settings, the engine."""

    args: argparse.Namespace
    out: Path
    formats: tuple[str, ...]
    project: Project
    config: AnalysisConfig
    engine: QuartoEngine | PandocEngine | None  #: None with --check


@dataclass(frozen=True)
class Loaded:
    """``load_data``: the data read, the commit and date the report shows, and the two cache keys."""

    settings: Settings
    sources: tuple[LoadedSource, ...]
    revision: Revision
    date: tuple[str, str]
    key: str
    artefact_key: str


@dataclass(frozen=True)
class Analysed:
    """``analyse``: the result, in a new stage folder; the figures too when the cache had them; the data sets
    analysed (a partitioned catalog's reduced)."""

    loaded: Loaded
    stage_dir: Path
    result: AnalysisResult
    figures: dict[str, Any] | None
    datasets: tuple = ()


@dataclass(frozen=True)
class Drawn:
    """``draw_figures``: the result and its figures, drawn into the stage."""

    loaded: Loaded
    stage_dir: Path
    result: AnalysisResult
    figures: dict[str, Any]
    datasets: tuple = ()


@dataclass(frozen=True)
class Written:
    """``write_pages``: the staged Quarto project (pages, downloads, assets, ``_quarto.yml``)."""

    loaded: Loaded
    stage_dir: Path
    pages: tuple[Page, ...]


@dataclass(frozen=True)
class Rendered:
    """``render_site``: the site an engine made from the stage, its build key written."""

    loaded: Loaded
    stage_dir: Path
    site: Path


@dataclass(frozen=True)
class Finished:
    """What ends a build: lines for standard output, a log message, and the stage folder to remove."""

    printed: tuple[str, ...] = ()
    message: str | None = None
    stage_dir: Path | None = None


def _parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python build.py",
        description="Build the stellar-age KDE report: a static HTML site and a PDF (ages in Gyr).",
        epilog="Exit status: 0 built or up to date; 1 a stage failed; 2 invalid options or configuration.",
    )
    parser.add_argument(
        "--data",
        type=Path,
        metavar="FILE",
        help=(
            "analyse this file instead of the manifest's; or a partitioned catalog: a folder or (quoted) glob of "
            "Parquet files, or an LSDB/HATS catalog folder"
        ),
    )
    add_analysis_options(parser)
    parser.add_argument("--out", type=Path, default=ROOT / "_site", metavar="DIR", help="output folder (default _site)")
    parser.add_argument("--format", choices=("html", "pdf", "all"), default="all", help="what to build (default all)")
    parser.add_argument("--engine", choices=ENGINES, default="auto", help="renderer (default auto: quarto if found)")
    parser.add_argument("--force", action="store_true", help="rebuild even if nothing changed")
    parser.add_argument("--quiet", action="store_true", help="print only warnings and errors")
    parser.add_argument("--check", action="store_true", help="validate data and configuration, then stop")
    parser.add_argument(
        "--traceback", action="store_true", help="on a failure, show Python's traceback instead of one line"
    )
    return parser.parse_args(argv)


def read_settings(args: argparse.Namespace) -> Settings:
    """Check ``--out``, read ``_quarto.yml``, apply the command line, choose the engine.

    Then remove what killed builds left beside the output and in the cache.
    """
    out = check_output(args.out, root=ROOT, protected=PROJECT_FOLDERS)
    formats = FORMATS if args.format == "all" else (args.format,)
    project, config = settings(args, PROJECT_FILE)
    engine = None
    if not args.check:
        engine = select_engine(args.engine)
        site.remove_leftovers(out)
        cache.remove_leftovers(ARTEFACT_CACHE)
    return Settings(args, out, formats, project, config, engine)


def load_data(s: Settings) -> Loaded | Finished:
    """Find, verify and parse the data files; with ``--check``, or when nothing changed, stop here."""
    # load_sources resolves the path itself: Path.resolve() raises RuntimeError on a link loop.
    sources = load_sources(
        MANIFEST, data_file=s.args.data, columns=s.args.column, error_columns=s.args.error_column,
        id_column=s.args.id_column,
    )  # fmt: skip
    data = [source.path for source in sources if not source.partitioned]
    # The chosen columns decide the data sets, so they belong to both cache keys; a partitioned
    # catalog (terabytes, perhaps) is keyed by its files' names, sizes and times, not their bytes.
    config = {
        **asdict(s.config), "columns": s.args.column, "id_column": s.args.id_column,
        "partitioned": [source.sha256 for source in sources if source.partitioned],
    }  # fmt: skip
    if s.args.error_column:
        config["error_columns"] = s.args.error_column
    # The PDF's title page shows the commit and the date, so they belong to the site's key.
    revision = revision_of(ROOT)
    date = source_date(revision)
    built_from = {"commit": revision.commit, "dirty": revision.dirty, "date": list(date)}
    key = cache.build_key(
        data,
        {"config": config, "formats": list(s.formats), "engine": s.engine.name if s.engine else None, **built_from},
        root=ROOT,
    )
    artefact_key = cache.build_key(
        data,
        {"config": config, "matplotlib": importlib.metadata.version("matplotlib")},
        root=ROOT,
        code=cache.code_files(ROOT, folders=cache.ARTEFACT_FOLDERS, files=cache.ARTEFACT_FILES),
    )
    if s.args.check:
        return Finished(printed=_check_report(s.config, sources))
    if not s.args.force and cache.read_key(s.out) == key:
        return Finished(message=f"nothing changed since the last build of {s.out}; use --force to rebuild")
    return Loaded(s, sources, revision, date, key, artefact_key)


def analyse(loaded: Loaded) -> Analysed:
    """Every fit, KDE, generative model and comparison (reused from .cache/ unless --force), in a new stage."""
    s = loaded.settings
    stage_dir = site.make_stage(s.out)
    datasets = tuple(d for source in loaded.sources for d in source.datasets)
    # A partitioned catalog's reductions are not cached (the explorer needs them): it is reduced again.
    partitioned = any(source.partitioned for source in loaded.sources)
    try:
        cached = None
        if not (s.args.force or partitioned):
            cached = cache.load_artefacts(ARTEFACT_CACHE, loaded.artefact_key, stage_dir / "figures")
        if cached is not None:
            result, figures = cached
            return Analysed(loaded, stage_dir, result, figures, datasets)
        # Imported here: scikit-learn, SciPy and matplotlib take most of a second to
        # import, which a rebuild with nothing changed should not pay.
        from analysis import analyse as analyse_datasets
        from analysis.distributed import reduce_datasets

        # A partitioned catalog is reduced here: on the Dask cluster --dask names, else in this process.
        datasets = reduce_datasets(datasets, s.config, dask=s.args.dask)
        result = analyse_datasets(list(datasets), s.config)
    except BaseException:
        site.remove_stage(stage_dir)  # no later stage knows of it yet
        raise
    return Analysed(loaded, stage_dir, result, None, datasets)


def draw_figures(a: Analysed) -> Drawn:
    """Draw SVG + PNG figures into the stage folder beside the output, unless reused."""
    figures = a.figures
    if figures is None:
        from publish.figures import draw_figures as draw

        figures = draw(a.result, a.stage_dir)
        cache.store_artefacts(ARTEFACT_CACHE, a.loaded.artefact_key, a.result, figures, a.stage_dir / "figures")
    return Drawn(a.loaded, a.stage_dir, a.result, figures, a.datasets)


def write_pages(d: Drawn) -> Written:
    """Write the downloads, then the Quarto pages and the staged project file."""
    loaded, s, stage = d.loaded, d.loaded.settings, d.stage_dir
    inputs = [source.path for source in loaded.sources if not source.partitioned]
    downloads = write_downloads(d.result, inputs, stage / "downloads")
    info = BuildInfo(
        engine=s.engine.name,
        engine_version=s.engine.version(),
        versions=(("Python", platform.python_version()),)
        + tuple((name, importlib.metadata.version(name)) for name in VERSIONED),
        sources=tuple(_source_info(source) for source in loaded.sources),
        downloads=downloads,
        config=s.config,
        site_url=str((s.project.quarto.get("website") or {}).get("site-url") or "").rstrip("/"),
        site=site_spec(s.project.quarto),
        version=_project_version(),
        revision=loaded.revision,
        date=loaded.date[0],
        date_source=loaded.date[1],
    )
    # A benchmark (manifest role: benchmark) is scored on the Comparison page, not analysed as a data set.
    given = list(d.datasets) or [dataset for source in loaded.sources for dataset in source.datasets]
    datasets = [dataset for dataset in given if dataset.role != "benchmark"]
    context = build_context(d.result, datasets, d.figures, info)
    pages = render_pages(context, stage, pdf="pdf" in s.formats)
    _mirror_generated(stage)
    for folder in STAGED_FOLDERS:
        if (ROOT / "report" / folder).is_dir():
            site.stage_tree(ROOT / "report" / folder, stage, folder)
    site.write_staged_quarto(stage, site.staged_quarto(s.project.quarto, pages, s.formats))
    return Written(loaded, stage, pages)


def _project_version() -> str:
    """This checkout's version (``pyproject.toml``), which may differ from an installed copy's."""
    with (ROOT / "pyproject.toml").open("rb") as stream:
        return str(tomllib.load(stream)["project"]["version"])


def _source_info(s: LoadedSource) -> SourceInfo:
    spec = s.spec
    return SourceInfo(
        id=spec.id,
        file=spec.file,
        url=spec.url,
        sha256=s.sha256,
        pinned=spec.url is not None and spec.sha256 is not None,
        licence=spec.licence,
        licence_url=spec.licence_url,
        citation=spec.citation,
        datasets=tuple(d.name for d in s.datasets),
    )


def _mirror_generated(stage: Path) -> None:
    """Copy the staged pages to ``report/_generated/`` so authors can read what was rendered."""
    GENERATED.mkdir(parents=True, exist_ok=True)
    staged = {p.name: p.read_text(encoding="utf-8") for p in stage.glob("*.qmd")}
    for old in GENERATED.glob("*.qmd"):
        if old.name not in staged:
            old.unlink()
    for name, text in staged.items():
        target = GENERATED / name
        if not target.exists() or target.read_text(encoding="utf-8") != text:
            target.write_text(text, encoding="utf-8")


def render_site(w: Written) -> Rendered:
    """Render the stage into ``<stage>/_site`` and record the build key in it."""
    s = w.loaded.settings
    built = s.engine.render(w.stage_dir, w.pages, s.formats, site_spec(s.project.quarto))
    cache.write_key(built, w.loaded.key)
    return Rendered(w.loaded, w.stage_dir, built)


def publish_site(r: Rendered) -> Finished:
    """Swap the new site into the output folder."""
    s = r.loaded.settings
    site.publish(r.site, s.out)
    return Finished(message=f"built {s.out} ({', '.join(s.formats)}, engine {s.engine.name})", stage_dir=r.stage_dir)


def _check_report(config: AnalysisConfig, sources: tuple[LoadedSource, ...]) -> tuple[str, ...]:
    """``--check``: what was found in the data and the configuration."""
    lines = [f"configuration ({PROJECT_FILE.name}): {config}"]
    for source in sources:
        if source.partitioned:
            partitions = source.datasets[0].partitions
            lines.append(f"{source.path}: {partitions.description}, {partitions.rows or 'unknown'} rows")
            lines += [f"  data set '{d.name}' ({d.label}): column '{partitions.columns[d.column]}'" for d in source.datasets]
            lines.append("  (a partitioned catalog's ages are checked as they are reduced, when the report is built)")
            continue
        lines.append(f"{source.path.name}: sha256 {source.sha256}")
        for d in source.datasets:
            above = int((d.ages_gyr > AGE_OF_UNIVERSE_GYR).sum())
            lines.append(
                f"  data set '{d.name}' ({d.label}): {len(d.ages_gyr) + d.n_missing} rows, {len(d.ages_gyr)} ages, "
                f"{d.n_missing} missing values dropped, {above} above {AGE_OF_UNIVERSE_GYR} Gyr (kept)"
            )
    lines.append("data and configuration are valid; nothing was built (--check)")
    return tuple(lines)


#: The build, stage by stage: (the name a failure is reported under, the function).
STAGES: tuple[tuple[str, Callable[[Any], Any]], ...] = (
    ("configure", read_settings),
    ("load", load_data),
    ("analyse", analyse),
    ("figures", draw_figures),
    ("render", write_pages),
    ("engine", render_site),
    ("publish", publish_site),
)


@contextmanager
def _progress(name: str, quiet: bool) -> Iterator[None]:
    """A spinner on a terminal, a log line otherwise."""
    if sys.stdout.isatty() and not quiet:
        from rich.console import Console

        with Console().status(f"[bold]{name}[/]…"):
            yield
    else:
        logger.info("stage: %s", name)
        yield


def build(args: argparse.Namespace) -> int:
    """Run the stages, each on what the one before returned, until one finishes the build; the exit status.

    Any failure inside a stage is a StageError; the stage folder, if one was
    made, is removed whatever happens.
    """
    state: Any = args
    try:
        for name, stage in STAGES:
            with _progress(name, args.quiet):
                state = _run(name, stage, state, traceback=args.traceback)
            if isinstance(state, Finished):
                for line in state.printed:
                    print(line)
                if state.message:
                    logger.info("%s", state.message)
                return 0
    finally:
        stage_dir = getattr(state, "stage_dir", None)
        if stage_dir is not None:
            site.remove_stage(stage_dir)
    return 0


def _run(name: str, stage: Callable[[Any], Any], state: Any, *, traceback: bool) -> Any:
    """Run one stage, turning whatever it raises into a StageError (re-raised as is with --traceback)."""
    try:
        return stage(state)
    except (Exception, KeyboardInterrupt) as error:
        if traceback:
            raise
        raise StageError(name, *_explain(error)) from error


def _explain(error: BaseException) -> tuple[str, int]:
    """The one-line message and the exit status for an exception raised in a stage."""
    if isinstance(error, KeyboardInterrupt):
        return "interrupted", 130
    if isinstance(error, ReportError):
        return str(error), 2 if isinstance(error, ConfigError) else 1
    if isinstance(error, OSError):
        paths = " -> ".join(str(p) for p in (error.filename, error.filename2) if p is not None)
        what = error.strerror or str(error) or type(error).__name__
        advice = "; free some space and build again" if error.errno in (errno.ENOSPC, errno.EDQUOT) else ""
        return f"{paths + ': ' if paths else ''}{what}{advice}", 1
    if isinstance(error, MemoryError):
        return "out of memory", 1
    return (
        f"internal error ({type(error).__name__}: {error}); this is a bug, please report it; "
        "run with --traceback to see where"
    ), 1


def main(argv: list[str] | None = None) -> int:
    """The command line; returns the exit status."""
    args = _parse_args(argv)
    level = logging.WARNING if args.quiet else logging.INFO
    if sys.stderr.isatty() and not args.quiet:
        from rich.logging import RichHandler

        logging.basicConfig(level=level, format="%(message)s", handlers=[RichHandler(show_path=False)])
    else:
        logging.basicConfig(level=level, format="%(levelname)s: %(message)s")
    # Keep matplotlib's, Dask's and others' chatter out of the build log (distributed sets its own level
    # from Dask's configuration when it is imported, in this process and in its workers: hence the variable).
    os.environ.setdefault("DASK_LOGGING__DISTRIBUTED", "warning")
    for chatty in ("matplotlib", "distributed", "bokeh", "tornado"):
        logging.getLogger(chatty).setLevel(logging.WARNING)
    try:
        return build(args)
    except StageError as error:
        print(str(error).replace("\n", " "), file=sys.stderr)
        return error.status


if __name__ == "__main__":
    os.environ.setdefault("MPLBACKEND", "Agg")
    sys.exit(main())
