"""Cross-prediction: each data set's ages scored by the other's KDE, at own and at one common bandwidth.

The question is which training set "transfers" better. At each data set's own
bandwidth the answer mixes data and smoothing (a narrow KDE loses on any other
ages); at one common bandwidth only the data differ. The verdict is given for
both, and whether it flips.
"""

from dataclasses import dataclass

import numpy as np

from ..errors import DataError
from ..results import CrossCase
from .cv import mean_and_se
from .models import fit_kde

__all__ = ["CROSS_SES", "CrossPrediction", "case_from_scores", "common_bandwidth", "cross_case", "cross_prediction"]

#: A training set "transfers better" with confidence when its lead exceeds this many standard errors.
CROSS_SES = 2.0


def common_bandwidth(*bandwidths: float) -> float:
    """The common bandwidth (Gyr) for cross-prediction and the Overview: the largest of the data sets' own choices.

    Each data set's own (CV) choice is the narrowest kernel its ages support; the larger
    of the two undersmooths neither, so neither KDE is penalised for spikes its own data
    put there, and it is still a bandwidth one data set chose (unlike the pooled
    Silverman bandwidth, which the shift between the data sets inflates: pooled ages of
    two shifted samples look wider than either).
    """
    return float(max(bandwidths))


@dataclass(frozen=True)
class CrossPrediction:
    """Cross-prediction at each data set's own bandwidth and at the common one; ``flips`` if the winner changes."""

    own: CrossCase
    common: CrossCase
    flips: bool


def cross_case(
    a: np.ndarray,
    b: np.ndarray,
    bandwidth_a: float,
    bandwidth_b: float,
    *,
    names: tuple[str, str] = ("a", "b"),
    paired: bool,
    precision_a: float | None = None,
    precision_b: float | None = None,
    kind: str = "gaussian",
) -> CrossCase:
    """Score b's ages with a's KDE and a's with b's (interval scores with each scored set's precision)."""
    a, b = np.asarray(a, float), np.asarray(b, float)
    if paired and a.shape != b.shape:
        raise DataError(f"a, b: paired data sets need the same stars, got {a.size} and {b.size} ages")
    on_b = fit_kde(a, bandwidth_a, kind=kind).score(b, precision_b)
    on_a = fit_kde(b, bandwidth_b, kind=kind).score(a, precision_a)
    return case_from_scores(on_b, on_a, bandwidth_a, bandwidth_b, names=names, paired=paired)


def case_from_scores(
    on_b: np.ndarray,
    on_a: np.ndarray,
    bandwidth_a: float,
    bandwidth_b: float,
    *,
    names: tuple[str, str],
    paired: bool,
    weights_b: np.ndarray | None = None,
    weights_a: np.ndarray | None = None,
) -> CrossCase:
    """The cross-prediction record from each star's score: b's ages under a's KDE (``on_b``), a's under b's.

    ``se`` is that of the per-star differences for the same stars (``paired``), else the two means' errors combined.
    ``weights_b``, ``weights_a`` (unpaired only) count the stars holding each score (a catalog's cells).
    """
    if paired:
        d = on_b - on_a
        se = float(np.std(d, ddof=1) / np.sqrt(d.size))
        mean_b, mean_a = float(on_b.mean()), float(on_a.mean())
    elif weights_b is None and weights_a is None:
        se = float(np.sqrt(np.var(on_b, ddof=1) / on_b.size + np.var(on_a, ddof=1) / on_a.size))
        mean_b, mean_a = float(on_b.mean()), float(on_a.mean())
    else:
        mean_b, se_b = mean_and_se(on_b, weights_b)
        mean_a, se_a = mean_and_se(on_a, weights_a)
        se = float(np.sqrt(se_b**2 + se_a**2))
    difference = float(mean_b - mean_a)
    return CrossCase(
        bandwidth_a=float(bandwidth_a), bandwidth_b=float(bandwidth_b), a_on_b=mean_b,
        b_on_a=mean_a, difference=difference, se=se, better=names[0] if difference > 0 else names[1],
        clear=bool(abs(difference) > CROSS_SES * se),
    )  # fmt: skip


def cross_prediction(
    a: np.ndarray,
    b: np.ndarray,
    *,
    bandwidth_a: float,
    bandwidth_b: float,
    names: tuple[str, str] = ("a", "b"),
    paired: bool,
    precision_a: float | None = None,
    precision_b: float | None = None,
    common: float | None = None,
    kind: str = "gaussian",
) -> CrossPrediction:
    """Cross-prediction of two data sets at their own bandwidths and at one common bandwidth.

    Parameters
    ----------
    a, b : ndarray
        Ages in Gyr; with ``paired`` the same stars row for row.
    bandwidth_a, bandwidth_b : float
        Each data set's own chosen bandwidth (Gyr).
    names : (str, str)
        Labels of a and b for the verdict.
    paired : bool
        Same stars: standard errors from per-star differences.
    precision_a, precision_b : float or None
        Interval-score quantum (Gyr) of each data set's ages when its scores are interval scores.
    common : float, optional
        The common bandwidth (Gyr); default ``common_bandwidth(bandwidth_a, bandwidth_b)``.
    kind : str
        The KDE kind (``models.KDE_KINDS``).

    Returns
    -------
    CrossPrediction
    """
    h = common_bandwidth(bandwidth_a, bandwidth_b) if common is None else float(common)
    options = dict(names=names, paired=paired, precision_a=precision_a, precision_b=precision_b, kind=kind)
    own = cross_case(a, b, bandwidth_a, bandwidth_b, **options)
    same = cross_case(a, b, h, h, **options)
    return CrossPrediction(own=own, common=same, flips=own.better != same.better)
