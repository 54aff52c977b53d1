"""Shared fixtures of the partitioned-catalog tests: one 2-worker LocalCluster and seeded partitioned catalogs.

Dask, distributed, lsdb and hats come with ``pip install -e ".[test]"``; a
test that needs them fails under ``CI=true`` rather than skipping.
"""

import importlib.util
from pathlib import Path

import numpy as np
import pytest

from benchmarks.make_catalog import catalog_columns, write_files
from tests.support import require

#: Stars of the cluster tests' catalog: two ages each, 2e6 ages, a few million as the issue asks.
N_STARS = 1_000_000


def need(*modules: str) -> None:
    """Skip without these modules; fail under CI (which installs them)."""
    missing = [m for m in modules if importlib.util.find_spec(m) is None]
    require(not missing, f"{', '.join(missing)} not installed (pip install -e '.[test]')")


@pytest.fixture(scope="session")
def client():
    """A LocalCluster of 2 single-threaded worker processes with 2 GiB each, as ``--dask`` starts."""
    need("dask", "distributed")
    from distributed import Client, LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, memory_limit="2GiB", dashboard_address=":0") as cluster:
        with Client(cluster) as active:
            yield active


@pytest.fixture(scope="session")
def stars() -> dict[str, np.ndarray]:
    """1e6 stars with two ages to 4 decimals (a decimal cell grid) and an id."""
    return catalog_columns(N_STARS, rng=np.random.default_rng(20240601), first_id=10**9, decimals=4)


@pytest.fixture(scope="session")
def folders(tmp_path_factory, stars) -> dict[int, Path]:
    """The same rows cut into 7 and into 23 files, each folder named ``catalog`` (as a user's would be)."""
    root = tmp_path_factory.mktemp("partitioned")
    return {files: write_files(root / f"cut{files}" / "catalog", stars, files) for files in (7, 23)}
