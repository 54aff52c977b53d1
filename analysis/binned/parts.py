"""Work over a catalog's ages in parts of a fixed size, in threads, its results in the parts' order.

The compiled loops (``loops``) release the GIL, so parts run on every core;
because a part's size never depends on the machine, neither does the order in
which callers add the parts' results, and so neither does any bit of a sum.
"""

from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
import os
from typing import TypeVar

__all__ = ["in_parts"]

T = TypeVar("T")


def in_parts(work: Callable[[slice], T], size: int, part: int) -> Iterator[T]:
    """``work(slice)`` over ``[0, size)`` in slices of ``part``, yielded in order.

    At most one batch of results (one per core) exists at once, so callers
    that fold each result into a total hold a bounded number of partials.
    """
    slices = [slice(start, start + part) for start in range(0, max(size, 1), part)]
    if len(slices) == 1:
        yield work(slices[0])
        return
    workers = min(len(slices), os.cpu_count() or 1)
    with ThreadPoolExecutor(max_workers=workers) as pool:
        for first in range(0, len(slices), workers):
            yield from pool.map(work, slices[first : first + workers])
