"""``python -m analysis`` as a user runs it."""

import json
from pathlib import Path
import subprocess
import sys

import numpy as np

ROOT = Path(__file__).resolve().parent.parent


def _run(*args: str, env_dir: Path | None = None) -> subprocess.CompletedProcess:
    env = {"PATH": "/usr/bin:/bin", "HOME": str(ROOT)}
    if env_dir is not None:
        env["KDE_REPORT_DATA_DIR"] = str(env_dir)
    return subprocess.run([sys.executable, "-m", "analysis", *args], cwd=ROOT, env=env, capture_output=True, text=True)


def test_summary_and_json_for_the_default_data(real_data_dir, tmp_path):
    out = tmp_path / "results.json"
    run = _run("--seed", "7", "--json", str(out), env_dir=real_data_dir)
    assert run.returncode == 0, run.stderr
    assert "10.8341" in run.stdout and "3.9351" in run.stdout
    data = json.loads(out.read_text())
    assert data["seed"] == 7
    assert [d["name"] for d in data["datasets"]] == ["joyce", "bensby"]


def test_a_users_file(tmp_path):
    ages = np.random.default_rng(5).normal([6.0, 11.0], [2.0, 1.5], size=(40, 2)).clip(0.3)
    data = tmp_path / "my_ages.csv"
    data.write_text("Young,Old\n" + "\n".join(f"{a:.3f},{b:.3f}" for a, b in ages) + "\n")
    run = _run(str(data), "--json", str(tmp_path / "r.json"))
    assert run.returncode == 0, run.stderr
    result = json.loads((tmp_path / "r.json").read_text())
    assert [d["name"] for d in result["datasets"]] == ["young", "old"]
    # The p-values are far below 0.001 (scipy may round them to 0.0): printed as the report prints them.
    (comparison,) = result["comparisons"]
    paired = comparison["paired"]
    assert comparison["ks_pvalue"] < 1e-6 and paired["wilcoxon_pvalue"] < 1e-6 and paired["ttest_pvalue"] < 1e-6
    (row,) = [line for line in run.stdout.splitlines() if line.count("young") and line.count("old")]
    assert row.count("< 0.001") == 3, row
    # The interval is the paired one: the two columns are the same stars.
    low, high = paired["mean_difference_ci"]
    assert f"{low:+.3f} to {high:+.3f} (paired)" in row


def test_bad_input_exits_2_with_one_line(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("a,b\n1.0,2.0\n3.0,abc\n")
    run = _run(str(bad))
    assert run.returncode == 2
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "bad.csv:3" in lines[0] and "'abc'" in lines[0]


def test_a_small_file_prints_n_a_with_the_reasons_and_writes_json_without_nan(tmp_path):
    data = tmp_path / "pairs.csv"
    data.write_text("a,b\n1.0,1.5\n2.0,2.2\n3.5,3.0\n")
    out = tmp_path / "r.json"
    run = _run(str(data), "--json", str(out))
    assert run.returncode == 0, run.stderr
    text = out.read_text()
    assert "NaN" not in text
    result = json.loads(text)
    assert [d["bandwidths"]["isj"] for d in result["datasets"]] == [None, None]
    # The summary table comes first: data set, n, mu, sigma, Scott, Silverman, ISJ, CV, > 13.80 Gyr (the
    # age of the Universe printed as the pages print it).
    header = next(line for line in run.stdout.splitlines() if line.startswith("┃ data set"))
    assert header.split("┃")[9].strip() == "> 13.80 Gyr"
    row = next(line for line in run.stdout.splitlines() if line.startswith("│ a "))
    assert row.split("│")[7].strip() == "n/a" and float(row.split("│")[8]) > 0
    stdout = " ".join(run.stdout.split())
    assert "n/a: a: isj bandwidth not available for n = 3: the fixed-point equation" in stdout
    assert "n/a: a - b: Anderson-Darling not available for n = 3 and 3:" in stdout
    assert "n/a: a - b: Spearman not available for 3 pairs: Spearman's rho needs at least 6 pairs" in stdout
