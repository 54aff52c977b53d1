"""Which training set predicts an independent benchmark (e.g. asteroseismic ages) better.

Held-out scores say how well a model predicts more of its *own* kind of ages;
only ages measured independently (manifest ``role: benchmark``) can say which
training set is closer to the truth.
"""

from collections.abc import Mapping
import numpy as np

from ..errors import DataError
from ..results import BenchmarkResult, BenchmarkRow

__all__ = ["BENCHMARK_SES", "benchmark_comparison"]

#: A training set predicts better only when its lead exceeds this many standard errors.
BENCHMARK_SES = 2.0


def benchmark_comparison(
    benchmark_ages: np.ndarray,
    trained: Mapping[str, Mapping[str, object]],
    *,
    benchmark: str = "benchmark",
    precision: float | None = None,
    headline: str = "cv",
) -> BenchmarkResult:
    """Score every model fitted on each of two training sets on the benchmark ages and say which predicts better.

    Parameters
    ----------
    benchmark_ages : ndarray, shape (m,)
        Independent ages (Gyr) of some stars.
    benchmark : str
        The benchmark data set's name, for the record.
    trained : mapping
        Exactly two training-set names -> {model name: fitted model with ``score``}; the same
        model names in both (each fitted on all of its training set).
    precision : float, optional
        The benchmark's quantum (Gyr) when its scores should be interval scores.
    headline : str
        The model whose row gives the verdict (default the CV KDE).

    Returns
    -------
    BenchmarkResult
        ``verdict`` is a sentence naming the training set whose ``headline`` model scores the
        benchmark higher by more than 2 standard errors of the per-benchmark-star difference,
        or saying they are indistinguishable.
    """
    x = np.asarray(benchmark_ages, float)
    if x.ndim != 1 or x.size < 2 or not np.all(np.isfinite(x)):
        raise DataError(f"benchmark_ages: expected at least 2 finite ages in Gyr, got {x.size}")
    if len(trained) != 2:
        raise DataError(f"trained: expected exactly two training sets, got {len(trained)}")
    (a, models_a), (b, models_b) = trained.items()
    if set(models_a) != set(models_b) or headline not in models_a:
        raise DataError(
            f"trained: expected the same models for {a} and {b}, including {headline!r}; "
            f"got {sorted(models_a)} and {sorted(models_b)}"
        )
    rows = []
    for name in models_a:
        sa, sb = models_a[name].score(x, precision), models_b[name].score(x, precision)
        d = sa - sb
        se = float(np.std(d, ddof=1) / np.sqrt(d.size))
        clear = abs(d.mean()) > BENCHMARK_SES * se
        rows.append(
            BenchmarkRow(
                name,
                float(sa.mean()),
                float(sb.mean()),
                float(d.mean()),
                se,
                (a if d.mean() > 0 else b) if clear else None,
            )
        )
    row = next(r for r in rows if r.model == headline)
    if row.better is None:
        verdict = (
            f"On the {x.size} benchmark stars the {headline} models trained on {a} and on {b} are "
            f"indistinguishable ({row.difference:+.3f} ± {row.se:.3f} per star)."
        )
    else:
        verdict = (
            f"The {headline} model trained on {row.better} predicts the {x.size} benchmark ages better "
            f"({a} - {b}: {row.difference:+.3f} ± {row.se:.3f} per star)."
        )
    return BenchmarkResult(
        benchmark=benchmark, a=a, b=b, n_benchmark=int(x.size), precision=precision, rows=tuple(rows),
        headline=headline, better=row.better, verdict=verdict,
    )  # fmt: skip
