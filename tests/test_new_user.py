"""A newcomer's first command: a clean copy, a fresh venv, the README's build command.

Slow (it installs the project and its dependencies into a new virtual
environment), and the truest check that the README works.
"""

import os
from pathlib import Path
import re
import subprocess

import pypdf

from publish.engines import find_quarto

from tests.support import ROOT
from tests.test_new_data import _project_copy


def _readme_commands() -> list[str]:
    """The shell commands of the README's code blocks, in order."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    return [block.strip() for block in re.findall(r"```bash\n(.*?)```", readme, flags=re.S)]


def test_the_readme_gives_exactly_two_commands_first():
    first, second = _readme_commands()[:2]
    assert "build.py" in first and "\n" not in first
    assert "pytest" in second and "\n" not in second


def test_readme_build_command_in_a_fresh_venv(build_env, tmp_path):
    project = _project_copy(tmp_path)
    command = _readme_commands()[0]
    # The outer test environment's virtualenv must not leak into the newcomer's shell, and
    # nothing may find the data but the project itself: no data folder, an empty download cache.
    outer = os.environ.get("VIRTUAL_ENV")
    path = [p for p in build_env["PATH"].split(os.pathsep) if not (outer and p.startswith(outer))]
    hidden = ("VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME", "KDE_REPORT_DATA_DIR", "KDE_REPORT_QUARTO_SITE")
    env = {k: v for k, v in build_env.items() if k not in hidden}
    env["PATH"] = os.pathsep.join(path)
    env["KDE_REPORT_CACHE_DIR"] = str(tmp_path / "empty-cache")
    done = subprocess.run(
        ["bash", "-c", f"set -e\n{command}"], cwd=project, env=env, capture_output=True, text=True, timeout=1800
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert f"stellar_ages.dat: found in {project / 'data'}" in done.stderr
    engine = "quarto" if find_quarto()[0] else "pandoc"
    assert f"engine: {engine} (" in done.stderr  # the build says which engine it used, and why
    site = project / "_site"
    assert (site / "index.html").is_file()
    assert {p.name for p in site.glob("dataset-*.html")} == {"dataset-joyce.html", "dataset-bensby.html"}
    pdf = pypdf.PdfReader(site / "report.pdf")
    assert len(pdf.pages) > 10
    assert "Joyce et al. (2023) (91 stars" in " ".join(pdf.pages[0].extract_text().split())
    assert Path(project / ".venv" / "bin" / "python").exists()
