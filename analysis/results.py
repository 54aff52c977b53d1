"""Frozen, JSON-serialisable result records.

All ages and bandwidths are in Gyr; densities in 1/Gyr; "counts" curves are
densities times n (stars per Gyr), as the lecture scales ``gaussian_kde`` to a
histogram. Arrays are stored as tuples of floats so that records are immutable
and ``dataclasses.asdict`` gives plain JSON.

Longer than 300 lines, on purpose: these records are the JSON layout scripts depend on, and one
file shows it whole, record by record.

A value the data are too small or too tied for is ``None``, and beside it a
reason string says why (``availability.not_available``: ``"not available for
n = 5: ..."``): the field ``unavailable`` of a record with one such value, or
``<name>_unavailable`` for the value or group ``<name>``; the reason is
``None`` when the value is there. A model whose bandwidth is not available has
no curve, synthetic sample or held-out score (its ``BandwidthChoice`` says why).
In JSON that is ``null`` beside the reason, so scripts reading the 91-star
results see the same keys and values as before, plus the reasons (all ``null``).
"""

from dataclasses import asdict, dataclass
import json
from typing import Any

__all__ = [
    "MAX_STORED_VALUES",
    "Summary",
    "GaussianFit",
    "Histogram",
    "Ecdf",
    "BandwidthSet",
    "BandwidthChoice",
    "CvCurve",
    "TieReport",
    "KdeCurve",
    "SyntheticSample",
    "HeldOutScore",
    "ModelTails",
    "ErrorModel",
    "EngineInfo",
    "PartitionedInfo",
    "PartitionedComparison",
    "DatasetResult",
    "PairedComparison",
    "CrossCase",
    "Comparison",
    "BenchmarkRow",
    "BenchmarkResult",
    "AnalysisResult",
    "to_jsonable",
    "to_json",
]

Floats = tuple[float, ...]

#: Most values a per-star array of a result may hold (synthetic ages, paired
#: differences and ages), so a catalog's results stay a few MB; the true size is
#: recorded beside it (``SyntheticSample.n_total``, ``PairedComparison.n_pairs``).
MAX_STORED_VALUES = 10_000


@dataclass(frozen=True)
class Summary:
    """Descriptive statistics of one data set (Gyr)."""

    n: int
    n_missing: int
    mean: float
    median: float
    std: float  #: sample standard deviation with ``std_ddof``
    std_ddof: int
    min: float
    max: float
    q25: float
    q75: float
    n_above_universe: int  #: ages above 13.8 Gyr, kept in the data
    n_distinct: int


@dataclass(frozen=True)
class GaussianFit:
    """Maximum-likelihood normal fit (``scipy.stats.norm.fit``).

    ``lecture_edges`` are the 11 edges of ``np.histogram(ages)`` (10 bins),
    ``lecture_histogram`` its 10 counts, and ``lecture_counts`` is
    ``norm.pdf(lecture_edges) * n`` as the lecture draws it;
    ``smooth_x``/``smooth_density`` is the same pdf on a fine grid.

    Normality is judged by Lilliefors' test (``lilliefors_statistic``, the
    Kolmogorov-Smirnov distance to the normal with the ages' mean and
    ``ddof=1`` standard deviation, and its ``lilliefors_pvalue`` from
    statsmodels' table, clipped to [0.001, 0.99]) and by Shapiro-Wilk
    (``shapiro_statistic`` W and ``shapiro_pvalue``, on ``shapiro_n`` ages:
    all of them up to 5000, else a seeded subsample). ``ks_statistic`` and
    ``ks_pvalue`` test the ages against the normal fitted to them as if it had
    been given: that p-value is not calibrated (far too large) and is kept
    for scripts only. ``normality_note`` says what was done beyond the plain
    tests (a subsample, a clipped p-value), or is empty. A test the ages are
    too few for has ``None`` statistic and p-value, and
    ``lilliefors_unavailable`` or ``shapiro_unavailable`` says why.
    """

    mu: float
    sigma: float
    log_likelihood: float
    aic: float
    ks_statistic: float
    ks_pvalue: float
    lecture_edges: Floats
    lecture_histogram: tuple[int, ...]
    lecture_counts: Floats
    smooth_x: Floats
    smooth_density: Floats
    lilliefors_statistic: float | None
    lilliefors_pvalue: float | None
    shapiro_statistic: float | None
    shapiro_pvalue: float | None
    shapiro_n: int
    normality_note: str
    lilliefors_unavailable: str | None = None
    shapiro_unavailable: str | None = None


