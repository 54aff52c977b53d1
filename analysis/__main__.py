"""``python -m analysis [FILE] [--seed N] [--bandwidths H,...] [--column NAME] [--dask [ADDRESS]] [--json OUT]``.

Prints a summary. FILE may be a partitioned catalog (a folder or glob of
Parquet files, an LSDB/HATS catalog), reduced as ``build.py`` reduces it.

The package's command line: it parses the options, prints and writes the
JSON; the settings and the data come through ``analysis.inputs`` (the
``analysis:`` block of ``_quarto.yml`` and the options ``build.py`` shares),
so this command and ``python build.py`` analyse with the same settings.
"""

import argparse
import logging
from pathlib import Path
import sys

from rich.console import Console
from rich.table import Table

from . import AnalysisResult, ReportError, analyse, to_json
from .config import AGE_OF_UNIVERSE_GYR
from .formatting import gyr, pvalue
from .inputs import add_analysis_options, load_datasets, settings
from .statistics import BANDWIDTH_RULES

ROOT = Path(__file__).resolve().parent.parent
MANIFEST = ROOT / "data" / "datasets.yml"
PROJECT_FILE = ROOT / "_quarto.yml"


def _parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m analysis",
        description="Gaussian fits, KDEs and generative models of stellar ages (Gyr).",
    )
    parser.add_argument(
        "file", nargs="?", type=Path,
        help="ages file, or a folder or (quoted) glob of Parquet files, or a HATS catalog (default: the manifest's data)",
    )  # fmt: skip
    add_analysis_options(parser, file_option="FILE")
    parser.add_argument("--json", type=Path, metavar="OUT", help="write every result as JSON to OUT")
    return parser.parse_args(argv)


def _summary_table(result: AnalysisResult) -> Table:
    table = Table(title=f"Stellar ages (Gyr), seed {result.seed}")
    titles = [rule.title for rule in BANDWIDTH_RULES.values()]
    for column in ("data set", "n", "Gaussian mu", "sigma", *titles, f"> {gyr(AGE_OF_UNIVERSE_GYR)} Gyr"):
        table.add_column(column, justify="left" if column == "data set" else "right")
    for d in result.datasets:
        b = d.bandwidths
        table.add_row(
            d.name, str(d.n), f"{d.gaussian.mu:.4f}", f"{d.gaussian.sigma:.4f}",
            *(_h(getattr(b, rule)) for rule in BANDWIDTH_RULES),
            str(d.summary.n_above_universe),
        )
    return table


def _h(value: float | None) -> str:
    """A bandwidth in Gyr, or "n/a" when it is not available (the notes below the table say why)."""
    return "n/a" if value is None else f"{value:.4f}"


def _p(value: float | None) -> str:
    """A p-value as the report prints it (``formatting.pvalue``), or "n/a" when it is not available."""
    return "n/a" if value is None else pvalue(value)


def _unavailable(result: AnalysisResult) -> list[str]:
    """What is not available for each data set and pair, with the reason (as the pages say it)."""
    lines = []
    for d in result.datasets:
        found = {f"{c.rule} bandwidth": c.unavailable for c in d.bandwidth_choices}
        found["held-out scores"] = d.held_out_unavailable
        found |= {"Gaussian held-out score": s.unavailable for s in d.held_out if s.model == "gaussian"}
        lines += [f"{d.name}: {what} {reason}" for what, reason in found.items() if reason]
    for c in result.comparisons:
        found = {
            "Anderson-Darling": c.anderson_unavailable,
            f"{c.a}'s KDE on {c.b}": c.cross_a_on_b_unavailable,
            f"{c.b}'s KDE on {c.a}": c.cross_b_on_a_unavailable,
        }
        if c.paired is not None:
            p = c.paired
            found |= {"Wilcoxon": p.wilcoxon_unavailable, "Pearson": p.pearson_unavailable, "Spearman": p.spearman_unavailable}
        lines += [f"{c.a} - {c.b}: {what} {reason}" for what, reason in found.items() if reason]
    return lines


def _comparison_table(result: AnalysisResult) -> Table:
    """Each pair; the mean difference and its interval are per star (paired) for the same stars."""
    table = Table(title="Comparisons (A - B)")
    for column in ("A", "B", "KS p", "Wasserstein", "mean diff", "95 % interval", "paired t p", "Wilcoxon p"):
        table.add_column(column, justify="left" if column in "AB" else "right")
    for c in result.comparisons:
        q = c.paired
        difference, (low, high) = (
            (q.mean_difference, q.mean_difference_ci) if q else (c.mean_difference, c.mean_difference_ci)
        )
        interval = f"{low:+.3f} to {high:+.3f}" + (" (paired)" if q else "")
        wilcoxon, ttest = (_p(q.wilcoxon_pvalue), _p(q.ttest_pvalue)) if q else ("unpaired", "unpaired")
        table.add_row(c.a, c.b, _p(c.ks_pvalue), f"{c.wasserstein:.3f}", f"{difference:+.3f}", interval, ttest, wilcoxon)
    return table


def main(argv: list[str] | None = None) -> int:
    """Run the command; returns the exit status (2 for bad input)."""
    args = _parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s: %(message)s")
    try:
        _, config = settings(args, PROJECT_FILE)
        datasets = load_datasets(
            MANIFEST, data_file=args.file, columns=args.column, error_columns=args.error_column, id_column=args.id_column
        )
        from .distributed import reduce_datasets

        result = analyse(list(reduce_datasets(datasets, config, dask=args.dask)), config)
        text = to_json(result)
    except ReportError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    # Piped output is not a terminal; give the tables room rather than 80 columns.
    console = Console(width=max(Console().width, 110))
    console.print(_summary_table(result))
    if result.comparisons:
        console.print(_comparison_table(result))
    for d in result.datasets:
        if d.ties.heavy:
            console.print(f"[yellow]note[/]: {d.label}: {d.ties.message}")
    for line in _unavailable(result):
        console.print(f"[yellow]n/a[/]: {line}", highlight=False)
    if args.json:
        args.json.write_text(text + "\n", encoding="utf-8")
        console.print(f"wrote {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
