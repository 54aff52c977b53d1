"""Fitted density models of ages (Gyr): Gaussian KDEs (plain, reflected, log age, error-convolved), the normal.

Every model answers the same questions, so held-out scoring, cross-prediction
and benchmarks treat them alike: ``log_pdf`` (log(1/Gyr)), ``cdf``,
``log_interval_density`` (the interval score of an age reported on a grid of
width q), ``score`` (one of the two by ``precision``), ``mass`` and ``sample``.
"""

from dataclasses import dataclass

import numpy as np
from scipy import stats

from ..errors import DataError
from .mixture import Components, log_mixture_density, log_mixture_mass
from .normal_mass import log_normal_mass

__all__ = [
    "KDE_KINDS",
    "KdeModel",
    "NormalModel",
    "components_for",
    "fit_kde",
    "fit_normal",
    "interval_edges",
]

#: The KDE kinds: ``gaussian`` (plain), ``reflected`` (at 0 Gyr), ``log`` (a Gaussian KDE of log age).
KDE_KINDS = ("gaussian", "reflected", "log")


def interval_edges(points: np.ndarray, precision: float) -> tuple[np.ndarray, np.ndarray]:
    """The rounding interval [x - q/2, x + q/2] (Gyr) of ages reported as x on a grid of width q."""
    points = np.asarray(points, dtype=float)
    return points - precision / 2, points + precision / 2


class _IntervalScores:
    """Interval and held-out scores of a model with ``log_mass(lower, upper)`` and ``log_pdf(points)``."""

    def log_interval_density(self, points: np.ndarray, precision: float) -> np.ndarray:
        """Interval score log((F(x + q/2) - F(x - q/2)) / q) of ages x reported on a q grid (Gyr)."""
        lower, upper = interval_edges(points, precision)
        return self.log_mass(lower, upper) - np.log(precision)  # type: ignore[attr-defined]

    def score(self, points: np.ndarray, precision: float | None) -> np.ndarray:
        """Per-age held-out score: ``log_pdf`` when ``precision`` is None, else ``log_interval_density``."""
        return self.log_pdf(points) if precision is None else self.log_interval_density(points, precision)  # type: ignore[attr-defined]


