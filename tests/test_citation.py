"""CITATION.cff: collaborators can cite the report, at the version its PDF shows."""

from pathlib import Path
import subprocess
import sys
import tomllib

import yaml

ROOT = Path(__file__).resolve().parent.parent
CITATION = ROOT / "CITATION.cff"


def _validate(path: Path) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "check_jsonschema", "--builtin-schema", "vendor.citation-file-format", str(path)]
    return subprocess.run(command, capture_output=True, text=True, check=False)


def test_citation_file_follows_the_citation_file_format():
    done = _validate(CITATION)
    assert done.returncode == 0, done.stdout + done.stderr


def test_a_broken_citation_file_is_caught(tmp_path):
    broken = tmp_path / "CITATION.cff"
    broken.write_text(CITATION.read_text(encoding="utf-8").replace("cff-version: 1.2.0", "cff-version: x"), encoding="utf-8")
    assert _validate(broken).returncode != 0


def test_citation_version_is_the_projects():
    with (ROOT / "pyproject.toml").open("rb") as stream:
        version = tomllib.load(stream)["project"]["version"]
    assert yaml.safe_load(CITATION.read_text(encoding="utf-8"))["version"] == version