@dataclass(frozen=True)
class Histogram:
    """``np.histogram(ages, bins="auto")``: ``len(edges) == len(counts) + 1``."""

    edges: Floats
    counts: tuple[int, ...]


@dataclass(frozen=True)
class Ecdf:
    """The empirical CDF: ``fraction[i]`` of the ages are <= ``x[i]`` (Gyr).

    Exact (one step per distinct age) up to a few thousand ages; beyond that,
    the ages at evenly spaced fractions, so catalogs stay small.
    """

    x: Floats
    fraction: Floats
    exact: bool


@dataclass(frozen=True)
class BandwidthSet:
    """The data-driven bandwidths in Gyr, one per rule of ``BANDWIDTH_RULES``.

    ``None`` for a rule that is not available for these ages; the rule's
    ``BandwidthChoice.unavailable`` says why.
    """

    scott: float | None
    silverman: float | None
    isj: float | None
    cv: float | None


@dataclass(frozen=True)
class BandwidthChoice:
    """One rule's bandwidth and a reader's note on it (e.g. why CV is small).

    ``bandwidth`` is ``None`` when the rule is not available for these ages,
    and ``unavailable`` then says why.
    """

    rule: str
    bandwidth: float | None
    note: str
    unavailable: str | None = None


@dataclass(frozen=True)
class CvCurve:
    """Leave-one-out cross-validated log-likelihood per star vs bandwidth, with its standard error.

    ``folds`` is n: every star is held out once, scored by the KDE of the
    other n - 1 (no random split, so the curve does not depend on the seed).
    ``kind`` is ``"loo"`` (the log density at each age) or ``"loo-interval"``
    (the log probability of each age's rounding interval of width
    ``precision`` Gyr, divided by it: ``statistics.precision``).
    ``best_bandwidth`` is ``None`` when the score has no interior maximum (it
    keeps rising as the bandwidth shrinks, as it does when held-out ages equal
    training ages), and ``unavailable`` then says why. ``standard_errors``
    holds sd(per-star scores)/sqrt(n) at each bandwidth; ``one_se_low`` and
    ``one_se_high`` bound the bandwidths whose score is within one standard
    error (at the maximum) of the best (``one_se_open``: the range reaches an
    end of the search). ``model`` is the KDE kind (``"gaussian"``,
    ``"reflected"``; ``"log"`` has bandwidths in ln Gyr).
    """

    bandwidths: Floats
    mean_log_likelihood: Floats
    folds: int
    best_bandwidth: float | None
    unavailable: str | None = None
    kind: str = "loo"
    precision: float | None = None
    model: str = "gaussian"
    standard_errors: Floats = ()
    best_score: float | None = None
    best_standard_error: float | None = None
    one_se_low: float | None = None
    one_se_high: float | None = None
    one_se_open: bool = False


@dataclass(frozen=True)
class TieReport:
    """How many ages repeat exactly, judged against the ages' precision (``statistics.precision``).

    ``heavy`` when more stars share one age than rounding a smooth density to
    ``precision`` Gyr makes likely (``pvalue`` below 1 %; any tie when the ages
    are stored as continuous values, ``precision`` None); ``predicted_largest``
    is the largest tie such rounding typically produces.
    """

    n: int
    n_distinct: int
    largest_tie: int  #: stars sharing the most common value
    heavy: bool
    message: str
    precision: float | None = None
    largest_tie_age: float | None = None
    predicted_largest: int | None = None
    pvalue: float | None = None


