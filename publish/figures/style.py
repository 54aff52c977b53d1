"""The house look of every figure and the deterministic way they are saved.

Figures are ``matplotlib.figure.Figure`` objects made without pyplot, so no
global figure registry or backend state is touched, and all style settings
live in one ``rc_context`` so callers' ``rcParams`` are left alone.
"""

from collections.abc import Iterator
from contextlib import contextmanager
import io
from pathlib import Path

import matplotlib
from matplotlib.axes import Axes
from matplotlib.axis import Axis
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator, ScalarFormatter
import numpy as np

from analysis.config import AGE_OF_UNIVERSE_GYR
from analysis.formatting import gyr

__all__ = [
    "AGE_LABEL",
    "COUNTS_LABEL",
    "DENSITY_LABEL",
    "FIGURE_WIDTH_IN",
    "AGE_TICK_STEPS",
    "GAUSSIAN_COLOUR",
    "PNG_DPI",
    "figure_style",
    "new_figure",
    "age_reference_lines",
    "gyr_ticks",
    "save_figure",
    "format_gyr",
]

AGE_LABEL = "Age (Gyr)"
COUNTS_LABEL = "Stars per bin"
DENSITY_LABEL = "Density (1/Gyr)"
#: Wide enough for a report page, narrow enough to stay legible scaled to a phone.
FIGURE_WIDTH_IN = 7.0
PNG_DPI = 200
#: Neutral dark grey for the Gaussian model, distinct from every data set colour.
GAUSSIAN_COLOUR = "#333333"
#: Tick steps of every axis in Gyr (ages, differences of ages): 1, 2 or 5 times a power of ten, so
#: one figure's axis never reads 0.0, 2.5, 5.0 beside another's 0, 5, 10.
AGE_TICK_STEPS = (1, 2, 5, 10)
#: Thin dashed guides at 0 Gyr and the age of the Universe.
_REFERENCE_STYLE = {"color": "#777777", "linestyle": (0, (4, 3)), "linewidth": 0.8, "zorder": 0}

_RC = {
    # A fixed salt makes the SVG clip-path and glyph ids the same on every run.
    "svg.hashsalt": "stellar-age-kde-report",
    # Text stays text in the SVG: smaller files, searchable and selectable.
    "svg.fonttype": "none",
    # Labels and titles are data (column headers, manifest labels): "$" is a dollar sign, never
    # the start of mathtext, so a header like "$\foo{$" draws as written instead of failing.
    "text.parse_math": False,
    "font.family": "DejaVu Sans",
    "font.size": 10.0,
    "axes.titlesize": 10.0,
    "axes.labelsize": 10.0,
    "xtick.labelsize": 9.0,
    "ytick.labelsize": 9.0,
    "legend.fontsize": 9.0,
    "figure.titlesize": 11.0,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "legend.frameon": False,
    "lines.linewidth": 1.6,
}


@contextmanager
def figure_style() -> Iterator[None]:
    """Apply the house ``rcParams`` for drawing *and* saving, then restore the caller's."""
    with matplotlib.rc_context(_RC):
        yield


def new_figure(rows: int, cols: int, *, row_height_in: float, **subplot_kw) -> tuple[Figure, np.ndarray]:
    """A constrained-layout figure ``FIGURE_WIDTH_IN`` wide with a (rows, cols) array of axes.

    ``subplot_kw`` is passed to ``Figure.subplots`` (e.g. ``sharex=True``).
    """
    fig = Figure(figsize=(FIGURE_WIDTH_IN, row_height_in * rows + 0.6), layout="constrained")
    axes = fig.subplots(rows, cols, squeeze=False, **subplot_kw)
    return fig, axes


def gyr_ticks(axis: Axis) -> None:
    """The one tick rule of an axis in Gyr: steps of 1, 2 or 5 times a power of ten, plain numbers.

    Labels carry as many decimals as the step needs (none from a step of
    1 Gyr up), no offset and no powers of ten.
    """
    axis.set_major_locator(MaxNLocator(nbins="auto", steps=list(AGE_TICK_STEPS)))
    formatter = ScalarFormatter(useOffset=False)
    formatter.set_scientific(False)
    axis.set_major_formatter(formatter)


def age_reference_lines(ax: Axes, *, horizontal: bool = False) -> None:
    """Dashed lines at 0 Gyr and 13.8 Gyr (the age of the Universe) on an age axis, with its tick rule.

    The axis limits grow to include both, so readers always see where
    physically possible ages end; the axis's ticks follow ``gyr_ticks``,
    as every age axis of the report does.
    """
    draw = ax.axhline if horizontal else ax.axvline
    for age in (0.0, AGE_OF_UNIVERSE_GYR):
        draw(age, **_REFERENCE_STYLE)
    gyr_ticks(ax.yaxis if horizontal else ax.xaxis)


def _rendered(fig: Figure, fmt: str) -> bytes:
    buffer = io.BytesIO()
    if fmt == "svg":
        fig.savefig(buffer, format="svg", metadata={"Date": None})
    else:
        fig.savefig(buffer, format="png", dpi=PNG_DPI, metadata={"Software": None})
    return buffer.getvalue()


def save_figure(fig: Figure, out_dir: Path, figure_id: str) -> tuple[str, str]:
    """Write ``figures/<id>.svg`` and ``figures/<id>.png`` under ``out_dir``.

    Call inside :func:`figure_style` so the SVG hash salt applies. The
    figure's layout is frozen after the first save. A file is rewritten only
    when its bytes change, so unchanged figures keep their modification time.

    Returns
    -------
    tuple of str
        The SVG and PNG paths relative to ``out_dir`` (the site root).
    """
    folder = out_dir / "figures"
    folder.mkdir(parents=True, exist_ok=True)
    relative = []
    for fmt in ("svg", "png"):
        path = folder / f"{figure_id}.{fmt}"
        data = _rendered(fig, fmt)
        # The first save placed the axes; keeping that layout for the PNG saves most of its
        # drawing time and gives both formats the same geometry.
        fig.set_layout_engine("none")
        if not path.exists() or path.read_bytes() != data:
            path.write_bytes(data)
        relative.append(f"figures/{figure_id}.{fmt}")
    return relative[0], relative[1]


def format_gyr(value: float) -> str:
    """A bandwidth or age for titles, legends and alt text, as the tables print it (``formatting.gyr``).

    >>> format_gyr(0.5213), format_gyr(1.0), format_gyr(0.01), format_gyr(1.3996)
    ('0.521', '1.00', '0.01', '1.40')
    """
    return gyr(value)
