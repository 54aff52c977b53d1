"""Normal mixtures with known truth: sampling, exact (interval) scores, and the closed-form MISE of a Gaussian KDE.

Used to check the selectors and scores where the answer is known (Marron & Wand 1992).
"""

from dataclasses import dataclass

import numpy as np
from scipy import stats
from scipy.optimize import minimize_scalar
from scipy.special import logsumexp

from analysis.statistics.models import interval_edges
from analysis.statistics.normal_mass import log_normal_mass

__all__ = ["NormalMixture", "mise", "mise_optimal_bandwidth"]


@dataclass(frozen=True)
class NormalMixture:
    """sum_l w_l N(mu_l, sd_l^2), means and sds in Gyr; answers like a fitted model (``score``, ``log_mass``...)."""

    weights: tuple[float, ...]
    means: tuple[float, ...]
    sds: tuple[float, ...]

    def _arrays(self):
        return np.asarray(self.weights, float), np.asarray(self.means, float), np.asarray(self.sds, float)

    def sample(self, size: int, *, rng: np.random.Generator) -> np.ndarray:
        """``size`` ages (Gyr)."""
        w, mu, sd = self._arrays()
        k = rng.choice(w.size, size=size, p=w / w.sum())
        return mu[k] + sd[k] * rng.standard_normal(size)

    def log_pdf(self, points: np.ndarray) -> np.ndarray:
        """log density (log(1/Gyr))."""
        w, mu, sd = self._arrays()
        x = np.asarray(points, float)[:, None]
        return logsumexp(stats.norm.logpdf(x, mu, sd) + np.log(w), axis=1)

    def log_mass(self, lower: np.ndarray, upper: np.ndarray) -> np.ndarray:
        """log probability of [lower, upper] (Gyr)."""
        w, mu, sd = self._arrays()
        lo, hi = np.asarray(lower, float)[:, None], np.asarray(upper, float)[:, None]
        return logsumexp(log_normal_mass((lo - mu) / sd, (hi - mu) / sd) + np.log(w), axis=1)

    def score(self, points: np.ndarray, precision: float | None) -> np.ndarray:
        """Point or interval score, exactly as ``models.KdeModel.score``."""
        if precision is None:
            return self.log_pdf(points)
        lower, upper = interval_edges(points, precision)
        return self.log_mass(lower, upper) - np.log(precision)


def mise(mixture: NormalMixture, bandwidth: float, n: int) -> float:
    """MISE (1/Gyr) of the Gaussian KDE of n ages from ``mixture`` at bandwidth h (Gyr).

    Marron & Wand (1992), Theorem 2.1:
    MISE(h) = 1/(2 sqrt(pi) n h) + w' [(1 - 1/n) Omega_2 - 2 Omega_1 + Omega_0] w,
    Omega_a[l, l'] = phi(mu_l - mu_l'; 0, a h^2 + sd_l^2 + sd_l'^2).
    """
    w, mu, sd = mixture._arrays()
    diff = mu[:, None] - mu[None, :]
    var = sd[:, None] ** 2 + sd[None, :] ** 2

    def omega(a: int) -> np.ndarray:
        return stats.norm.pdf(diff, 0, np.sqrt(a * bandwidth**2 + var))

    return float(1 / (2 * np.sqrt(np.pi) * n * bandwidth) + w @ ((1 - 1 / n) * omega(2) - 2 * omega(1) + omega(0)) @ w)


def mise_optimal_bandwidth(mixture: NormalMixture, n: int) -> float:
    """The h (Gyr) minimising ``mise`` for n ages (bounded search over 1e-3 to 10 x the largest sd)."""
    top = 10 * max(mixture.sds)
    result = minimize_scalar(
        lambda v: mise(mixture, float(np.exp(v)), n),
        bounds=(np.log(1e-3), np.log(top)),
        method="bounded",
        options={"xatol": 1e-8},
    )
    return float(np.exp(result.x))
