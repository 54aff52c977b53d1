"""The analysis of every data set and every pair, from one configuration."""

from collections.abc import Sequence
from itertools import combinations

from .availability import attempt
from .statistics.bandwidth import choose_bandwidths, kde_models
from .binned.grid import EXACT_MAX_N, engine_for, engine_info
from .compare import compare
from .config import AnalysisConfig
from .dataset import Dataset, too_few_ages
from .errors import DataError
from .statistics.gaussian import fit_gaussian
from .statistics.heldout import held_out_scores
from .statistics.histogram import auto_histogram, empirical_cdf
from .exact.curves import scipy_curve, sklearn_curve
from .exact.sampling import synthetic_sample
from .binned.engine import analyse_binned
from .results import AnalysisResult, BandwidthChoice, DatasetResult
from .seeds import rng_for
from .statistics.summary import summarise

__all__ = ["analyse", "analyse_dataset"]


def analyse_dataset(dataset: Dataset, config: AnalysisConfig, *, exact_max_n: int = EXACT_MAX_N) -> DatasetResult:
    """Fits, bandwidths, KDE curves, generative samples and held-out scores of one data set.

    Every random stream is keyed by ``dataset.name`` and its purpose, so the
    result does not depend on which other data sets are analysed. Up to
    ``exact_max_n`` ages (default ``binned.EXACT_MAX_N``) every kernel is
    summed exactly; above it ``scaled.analyse_binned`` runs the binned
    engine, and ``DatasetResult.engine`` records the path and its error bound.

    Raises
    ------
    DataError
        If the ages have fewer than ``dataset.MIN_DISTINCT_AGES`` distinct
        values (the readers refuse such files first, with the column).
    """
    ages = dataset.ages
    seed, name = config.seed, dataset.name
    too_few = too_few_ages(ages, dataset.n_missing)
    if too_few:
        raise DataError(f"{dataset.source}: data set '{name}': {too_few}")
    if engine_for(ages.size, exact_max_n=exact_max_n) == "binned":
        return analyse_binned(dataset, config)
    bandwidths, choices, cv_curve, ties = choose_bandwidths(ages, rng=rng_for(seed, name, "cv-folds"), folds=config.cv_folds)
    histogram = auto_histogram(ages)
    models = kde_models(config.bandwidths, bandwidths)
    held_out, held_out_unavailable = attempt(
        lambda: held_out_scores(ages, models, folds=config.cv_folds, rng=rng_for(seed, name, "held-out-folds"))
    )
    synthetic = tuple(
        synthetic_sample(
            ages,
            h,
            kind=kind,
            edges=histogram.edges,
            replicates=config.replicates,
            rng=rng_for(seed, name, "synthetic", kind, repr(h)),
        )
        for kind, h in models
    )
    return DatasetResult(
        name=name,
        label=dataset.label,
        colour=dataset.colour,
        units=dataset.units,
        n=ages.size,
        summary=summarise(ages, n_missing=dataset.n_missing),
        gaussian=fit_gaussian(ages),
        histogram=histogram,
        ecdf=empirical_cdf(ages),
        bandwidths=bandwidths,
        bandwidth_choices=choices,
        cv_curve=cv_curve,
        ties=ties,
        scipy_kde=scipy_curve(ages),
        kde_curves=tuple(sklearn_curve(ages, h, kind=kind) for kind, h in models),
        synthetic=synthetic,
        held_out=held_out or (),
        engine=engine_info(ages, [h for _, h in models], exact_max_n=exact_max_n),
        cv_curve_unavailable=None if cv_curve else _choice(choices, "cv").unavailable,
        held_out_unavailable=held_out_unavailable,
    )



def _choice(choices: Sequence[BandwidthChoice], rule: str) -> BandwidthChoice:
    return next(c for c in choices if c.rule == rule)


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
        compare(
            a,
            b,
            a_bandwidth=cv[a.name],
            b_bandwidth=cv[b.name],
            rng=rng_for(config.seed, f"{a.name}|{b.name}", "bootstrap"),
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
