"""Row identities and fold labels that do not depend on how a catalog is partitioned.

A fold label must follow the star, not the partition it was read in, or
re-partitioning would move stars between folds and change the held-out
scores. Each row gets a 64-bit *key*, then its label is a hash of the key and
a seed word, mapped onto ``range(folds)``:

* an integer id column (e.g. Gaia ``source_id``): the key is the id itself;
  this is the preferred identity for every kind of source;
* Parquet files without an id column: the key is the row's global index in
  the concatenation of the files in sorted path order (offsets from the
  Parquet footers), so re-cutting the same row sequence into 7, 23 or one
  file keeps every key; reordering rows does not;
* a HATS catalog without an id column: the key hashes the row's
  ``_healpix_29`` and its occurrence number among rows with that same value
  (in file order). Equal ``_healpix_29`` values always share a partition, so
  this does not depend on the pixel partitioning; it does assume the writer
  keeps duplicates (the same order-29 pixel, 0.4 mas) in a stable order.

The mixing function is splitmix64 (Steele, Lea & Flood 2014), whose output
passes BigCrush; the label is ``(hash >> 32) * folds >> 32`` (Lemire 2019),
biased by at most folds / 2**32. Fold sizes are multinomial rather than
``np.array_split``'s equal sizes: they differ by O(sqrt(n / folds)) ages.
"""

import hashlib

import numpy as np

__all__ = ["fold_labels", "healpix_keys", "index_keys", "seed_word", "splitmix64"]

def splitmix64(keys: np.ndarray) -> np.ndarray:
    """splitmix64 of each uint64 key, shape preserved.

    >>> int(splitmix64(np.array([0], dtype=np.uint64))[0])
    16294208416658607535
    """
    from .kernels import mix_array  # numba, loaded only when a catalog is reduced

    keys = np.ascontiguousarray(keys, dtype=np.uint64)
    out = np.empty_like(keys)
    mix_array(keys.ravel(), out.ravel())
    return out


def seed_word(seed: int, *keys: str) -> np.uint64:
    """A 64-bit word from the root seed and a purpose, as ``seeds.rng_for`` keys its streams.

    >>> bool(seed_word(1, "joyce", "held-out-folds") == seed_word(1, "joyce", "held-out-folds"))
    True
    """
    digest = hashlib.sha256(repr((int(seed), *keys)).encode("utf-8")).digest()
    return np.uint64(int.from_bytes(digest[:8], "little"))


def fold_labels(keys: np.ndarray, folds: int, word: np.uint64) -> np.ndarray:
    """Fold label (int8, shape (n,)) of each row key for ``folds`` folds and seed word ``word``.

    Raises
    ------
    ValueError
        If ``folds`` is not between 2 and 127.
    """
    if not 2 <= folds <= 127:
        raise ValueError(f"fold_labels: folds must be between 2 and 127, got {folds}")
    from .kernels import hash_labels  # numba, loaded only when a catalog is reduced

    keys = np.ascontiguousarray(keys, dtype=np.uint64)
    out = np.empty(keys.size, dtype=np.int8)
    hash_labels(keys, np.uint64(word), folds, out)
    return out


def index_keys(offset: int, n: int) -> np.ndarray:
    """Keys of n rows starting at global row ``offset`` (files in sorted path order)."""
    return np.arange(offset, offset + n, dtype=np.uint64)


def healpix_keys(healpix29: np.ndarray) -> np.ndarray:
    """Keys from ``_healpix_29`` and each row's occurrence number among equal values (file order)."""
    values = np.asarray(healpix29).astype(np.uint64, copy=False)
    order = np.argsort(values, kind="stable")
    ordered = values[order]
    starts = np.flatnonzero(np.r_[True, ordered[1:] != ordered[:-1]])
    run = np.arange(ordered.size) - np.repeat(starts, np.diff(np.r_[starts, ordered.size]))
    occurrence = np.empty(values.size, dtype=np.uint64)
    occurrence[order] = run.astype(np.uint64)
    # Mix the occurrence first so (pixel, 1) is not (pixel + 1, 0).
    return values ^ splitmix64(occurrence + np.uint64(0x5BD1E995))