@dataclass(frozen=True, eq=False)
class KdeModel(_IntervalScores):
    """A Gaussian KDE of ages in Gyr, of one of ``KDE_KINDS``.

    Attributes
    ----------
    kind : str
        ``"gaussian"``: f(x) = (1/n) sum_j N(x; x_j, h^2 + sigma_j^2).
        ``"reflected"``: f(x) + f(-x) for x >= 0 and 0 below (Silverman 1986, sec. 2.10;
        Jones 1993), so no mass falls below 0 Gyr.
        ``"log"``: g(log x) / x with g the Gaussian KDE of log ages (h in log Gyr, the
        Jacobian 1/x brings it back to 1/Gyr); no mass below 0 Gyr.
    bandwidth : float
        h, in Gyr (in log Gyr for ``"log"``); 0 allowed only with per-star uncertainties.
    components : Components
        The mixture in the KDE's coordinate (Gyr, or log Gyr).
    """

    kind: str
    bandwidth: float
    components: Components

    def _coordinate(self, x: np.ndarray) -> np.ndarray:
        if self.kind != "log":
            return x
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(x > 0, np.log(np.maximum(x, 0)), -np.inf)

    def log_pdf(self, points: np.ndarray) -> np.ndarray:
        """log density (log(1/Gyr)) at ``points`` (Gyr), shape (k,); -inf outside the support."""
        x = np.asarray(points, dtype=float)
        out = np.full(x.size, -np.inf)
        inside = x >= 0 if self.kind == "reflected" else x > 0 if self.kind == "log" else np.ones(x.size, bool)
        values = log_mixture_density(self._coordinate(x[inside]), self.components)
        out[inside] = values - np.log(x[inside]) if self.kind == "log" else values
        return out

    def log_mass(self, lower: np.ndarray, upper: np.ndarray) -> np.ndarray:
        """log of the model's probability on [lower, upper] (Gyr), shape (k,); edges clipped to the support."""
        lower = np.asarray(lower, dtype=float)
        upper = np.asarray(upper, dtype=float)
        if self.kind == "reflected":
            # The mirrored components carry f(-x); on [0, inf) their sum is the reflected density.
            lower, upper = np.maximum(lower, 0.0), np.maximum(upper, 0.0)
        return log_mixture_mass(self._coordinate(lower), self._coordinate(upper), self.components)

    def cdf(self, points: np.ndarray) -> np.ndarray:
        """F(x), the probability of an age at most x (Gyr), shape (k,)."""
        x = np.asarray(points, dtype=float)
        return np.exp(self.log_mass(np.full(x.size, -np.inf), x))

    def sample(self, size: int, *, rng: np.random.Generator) -> np.ndarray:
        """``size`` ages (Gyr) drawn from the model: a star's component, then its normal.

        ``"reflected"`` folds negative draws to -x (the reflection's own
        definition), ``"log"`` exponentiates: neither yields a negative age.
        """
        comp = self.components
        # One component per star: for "reflected" the first half (the mirrored copies only
        # exist to evaluate the density; drawing from f and folding at 0 is the same law).
        primary = np.arange(comp.centres.size // 2 if self.kind == "reflected" else comp.centres.size)
        chosen = rng.choice(primary, size=size, p=comp.counts[primary] / comp.n_stars)
        draws = comp.centres[chosen] + comp.scales[chosen] * rng.standard_normal(size)
        if self.kind == "reflected":
            return np.abs(draws)
        return np.exp(draws) if self.kind == "log" else draws


def _checked_ages(ages: np.ndarray, kind: str) -> np.ndarray:
    ages = np.asarray(ages, dtype=float)
    if ages.ndim != 1 or ages.size < 1 or not np.all(np.isfinite(ages)):
        raise DataError(f"ages: expected a 1-D array of finite ages in Gyr, got shape {ages.shape}")
    if kind not in KDE_KINDS:
        raise DataError(f"kind: expected one of {', '.join(KDE_KINDS)}, got {kind!r}")
    if kind == "reflected" and ages.min() < 0:
        raise DataError(f"ages: a KDE reflected at 0 Gyr needs ages >= 0 Gyr, got {ages.min():g}")
    if kind == "log" and ages.min() <= 0:
        raise DataError(f"ages: a KDE of log age needs ages > 0 Gyr, got {ages.min():g}")
    return ages


def components_for(
    ages: np.ndarray, bandwidth: float, *, kind: str = "gaussian", sigmas: np.ndarray | None = None
) -> tuple[Components, np.ndarray]:
    """The mixture components of a KDE of ``ages`` and each star's group.

    Parameters
    ----------
    ages : ndarray, shape (n,)
        Ages in Gyr.
    bandwidth : float
        h in Gyr (log Gyr for ``kind="log"``); > 0, or >= 0 with ``sigmas`` all > 0.
    kind : str
        One of ``KDE_KINDS``.
    sigmas : ndarray, shape (n,), optional
        One-sigma age uncertainties in Gyr (``kind="gaussian"`` only): star j's
        kernel has variance h^2 + sigma_j^2.

    Returns
    -------
    (Components, ndarray of int, shape (n,))
        The components (identical stars, same age and sigma, share one) and
        the group of each star, for leave-one-out.
    """
    ages = _checked_ages(ages, kind)
    if sigmas is not None and kind != "gaussian":
        raise DataError(f"sigmas: per-star uncertainties need kind 'gaussian', got {kind!r}")
    sig = np.zeros(ages.size) if sigmas is None else np.asarray(sigmas, dtype=float)
    if sig.shape != ages.shape or not np.all(np.isfinite(sig)) or np.any(sig < 0):
        raise DataError(f"sigmas: expected {ages.size} finite uncertainties >= 0 Gyr, got shape {sig.shape}")
    if not np.isfinite(bandwidth) or bandwidth < 0 or (bandwidth == 0 and np.any(sig == 0)):
        raise DataError(f"bandwidth: expected a positive number of Gyr, got {bandwidth!r}")
    coordinate = np.log(ages) if kind == "log" else ages
    keys, groups, counts = np.unique(np.stack([coordinate, sig]), axis=1, return_inverse=True, return_counts=True)
    centres, scales = keys[0], np.sqrt(bandwidth**2 + keys[1] ** 2)
    group_ids = np.arange(centres.size)
    if kind == "reflected":
        centres, scales = np.concatenate([centres, -centres]), np.concatenate([scales, scales])
        counts, group_ids = np.concatenate([counts, counts]), np.concatenate([group_ids, group_ids])
    comp = Components(centres, scales, counts.astype(float), group_ids, int(ages.size))
    return comp, groups.ravel()


def fit_kde(
    ages: np.ndarray, bandwidth: float, *, kind: str = "gaussian", sigmas: np.ndarray | None = None
) -> KdeModel:
    """The KDE of ``ages`` (Gyr) with bandwidth h (Gyr; log Gyr for ``kind="log"``); see ``components_for``.

    Examples
    --------
    >>> model = fit_kde(np.array([1.0, 2.0]), 0.5, kind="reflected")
    >>> round(float(model.cdf(np.array([np.inf]))[0]), 12)
    1.0
    """
    comp, _ = components_for(ages, bandwidth, kind=kind, sigmas=sigmas)
    return KdeModel(kind=kind, bandwidth=float(bandwidth), components=comp)


@dataclass(frozen=True)
class NormalModel(_IntervalScores):
    """The normal N(mean, sd^2) of ages, mean and sd in Gyr (the report's Gaussian fit)."""

    mean: float
    sd: float

    def log_pdf(self, points: np.ndarray) -> np.ndarray:
        """log density (log(1/Gyr)) at ``points`` (Gyr)."""
        return stats.norm.logpdf(np.asarray(points, dtype=float), self.mean, self.sd)

    def log_mass(self, lower: np.ndarray, upper: np.ndarray) -> np.ndarray:
        """log probability of [lower, upper] (Gyr), accurate in the tails."""
        return log_normal_mass((np.asarray(lower) - self.mean) / self.sd, (np.asarray(upper) - self.mean) / self.sd)

    def cdf(self, points: np.ndarray) -> np.ndarray:
        """F(x) at ``points`` (Gyr)."""
        return stats.norm.cdf(np.asarray(points, dtype=float), self.mean, self.sd)

    def sample(self, size: int, *, rng: np.random.Generator) -> np.ndarray:
        """``size`` ages (Gyr) from the normal (negative ages possible)."""
        return self.mean + self.sd * rng.standard_normal(size)


def fit_normal(ages: np.ndarray) -> NormalModel:
    """Maximum-likelihood normal of ``ages`` (Gyr): mean and ddof = 0 sd, as ``scipy.stats.norm.fit``."""
    ages = _checked_ages(ages, "gaussian")
    sd = float(np.std(ages))
    if sd == 0:
        raise DataError(f"ages: all {ages.size} ages equal {ages[0]:g} Gyr; a normal fitted to them has zero width")
    return NormalModel(float(np.mean(ages)), sd)
