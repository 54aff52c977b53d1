"""The command-line options both CLIs share (``build.py`` and ``python -m analysis``), declared once.

``add_analysis_options`` adds ``--seed``, ``--bandwidths``, ``--column``, ``--error-column``,
``--id-column`` and ``--dask [ADDRESS]`` to a parser; ``settings`` reads the project file's ``analysis:`` block and
lets those options override it, so the two commands analyse with the same
settings. An invalid option is a ``ConfigError`` naming the option
(``--seed: expected a whole number >= 0, got -1``).
"""

import argparse
from pathlib import Path

from ..config import AnalysisConfig
from .project import Project, load_project, parse_bandwidths, with_overrides

__all__ = ["add_analysis_options", "settings"]


def add_analysis_options(parser: argparse.ArgumentParser, *, file_option: str = "--data FILE") -> None:
    """Add ``--seed N``, ``--bandwidths H,H,...``, ``--column NAME`` and ``--error-column NAME`` (repeatable),
    ``--id-column NAME`` and ``--dask [ADDRESS]`` to ``parser``.

    ``file_option`` names, for ``--column``'s help, how the command is given a file.
    """
    parser.add_argument("--seed", type=int, metavar="N", help="root seed (default: _quarto.yml analysis.seed)")
    parser.add_argument(
        "--bandwidths", type=str, metavar="H,H,...", help="fixed KDE bandwidths in Gyr, e.g. 0.01,0.1,1"
    )
    parser.add_argument(
        "--column",
        action="append",
        metavar="NAME",
        help=f"with {file_option}: a column to analyse (header name or 0-based index); repeat for several",
    )
    parser.add_argument(
        "--error-column",
        action="append",
        metavar="NAME",
        help=f"with {file_option}: a column of one-sigma age uncertainties (Gyr), one per --column in the same "
        "order; without --column, the ages are the file's other columns, one per --error-column",
    )
    parser.add_argument(
        "--id-column",
        metavar="NAME",
        help="with a partitioned catalog: an integer column naming each star (its held-out fold is hashed from it)",
    )
    parser.add_argument(
        "--dask",
        nargs="?",
        const="",
        default=None,
        metavar="ADDRESS",
        help=(
            "reduce a partitioned catalog (a folder or glob of Parquet files, or an LSDB/HATS catalog) on the Dask "
            "scheduler at ADDRESS, or without one on a local cluster of 2 worker processes (2 GiB each); without "
            "--dask it is reduced in this process, partition by partition"
        ),
    )


def settings(args: argparse.Namespace, project_file: Path) -> tuple[Project, AnalysisConfig]:
    """The project file and the analysis settings: its ``analysis:`` block, then the options given.

    Raises
    ------
    ConfigError
        For an invalid project file (with ``file:line:column`` and the key
        path) or option (naming the option).
    """
    project = load_project(project_file)
    bandwidths = parse_bandwidths(args.bandwidths) if args.bandwidths is not None else None
    return project, with_overrides(project.config, seed=args.seed, bandwidths=bandwidths)
