"""Build the Stellar Age KDE Report: ``python build.py`` -> ``_site/`` (HTML site + ``report.pdf``).

The build is a list of named stages, each a call into ``publish/``:

    configure -> load -> analyse -> figures -> render -> engine -> publish

Everything is built in a temporary folder next to the output and swapped into
place only when every stage succeeded, so a failed build leaves the previous
site byte-identical. A build whose data, settings and code are unchanged is
skipped (``--force`` rebuilds).

``--out`` is checked before any work (``publish/outdir.py``): publishing
replaces the output folder whole, so only a new folder, an empty one or a site
this report built is accepted.

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
from dataclasses import asdict, dataclass, field
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
from analysis.results import AnalysisResult
from publish import cache, site
from publish.site import check_output
from publish.buildinfo import BuildInfo, Revision, SourceInfo, revision_of, source_date
from publish.downloads import write_downloads
from publish.engines import ENGINES, PandocEngine, QuartoEngine, select_engine
from publish.project import FORMATS, Page, site_spec
from publish.render import build_context, render_pages
from analysis.inputs.project import Project, load_project, parse_bandwidths, with_overrides
from analysis.inputs.sources import LoadedSource, load_sources

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


@dataclass
class Build:
    """What the stages hand on to each other."""

    args: argparse.Namespace
    formats: tuple[str, ...] = ()
    out: Path | None = None
    project: Project | None = None
    config: AnalysisConfig | None = None
    engine: QuartoEngine | PandocEngine | None = None
    sources: tuple[LoadedSource, ...] = ()
    revision: Revision = Revision()
    date: tuple[str, str] = ("", "")
    key: str = ""
    artefact_key: str = ""
    result: AnalysisResult | None = None
    stage_dir: Path | None = None
    figures: dict[str, Any] = field(default_factory=dict)
    pages: tuple[Page, ...] = ()


def _parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python build.py",
        description="Build the stellar-age KDE report: a static HTML site and a PDF (ages in Gyr).",
        epilog="Exit status: 0 built or up to date; 1 a stage failed; 2 invalid options or configuration.",
    )
    parser.add_argument("--data", type=Path, metavar="FILE", help="analyse this file instead of the manifest's")
    parser.add_argument(
        "--column",
        action="append",
        metavar="NAME",
        help="with --data: a column to analyse (header name or 0-based index); repeat for several",
    )
    parser.add_argument("--out", type=Path, default=ROOT / "_site", metavar="DIR", help="output folder (default _site)")
    parser.add_argument("--format", choices=("html", "pdf", "all"), default="all", help="what to build (default all)")
    parser.add_argument("--engine", choices=ENGINES, default="auto", help="renderer (default auto: quarto if found)")
    parser.add_argument("--seed", type=int, metavar="N", help="root seed (default: _quarto.yml analysis.seed)")
    parser.add_argument(
        "--bandwidths", type=str, metavar="H,H,...", help="fixed KDE bandwidths in Gyr, e.g. 0.01,0.1,1"
    )
    parser.add_argument("--force", action="store_true", help="rebuild even if nothing changed")
    parser.add_argument("--quiet", action="store_true", help="print only warnings and errors")
    parser.add_argument("--check", action="store_true", help="validate data and configuration, then stop")
    parser.add_argument(
        "--traceback", action="store_true", help="on a failure, show Python's traceback instead of one line"
    )
    return parser.parse_args(argv)


def configure(b: Build) -> None:
    """Check ``--out``, read ``_quarto.yml``, apply the command line, choose the engine.

    Then remove what killed builds left beside the output and in the cache.
    """
    b.out = check_output(b.args.out, root=ROOT, protected=PROJECT_FOLDERS)
    b.formats = FORMATS if b.args.format == "all" else (b.args.format,)
    b.project = load_project(PROJECT_FILE)
    bandwidths = parse_bandwidths(b.args.bandwidths) if b.args.bandwidths is not None else None
    b.config = with_overrides(b.project.config, seed=b.args.seed, bandwidths=bandwidths)
    if not b.args.check:
        b.engine = select_engine(b.args.engine)
        site.remove_leftovers(b.out)
        cache.remove_leftovers(ARTEFACT_CACHE)


def load(b: Build) -> None:
    """Find, verify and parse the data files."""
    # load_sources resolves the path itself: Path.resolve() raises RuntimeError on a link loop.
    b.sources = load_sources(MANIFEST, data_file=b.args.data, columns=b.args.column)
    data = [s.path for s in b.sources]
    # The chosen columns decide the data sets, so they belong to both cache keys.
    config = {**asdict(b.config), "columns": b.args.column}
    # The PDF's title page shows the commit and the date, so they belong to the site's key.
    b.revision = revision_of(ROOT)
    b.date = source_date(b.revision)
    built_from = {"commit": b.revision.commit, "dirty": b.revision.dirty, "date": list(b.date)}
    b.key = cache.build_key(
        data,
        {"config": config, "formats": list(b.formats), "engine": b.engine.name if b.engine else None, **built_from},
        root=ROOT,
    )
    b.artefact_key = cache.build_key(
        data,
        {"config": config, "matplotlib": importlib.metadata.version("matplotlib")},
        root=ROOT,
        code=cache.code_files(ROOT, folders=cache.ARTEFACT_FOLDERS, files=cache.ARTEFACT_FILES),
    )


def run_analysis(b: Build) -> None:
    """Every fit, KDE, generative model and comparison (reused from .cache/ unless --force)."""
    b.stage_dir = site.make_stage(b.out)
    cached = None if b.args.force else cache.load_artefacts(ARTEFACT_CACHE, b.artefact_key, b.stage_dir / "figures")
    if cached is not None:
        b.result, b.figures = cached
    else:
        # Imported here: scikit-learn, SciPy and matplotlib take most of a second to
        # import, which a rebuild with nothing changed should not pay.
        from analysis.pipeline import analyse

        b.result = analyse([d for s in b.sources for d in s.datasets], b.config)


def figures(b: Build) -> None:
    """Draw SVG + PNG figures into the stage folder beside the output, unless reused."""
    if not b.figures:
        from publish.figures import draw_figures

        b.figures = draw_figures(b.result, b.stage_dir)
        cache.store_artefacts(ARTEFACT_CACHE, b.artefact_key, b.result, b.figures, b.stage_dir / "figures")


def render(b: Build) -> None:
    """Write the downloads, then the Quarto pages and the staged project file."""
    stage = b.stage_dir
    downloads = write_downloads(b.result, [s.path for s in b.sources], stage / "downloads")
    info = BuildInfo(
        engine=b.engine.name,
        engine_version=b.engine.version(),
        versions=(("Python", platform.python_version()),)
        + tuple((name, importlib.metadata.version(name)) for name in VERSIONED),
        sources=tuple(_source_info(s) for s in b.sources),
        downloads=downloads,
        config=b.config,
        site_url=str((b.project.quarto.get("website") or {}).get("site-url") or "").rstrip("/"),
        site=site_spec(b.project.quarto),
        version=_project_version(),
        revision=b.revision,
        date=b.date[0],
        date_source=b.date[1],
    )
    datasets = [d for s in b.sources for d in s.datasets]
    context = build_context(b.result, datasets, b.figures, info)
    b.pages = render_pages(context, stage, pdf="pdf" in b.formats)
    _mirror_generated(stage)
    for folder in STAGED_FOLDERS:
        if (ROOT / "report" / folder).is_dir():
            site.stage_tree(ROOT / "report" / folder, stage, folder)
    site.write_staged_quarto(stage, site.staged_quarto(b.project.quarto, b.pages, b.formats))


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


def run_engine(b: Build) -> None:
    """Render the stage into ``<stage>/_site`` and record the build key in it."""
    built = b.engine.render(b.stage_dir, b.pages, b.formats, site_spec(b.project.quarto))
    cache.write_key(built, b.key)


def publish(b: Build) -> None:
    """Swap the new site into the output folder."""
    site.publish(b.stage_dir / "_site", b.out)


def check(b: Build) -> None:
    """``--check``: say what was found in the data and the configuration."""
    print(f"configuration ({PROJECT_FILE.name}): {b.config}")
    for s in b.sources:
        print(f"{s.path.name}: sha256 {s.sha256}")
        for d in s.datasets:
            above = int((d.ages_gyr > AGE_OF_UNIVERSE_GYR).sum())
            print(
                f"  data set '{d.name}' ({d.label}): {len(d.ages_gyr) + d.n_missing} rows, {len(d.ages_gyr)} ages, "
                f"{d.n_missing} missing values dropped, {above} above {AGE_OF_UNIVERSE_GYR} Gyr (kept)"
            )
    print("data and configuration are valid; nothing was built (--check)")


STAGES: tuple[tuple[str, Callable[[Build], None]], ...] = (
    ("configure", configure),
    ("load", load),
    ("analyse", run_analysis),
    ("figures", figures),
    ("render", render),
    ("engine", run_engine),
    ("publish", publish),
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
    """Run the stages; return the exit status (StageError for any failure inside a stage)."""
    b = Build(args=args)
    try:
        for name, stage in STAGES:
            with _progress(name, args.quiet):
                _run(name, stage, b)
            if name == "load" and args.check:
                check(b)
                return 0
            if name == "load" and not args.force and cache.read_key(b.out) == b.key:
                logger.info("nothing changed since the last build of %s; use --force to rebuild", b.out)
                return 0
    finally:
        if b.stage_dir is not None:
            site.remove_stage(b.stage_dir)
    logger.info("built %s (%s, engine %s)", b.out, ", ".join(b.formats), b.engine.name)
    return 0


def _run(name: str, stage: Callable[[Build], None], b: Build) -> None:
    """Run one stage, turning whatever it raises into a StageError (re-raised as is with --traceback)."""
    try:
        stage(b)
    except (Exception, KeyboardInterrupt) as error:
        if b.args.traceback:
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
    # Keep matplotlib's and others' chatter out of the build log.
    logging.getLogger("matplotlib").setLevel(logging.WARNING)
    try:
        return build(args)
    except StageError as error:
        print(str(error).replace("\n", " "), file=sys.stderr)
        return error.status


if __name__ == "__main__":
    os.environ.setdefault("MPLBACKEND", "Agg")
    sys.exit(main())
