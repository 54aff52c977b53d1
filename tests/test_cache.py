"""publish.cache: the build key changes with data, settings and code, and only then."""

import hashlib
from pathlib import Path

import pytest

from publish.cache import KEY_FILE, build_key, code_files, read_key, write_key


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A miniature repository with every kind of code file and some non-code."""
    root = tmp_path / "repo"
    for name, text in {
        "analysis/kernel.py": "X = 1\n",
        "publish/engines.py": "Y = 2\n",
        "templates/page.qmd.j2": "{{ title }}\n",
        "report/assets/styles.css": "body {}\n",
        "report/pandoc/page.html": "$body$\n",
        "_quarto.yml": "analysis:\n  seed: 1\n",
        "build.py": "print()\n",
        "data/datasets.yml": "sources: []\n",
        # Not code: generated pages, byte-code, files outside the code folders.
        "report/_generated/index.qmd": "generated\n",
        "analysis/__pycache__/kernel.cpython-311.pyc": "bytes\n",
        "notes.txt": "scratch\n",
    }.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    (root / "ages.dat").write_text("#a b\n1 2\n3 4\n", encoding="utf-8")
    return root


SETTINGS = {"config": {"seed": 1, "bandwidths": [0.1]}, "formats": ["html", "pdf"], "engine": "pandoc"}


def _key(repo: Path, settings=SETTINGS) -> str:
    return build_key([repo / "ages.dat"], settings, root=repo)


def test_code_files_are_the_code_and_nothing_else(repo):
    found = [p.relative_to(repo).as_posix() for p in code_files(repo)]
    assert found == sorted(
        [
            "_quarto.yml", "build.py", "data/datasets.yml", "analysis/kernel.py", "publish/engines.py",
            "templates/page.qmd.j2", "report/assets/styles.css", "report/pandoc/page.html",
        ]
    )  # fmt: skip


def test_key_is_stable_and_a_sha256(repo):
    key = _key(repo)
    assert key == _key(repo)
    assert len(key) == 64 and int(key, 16) >= 0
    # Key order in the settings does not matter.
    assert key == _key(repo, dict(reversed(list(SETTINGS.items()))))


def test_key_ignores_non_code_files(repo):
    key = _key(repo)
    (repo / "report/_generated/index.qmd").write_text("other\n", encoding="utf-8")
    (repo / "notes.txt").write_text("other\n", encoding="utf-8")
    assert _key(repo) == key


@pytest.mark.parametrize(
    "edit",
    ["analysis/kernel.py", "publish/engines.py", "templates/page.qmd.j2", "report/assets/styles.css",
     "report/pandoc/page.html", "_quarto.yml", "build.py", "data/datasets.yml", "ages.dat"],
)  # fmt: skip
def test_key_changes_with_every_input_file(repo, edit):
    key = _key(repo)
    with (repo / edit).open("a", encoding="utf-8") as stream:
        stream.write("#\n")
    assert _key(repo) != key


def test_key_changes_with_a_new_code_file(repo):
    key = _key(repo)
    (repo / "analysis/new.py").write_text("", encoding="utf-8")
    assert _key(repo) != key


@pytest.mark.parametrize(
    "settings",
    [
        {**SETTINGS, "config": {"seed": 2, "bandwidths": [0.1]}},
        {**SETTINGS, "config": {"seed": 1, "bandwidths": [0.1, 1.0]}},
        {**SETTINGS, "formats": ["html"]},
        {**SETTINGS, "engine": "quarto"},
    ],
)
def test_key_changes_with_settings(repo, settings):
    assert _key(repo, settings) != _key(repo)


def test_data_is_hashed_by_content_not_name(repo):
    copy = repo / "renamed.dat"
    copy.write_bytes((repo / "ages.dat").read_bytes())
    assert build_key([copy], SETTINGS, root=repo) == _key(repo)


def test_bytes_moving_between_files_change_the_key(repo):
    # "ab" + "" and "a" + "b" concatenate alike; the key must still differ.
    first, second = repo / "one.dat", repo / "two.dat"
    first.write_text("ab"), second.write_text("")
    key = build_key([first, second], SETTINGS, root=repo, code=[])
    first.write_text("a"), second.write_text("b")
    assert build_key([first, second], SETTINGS, root=repo, code=[]) != key


def test_key_matches_an_independent_hash_of_an_empty_build(repo):
    # With no data and no code the key is the SHA-256 of the sorted settings JSON.
    expected = hashlib.sha256(b'{"a": 1, "b": [2, 3]}').hexdigest()
    assert build_key([], {"b": (2, 3), "a": 1}, root=repo, code=[]) == expected


def test_key_file_round_trip(tmp_path):
    assert read_key(tmp_path) is None
    write_key(tmp_path, "ab" * 32)
    assert (tmp_path / KEY_FILE).read_text() == "ab" * 32 + "\n"
    assert read_key(tmp_path) == "ab" * 32


def test_artefacts_round_trip_and_only_the_latest_is_kept(tmp_path):
    from analysis.results import Histogram
    from publish.cache import load_artefacts, store_artefacts

    cache_dir, drawn = tmp_path / "cache", tmp_path / "drawn"
    drawn.mkdir()
    (drawn / "overview.svg").write_text("<svg/>")
    result = Histogram(edges=(0.0, 1.0, 2.0), counts=(3, 4))
    figures = {"overview": ("figures/overview.svg", "alt text")}
    first, second = "a" * 64, "b" * 64

    assert load_artefacts(cache_dir, first, tmp_path / "unused") is None
    store_artefacts(cache_dir, first, result, figures, drawn)
    loaded = load_artefacts(cache_dir, first, tmp_path / "stage" / "figures")
    assert loaded == (result, figures)
    assert (tmp_path / "stage" / "figures" / "overview.svg").read_text() == "<svg/>"

    store_artefacts(cache_dir, second, Histogram(edges=(0.0, 1.0), counts=(1,)), {}, drawn)
    assert [p.name for p in cache_dir.iterdir()] == [second]
    assert load_artefacts(cache_dir, first, tmp_path / "other") is None


def test_artefact_code_is_the_analysis_and_figure_code(repo):
    from publish.cache import ARTEFACT_FILES, ARTEFACT_FOLDERS

    (repo / "publish/figures.py").write_text("Z = 3\n")
    found = [p.relative_to(repo).as_posix() for p in code_files(repo, folders=ARTEFACT_FOLDERS, files=ARTEFACT_FILES)]
    # Templates, styles, the engines and build.py do not change the numbers or the figures.
    assert found == ["analysis/kernel.py", "data/datasets.yml", "publish/figures.py"]
