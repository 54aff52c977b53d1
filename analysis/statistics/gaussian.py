"""The single-normal model the lecture fits before turning to KDEs, for any n.

The maximum-likelihood normal of ``scipy.stats.norm.fit`` (mu the mean, sigma
dividing by n), its log-likelihood (``norm.logpdf`` summed) and the
Kolmogorov-Smirnov test of ``scipy.stats.kstest``, each computed by passes of
``sample.CHUNK`` ages: up to that many ages scipy's own numbers to the last
bit, beyond it in bounded memory. Whether the ages are normal is judged by the
tests of ``normality`` (Lilliefors, Shapiro-Wilk), whose results the fit carries.
"""

import numpy as np
from scipy import stats

from ..results import GaussianFit
from .normality import normality_tests
from .sample import Sample, as_sample, mean, spread

__all__ = ["SMOOTH_POINTS", "SMOOTH_SIGMAS", "fit_gaussian", "normal_fit"]

#: Points of the smooth pdf curve.
SMOOTH_POINTS = 400
#: The smooth curve reaches this many sigma either side of mu (and always covers the data).
SMOOTH_SIGMAS = 4.0
#: Free parameters of the normal (mu, sigma), for the AIC.
_N_PARAMETERS = 2


def normal_fit(values: np.ndarray) -> tuple[float, float]:
    """``scipy.stats.norm.fit(values)``: the mean and the spread dividing by n (Gyr)."""
    mu = mean(values)
    return mu, spread(values, mu)


def fit_gaussian(ages: "np.ndarray | Sample", *, rng: np.random.Generator) -> GaussianFit:
    """Maximum-likelihood normal fit, its likelihood and tests of normality.

    Parameters
    ----------
    ages : ndarray, shape (n,), or Sample
        Ages in Gyr; at least two distinct values.
    rng : numpy.random.Generator
        Draws the subsamples of the normality tests above their size limits
        (``normality.normality_tests``); unused for smaller data sets.

    Returns
    -------
    GaussianFit
        ``mu`` and ``sigma`` (Gyr) as ``scipy.stats.norm.fit`` gives them (so
        ``sigma`` divides by n, not n - 1); ``log_likelihood`` is the sum of
        ``norm.logpdf`` over the ages and ``aic = 2 k - 2 lnL`` with k = 2.
        ``ks_statistic``/``ks_pvalue`` test the ages against the fitted normal
        (``scipy.stats.kstest``: D and ``kstwo.sf(D, n)``); because mu and
        sigma were estimated from the same ages the p-value is optimistic (too
        large), see Lilliefors (1967): normality is judged instead by the
        Lilliefors and Shapiro-Wilk tests of ``normality_tests`` (the
        ``lilliefors_*``, ``shapiro_*`` and ``normality_note`` fields).
        ``lecture_edges``/``lecture_counts``
        reproduce the lecture's curve: the 11 edges of ``np.histogram(ages)``
        and ``norm.pdf(edges) * n`` (stars per Gyr); ``lecture_histogram``
        holds that histogram's 10 counts. ``smooth_x``/``smooth_density`` is
        the pdf (1/Gyr) on 400 points spanning the data and mu +- 4 sigma.

    Raises
    ------
    ValueError
        If the ages have fewer than two distinct values (sigma would be 0).

    References
    ----------
    Akaike, H. (1974), IEEE Trans. Automatic Control 19, 716.
    Lilliefors, H. W. (1967), J. Am. Stat. Assoc. 62, 399.
    Shapiro, S. S. & Wilk, M. B. (1965), Biometrika 52, 591.
    """
    if not hasattr(ages, "order_statistics") and np.ndim(ages) != 1:
        raise ValueError(f"fit_gaussian: expected a 1-D array with at least 2 distinct ages, got shape {np.shape(ages)}")
    sample = as_sample(ages)
    if sample.n_distinct < 2:
        raise ValueError(
            f"fit_gaussian: expected a 1-D array with at least 2 distinct ages, got shape ({sample.n},) "
            f"with {sample.n_distinct} distinct values"
        )
    n = sample.n
    mu = sample.mean()
    sigma = sample.spread(mu)  # normal_fit: the maximum-likelihood sigma divides by n
    log_likelihood = sample.normal_log_likelihood(mu, sigma)
    ks = sample.normal_ks(mu, sigma)
    edges = sample.lecture_edges
    low = min(sample.minimum, mu - SMOOTH_SIGMAS * sigma)
    high = max(sample.maximum, mu + SMOOTH_SIGMAS * sigma)
    smooth_x = np.linspace(low, high, SMOOTH_POINTS)
    return GaussianFit(
        mu=mu,
        sigma=sigma,
        log_likelihood=log_likelihood,
        aic=float(2 * _N_PARAMETERS - 2.0 * log_likelihood),
        ks_statistic=ks,
        ks_pvalue=float(np.clip(stats.kstwo.sf(ks, n), 0.0, 1.0)),
        lecture_edges=tuple(float(e) for e in edges),
        lecture_histogram=tuple(int(c) for c in sample.bin_counts(edges)),
        lecture_counts=tuple(float(c) for c in stats.norm.pdf(edges, mu, sigma) * n),
        smooth_x=tuple(float(x) for x in smooth_x),
        smooth_density=tuple(float(d) for d in stats.norm.pdf(smooth_x, mu, sigma)),
        **normality_tests(sample, rng=rng)._asdict(),
    )
