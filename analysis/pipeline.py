"""The analysis of every data set and every pair, from one configuration.

``analyse_dataset`` builds one data set's ``DatasetResult`` once, whatever
its size: every statistic from ``analysis.statistics``, the kernel sums from
the engine ``choose.engine_for`` picks (exact up to ``engine.EXACT_MAX_N``
ages, binned above). The CV bandwidth maximises the leave-one-out likelihood
(no random split: the same for every seed), with interval scores when the
ages' precision is coarse for the bandwidths in play; up to ``NESTED_MAX_N``
ages the held-out scores are nested (each training part re-selects every
data-driven bandwidth), repeated over ``held_out_repeats(n)`` shuffles, and
the boundary-respecting KDEs (reflected at 0 Gyr, of log age) join the models.

Longer than 300 lines: the per-data-set analysis and the pairs' additions
(common bandwidth, cross-prediction at own and common bandwidths) are one
sequence of steps, read top to bottom.

A partitioned catalog's data set, once reduced
(``distributed.reduce_datasets``), goes through the same function: its
sample and engine answer from the merged reductions, and two such data sets
are compared from them (``distributed.compare_partitioned``).
"""

from collections.abc import Sequence
from dataclasses import replace
from itertools import combinations

import numpy as np

from .availability import NotAvailable, attempt, not_available
from .choose import engine_for, make_engine, sample_for
from .compare import compare
from .config import AnalysisConfig
from .dataset import Dataset, too_few_ages
from .distributed import compare_partitioned, partitioned_info
from .engine import EXACT_MAX_N, Engine, engine_path
from .errors import DataError
from .folds import fold_count
from .partitioned import PartitionedDataset
from .results import (
    AnalysisResult, BenchmarkResult, Comparison, CrossCase, CvCurve, DatasetResult, ErrorModel, HeldOutScore, KdeCurve,
    ModelTails, TieReport,
)  # fmt: skip
from .seeds import BOOTSTRAP, HELD_OUT_FOLDS, NORMALITY, SYNTHETIC, rng_for
from .statistics import (
    DEFAULT_REPEATS,
    LOO_METHOD,
    benchmark_comparison,
    case_from_scores,
    Evidence,
    Sample,
    auto_histogram,
    choose,
    common_bandwidth,
    cross_prediction,
    cv_curve,
    detect_precision,
    empirical_cdf,
    fit_error_convolved,
    fit_gaussian,
    fit_kde,
    fit_normal,
    kde_models,
    model_draws,
    model_spec,
    nested_heldout,
    scores,
    scott_rule,
    search,
    silverman_rule,
    spread_explained,
    summarise,
    symmetric_sigmas,
    synthetic,
    tie_report,
    unphysical_fractions,
    use_interval_scores,
    verdict_from_moments,
)

__all__ = ["BOUNDARY_KINDS", "NESTED_MAX_N", "analyse", "analyse_dataset", "held_out_repeats", "model_name"]

#: Up to this many ages the held-out scores are nested (every data-driven bandwidth re-selected on
#: each training part by exact sums) and the boundary-respecting KDEs are fitted: at 1000 ages one
#: nested split costs about 10 s. Above it (catalogs) the held-out scores use the bandwidths chosen on
#: all the stars and one split, and the pages say so.
NESTED_MAX_N = 1000
#: The KDEs that respect the physical boundary at 0 Gyr: reflected there, and of log age.
BOUNDARY_KINDS = ("reflected", "log")


def held_out_repeats(n: int) -> int:
    """Shuffles of the k-fold split for n ages: 20 up to 200 ages, fewer above (the refits cost n^2 each).

    >>> held_out_repeats(91), held_out_repeats(400), held_out_repeats(1000)
    (20, 5, 1)
    """
    return max(1, min(DEFAULT_REPEATS, int(DEFAULT_REPEATS * (200 / n) ** 2)))


def model_name(kind: str, bandwidth: float | None) -> str:
    """A held-out model's identifier: its kind, or ``"grid <h>"`` for a fixed bandwidth (``held_out_best``)."""
    return f"grid {bandwidth:g}" if kind == "grid" else kind


