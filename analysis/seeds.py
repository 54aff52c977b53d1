"""Random generators derived from one root seed.

Each stream is keyed by the data set's name and the purpose of the draw, not
by the order in which data sets are processed, so adding a data set never
changes another data set's draws (Scientific Python SPEC 7).
"""

import hashlib

import numpy as np

__all__ = ["BOOTSTRAP", "CV_FOLDS", "DEFAULT_SEED", "HELD_OUT_FOLDS", "NORMALITY", "SYNTHETIC", "rng_for"]

#: The root seed used when the configuration names none.
DEFAULT_SEED = 20230301

# The purposes of the random streams, one name each (the key after the data set's name):
#: the folds of the cross-validated bandwidth,
CV_FOLDS = "cv-folds"
#: the folds of the held-out scores,
HELD_OUT_FOLDS = "held-out-folds"
#: a generative model's samples (keyed further by the model's kind and bandwidth),
SYNTHETIC = "synthetic"
#: a pair's bootstrap intervals (unpaired, then paired) and Anderson-Darling subsample (keyed by ``"a|b"``).
BOOTSTRAP = "bootstrap"
#: the subsamples of a catalog's normality tests (Shapiro-Wilk, then Lilliefors).
NORMALITY = "normality"


def _words(text: str) -> tuple[int, ...]:
    """Stable 32-bit words of a string (Python's ``hash`` is salted per run)."""
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    return tuple(int.from_bytes(digest[i : i + 4], "little") for i in range(0, 16, 4))


def rng_for(root_seed: int, *keys: str) -> np.random.Generator:
    """A generator for one purpose, e.g. ``rng_for(seed, "joyce", CV_FOLDS)``.

    Parameters
    ----------
    root_seed : int
        The report's root seed (non-negative).
    *keys : str
        What the stream is for: a data set name (or a pair ``"a|b"``) and a
        purpose (``CV_FOLDS``, ``HELD_OUT_FOLDS``, ``SYNTHETIC``, ``BOOTSTRAP``,
        ``NORMALITY``). The same
        keys always give the same stream.

    Examples
    --------
    >>> a = rng_for(1, "joyce", SYNTHETIC).random()
    >>> b = rng_for(1, "joyce", SYNTHETIC).random()
    >>> a == b
    True
    """
    spawn_key = tuple(word for key in keys for word in _words(key))
    return np.random.default_rng(np.random.SeedSequence(root_seed, spawn_key=spawn_key))