@dataclass(frozen=True)
class KdeCurve:
    """A Gaussian KDE evaluated on a grid reaching 3 bandwidths beyond the data.

    ``method`` is ``"sklearn"`` (``KernelDensity``) or ``"scipy"``
    (``gaussian_kde``); ``kind`` is ``"grid"`` for a configured bandwidth or
    the rule name (``"scott"``, ``"silverman"``, ``"isj"``, ``"cv"``).
    ``counts == density * n``.
    """

    method: str
    kind: str
    bandwidth: float
    x: Floats
    density: Floats
    counts: Floats


@dataclass(frozen=True)
class SyntheticSample:
    """The generative model at one bandwidth.

    ``ages`` is one seeded synthetic sample of ``n_total`` = n ages (the
    lecture's ``sample(91)``); above ``MAX_STORED_VALUES`` it keeps the first
    ``MAX_STORED_VALUES`` draws, themselves an iid sample of the model. The envelope summarises ``replicates`` further samples as
    the 5th, 50th and 95th percentile of their counts in the data histogram's
    bins (``len == len(Histogram.counts)``). Fractions are over all
    replicate draws.
    """

    kind: str
    bandwidth: float
    ages: Floats
    replicates: int
    envelope_low: Floats
    envelope_median: Floats
    envelope_high: Floats
    fraction_below_zero: float
    fraction_above_universe: float
    n_total: int  #: size of the synthetic sample ``ages`` is drawn from (n); ``len(ages) <= n_total``


@dataclass(frozen=True)
class HeldOutScore:
    """Mean held-out log-likelihood per star (k-fold, seeded folds, ``repeats`` shuffles).

    ``model`` is ``"gaussian"`` or a KDE ``kind``; ``bandwidth`` is ``None``
    for the Gaussian (for a data-driven rule, the bandwidth chosen on all the
    stars; ``nested`` says each training part chose its own). ``mean_log_likelihood``
    is ``None`` when the model cannot be fitted to some fold's training stars,
    and ``unavailable`` then says why. ``se`` is sd(per-star scores)/sqrt(n);
    ``behind`` the mean per-star lead of the top model over this one and
    ``behind_se`` its standard error (0 and 0 for the top model); ``tied``
    says this model is not more than two standard errors (or the minimum
    lead) behind the top (``statistics.nested.verdict``). ``name`` identifies
    the model in ``DatasetResult.held_out_best`` (``"grid 0.1"`` for a fixed bandwidth).
    """

    model: str
    bandwidth: float | None
    mean_log_likelihood: float | None
    folds: int
    unavailable: str | None = None
    se: float | None = None
    repeats: int = 1
    nested: bool = False
    name: str = ""
    behind: float | None = None
    behind_se: float | None = None
    tied: bool | None = None


@dataclass(frozen=True)
class ModelTails:
    """A model's exact probability (0-1, from its CDF) of ages below 0 Gyr and above the age of the Universe.

    ``model`` is ``"gaussian"`` (the fitted normal) or a KDE kind at
    ``bandwidth`` (Gyr; ln Gyr for ``"log"``).
    """

    model: str
    bandwidth: float | None
    below_zero: float
    above_universe: float