def analyse_dataset(dataset: Dataset, config: AnalysisConfig, *, exact_max_n: int = EXACT_MAX_N) -> DatasetResult:
    """Fits, bandwidths, KDE curves, generative samples and held-out scores of one data set.

    Every random stream is keyed by ``dataset.name`` and its purpose
    (``seeds``), so the result does not depend on which other data sets are
    analysed. Up to ``exact_max_n`` ages (default ``engine.EXACT_MAX_N``)
    every kernel is summed exactly; above it the binned engine evaluates
    them, and ``DatasetResult.engine`` records the path and its error bound.
    The binned engine draws differently, so its results are equal to the
    exact ones in distribution, not in value. The CV bandwidth draws nothing.

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
    scott = scott_rule(summary.std, summary.n)
    silverman = silverman_rule(summary.std, summary.q25, summary.q75, summary.n)
    try:
        precision = detect_precision(sample)
        ties = tie_report(sample, precision, smooth_bandwidth=silverman)
        cv, cv_unavailable, method = _cross_validate(engine, sample.n, scott, None)
        bandwidths, choices = choose(Evidence(sample, summary, cv, cv_unavailable), ties, cv_method=method)
        in_play = [h for h in (bandwidths.scott, bandwidths.silverman, bandwidths.isj, bandwidths.cv) if h is not None]
        # A partitioned catalog is scored at points: its interval scores would need every pair of ages.
        interval_rule = use_interval_scores(precision, in_play)
        interval = interval_rule and not partitioned
        scored = precision if interval else None
        if interval:
            cv, cv_unavailable, method = _cross_validate(engine, sample.n, scott, precision)
            bandwidths, choices = choose(Evidence(sample, summary, cv, cv_unavailable), ties, cv_method=method)
        models = kde_models(config.bandwidths, bandwidths)
        kde = engine.fit([h for _, h in models] + [scott])
        histogram = auto_histogram(sample)
        edges = np.asarray(histogram.edges)
        in_memory = sample.n <= NESTED_MAX_N and not partitioned  # exact sums over the ages themselves
        boundary = _boundary_models(sample, scored) if in_memory else {}
        held = _held_out(
            sample, kde, models, boundary, config, scored, nested=in_memory, rng=rng_for(seed, name, HELD_OUT_FOLDS)
        )
        held_out, held_out_unavailable, verdict, repeats = held
        kde_curves, scipy_kde = kde.curves(models, scott)
        kde_curves += tuple(_model_curve(kind, fitted, sample) for kind, (fitted, _) in boundary.items() if fitted)
        samples = tuple(
            synthetic(
                kind,
                h,
                kde.draws(h, edges, config.replicates, rng=rng_for(seed, name, SYNTHETIC, kind, repr(h))),
                replicates=config.replicates,
                n=sample.n,
            )
            for kind, h in models
        ) + tuple(
            synthetic(
                kind,
                fitted.bandwidth,
                model_draws(fitted, sample.n, edges, config.replicates,
                            rng=rng_for(seed, name, SYNTHETIC, kind, repr(fitted.bandwidth))),
                replicates=config.replicates,
                n=sample.n,
            )  # fmt: skip
            for kind, (fitted, _) in boundary.items()
            if fitted
        )
        errors, errors_unavailable = _error_model(dataset, sample, scored, edges, config)
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
        cv_curve=cv,
        ties=ties,
        scipy_kde=scipy_kde,
        kde_curves=kde_curves,
        synthetic=samples,
        held_out=held_out,
        engine=kde.info(),
        cv_curve_unavailable=cv_unavailable,
        held_out_unavailable=held_out_unavailable,
        precision=precision,
        interval_scores=interval,
        held_out_best=verdict.best if verdict else None,
        held_out_top=verdict.top if verdict else None,
        held_out_indistinguishable=verdict.indistinguishable if verdict else (),
        held_out_repeats=repeats,
        tails=_tails(sample, summary, bandwidths, boundary) if not partitioned else (),
        errors=errors,
        errors_unavailable=errors_unavailable,
        partitioned=partitioned_info(dataset, sample, notes=_partitioned_notes(sample, precision, interval_rule))
        if partitioned
        else None,
    )


def _partitioned_notes(sample, precision: float | None, interval_rule: bool) -> tuple[str, ...]:
    """What a partitioned catalog's pages say it was not given, and why (``PartitionedInfo.notes``)."""
    notes = []
    if interval_rule:
        notes.append(
            f"Its ages are given to {precision:g} Gyr, coarse enough next to the bandwidths in play that an in-memory "
            "data set would be scored as intervals; a partitioned catalog is scored at points, because interval "
            "scores are exact sums over every pair of ages rather than sums of merged counts."
        )
    notes.append(
        "The reflected and log-age KDEs, their tails below 0 Gyr and above the age of the Universe, and the nested "
        f"held-out scores are fitted by exact sums over the ages in memory (up to {NESTED_MAX_N} stars), so a "
        "partitioned catalog has none; its held-out scores use the bandwidths chosen on all the stars, one hashed split."
    )
    notes.append(
        "Per-star uncertainties (an error-convolved KDE) and a benchmark data set are named in the manifest, "
        "which cannot name a partitioned catalog, so neither is available here."
    )
    return tuple(notes)


