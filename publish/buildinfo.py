"""What the report says about how it was built: engine, versions, sources, downloads, revision.

Nothing here reads the clock, so that an unchanged build is byte-identical:
the date a report shows is ``SOURCE_DATE_EPOCH`` when it is set (the
reproducible-builds convention), else the date of the git commit it was
built from, else none.
"""

from collections.abc import Mapping
from dataclasses import dataclass
import datetime
import logging
import os
from pathlib import Path
import subprocess

from analysis.config import AnalysisConfig
from analysis.errors import ConfigError

from .project import SiteSpec

__all__ = ["SourceInfo", "Revision", "BuildInfo", "SOURCE_DATE_ENV", "revision_of", "source_date"]

logger = logging.getLogger(__name__)

#: The reproducible-builds variable (https://reproducible-builds.org/specs/source-date-epoch/).
SOURCE_DATE_ENV = "SOURCE_DATE_EPOCH"


@dataclass(frozen=True)
class SourceInfo:
    """Provenance of one input file, shown on the Data page."""

    id: str
    file: str
    url: str | None
    sha256: str  #: of the file actually read (verified against the pin when there is one)
    pinned: bool  #: whether the manifest pins url + sha256
    licence: str
    licence_url: str
    citation: str
    datasets: tuple[str, ...]  #: names of the data sets read from it


@dataclass(frozen=True)
class Revision:
    """The git commit a report was built from, when the project is a git checkout.

    ``commit`` is the full hash ("" when unknown), ``dirty`` whether tracked
    files differed from it, ``committed`` the commit's time (seconds since
    1970, UTC; None when unknown).
    """

    commit: str = ""
    dirty: bool = False
    committed: int | None = None

    @property
    def short(self) -> str:
        """The abbreviated hash readers see, e.g. ``"6f89a6a"``."""
        return self.commit[:7]


@dataclass(frozen=True)
class BuildInfo:
    """Facts about the build that the pages and the PDF's title page print.

    ``downloads`` pairs a reader's label with a path relative to the site
    root, e.g. ``("Results (JSON)", "downloads/results.json")``. ``site_url``
    is ``website.site-url`` of ``_quarto.yml`` without a trailing slash, or
    empty: where the published site lives, so that the PDF, read away from
    the site, can link to it. ``date`` is an ISO date (``"2026-11-29"``) or
    empty, and ``date_source`` says where it came from.
    """

    engine: str
    engine_version: str
    versions: tuple[tuple[str, str], ...]
    sources: tuple[SourceInfo, ...]
    downloads: tuple[tuple[str, str], ...]
    config: AnalysisConfig
    site_url: str = ""
    site: SiteSpec = SiteSpec(title="")
    version: str = ""
    revision: Revision = Revision()
    date: str = ""
    date_source: str = ""


def revision_of(root: Path) -> Revision:
    """The commit checked out at ``root``, or an empty Revision outside git (or without git).

    Files git ignores (the site, caches) do not make a checkout dirty.
    """

    def git(*args: str) -> str | None:
        try:
            done = subprocess.run(
                ["git", "-C", str(root), *args], capture_output=True, text=True, check=False, timeout=30
            )
        except (OSError, subprocess.SubprocessError):
            return None
        return done.stdout.strip() if done.returncode == 0 else None

    # A copy of the project inside another repository must not report that repository's commit.
    top = git("rev-parse", "--show-toplevel")
    if top is None or Path(top).resolve() != root.resolve():
        return Revision()
    commit, when = git("rev-parse", "HEAD"), git("log", "-1", "--format=%ct")
    if not commit:
        return Revision()
    status = git("status", "--porcelain", "--untracked-files=no")
    return Revision(commit=commit, dirty=bool(status), committed=int(when) if when and when.isdigit() else None)


def source_date(revision: Revision, env: Mapping[str, str] = os.environ) -> tuple[str, str]:
    """The date a report shows, as an ISO date, and a phrase saying where it came from.

    Raises
    ------
    ConfigError
        If ``SOURCE_DATE_EPOCH`` is set but is not a whole number of seconds.
    """
    value = env.get(SOURCE_DATE_ENV, "").strip()
    if value:
        if not value.isdigit():
            raise ConfigError(f"{SOURCE_DATE_ENV}: expected a whole number of seconds since 1970, got {value!r}")
        seconds, source = int(value), SOURCE_DATE_ENV
    elif revision.committed is not None:
        seconds, source = revision.committed, f"the date of commit {revision.short}"
    else:
        return "", ""
    day = datetime.datetime.fromtimestamp(seconds, tz=datetime.timezone.utc).date()
    return day.isoformat(), source
