"""The staged project both engines render: its pages, the PDF's name and paper, the site settings.

One definition of a generated ``Page`` for the writer of the pages
(``render``), the engines and the staging (``site``), and of ``SiteSpec``,
the settings of ``_quarto.yml`` both engines honour.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from analysis.errors import ConfigError

__all__ = ["FORMATS", "MARGIN_CM", "PAPER_CM", "PDF_NAME", "REPORT_PAGE", "Page", "SiteSpec", "site_spec"]

#: Output formats: the multi-page website and the one-file PDF.
FORMATS = ("html", "pdf")
#: Paper sizes (width, height in cm) the PDF can be laid out on, by typst's name (``format.typst.papersize``).
PAPER_CM = {"a4": (21.0, 29.7), "a5": (14.8, 21.0), "us-letter": (21.59, 27.94), "us-legal": (21.59, 35.56)}
#: The PDF's page margins in cm: left and right, top, bottom.
MARGIN_CM = (2.2, 2.4, 2.6)
#: The PDF's file name in the site (Quarto names it after ``report.qmd``).
PDF_NAME = "report.pdf"
#: The staged page that is the whole report as one document.
REPORT_PAGE = "report.qmd"


@dataclass(frozen=True)
class Page:
    """One generated page: its ``.qmd`` file in the staged project and its navigation title (plain text)."""

    file: str
    title: str


@dataclass(frozen=True)
class SiteSpec:
    """The project settings both engines honour (from ``_quarto.yml``).

    Attributes
    ----------
    title : str
        ``website.title``, shown in every page's navigation bar.
    html_toc : bool
        ``format.html.toc``: a contents list on each page.
    pdf_toc : bool
        ``format.typst.toc``: a contents page in the PDF.
    number_sections : bool
        ``format.typst.number-sections``.
    papersize : str
        ``format.typst.papersize``, a typst paper name such as ``"a4"``.
    toc_depth : int
        ``format.typst.toc-depth``: heading levels in the PDF's contents.
    typst : dict
        The whole ``format.typst`` block, which Quarto reads from ``report.qmd``.
    """

    title: str
    html_toc: bool = True
    pdf_toc: bool = True
    number_sections: bool = True
    papersize: str = "a4"
    toc_depth: int = 2
    typst: Mapping[str, Any] = field(default_factory=dict)


def site_spec(quarto: Mapping[str, Any]) -> SiteSpec:
    """The SiteSpec of a parsed ``_quarto.yml`` (without its ``analysis:`` block).

    Raises
    ------
    ConfigError
        If ``format.typst.papersize`` is not one of ``PAPER_CM``.
    """
    website = quarto.get("website") or {}
    formats = quarto.get("format") or {}
    html = formats.get("html") or {}
    typst_options = formats.get("typst") or {}
    papersize = str(typst_options.get("papersize", "a4"))
    if papersize not in PAPER_CM:
        raise ConfigError(f"format.typst.papersize: expected one of {', '.join(PAPER_CM)}, got {papersize!r}")
    return SiteSpec(
        title=str(website.get("title", "")),
        html_toc=bool(html.get("toc", False)),
        pdf_toc=bool(typst_options.get("toc", False)),
        number_sections=bool(typst_options.get("number-sections", False)),
        papersize=papersize,
        toc_depth=int(typst_options.get("toc-depth", 2)),
        typst=dict(typst_options),
    )