def _error_model(dataset: Dataset, sample: Sample, precision: float | None, edges: np.ndarray, config: AnalysisConfig):
    """The error-convolved KDE of a data set with per-star uncertainties, or ``(None, reason)``; ``(None, None)`` without.

    Star i's kernel has variance h^2 + sigma_i^2, h chosen by exact
    leave-one-out CV (interval scores at ``precision`` when not None);
    asymmetric errors are replaced by their mean (``symmetric_sigmas``).
    Exact sums only: up to ``NESTED_MAX_N`` ages.
    """
    if dataset.errors_gyr is None:
        return None, None
    if sample.n > NESTED_MAX_N:
        why = f"the error-convolved KDE is computed by exact sums, for up to {NESTED_MAX_N} stars"
        return None, not_available(f"n = {sample.n}", why)
    errors = dataset.errors_gyr
    lower, upper = (errors[:, 0], errors[:, 1]) if errors.ndim == 2 else (None, None)
    sigmas = errors if errors.ndim == 1 else symmetric_sigmas(lower, upper)
    fit, reason = attempt(lambda: fit_error_convolved(dataset.ages, sigmas, precision=precision))
    if fit is None:
        return None, reason
    spread = spread_explained(dataset.ages, sigmas, lower=lower, upper=upper)
    model = fit.model
    rng = rng_for(config.seed, dataset.name, SYNTHETIC, "errors", repr(model.bandwidth))
    return ErrorModel(
        bandwidth=float(model.bandwidth), loo_score=fit.loo_score, loo_se=fit.loo_standard_error,
        mean_sigma=float(np.mean(sigmas)), spread_fraction=spread.fraction, intrinsic_sd=spread.intrinsic_sd,
        max_asymmetry=spread.max_asymmetry, sentence=spread.sentence, cv_curve=fit.curve,
        curve=_errors_curve(model, sample, sigmas),
        synthetic=synthetic("errors", model.bandwidth, model_draws(model, sample.n, edges, config.replicates, rng=rng),
                            replicates=config.replicates, n=sample.n),
    ), None  # fmt: skip


def _errors_curve(model, sample: Sample, sigmas: np.ndarray) -> KdeCurve:
    """The error-convolved KDE's curve (1/Gyr), exactly: to 3 of the widest kernels beyond the ages, in steps
    of at most a quarter of the narrowest (``exact.kde_grid``)."""
    from .exact import kde_curve, kde_grid

    widths = np.hypot(model.bandwidth, sigmas)
    widest = float(widths.max())
    narrowest = max(float(widths.min()), 1e-3 * widest)
    extra = 3.0 * (widest - narrowest)
    x = kde_grid(sample.ordered[[0, -1]] + np.array([-extra, extra]), narrowest)
    return kde_curve("exact", "errors", model.bandwidth, x, np.exp(model.log_pdf(x)), sample.n)


def _cross_validate(
    engine: Engine, n: int, scott: float, precision: float | None
) -> tuple[CvCurve | None, str | None, str]:
    """The leave-one-out CV curve the engine's score gives (or ``None`` and why), and how, for the note.

    The score (a catalog's holds its binning) is dropped once searched.
    """
    scorer, unavailable = attempt(lambda: engine.cv_scorer(scott=scott, precision=precision))
    if scorer is None:
        return None, unavailable, LOO_METHOD
    return search(scorer, scott=scott, n=n), None, scorer.method


def _boundary_models(sample: Sample, precision: float | None) -> dict:
    """The KDE reflected at 0 Gyr and the KDE of log age, each at its own leave-one-out CV bandwidth.

    kind -> (fitted ``KdeModel`` or None, reason or None). A reflected KDE
    needs ages >= 0 Gyr, a log-age KDE ages > 0 Gyr.
    """
    out = {}
    for kind in BOUNDARY_KINDS:
        if (kind == "reflected" and sample.ordered[0] < 0) or (kind == "log" and sample.ordered[0] <= 0):
            out[kind] = (None, not_available(f"n = {sample.n}", f"a {kind} KDE needs ages above 0 Gyr"))
            continue
        curve, reason = attempt(lambda kind=kind: cv_curve(sample.ages, precision=precision, model=kind))
        if curve is not None and curve.best_bandwidth is None:
            curve, reason = None, curve.unavailable
        out[kind] = (fit_kde(sample.ages, curve.best_bandwidth, kind=kind), None) if curve else (None, reason)
    return out


