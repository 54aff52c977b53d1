"""Row identities and hashed fold labels: a row's fold is its own, whatever the partitioning."""

import numpy as np

from analysis.distributed.identity import fold_labels, healpix_keys, index_keys, seed_word, splitmix64


def _reference(x: int) -> int:
    mask = 2**64 - 1
    z = (x + 0x9E3779B97F4A7C15) & mask
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & mask
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & mask
    return z ^ (z >> 31)


def test_splitmix64_matches_the_reference():
    keys = np.array([0, 1, 2**40 + 3, 2**64 - 1], dtype=np.uint64)
    assert [int(v) for v in splitmix64(keys)] == [_reference(int(k)) for k in keys]


def test_fold_labels_follow_the_row_and_the_seed():
    keys = index_keys(0, 200_000)
    word = seed_word(1, "joyce", "held-out-folds")
    labels = fold_labels(keys, 5, word)
    counts = np.bincount(labels, minlength=5)
    assert abs(counts - 40_000).max() < 5 * np.sqrt(40_000)  # multinomial sizes
    shuffled = np.random.default_rng(3).permutation(200_000)
    assert np.array_equal(fold_labels(keys[shuffled], 5, word), labels[shuffled])  # a row's label is its own
    other = fold_labels(keys, 5, seed_word(2, "joyce", "held-out-folds"))
    assert 0.7 < np.mean(other != labels) < 0.9  # another seed, another split


def test_healpix_keys_are_unique_and_order_free_for_distinct_pixels():
    pixels = np.array([7, 7, 7, 3, 9, 3], dtype=np.int64)
    keys = healpix_keys(pixels)
    assert len(set(keys.tolist())) == pixels.size
    distinct = np.array([11, 5, 2**60], dtype=np.int64)
    assert np.array_equal(healpix_keys(distinct[::-1]), healpix_keys(distinct)[::-1])
