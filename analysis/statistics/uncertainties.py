"""Per-star age uncertainties: symmetrising asymmetric errors, the error-convolved KDE and the spread they explain.

In the error-convolved KDE star i's kernel is N(x_i, h^2 + sigma_i^2): a star
measured to +-2 Gyr is spread over its error instead of counting as a sharp
point. It describes the ages *as measured, blurred once more by their errors*;
it is not a deconvolution (the observed spread already contains the errors),
so its variance, s^2 + h^2 + mean(sigma^2), exceeds the observed one.
"""

from dataclasses import dataclass

import numpy as np

from ..availability import NotAvailable
from ..errors import DataError
from ..results import CvCurve
from .cv import cv_curve
from .loo import loo_log_scores
from .models import KdeModel, fit_kde

__all__ = ["ErrorConvolvedFit", "SpreadExplained", "fit_error_convolved", "spread_explained", "symmetric_sigmas"]


def symmetric_sigmas(lower: np.ndarray, upper: np.ndarray) -> np.ndarray:
    """One sigma per star (Gyr) from lower and upper one-sigma errors: their mean.

    Parameters
    ----------
    lower, upper : ndarray, shape (n,)
        Positive distances (Gyr) from the age to its 16th and 84th percentiles.

    Returns
    -------
    ndarray, shape (n,)
        (lower + upper) / 2.

    Notes
    -----
    The mean keeps the width of the reported 68 % interval, lower + upper, exactly,
    and keeps every kernel a normal, so density, CDF, LOO scores and sampling stay
    closed-form mixtures of normals. A split normal (two half-normals; Wallis 2014)
    would keep the skew, but its convolution with the Gaussian kernel has no closed-form
    CDF and its mean is shifted from the reported age by sqrt(2/pi) (upper - lower),
    a choice the catalogs do not document. The asymmetry this drops is returned by
    ``spread_explained`` as the largest |upper - lower| / (upper + lower).

    >>> symmetric_sigmas(np.array([1.0, 0.5]), np.array([3.0, 0.5])).tolist()
    [2.0, 0.5]
    """
    lower, upper = np.asarray(lower, float), np.asarray(upper, float)
    if lower.shape != upper.shape or np.any(~np.isfinite(lower)) or np.any(lower < 0) or np.any(upper < 0):
        raise DataError(
            f"lower, upper: expected two arrays of equal shape of errors >= 0 Gyr, got {lower.shape}, {upper.shape}"
        )
    return (lower + upper) / 2


@dataclass(frozen=True)
class SpreadExplained:
    """How much of the observed age variance the stated uncertainties account for.

    Attributes
    ----------
    fraction : float
        mean(sigma_i^2) / s^2, s^2 the ddof=1 sample variance (Gyr^2). Under ages =
        truth + independent errors, E[s^2] = var(truth) + mean(sigma^2), so this is the
        share of the variance due to the errors.
    intrinsic_sd : float or None
        sqrt(s^2 - mean(sigma^2)) in Gyr, the spread left for the true ages; None when negative.
    max_asymmetry : float
        Largest |upper - lower|/(upper + lower) when asymmetric errors were symmetrised, else 0.
    sentence : str
        One line for readers, with a caveat when the fraction exceeds 1.
    """

    fraction: float
    intrinsic_sd: float | None
    max_asymmetry: float
    sentence: str


def spread_explained(
    ages: np.ndarray, sigmas: np.ndarray, *, lower: np.ndarray | None = None, upper: np.ndarray | None = None
) -> SpreadExplained:
    """The share of the sample variance the one-sigma uncertainties (Gyr) account for."""
    ages, sigmas = np.asarray(ages, float), np.asarray(sigmas, float)
    if ages.shape != sigmas.shape or ages.size < 2:
        raise DataError(f"sigmas: expected one uncertainty per age ({ages.size}), got {sigmas.size}")
    variance = float(np.var(ages, ddof=1))
    error_variance = float(np.mean(sigmas**2))
    fraction = error_variance / variance
    asym = 0.0
    if lower is not None and upper is not None:
        total = np.asarray(lower, float) + np.asarray(upper, float)
        asym = float(np.max(np.abs(np.asarray(upper, float) - lower) / np.where(total > 0, total, 1)))
    intrinsic = float(np.sqrt(variance - error_variance)) if fraction <= 1 else None
    if fraction <= 1:
        sentence = (
            f"The stated uncertainties account for {fraction:.0%} of the observed age variance; "
            f"the rest, an intrinsic spread of {intrinsic:.2f} Gyr, is left for the true ages."
        )
    else:
        sentence = (
            f"The stated uncertainties exceed the observed spread ({fraction:.0%} of the variance): "
            "they are overestimated, correlated between stars, or not the one-sigma errors of these ages."
        )
    return SpreadExplained(fraction, intrinsic, asym, sentence)


@dataclass(frozen=True, eq=False)
class ErrorConvolvedFit:
    """The error-convolved KDE with its LOO-CV bandwidth (Gyr; 0 allowed), its LOO score and the spread explained."""

    model: KdeModel
    curve: CvCurve
    loo_score: float
    loo_standard_error: float
    spread: SpreadExplained


def fit_error_convolved(ages: np.ndarray, sigmas: np.ndarray, *, precision: float | None = None) -> ErrorConvolvedFit:
    """Choose h by exact LOO CV with kernels of variance h^2 + sigma_i^2 and fit the KDE.

    Raises
    ------
    NotAvailable
        If the CV score has no maximum (``curve.unavailable``).
    """
    curve = cv_curve(ages, precision=precision, sigmas=sigmas)
    if curve.best_bandwidth is None:
        raise NotAvailable(curve.unavailable)
    h = curve.best_bandwidth
    scores = loo_log_scores(ages, h, precision=precision, sigmas=sigmas)
    return ErrorConvolvedFit(
        fit_kde(ages, h, sigmas=sigmas),
        curve,
        float(scores.mean()),
        float(scores.std(ddof=1) / np.sqrt(scores.size)),
        spread_explained(ages, sigmas),
    )
