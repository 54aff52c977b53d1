"""The timing and memory helpers the benchmark scripts share."""

import time
import tracemalloc

import numpy as np


def median_time(fn, repeats: int) -> tuple[float, object]:
    """Median wall time in seconds of ``repeats`` calls of ``fn``, and its last result."""
    times, out = [], None
    for _ in range(repeats):
        start = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - start)
    return float(np.median(times)), out


def peak_memory(call) -> int:
    """Peak bytes allocated during ``call()`` (tracemalloc sees numpy's arrays and the peers')."""
    tracemalloc.start()
    call()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak
