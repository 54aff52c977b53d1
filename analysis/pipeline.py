"""The analysis of every data set and every pair, from one configuration.

``analyse_dataset`` builds one data set's ``DatasetResult`` once, whatever
its size: every statistic from ``analysis.statistics``, the kernel sums from
the engine ``choose.engine_for`` picks (exact up to ``engine.EXACT_MAX_N``
ages, binned above). A partitioned catalog's data set, once reduced
(``distributed.reduce_datasets``), goes through the same function: its
sample and engine answer from the merged reductions, and two such data sets
are compared from them (``distributed.compare_partitioned``).
"""

from collections.abc import Sequence
from itertools import combinations

import numpy as np

from .availability import attempt
from .choose import engine_for, sample_for
from .compare import compare
from .config import AnalysisConfig
from .dataset import Dataset, too_few_ages
from .distributed import compare_partitioned, partitioned_info
from .engine import EXACT_MAX_N, Engine
from .errors import DataError
from .partitioned import PartitionedDataset
from .results import AnalysisResult, CvCurve, DatasetResult
from .seeds import BOOTSTRAP, CV_FOLDS, HELD_OUT_FOLDS, NORMALITY, SYNTHETIC, rng_for
from .statistics import (
    Evidence,
    auto_histogram,
    choose,
    empirical_cdf,
    fit_gaussian,
    kde_models,
    kfold_method,
    scores,
    scott_rule,
    search,
    summarise,
    synthetic,
    tie_report,
)

__all__ = ["analyse", "analyse_dataset"]


def analyse_dataset(dataset: Dataset, config: AnalysisConfig, *, exact_max_n: int = EXACT_MAX_N) -> DatasetResult:
    """Fits, bandwidths, KDE curves, generative samples and held-out scores of one data set.

    Every random stream is keyed by ``dataset.name`` and its purpose
    (``seeds``), so the result does not depend on which other data sets are
    analysed. Up to ``exact_max_n`` ages (default ``engine.EXACT_MAX_N``)
    every kernel is summed exactly; above it the binned engine evaluates
    them, and ``DatasetResult.engine`` records the path and its error bound.
    The binned engine draws differently, so its results are equal to the
    exact ones in distribution, not in value.

    Raises
    ------
    DataError
        If the ages have fewer than ``dataset.MIN_DISTINCT_AGES`` distinct
        values (the readers refuse such files first, with the column), or the
        binned engine would need more than ``binned.MAX_BINS`` bins.
    """
    seed, name = config.seed, dataset.name
    partitioned = isinstance(dataset, PartitionedDataset)  # reduced already; its reduction checked the ages
    too_few = None if partitioned else too_few_ages(dataset.ages, dataset.n_missing)
    if too_few:
        raise DataError(f"{dataset.source}: data set '{name}': {too_few}")
    sample = sample_for(dataset)
    engine = engine_for(sample, exact_max_n=exact_max_n)
    summary = summarise(sample, n_missing=dataset.n_missing)
    # Before the engine's arrays exist, so the normality tests' temporaries never add to them.
    gaussian = fit_gaussian(sample, rng=rng_for(seed, name, NORMALITY))
    ties = tie_report(sample)
    scott = scott_rule(summary.std, summary.n)
    try:
        cv_rng = rng_for(seed, name, CV_FOLDS)
        cv_curve, cv_unavailable, method = _cross_validate(engine, sample.n, scott, config.cv_folds, cv_rng)
        bandwidths, choices = choose(Evidence(sample, summary, cv_curve, cv_unavailable), ties, cv_method=method)
        models = kde_models(config.bandwidths, bandwidths)
        kde = engine.fit([h for _, h in models] + [scott])
        held_out, held_out_unavailable = attempt(
            lambda: scores(
                kde.fold_scores(models, folds=config.cv_folds, rng=rng_for(seed, name, HELD_OUT_FOLDS)), models, sample.n
            )
        )
        kde_curves, scipy_kde = kde.curves(models, scott)
        histogram = auto_histogram(sample)
        edges = np.asarray(histogram.edges)
        samples = tuple(
            synthetic(
                kind,
                h,
                kde.draws(h, edges, config.replicates, rng=rng_for(seed, name, SYNTHETIC, kind, repr(h))),
                replicates=config.replicates,
                n=sample.n,
            )
            for kind, h in models
        )
    except DataError as error:
        raise DataError(f"{dataset.source}: data set '{name}': {error}") from None
    return DatasetResult(
        name=name,
        label=dataset.label,
        colour=dataset.colour,
        units=dataset.units,
        n=sample.n,
        summary=summary,
        gaussian=gaussian,
        histogram=histogram,
        ecdf=empirical_cdf(sample),
        bandwidths=bandwidths,
        bandwidth_choices=choices,
        cv_curve=cv_curve,
        ties=ties,
        scipy_kde=scipy_kde,
        kde_curves=kde_curves,
        synthetic=samples,
        held_out=held_out or (),
        engine=kde.info(),
        cv_curve_unavailable=cv_unavailable,
        held_out_unavailable=held_out_unavailable,
        partitioned=partitioned_info(dataset, sample) if partitioned else None,
    )


def _cross_validate(
    engine: Engine, n: int, scott: float, folds: int, rng: np.random.Generator
) -> tuple[CvCurve | None, str | None, str]:
    """The CV curve the engine's score gives (or ``None`` and why), and how it cross-validated, for the note.

    The score (a catalog's holds the FFT of its binned counts) is dropped once searched.
    """
    scorer, unavailable = attempt(lambda: engine.cv_scorer(folds=folds, rng=rng, scott=scott))
    if scorer is None:
        return None, unavailable, kfold_method(folds, n)
    return search(scorer, scott=scott, n=n), None, scorer.method


def analyse(datasets: Sequence[Dataset], config: AnalysisConfig, *, exact_max_n: int = EXACT_MAX_N) -> AnalysisResult:
    """Analyse each data set, then compare every pair in manifest order.

    ``exact_max_n`` is the largest data set evaluated exactly (see ``analyse_dataset``).

    Raises
    ------
    DataError
        If no data set is given or two share a name.
    """
    if not datasets:
        raise DataError("no data sets to analyse: the manifest or file gave none")
    names = [d.name for d in datasets]
    duplicated = sorted({n for n in names if names.count(n) > 1})
    if duplicated:
        raise DataError(f"data set names must be unique; repeated: {', '.join(duplicated)}")
    results = tuple(analyse_dataset(d, config, exact_max_n=exact_max_n) for d in datasets)
    # A data set without a CV bandwidth gets None: compare reports its cross-prediction as not available.
    cv = {r.name: r.bandwidths.cv for r in results}
    comparisons = tuple(
        compare_partitioned(a, b, a_bandwidth=cv[a.name], b_bandwidth=cv[b.name])
        if isinstance(a, PartitionedDataset) and isinstance(b, PartitionedDataset)
        else compare(
            a,
            b,
            a_bandwidth=cv[a.name],
            b_bandwidth=cv[b.name],
            rng=rng_for(config.seed, f"{a.name}|{b.name}", BOOTSTRAP),
            resamples=config.bootstrap_resamples,
            exact_max_n=exact_max_n,
        )
        for a, b in combinations(datasets, 2)
    )
    return AnalysisResult(
        seed=config.seed,
        bandwidth_grid=config.bandwidths,
        replicates=config.replicates,
        cv_folds=config.cv_folds,
        datasets=results,
        comparisons=comparisons,
    )