@dataclass(frozen=True)
class ErrorModel:
    """The error-convolved KDE of a data set with per-star uncertainties (``statistics.uncertainties``).

    Star i's kernel has variance h^2 + sigma_i^2; ``bandwidth`` (Gyr, 0
    allowed) maximises its leave-one-out likelihood (``cv_curve``), which
    scores ``loo_score`` +- ``loo_se`` per star. ``spread_fraction`` is
    mean(sigma^2) / var(ages) (ddof 1), the share of the observed variance
    the uncertainties account for; ``intrinsic_sd`` the spread left for the
    true ages (Gyr; None when the errors exceed the spread);
    ``max_asymmetry`` the largest |upper - lower| / (upper + lower) of
    asymmetric errors replaced by their mean; ``sentence`` one line for
    readers. ``curve`` and ``synthetic`` as for the other models.
    """

    bandwidth: float
    loo_score: float
    loo_se: float
    mean_sigma: float
    spread_fraction: float
    intrinsic_sd: float | None
    max_asymmetry: float
    sentence: str
    cv_curve: CvCurve
    curve: "KdeCurve"
    synthetic: "SyntheticSample"


@dataclass(frozen=True)
class EngineInfo:
    """Which path evaluated the KDEs and its worst error relative to the curve's peak.

    ``"exact"`` sums every kernel (small data sets); ``"binned"`` evaluates
    every bandwidth from one fine binning and one FFT (large catalogs).
    """

    path: str  #: "exact" or "binned"
    n_bins: int  #: 0 on the exact path
    bin_width_gyr: float  #: 0.0 on the exact path
    max_rel_error: float  #: bound on max |error| / max density; 0.0 on the exact path


@dataclass(frozen=True)
class PartitionedInfo:
    """How a partitioned catalog's statistics were computed, from merged reductions, and each one's bound.

    ``grid`` is ``"decimal"`` (one cell per possible value: what is read off
    the cells is exact) or ``"uniform"`` (cells of ``cell_width_gyr``: each
    age within half a cell); ``decimals`` the most decimal places an age has
    (``None``: more than 9). The bounds: quantiles (median, quartiles, IQR,
    ECDF, histogram edges) within ``quantile_bound_gyr``; distinct values and
    the largest tie within their (low, high); the variance within
    ``variance_bound_gyr2`` of the exact one before its final rounding (the
    mean is correctly rounded). ``fold_sizes``: the held-out folds' sizes
    (hashed from ``folds_from``, so not equal). Nothing here depends on how the
    catalog is partitioned (the pages name the source and its partitions).
    """

    grid: str
    cell_width_gyr: float
    decimals: int | None
    quantile_bound_gyr: float
    n_distinct_bounds: tuple[int, int]
    largest_tie_bounds: tuple[int, int]
    variance_bound_gyr2: float
    folds_from: str
    fold_sizes: tuple[int, ...]
    notes: tuple[str, ...] = ()  #: sentences on what a partitioned catalog is not given, and why


@dataclass(frozen=True)
class PartitionedComparison:
    """How two columns of a partitioned catalog were compared, and the bounds.

    ``exact``: on a decimal cell grid KS, Anderson-Darling and Wasserstein are
    exact; otherwise the exact KS lies in ``ks_bounds``, the exact
    Wasserstein within ``wasserstein_bound_gyr`` of the value and
    ``anderson_change`` is the statistic's change on doubling the cells (an
    estimate, not a bound). ``paired_method`` says how the per-star comparison
    was computed.
    """

    exact: bool
    cell_width_gyr: float
    ks_bounds: tuple[float, float]
    wasserstein_bound_gyr: float
    anderson_change: float
    paired_method: str
    cross_method: str = ""  #: how the cross-prediction's standard errors were computed


