"""Fixtures shared by the test modules."""

import os
from pathlib import Path
from typing import NamedTuple

import pytest

from tests.support import require

#: The real data file the report is about; it ships in data/.
REAL_FILE = "stellar_ages.dat"
ROOT = Path(__file__).resolve().parent.parent
#: A site the caller already built with ``--engine quarto`` (see ``quarto_site``).
QUARTO_SITE_ENV = "KDE_REPORT_QUARTO_SITE"


def _data_dir() -> Path:
    """Where the build finds ``stellar_ages.dat``: ``data/``, where it ships, unless ``$KDE_REPORT_DATA_DIR`` says."""
    return Path(os.environ.get("KDE_REPORT_DATA_DIR") or ROOT / "data")


@pytest.fixture
def real_data_dir() -> Path:
    """The folder holding ``stellar_ages.dat`` (``data/`` of the project, or ``$KDE_REPORT_DATA_DIR``).

    Skips when the file is absent; fails instead when ``CI`` is set, because
    the file ships with the project and its absence means the checkout is broken.
    """
    folder = _data_dir()
    require((folder / REAL_FILE).is_file(), f"the real data is not available: no {REAL_FILE} in {folder}")
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
    folder = _data_dir()
    require((folder / REAL_FILE).is_file(), f"the real data is not available: no {REAL_FILE} in {folder}")
    return {**os.environ, "KDE_REPORT_DATA_DIR": str(folder.resolve()), "MPLBACKEND": "Agg"}


@pytest.fixture(scope="session")
def built_site(build_env, tmp_path_factory) -> Path:
    """The report of the real data, built once per test run with the pandoc engine."""
    from tests.support import run_build

    out = tmp_path_factory.mktemp("build") / "site"
    done = run_build("--engine", "pandoc", "--out", str(out), env=build_env)
    assert done.returncode == 0, done.stderr
    return out


@pytest.fixture(scope="session")
def quarto_site(build_env, tmp_path_factory) -> Path:
    """The report of the real data built with Quarto, the engine of the published site.

    ``$KDE_REPORT_QUARTO_SITE`` names a site that ``python build.py --engine quarto``
    already built from this checkout (the workflow builds the site once and tests
    it); it is used when its build key matches this checkout's, else built here.
    """
    from publish.engines import find_quarto
    from tests.support import run_build

    require(find_quarto()[0] is not None, "Quarto is not installed (no quarto on PATH, no quarto-cli package)")
    given = os.environ.get(QUARTO_SITE_ENV)
    if given:
        done = run_build("--engine", "quarto", "--out", given, env=build_env)
        assert done.returncode == 0, done.stderr
        if "nothing changed" in done.stderr:
            return Path(given)
    out = tmp_path_factory.mktemp("quarto") / "site"
    done = run_build("--engine", "quarto", "--out", str(out), env=build_env)
    assert done.returncode == 0, done.stderr
    return out


class Built(NamedTuple):
    """A site of the real data and the engine that built it."""

    engine: str
    site: Path


@pytest.fixture(params=["pandoc", "quarto"])
def built(request) -> Built:
    """The real data's report built by each engine in turn."""
    return Built(request.param, request.getfixturevalue("built_site" if request.param == "pandoc" else "quarto_site"))
