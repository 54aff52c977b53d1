"""What the report says about how it was built: engine, versions, sources, downloads.

Holds no timestamps so that an unchanged build is byte-identical.
"""

from dataclasses import dataclass

from analysis.config import AnalysisConfig

__all__ = ["SourceInfo", "BuildInfo"]


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
class BuildInfo:
    """Facts about the build that the Methods and Data pages print.

    ``downloads`` pairs a reader's label with a path relative to the site
    root, e.g. ``("Results (JSON)", "downloads/results.json")``. ``site_url``
    is ``website.site-url`` of ``_quarto.yml`` without a trailing slash, or
    empty: where the published site lives, so that the PDF, read away from
    the site, can link to its downloads.
    """

    engine: str
    engine_version: str
    versions: tuple[tuple[str, str], ...]
    sources: tuple[SourceInfo, ...]
    downloads: tuple[tuple[str, str], ...]
    config: AnalysisConfig
    site_url: str = ""
