"""The files readers can download: the input data and the results.

Numbers are written with ``repr`` (shortest exact form) so that the CSV files
reproduce the JSON to the last digit and are byte-identical between builds.
A large catalog keeps the site small: its input file is not copied (the Data
page points to its source instead) and the per-star arrays of the results
(synthetic ages, paired ages and differences) are thinned to
``MAX_PER_STAR_VALUES`` evenly spaced values; every statistic is unchanged.

The input copies live in ``downloads/input/``, apart from the generated files,
so that an input named ``results.json`` is not overwritten by the results.
"""

import csv
from collections.abc import Iterable, Sequence
from dataclasses import replace
import io
import json
from pathlib import Path
import shutil

import numpy as np

from analysis.results import AnalysisResult, to_json, to_jsonable
from analysis.statistics import BANDWIDTH_RULES

__all__ = [
    "INPUT_COPY_MAX_BYTES", "INPUT_FOLDER", "MAX_PER_STAR_VALUES", "RESULTS_COLUMNS", "SYNTHETIC_COLUMNS", "thinned",
    "write_downloads",
]

#: Input files up to this size (bytes) are copied into the site; larger ones are linked from the Data page.
INPUT_COPY_MAX_BYTES = 500_000
#: The subfolder of ``downloads/`` that holds the input copies under their own names.
INPUT_FOLDER = "input"
#: Most values per array of a catalog's results.json and per model in its synthetic_samples.csv
#: (about 20 bytes each), so its downloads stay a few hundred kB within the site's 5 MB.
MAX_PER_STAR_VALUES = 300

#: Headline numbers of ``results.csv``, one row per data set (ages, bandwidths in Gyr).
RESULTS_COLUMNS = (
    "dataset", "label", "n", "n_missing", "mean_gyr", "median_gyr", "std_gyr", "min_gyr", "max_gyr",
    "n_above_universe", "gaussian_mu_gyr", "gaussian_sigma_gyr",
    *(f"bandwidth_{rule}_gyr" for rule in BANDWIDTH_RULES),
)  # fmt: skip
#: Columns of ``synthetic_samples.csv``: one row per synthetic age.
SYNTHETIC_COLUMNS = ("dataset", "kind", "bandwidth_gyr", "age_gyr")


def _csv(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()


def _cell(value: float | None) -> str:
    """A number as its shortest exact text; an empty cell for a value that is not available.

    The reason is in ``results.json`` beside the ``null``; a CSV cell holds no sentence.
    """
    return "" if value is None else repr(value)


def _results_rows(result: AnalysisResult) -> Iterable[tuple[object, ...]]:
    for d in result.datasets:
        s, b = d.summary, d.bandwidths
        yield (
            d.name, d.label, d.n, s.n_missing, repr(s.mean), repr(s.median), repr(s.std), repr(s.min),
            repr(s.max), s.n_above_universe, repr(d.gaussian.mu), repr(d.gaussian.sigma),
            *(_cell(getattr(b, rule)) for rule in BANDWIDTH_RULES),
        )  # fmt: skip


def _thin(values: Sequence[float], limit: int) -> tuple[float, ...]:
    """At most ``limit`` evenly spaced values, first and last kept; shorter sequences unchanged."""
    if len(values) <= limit:
        return tuple(values)
    return tuple(values[i] for i in np.linspace(0, len(values) - 1, limit).round().astype(int))


def _thin_fields(record, names: Sequence[str], limit: int):
    """The record with its equal-length array fields ``names`` thinned at the same indices."""
    return replace(record, **{name: _thin(getattr(record, name), limit) for name in names})


def thinned(result: AnalysisResult, limit: int = MAX_PER_STAR_VALUES) -> AnalysisResult:
    """The result with every long array thinned to ``limit`` evenly spaced values.

    Synthetic ages are iid draws, so evenly spaced ones are a smaller sample
    of the same model; paired ages and differences, a curve's x, density and
    counts, and the ECDF's x and fraction are thinned at the same indices, so
    they stay pairs and points of the same curve. ``SyntheticSample.n_total``
    and ``PairedComparison.n_pairs`` still give the full sizes; every statistic
    is unchanged. Histograms and envelopes are kept whole.
    """
    curve = ("x", "density", "counts")
    datasets = tuple(
        replace(
            d,
            gaussian=_thin_fields(d.gaussian, ("smooth_x", "smooth_density"), limit),
            ecdf=_thin_fields(d.ecdf, ("x", "fraction"), limit),
            scipy_kde=_thin_fields(d.scipy_kde, curve, limit),
            kde_curves=tuple(_thin_fields(c, curve, limit) for c in d.kde_curves),
            synthetic=tuple(_thin_fields(s, ("ages",), limit) for s in d.synthetic),
        )
        for d in result.datasets
    )
    comparisons = tuple(
        c
        if c.paired is None
        else replace(c, paired=_thin_fields(c.paired, ("differences", "a_ages", "b_ages"), limit))
        for c in result.comparisons
    )
    return replace(result, datasets=datasets, comparisons=comparisons)


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
        The data files that were read; each up to ``INPUT_COPY_MAX_BYTES`` is
        copied under its own name into ``INPUT_FOLDER``, larger ones are left
        out (and not listed).
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
        if path.stat().st_size <= INPUT_COPY_MAX_BYTES:
            (folder / INPUT_FOLDER).mkdir(exist_ok=True)
            shutil.copyfile(path, folder / INPUT_FOLDER / path.name)
            listed.append((f"Input data ({path.name})", f"{folder.name}/{INPUT_FOLDER}/{path.name}"))
    # A catalog's arrays are thinned (and its JSON written compact); the default data's are whole.
    cut = any(d.n > MAX_PER_STAR_VALUES for d in result.datasets)
    small = thinned(result) if cut else result
    note = f" (arrays thinned to at most {MAX_PER_STAR_VALUES} evenly spaced values)" if cut else ""
    json_text = json.dumps(to_jsonable(small), separators=(",", ":"), allow_nan=False) if cut else to_json(result)
    files = (
        (f"Results (JSON){note}", "results.json", json_text + "\n"),
        ("Headline numbers per data set (CSV)", "results.csv", _csv(RESULTS_COLUMNS, _results_rows(result))),
        (
            "Synthetic samples (CSV)" + (f" (at most {MAX_PER_STAR_VALUES} ages per model)" if cut else ""),
            "synthetic_samples.csv",
            _csv(SYNTHETIC_COLUMNS, _synthetic_rows(small)),
        ),
    )
    for label, name, text in files:
        (folder / name).write_text(text, encoding="utf-8")
        listed.append((label, f"{folder.name}/{name}"))
    return tuple(listed)
