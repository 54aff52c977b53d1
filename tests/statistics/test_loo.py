import numpy as np
import pytest
from scipy import stats
from scipy.special import logsumexp

from analysis.statistics.loo import loo_log_scores, window_bandwidths


def brute_loo(ages, h, *, precision=None, sigmas=None, kind="gaussian"):
    """Star by star: drop it, evaluate the KDE of the rest directly with scipy."""
    out = []
    sig = np.zeros(ages.size) if sigmas is None else sigmas
    for i in range(ages.size):
        rest, s = np.delete(ages, i), np.sqrt(h**2 + np.delete(sig, i) ** 2)
        x = ages[i]
        if kind == "log":
            rest, x0 = np.log(rest), x
            if precision is None:
                out.append(np.log(stats.norm.pdf(np.log(x), rest, s).mean() / x0))
            else:
                lo = np.log(x - precision / 2)
                hi = np.log(x + precision / 2)
                out.append(np.log((stats.norm.cdf(hi, rest, s) - stats.norm.cdf(lo, rest, s)).mean() / precision))
            continue
        centres = np.concatenate([rest, -rest]) if kind == "reflected" else rest
        scales = np.concatenate([s, s]) if kind == "reflected" else s
        if precision is None:  # in log space, so far outliers do not underflow to log(0)
            out.append(logsumexp(stats.norm.logpdf(x, centres, scales)) - np.log(rest.size))
            continue
        else:
            lo = max(x - precision / 2, 0.0) if kind == "reflected" else x - precision / 2
            value = (stats.norm.cdf(x + precision / 2, centres, scales) - stats.norm.cdf(lo, centres, scales)).sum()
            value /= rest.size * precision
        out.append(np.log(value))
    return np.array(out)


@pytest.mark.parametrize("kind", ["gaussian", "reflected", "log"])
@pytest.mark.parametrize("precision", [None, 0.5])
def test_loo_matches_brute_force(kind, precision):
    rng = np.random.default_rng(21)
    ages = np.round(np.abs(rng.normal(6, 3, 40)) + 0.5, 0 if precision else 2)  # ties on the 1-Gyr grid
    h = 0.15 if kind == "log" else 0.7
    got = loo_log_scores(ages, h, kind=kind, precision=precision)
    assert got == pytest.approx(brute_loo(ages, h, kind=kind, precision=precision), rel=1e-10, abs=1e-10)


def test_loo_with_per_star_errors_matches_brute_force():
    rng = np.random.default_rng(22)
    ages = rng.normal(8, 2, 30)
    sigmas = rng.uniform(0.1, 1.5, 30)
    got = loo_log_scores(ages, 0.4, sigmas=sigmas)
    assert got == pytest.approx(brute_loo(ages, 0.4, sigmas=sigmas), rel=1e-12)


def test_isolated_star_is_not_floored():
    ages = np.array([0.0, 0.01, 0.02, 0.03, 50.0])
    h = 0.05
    got = loo_log_scores(ages, h)
    # The far star's LOO density is a sum of four kernels ~50 Gyr = 1000 bandwidths away: log ~ -5e5.
    want = (
        np.log(np.mean(np.exp(0)))
        + stats.norm.logpdf(50.0, ages[:4], h).max()
        - np.log(4)
        + np.log(np.exp(stats.norm.logpdf(50.0, ages[:4], h) - stats.norm.logpdf(50.0, ages[:4], h).max()).sum())
    )
    assert got[4] == pytest.approx(want, rel=1e-12)
    assert got[4] < -4e5


def test_window_bound_holds_numerically():
    # The terms outside d + k h sum to less than eps x the largest kept term.
    for n in (2, 91, 10**6):
        k = window_bandwidths(n)
        assert (n - 2) * np.exp(-(k**2) / 2) <= 2.0**-53 * 1.0000001


@pytest.mark.parametrize("pairs, stars", [(1 << 15, 1 << 13), (7, 50), (1, 3)])
def test_windowed_loo_is_exact_however_its_windows_are_cut(monkeypatch, pairs, stars):
    # A tail star at a wide bandwidth sees most of a catalog: its window then spans several chunks of
    # pairs, merged by a running log-sum-exp. Tiny chunks and blocks must give scipy's values.
    from analysis.statistics import loo

    monkeypatch.setattr(loo, "_PAIRS_PER_CHUNK", pairs)
    monkeypatch.setattr(loo, "_STARS_PER_BLOCK", stars)
    rng = np.random.default_rng(31)
    x = np.sort(np.concatenate([rng.normal(5, 1, 300), np.round(rng.normal(8, 1, 60), 1), [30.0, 31.0]]))
    h = 0.3
    want = np.array([logsumexp(stats.norm.logpdf(x[i], np.delete(x, i), h)) - np.log(x.size - 1) for i in range(x.size)])
    assert loo.windowed_loo(x, np.arange(x.size), h) == pytest.approx(want, abs=1e-12)
    # The same stars as distinct values with counts (a catalog's cells): a tied value keeps its ties' kernels.
    values, counts = np.unique(x, return_counts=True)
    got = loo.windowed_loo(values, np.arange(values.size), h, counts=counts)
    assert got == pytest.approx(want[np.searchsorted(x, values)], abs=1e-12)