@dataclass(frozen=True)
class DatasetResult:
    """Everything computed for one data set; ``engine`` says how the KDEs were evaluated.

    ``kde_curves``, ``synthetic`` and ``held_out`` hold the models whose
    bandwidth is available (``bandwidth_choices`` says why the others are
    not). ``cv_curve`` is ``None`` when the data set is too small to
    cross-validate, and ``held_out`` empty when it is too small to hold stars
    out; ``cv_curve_unavailable`` and ``held_out_unavailable`` then say why.
    """

    name: str
    label: str
    colour: str
    units: str
    n: int
    summary: Summary
    gaussian: GaussianFit
    histogram: Histogram
    ecdf: Ecdf
    bandwidths: BandwidthSet
    bandwidth_choices: tuple[BandwidthChoice, ...]
    cv_curve: CvCurve | None
    ties: TieReport
    scipy_kde: KdeCurve
    kde_curves: tuple[KdeCurve, ...]
    synthetic: tuple[SyntheticSample, ...]
    held_out: tuple[HeldOutScore, ...]
    engine: EngineInfo
    cv_curve_unavailable: str | None = None
    held_out_unavailable: str | None = None
    precision: float | None = None
    interval_scores: bool = False
    held_out_best: str | None = None
    held_out_top: str | None = None
    held_out_indistinguishable: tuple[str, ...] = ()
    held_out_repeats: int = 1
    tails: tuple[ModelTails, ...] = ()
    errors: ErrorModel | None = None
    errors_unavailable: str | None = None
    role: str = "training"
    partitioned: PartitionedInfo | None = None  #: a partitioned catalog's methods and bounds (else None)


@dataclass(frozen=True)
class PairedComparison:
    """Per-star comparison of two data sets of the same stars (A minus B, Gyr).

    Statistics use all ``n_pairs`` stars; ``differences``, ``a_ages`` and
    ``b_ages`` hold every pair up to ``MAX_STORED_VALUES``, beyond that that
    many evenly spaced pairs (in row order) for the figures. A test the pairs
    are too few (or too constant) for has ``None`` statistic and p-value, and
    ``wilcoxon_unavailable``, ``pearson_unavailable``,
    ``spearman_unavailable`` or ``ttest_unavailable`` says why.

    ``mean_difference_ci`` is the interval of ``mean_difference`` at the
    comparison's ``ci_level`` for the same stars: a percentile bootstrap that
    resamples stars (each star's two ages stay together), or above
    ``engine.EXACT_MAX_N`` pairs the normal approximation with
    ``standard_error`` = sd(differences) / sqrt(n_pairs); ``ci_method`` says
    which. ``ttest_statistic``, ``ttest_df`` and ``ttest_pvalue`` are the
    paired t-test (``scipy.stats.ttest_rel``, two-sided).
    """

    n_pairs: int
    mean_difference: float
    median_difference: float
    std_difference: float
    n_a_older: int
    n_b_older: int
    n_equal: int
    wilcoxon_statistic: float | None
    wilcoxon_pvalue: float | None
    pearson_r: float | None
    pearson_pvalue: float | None
    spearman_rho: float | None
    spearman_pvalue: float | None
    differences: Floats
    a_ages: Floats
    b_ages: Floats
    mean_difference_ci: tuple[float, float]
    standard_error: float
    ci_method: str
    ttest_statistic: float | None
    ttest_df: int | None
    ttest_pvalue: float | None
    wilcoxon_unavailable: str | None = None
    pearson_unavailable: str | None = None
    spearman_unavailable: str | None = None
    ttest_unavailable: str | None = None


@dataclass(frozen=True)
class CrossCase:
    """Cross-prediction at one pair of bandwidths (Gyr): each data set's ages under the other's KDE.

    ``a_on_b`` is the mean score per star of b's ages under a's KDE at
    ``bandwidth_a``, ``b_on_a`` the reverse (log(1/Gyr); interval scores for
    a scored set whose scores are interval scores); ``difference`` is
    a_on_b - b_on_a (positive: a's KDE transfers better) with standard error
    ``se`` (per-star differences for the same stars, else the two means'
    errors combined); ``better`` names the data set whose KDE transfers
    better and ``clear`` says the difference exceeds two standard errors.
    """

    bandwidth_a: float
    bandwidth_b: float
    a_on_b: float
    b_on_a: float
    difference: float
    se: float
    better: str
    clear: bool