def _model_curve(kind: str, model, sample: Sample) -> KdeCurve:
    """A boundary-respecting KDE's curve (1/Gyr) from 0 Gyr to 3 bandwidths beyond the oldest age, exactly."""
    from .exact import kde_curve, kde_grid

    reach = model.bandwidth * float(sample.ordered[-1]) if kind == "log" else model.bandwidth
    x = kde_grid(sample.ordered[[0, -1]], reach)
    x = x[x >= 0.0] if kind == "reflected" else x[x > 0.0]
    return kde_curve("exact", kind, model.bandwidth, x, np.exp(model.log_pdf(x)), sample.n)


def _tails(sample: Sample, summary, bandwidths, boundary: dict) -> tuple[ModelTails, ...]:
    """Exact mass below 0 Gyr and above the age of the Universe of the normal, the CV KDE and the boundary KDEs."""
    if sample.n > NESTED_MAX_N:
        return ()
    fitted = [("gaussian", None, fit_normal(sample.ages))]
    if bandwidths.cv is not None:
        fitted.append(("cv", bandwidths.cv, fit_kde(sample.ages, bandwidths.cv)))
    fitted += [(kind, model.bandwidth, model) for kind, (model, _) in boundary.items() if model]
    out = []
    for kind, h, model in fitted:
        f = unphysical_fractions(model)
        out.append(ModelTails(model=kind, bandwidth=h, below_zero=f.below_zero, above_universe=f.above_upper))
    return tuple(out)


def _held_out(sample, kde, models, boundary, config, precision, *, nested: bool, rng):
    """Held-out scores, their verdict and the repeats: ``nested`` (up to ``NESTED_MAX_N`` ages in memory), else
    the engine's sums on one split (a partitioned catalog's: its hashed folds).

    Returns (scores, reason when none, ``Verdict`` or None, repeats).
    """
    n = sample.n
    try:
        folds = fold_count(n, config.cv_folds)
    except NotAvailable as error:
        return (), str(error), None, 1
    if nested:
        return _nested(sample, models, boundary, folds, precision, rng=rng)
    sums = kde.fold_scores(models, folds=folds, rng=rng)
    records = scores(sums, models, n)
    available = [r for r in records if r.mean_log_likelihood is not None]
    names = [model_name(r.model, r.bandwidth) for r in available]
    totals = [r.mean_log_likelihood * n for r in available]
    errors, verdict = verdict_from_moments(names, totals, np.asarray(sums.products), n)
    se = dict(zip(names, errors))
    out = tuple(_scored(r, model_name(r.model, r.bandwidth), se, verdict, 1, nested=False) for r in records)
    return out, None, verdict, 1


def _scored(record: HeldOutScore, name: str, se: dict, verdict, repeats: int, *, nested: bool) -> HeldOutScore:
    """A held-out record with its standard error, its deficit to the top model and whether it is tied with it."""
    behind = verdict.behind.get(name) if verdict else None
    return replace(
        record, name=name, se=se.get(name), repeats=repeats, nested=nested,
        behind=behind[0] if behind else None, behind_se=behind[1] if behind else None,
        tied=(name in verdict.indistinguishable) if verdict and behind else None,
    )  # fmt: skip


