"""The files readers can download: the input data and the results.

Numbers are written with ``repr`` (shortest exact form) so that the CSV files
reproduce the JSON to the last digit and are byte-identical between builds.
"""

import csv
from collections.abc import Iterable, Sequence
import io
from pathlib import Path
import shutil

from analysis.results import AnalysisResult, to_json

__all__ = ["RESULTS_COLUMNS", "SYNTHETIC_COLUMNS", "write_downloads"]

#: Headline numbers of ``results.csv``, one row per data set (ages, bandwidths in Gyr).
RESULTS_COLUMNS = (
    "dataset", "label", "n", "n_missing", "mean_gyr", "median_gyr", "std_gyr", "min_gyr", "max_gyr",
    "n_above_universe", "gaussian_mu_gyr", "gaussian_sigma_gyr", "bandwidth_scott_gyr",
    "bandwidth_silverman_gyr", "bandwidth_isj_gyr", "bandwidth_cv_gyr",
)  # fmt: skip
#: Columns of ``synthetic_samples.csv``: one row per synthetic age.
SYNTHETIC_COLUMNS = ("dataset", "kind", "bandwidth_gyr", "age_gyr")


def _csv(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()


def _results_rows(result: AnalysisResult) -> Iterable[tuple[object, ...]]:
    for d in result.datasets:
        s, b = d.summary, d.bandwidths
        yield (
            d.name, d.label, d.n, s.n_missing, repr(s.mean), repr(s.median), repr(s.std), repr(s.min),
            repr(s.max), s.n_above_universe, repr(d.gaussian.mu), repr(d.gaussian.sigma), repr(b.scott),
            repr(b.silverman), repr(b.isj), repr(b.cv),
        )  # fmt: skip


def _synthetic_rows(result: AnalysisResult) -> Iterable[tuple[object, ...]]:
    for d in result.datasets:
        for sample in d.synthetic:
            for age in sample.ages:
                yield d.name, sample.kind, repr(sample.bandwidth), repr(age)


def write_downloads(
    result: AnalysisResult, inputs: Sequence[Path], folder: Path
) -> tuple[tuple[str, str], ...]:
    """Write the downloads into ``folder`` and say what they are.

    Parameters
    ----------
    result : AnalysisResult
        The analysis to publish.
    inputs : sequence of Path
        The data files that were read; each is copied under its own name.
    folder : Path
        The stage's ``downloads/`` folder (created if needed).

    Returns
    -------
    tuple of (label, path)
        A reader's label and the path relative to the site root, in the
        order the Data page lists them (``BuildInfo.downloads``).
    """
    folder.mkdir(parents=True, exist_ok=True)
    listed = []
    for path in inputs:
        shutil.copyfile(path, folder / path.name)
        listed.append((f"Input data ({path.name})", f"{folder.name}/{path.name}"))
    files = (
        ("Results (JSON)", "results.json", to_json(result) + "\n"),
        ("Headline numbers per data set (CSV)", "results.csv", _csv(RESULTS_COLUMNS, _results_rows(result))),
        ("Synthetic samples (CSV)", "synthetic_samples.csv", _csv(SYNTHETIC_COLUMNS, _synthetic_rows(result))),
    )
    for label, name, text in files:
        (folder / name).write_text(text, encoding="utf-8")
        listed.append((label, f"{folder.name}/{name}"))
    return tuple(listed)