@dataclass(frozen=True)
class Comparison:
    """Two-sample comparison of data sets ``a`` and ``b``.

    ``mean_difference`` is mean(a) - mean(b) with a seeded percentile
    bootstrap interval that resamples each data set on its own (``ci_method``
    says how it was computed: the bootstrap, or above ``engine.EXACT_MAX_N``
    stars the normal approximation); it is the interval for different stars.
    For the same stars (``paired``) the pages use ``paired.mean_difference``
    and ``paired.mean_difference_ci``, which keep each star's pair together;
    cross-prediction is the mean log-likelihood per star
    of one data set under the other's KDE at its CV bandwidth. ``paired`` is
    ``None`` when the data sets are not the same stars, with the reason in
    ``unpaired_reason``. The Anderson-Darling statistic and p-value are
    ``None`` when a data set is too small for its p-value, and a
    cross-prediction score when the training set has no CV bandwidth;
    ``anderson_unavailable``, ``cross_a_on_b_unavailable`` and
    ``cross_b_on_a_unavailable`` then say why.
    """

    a: str
    b: str
    ks_statistic: float
    ks_pvalue: float
    anderson_statistic: float | None
    anderson_pvalue: float | None
    anderson_pvalue_note: str
    wasserstein: float
    mean_difference: float
    mean_difference_ci: tuple[float, float]
    ci_level: float
    cross_a_on_b: float | None
    cross_b_on_a: float | None
    paired: PairedComparison | None
    unpaired_reason: str | None
    ci_method: str
    anderson_unavailable: str | None = None
    cross_a_on_b_unavailable: str | None = None
    cross_b_on_a_unavailable: str | None = None
    cross_own: CrossCase | None = None
    cross_common: CrossCase | None = None
    cross_flips: bool | None = None
    cross_unavailable: str | None = None
    partitioned: PartitionedComparison | None = None  #: how a partitioned catalog's pair was compared (else None)


@dataclass(frozen=True)
class BenchmarkRow:
    """One model fitted on each of two training sets, scored on the benchmark ages (log(1/Gyr) per star).

    ``difference`` = score_a - score_b with ``se`` = sd(per-benchmark-star
    differences)/sqrt(m); ``better`` names a or b when the difference exceeds
    two standard errors, else None.
    """

    model: str
    score_a: float
    score_b: float
    difference: float
    se: float
    better: str | None


@dataclass(frozen=True)
class BenchmarkResult:
    """Which of two training sets predicts an independent benchmark data set better (``statistics.benchmark``).

    ``precision`` is the benchmark's (interval scores when not None);
    ``headline`` the model whose row gives ``verdict``.
    """

    benchmark: str
    a: str
    b: str
    n_benchmark: int
    precision: float | None
    rows: tuple[BenchmarkRow, ...]
    headline: str
    better: str | None
    verdict: str
    #: The data sets' labels (``benchmark``, ``a`` and ``b`` are their names).
    benchmark_label: str = ""
    a_label: str = ""
    b_label: str = ""


@dataclass(frozen=True)
class AnalysisResult:
    """The whole analysis: settings, one result per data set, every pair."""

    seed: int
    bandwidth_grid: Floats
    replicates: int
    cv_folds: int
    datasets: tuple[DatasetResult, ...]
    comparisons: tuple[Comparison, ...]
    common_bandwidth: float | None = None
    benchmarks: tuple[BenchmarkResult, ...] = ()
    #: Each data set's KDE at ``common_bandwidth`` (kind ``"common"``), in the order of ``datasets``; empty without one.
    common_curves: tuple[KdeCurve, ...] = ()


def to_jsonable(result: Any) -> Any:
    """A dataclass as nested dicts and lists, ready for ``json.dumps``."""
    return asdict(result)


def to_json(result: Any) -> str:
    """Deterministic JSON text; NaN or infinity is a bug and raises ValueError."""
    return json.dumps(to_jsonable(result), indent=1, sort_keys=False, allow_nan=False)