def _nested(sample, models, boundary, folds, precision, *, rng):
    """Nested, repeated k-fold held-out scores of the Gaussian, every KDE and the boundary KDEs."""
    n = sample.n
    repeats = 1 if folds == n else held_out_repeats(n)
    specs, records = [model_spec("gaussian", "gaussian-fit")], [("gaussian", None)]
    for kind, h in models:
        rule = None if kind == "grid" else kind
        specs.append(model_spec(model_name(kind, h), "gaussian", bandwidth=h, rule=rule, precision=precision))
        records.append((kind, h))
    for kind, (fitted, _) in boundary.items():
        if fitted:
            specs.append(model_spec(kind, kind, rule="cv", precision=precision))
            records.append((kind, fitted.bandwidth))
    table = nested_heldout(sample.ages, specs, rng=rng, folds=folds, repeats=repeats, precision=precision)
    se = dict(zip(table.models, table.standard_errors))
    out = []
    for (kind, h), name, score, reason in zip(records, table.models, table.scores, table.unavailable, strict=True):
        if reason is not None and kind == "gaussian":
            reason = not_available(f"n = {n}", f"the Gaussian cannot be fitted to every training part: {reason}")
        elif reason is not None:
            reason = not_available(f"n = {n}", f"the model cannot be fitted to every training part: {reason}")
        record = HeldOutScore(kind, h, score, folds, unavailable=reason)
        out.append(_scored(record, name, se, table.verdict, table.repeats, nested=True))
    return tuple(out), None, table.verdict, table.repeats


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
    benchmarks = [d for d in datasets if d.role == "benchmark"]
    datasets = [d for d in datasets if d.role != "benchmark"]
    if not datasets:
        raise DataError("every data set is a benchmark (role: benchmark); at least one must be a training set")
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
    chosen = [h for h in cv.values() if h is not None]
    common = common_bandwidth(*chosen) if len(chosen) > 1 else (chosen[0] if chosen else None)
    by_name = {r.name: r for r in results}
    curves = () if common is None else tuple(_common_curve(r, d, common, exact_max_n) for r, d in zip(results, datasets))
    comparisons = tuple(
        _with_cross(c, a, b, by_name[a.name], by_name[b.name], exact_max_n)
        for c, (a, b) in zip(comparisons, combinations(datasets, 2))
    )
    return AnalysisResult(
        seed=config.seed,
        bandwidth_grid=config.bandwidths,
        replicates=config.replicates,
        cv_folds=config.cv_folds,
        datasets=results,
        comparisons=comparisons,
        common_bandwidth=common,
        common_curves=curves,
        benchmarks=tuple(
            _benchmark(bm, a, b, by_name[a.name], by_name[b.name])
            for bm in benchmarks
            for a, b in combinations(datasets, 2)
            # A benchmark comes from the manifest, which never names a partitioned catalog (README).
            if not isinstance(a, PartitionedDataset) and not isinstance(b, PartitionedDataset)
        ),
    )


#: The models scored on a benchmark, in the order of its table: the normal, the plain KDE at each rule's
#: bandwidth, then the boundary-respecting KDEs at their own CV bandwidths.
BENCHMARK_MODELS = ("gaussian", "scott", "silverman", "isj", "cv", "reflected", "log")


def _benchmark(bm: Dataset, a: Dataset, b: Dataset, ra: DatasetResult, rb: DatasetResult) -> BenchmarkResult:
    """Every model both training sets have, fitted on all of each, scored on the benchmark's ages.

    Interval scores when the benchmark's precision is coarse next to the
    smallest bandwidth (Gyr) of the scored KDEs (``use_interval_scores``).
    The verdict is the CV KDE's (the normal's when a training set has no CV bandwidth).
    """
    too_few = too_few_ages(bm.ages, bm.n_missing)
    if too_few:
        raise DataError(f"{bm.source}: benchmark '{bm.name}': {too_few}")
    trained: dict[str, dict[str, object]] = {}
    for d, r in ((a, ra), (b, rb)):
        boundary = {t.model: t.bandwidth for t in r.tails if t.model in BOUNDARY_KINDS}
        models: dict[str, object] = {"gaussian": fit_normal(d.ages)}
        for rule in BENCHMARK_MODELS[1:]:
            h = boundary.get(rule) if rule in BOUNDARY_KINDS else getattr(r.bandwidths, rule)
            if h is not None:
                models[rule] = fit_kde(d.ages, h, kind=rule if rule in BOUNDARY_KINDS else "gaussian")
        trained[d.name] = models
    shared = [m for m in BENCHMARK_MODELS if all(m in models for models in trained.values())]
    trained = {name: {m: models[m] for m in shared} for name, models in trained.items()}
    in_play = [getattr(trained[a.name][m], "bandwidth", None) for m in shared if m not in ("gaussian", "log")]
    in_play += [getattr(trained[b.name][m], "bandwidth", None) for m in shared if m not in ("gaussian", "log")]
    q = detect_precision(Sample.of(bm.ages))
    scored = q if use_interval_scores(q, [h for h in in_play if h]) else None
    result = benchmark_comparison(
        bm.ages, trained, benchmark=bm.name, precision=scored, headline="cv" if "cv" in shared else "gaussian"
    )
    return replace(result, benchmark_label=bm.label, a_label=a.label, b_label=b.label)


