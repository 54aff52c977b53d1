"""Fixtures shared by the test modules."""

import os
from pathlib import Path

import pytest

from tests.support import require

#: The real data file the report is about; tests find it through this variable.
REAL_FILE = "stellar_ages.dat"


@pytest.fixture
def real_data_dir() -> Path:
    """The folder ``$KDE_REPORT_DATA_DIR`` holding ``stellar_ages.dat``.

    Skips when it is absent; fails instead when ``CI`` is set, because CI
    provides the file and its absence there means the setup is broken.
    """
    value = os.environ.get("KDE_REPORT_DATA_DIR", "")
    folder = Path(value)
    require(
        bool(value) and (folder / REAL_FILE).is_file(),
        f"the real data is not available: set KDE_REPORT_DATA_DIR to a folder holding {REAL_FILE} "
        f"(now {value!r})",
    )
    return folder


@pytest.fixture
def real_ages(real_data_dir: Path):
    """The real file's ages read independently with ``np.loadtxt``: shape (91, 2), Joyce and Bensby (Gyr)."""
    import numpy as np

    return np.loadtxt(real_data_dir / REAL_FILE)


@pytest.fixture(scope="session")
def browser():
    """Headless Chromium driven by Playwright (Debian's build; Playwright cannot download one here)."""
    from tests.support import CHROMIUM, CHROMIUM_ARGS

    require(CHROMIUM.exists(), f"no Chromium at {CHROMIUM} (install Debian's chromium or set CHROMIUM)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def build_env(tmp_path_factory) -> dict[str, str]:
    """The environment of a build of the real data (skipped without it, failed under CI)."""
    value = os.environ.get("KDE_REPORT_DATA_DIR", "")
    require(
        bool(value) and (Path(value) / REAL_FILE).is_file(),
        f"the real data is not available: set KDE_REPORT_DATA_DIR to a folder holding {REAL_FILE} (now {value!r})",
    )
    return {**os.environ, "KDE_REPORT_DATA_DIR": str(Path(value).resolve()), "MPLBACKEND": "Agg"}


@pytest.fixture(scope="session")
def built_site(build_env, tmp_path_factory) -> Path:
    """The report of the real data, built once per test run with the pandoc engine."""
    from tests.support import run_build

    out = tmp_path_factory.mktemp("build") / "site"
    done = run_build("--engine", "pandoc", "--out", str(out), env=build_env)
    assert done.returncode == 0, done.stderr
    return out
