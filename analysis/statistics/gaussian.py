"""The single-normal model the lecture fits before turning to KDEs."""

import numpy as np
from scipy import stats

from ..results import GaussianFit

__all__ = ["SMOOTH_POINTS", "SMOOTH_SIGMAS", "fit_gaussian"]

#: Points of the smooth pdf curve.
SMOOTH_POINTS = 400
#: The smooth curve reaches this many sigma either side of mu (and always covers the data).
SMOOTH_SIGMAS = 4.0
#: Free parameters of the normal (mu, sigma), for the AIC.
_N_PARAMETERS = 2


def fit_gaussian(ages: np.ndarray) -> GaussianFit:
    """Maximum-likelihood normal fit, its likelihood and a goodness-of-fit test.

    Parameters
    ----------
    ages : ndarray, shape (n,)
        Ages in Gyr; at least two distinct values.

    Returns
    -------
    GaussianFit
        ``mu`` and ``sigma`` (Gyr) from ``scipy.stats.norm.fit`` (so ``sigma``
        divides by n, not n - 1); ``log_likelihood`` is the sum of
        ``norm.logpdf`` over the ages and ``aic = 2 k - 2 lnL`` with k = 2.
        ``ks_statistic``/``ks_pvalue`` test the ages against the fitted normal
        (``scipy.stats.kstest``); because mu and sigma were estimated from the
        same ages the p-value is optimistic (too large), see Lilliefors (1967).
        ``lecture_edges``/``lecture_counts`` reproduce the lecture's curve:
        the 11 edges of ``np.histogram(ages)`` and ``norm.pdf(edges) * n``
        (stars per Gyr); ``lecture_histogram`` holds that histogram's 10 counts. ``smooth_x``/``smooth_density`` is the pdf (1/Gyr) on
        400 points spanning the data and mu +- 4 sigma.

    Raises
    ------
    ValueError
        If the ages have fewer than two distinct values (sigma would be 0).

    References
    ----------
    Akaike, H. (1974), IEEE Trans. Automatic Control 19, 716.
    Lilliefors, H. W. (1967), J. Am. Stat. Assoc. 62, 399.
    """
    ages = np.asarray(ages, dtype=float)
    if ages.ndim != 1 or np.unique(ages).size < 2:
        raise ValueError(
            f"fit_gaussian: expected a 1-D array with at least 2 distinct ages, got shape {ages.shape} "
            f"with {np.unique(ages).size} distinct values"
        )
    mu, sigma = (float(v) for v in stats.norm.fit(ages))
    log_likelihood = float(np.sum(stats.norm.logpdf(ages, mu, sigma)))
    ks = stats.kstest(ages, "norm", args=(mu, sigma))
    counts, edges = np.histogram(ages)
    lecture_counts = stats.norm.pdf(edges, mu, sigma) * ages.size
    low = min(float(ages.min()), mu - SMOOTH_SIGMAS * sigma)
    high = max(float(ages.max()), mu + SMOOTH_SIGMAS * sigma)
    smooth_x = np.linspace(low, high, SMOOTH_POINTS)
    return GaussianFit(
        mu=mu,
        sigma=sigma,
        log_likelihood=log_likelihood,
        aic=float(2 * _N_PARAMETERS - 2.0 * log_likelihood),
        ks_statistic=float(ks.statistic),
        ks_pvalue=float(ks.pvalue),
        lecture_edges=tuple(float(e) for e in edges),
        lecture_histogram=tuple(int(c) for c in counts),
        lecture_counts=tuple(float(c) for c in lecture_counts),
        smooth_x=tuple(float(x) for x in smooth_x),
        smooth_density=tuple(float(d) for d in stats.norm.pdf(smooth_x, mu, sigma)),
    )
