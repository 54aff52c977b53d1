"""The report built from partitioned catalogs: a HATS catalog written by lsdb itself, and a worker killed mid-run."""

import json
import os
from pathlib import Path
import threading
import time

from bs4 import BeautifulSoup
import numpy as np
import pytest

import build
from publish.site import MARKER
from tests.distributed.conftest import need
from tests.support import run_build


def _text(page: Path) -> str:
    return " ".join(BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser").get_text(" ").split())


@pytest.fixture(scope="module")
def hats_catalog(tmp_path_factory) -> tuple[Path, dict]:
    """20 000 stars on the sky with two ages to 3 decimals, written as a HATS catalog by lsdb."""
    need("lsdb", "hats")
    import lsdb
    import pandas as pd

    rng = np.random.default_rng(8)
    n = 20_000
    frame = pd.DataFrame({
        "ra": rng.uniform(0, 360, n), "dec": np.degrees(np.arcsin(rng.uniform(-1, 1, n))),
        "age_a": np.maximum(np.round(rng.gamma(9.0, 0.6, n), 3), 0.001),
        "age_b": np.maximum(np.round(rng.gamma(8.0, 0.7, n), 3), 0.001),
    })  # fmt: skip
    folder = tmp_path_factory.mktemp("hats") / "ages"
    lsdb.from_dataframe(frame, ra_column="ra", dec_column="dec", catalog_name="ages", partition_rows=3_000).write_catalog(
        folder
    )
    return folder, {c: frame[c].to_numpy() for c in ("age_a", "age_b")}


def test_a_hats_catalog_written_by_lsdb_builds_the_report_on_a_local_cluster(hats_catalog, tmp_path):
    folder, ages = hats_catalog
    out = tmp_path / "site"
    env = {**os.environ, "MPLBACKEND": "Agg"}
    done = run_build("--data", str(folder), "--dask", "--engine", "pandoc", "--format", "html", "--out", str(out), env=env)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "dashboard: http" in done.stderr and "HEALPix pixels" in done.stderr
    results = json.loads((out / "downloads" / "results.json").read_text(encoding="utf-8"))
    assert [d["n"] for d in results["datasets"]] == [20_000, 20_000]
    assert results["datasets"][0]["summary"]["median"] == float(np.median(ages["age_a"]))
    assert results["datasets"][0]["partitioned"]["grid"] == "decimal"
    dataset = _text(out / "dataset-age_a.html")
    assert "A partitioned catalog" in dataset and "HATS catalog ages" in dataset and "exact" in dataset
    assert "Computed from a partitioned catalog" in _text(out / "comparison.html")
    methods = _text(out / "methods.html")
    assert "Partitioned catalogs" in methods and "128-bit fixed-point" in methods
    for text in (dataset, _text(out / "comparison.html"), methods):  # every callout closed, no sentences run together
        assert ":::" not in text and "exact.The" not in text


def test_python_m_analysis_takes_the_same_data_arguments_and_writes_the_same_layout(folders, tmp_path):
    import subprocess
    import sys

    from tests.support import ROOT

    out = tmp_path / "results.json"
    done = subprocess.run(
        [sys.executable, "-m", "analysis", str(folders[7] / "*.parquet"), "--column", "age_a", "--json", str(out)],
        cwd=ROOT, capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    result = json.loads(out.read_text(encoding="utf-8"))
    default = subprocess.run(
        [sys.executable, "-m", "analysis", "--json", str(tmp_path / "default.json")],
        cwd=ROOT, capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip
    assert default.returncode == 0, default.stderr[-2000:]
    expected = json.loads((tmp_path / "default.json").read_text(encoding="utf-8"))
    assert result.keys() == expected.keys()
    assert result["datasets"][0].keys() == expected["datasets"][0].keys()
    assert result["datasets"][0]["n"] == 1_000_000 and result["datasets"][0]["partitioned"]["fold_sizes"]


def test_a_worker_killed_mid_run_is_retried_or_fails_in_one_line_leaving_the_site(client, folders, tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(build, "ARTEFACT_CACHE", tmp_path / "cache")
    monkeypatch.setattr(build, "GENERATED", tmp_path / "generated")
    out = tmp_path / "site"
    out.mkdir()
    (out / MARKER).write_text("", encoding="utf-8")
    (out / "index.html").write_text("the previous site", encoding="utf-8")
    address = client.scheduler.address
    pids = client.run(os.getpid)
    victim = sorted(pids)[0]

    def kill_soon():
        # Wait until the second pass has started, then end one worker process; its nanny starts another.
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            started = client.run_on_scheduler(lambda dask_scheduler: sum(str(k).startswith("bins") for k in dask_scheduler.tasks))
            if started:
                break
            time.sleep(0.02)
        client.run(lambda: threading.Timer(0.01, os._exit, args=(1,)).start(), workers=[victim])

    killer = threading.Thread(target=kill_soon)
    killer.start()
    try:
        status = build.main([
            "--data", str(folders[23]), "--column", "age_a", "--dask", address, "--engine", "pandoc", "--format", "html",
            "--out", str(out), "--quiet",
        ])  # fmt: skip
    finally:
        killer.join()
        client.wait_for_workers(2, timeout=60)
    error = capsys.readouterr().err.strip()
    if status == 0:  # Dask retried the lost tasks on the other worker
        assert "A partitioned catalog" in _text(out / "dataset-age_a.html")
    else:  # or one line naming the stage, and the previous site as it was
        assert status == 1 and "\n" not in error and error.startswith("build failed in stage 'analyse': stage '")
        assert (out / "index.html").read_text(encoding="utf-8") == "the previous site"
    assert pids[victim] not in client.run(os.getpid).values()  # it really died