def _common_curve(r: DatasetResult, d: Dataset, h: float, exact_max_n: int) -> KdeCurve:
    """The data set's KDE curve at the common bandwidth h (Gyr), kind ``"common"`` (a partitioned catalog's from its
    merged moments, as its other curves)."""
    sample = sample_for(d) if isinstance(d, PartitionedDataset) else Sample.of(d.ages)
    kde = engine_for(sample, exact_max_n=exact_max_n).fit([h, r.scipy_kde.bandwidth])
    (curve,), _ = kde.curves([("common", h)], r.scipy_kde.bandwidth)
    return curve


def _with_cross(c: Comparison, a: Dataset, b: Dataset, ra: DatasetResult, rb: DatasetResult, exact_max_n: int):
    """The comparison with cross-prediction at each data set's own CV bandwidth and at the common one.

    The common bandwidth of a pair is the larger of its two CV choices
    (``statistics.cross.common_bandwidth``): it undersmooths neither.
    Interval scores for a scored data set whose scores are interval scores.
    """
    ha, hb = ra.bandwidths.cv, rb.bandwidths.cv
    if ha is None or hb is None:
        return replace(c, cross_unavailable=c.cross_a_on_b_unavailable or c.cross_b_on_a_unavailable)
    if isinstance(a, PartitionedDataset):
        own = _cells_case(a, b, ha, hb, (a.name, b.name))
        common = _cells_case(a, b, max(ha, hb), max(ha, hb), (a.name, b.name))
        return replace(c, cross_own=own, cross_common=common, cross_flips=own.better != common.better)
    paired = c.paired is not None and c.paired.n_pairs == a.ages.size == b.ages.size
    names = (a.name, b.name)
    qa = ra.precision if ra.interval_scores else None
    qb = rb.precision if rb.interval_scores else None
    if engine_path(max(a.ages.size, b.ages.size), exact_max_n=exact_max_n) == "exact":
        x, y = (a.ages, b.ages) if not paired else _paired_rows(a, b)
        result = cross_prediction(x, y, bandwidth_a=ha, bandwidth_b=hb, names=names, paired=paired,
                                  precision_a=qa, precision_b=qb)  # fmt: skip
        own, common, flips = result.own, result.common, result.flips
    else:
        own = _binned_case(a, b, ha, hb, names, paired, exact_max_n)
        common = _binned_case(a, b, max(ha, hb), max(ha, hb), names, paired, exact_max_n)
        flips = own.better != common.better
    return replace(c, cross_own=own, cross_common=common, cross_flips=flips)


def _paired_rows(a: Dataset, b: Dataset) -> tuple[np.ndarray, np.ndarray]:
    """The ages of the same stars in row order, for per-star differences."""
    _, i, j = np.intersect1d(a.rows, b.rows, assume_unique=True, return_indices=True)
    return a.ages[i], b.ages[j]


def _binned_case(a, b, ha, hb, names, paired, exact_max_n) -> CrossCase:
    """Cross-prediction of catalogs at (ha, hb) Gyr from the engine's log densities (point scores)."""
    x, y = (a.ages, b.ages) if not paired else _paired_rows(a, b)
    on_b = make_engine("binned", Sample.of(x)).fit([ha]).log_density(y, ha)
    on_a = make_engine("binned", Sample.of(y)).fit([hb]).log_density(x, hb)
    return case_from_scores(on_b, on_a, ha, hb, names=names, paired=paired)


def _cells_case(a: PartitionedDataset, b: PartitionedDataset, ha: float, hb: float, names) -> CrossCase:
    """Cross-prediction of two columns of a partitioned catalog at (ha, hb) Gyr: each column's per-star scores
    read at its cells' values (the ages on a decimal grid) under the other's binned KDE, weighted by the counts.

    The standard error combines the two means' errors as for unpaired data sets: the per-star differences
    would need each star's two cells together, which the reduction does not keep (``compare_partitioned``).
    """
    sa, sb = sample_for(a), sample_for(b)
    xa, wa = _cell_points(sa)
    xb, wb = _cell_points(sb)
    on_b = engine_for(sa).fit([ha]).log_density(xb, ha)
    on_a = engine_for(sb).fit([hb]).log_density(xa, hb)
    return case_from_scores(on_b, on_a, ha, hb, names=names, paired=False, weights_b=wb, weights_a=wa)


def _cell_points(sample) -> tuple[np.ndarray, np.ndarray]:
    """A partitioned column's occupied cell values (Gyr) and their counts."""
    values, cumulative = sample.distinct()
    return values, np.diff(cumulative, prepend=0).astype(float)
