"""Random generators derived from one root seed.

Each stream is keyed by the data set's name and the purpose of the draw, not
by the order in which data sets are processed, so adding a data set never
changes another data set's draws (Scientific Python SPEC 7).
"""

import hashlib

import numpy as np

__all__ = ["DEFAULT_SEED", "rng_for"]

#: The root seed used when the configuration names none.
DEFAULT_SEED = 20230301


def _words(text: str) -> tuple[int, ...]:
    """Stable 32-bit words of a string (Python's ``hash`` is salted per run)."""
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    return tuple(int.from_bytes(digest[i : i + 4], "little") for i in range(0, 16, 4))


def rng_for(root_seed: int, *keys: str) -> np.random.Generator:
    """A generator for one purpose, e.g. ``rng_for(seed, "joyce", "cv-folds")``.

    Parameters
    ----------
    root_seed : int
        The report's root seed (non-negative).
    *keys : str
        What the stream is for: a data set name (or a pair ``"a|b"``) and a
        purpose. The same keys always give the same stream.

    Examples
    --------
    >>> a = rng_for(1, "joyce", "sample").random()
    >>> b = rng_for(1, "joyce", "sample").random()
    >>> a == b
    True
    """
    spawn_key = tuple(word for key in keys for word in _words(key))
    return np.random.default_rng(np.random.SeedSequence(root_seed, spawn_key=spawn_key))
