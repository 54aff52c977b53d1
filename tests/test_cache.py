"""publish.cache: the build key changes with data, settings and code, and only then."""

import hashlib
import logging
from pathlib import Path
import shutil
import sys

import pytest

from analysis.results import Histogram
from publish.site import tempdirs
from publish.cache import (
    ARTEFACT_FILES,
    ARTEFACT_FOLDERS,
    CODE_FILES,
    CODE_FOLDERS,
    KEY_FILE,
    build_key,
    code_files,
    load_artefacts,
    read_key,
    remove_leftovers,
    store_artefacts,
    write_key,
)

ROOT = Path(__file__).resolve().parent.parent


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


@pytest.mark.parametrize("module", ["analysis/readers/new_reader.py", "publish/figures/new_figure.py"])
def test_a_new_module_in_a_family_changes_both_keys(repo, module):
    key = _key(repo)
    before = code_files(repo, folders=ARTEFACT_FOLDERS, files=ARTEFACT_FILES)
    artefact = build_key([repo / "ages.dat"], SETTINGS, root=repo, code=before)
    (repo / module).parent.mkdir(parents=True, exist_ok=True)
    (repo / module).write_text("X = 1\n", encoding="utf-8")
    assert _key(repo) != key
    code = code_files(repo, folders=ARTEFACT_FOLDERS, files=ARTEFACT_FILES)
    assert module in [p.relative_to(repo).as_posix() for p in code]
    assert build_key([repo / "ages.dat"], SETTINGS, root=repo, code=code) != artefact


def test_every_family_of_the_project_is_in_the_key():
    covered = {p.relative_to(ROOT).parent.as_posix() for p in code_files(ROOT) if p.suffix == ".py"}
    families = {p.parent.relative_to(ROOT).as_posix() for p in ROOT.glob("*/*/__init__.py")}
    assert families and families <= covered


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


def test_data_is_hashed_by_name_and_content(repo):
    # The site offers the input under its name: a renamed file must rebuild it.
    copy = repo / "renamed.dat"
    copy.write_bytes((repo / "ages.dat").read_bytes())
    assert build_key([copy], SETTINGS, root=repo) != _key(repo)
    elsewhere = repo / "data"
    (elsewhere / "ages.dat").write_bytes((repo / "ages.dat").read_bytes())
    assert build_key([elsewhere / "ages.dat"], SETTINGS, root=repo) == _key(repo)


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


def _artefact_key(repo: Path) -> str:
    code = code_files(repo, folders=ARTEFACT_FOLDERS, files=ARTEFACT_FILES)
    return build_key([repo / "ages.dat"], SETTINGS, root=repo, code=code)


def test_artefact_code_is_the_analysis_and_publish_code(repo):
    found = [p.relative_to(repo).as_posix() for p in code_files(repo, folders=ARTEFACT_FOLDERS, files=ARTEFACT_FILES)]
    # Templates, styles and build.py do not change the numbers or the figures.
    assert found == ["analysis/kernel.py", "data/datasets.yml", "publish/engines.py"]


@pytest.mark.parametrize("module", ["publish/figures_dataset.py", "publish/figure_parts.py", "publish/readers.py"])
def test_artefact_key_covers_every_module_that_draws_or_reads(repo, module):
    # A caption edited in any figure module must redraw, whatever its name.
    (repo / module).write_text('CAPTION = "old"\n')
    key = _artefact_key(repo)
    (repo / module).write_text('CAPTION = "new"\n')
    assert _artefact_key(repo) != key


def test_both_keys_cover_a_new_module_without_a_list_to_edit(tmp_path):
    # A copy of the real tree, so the folders are the ones the build walks.
    root = tmp_path / "copy"
    for name in CODE_FOLDERS:
        shutil.copytree(ROOT / name, root / name, ignore=shutil.ignore_patterns("__pycache__", "_generated"))
    for name in CODE_FILES:
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(ROOT / name, root / name)
    (root / "ages.dat").write_text("1\n2\n")
    key, artefact_key = _key(root), _artefact_key(root)
    (root / "publish" / "figures_brand_new.py").write_text('CAPTION = "new"\n')
    assert _key(root) != key and _artefact_key(root) != artefact_key


@pytest.fixture
def stored(tmp_path):
    """An entry stored from a drawn figures folder; returns (cache_dir, key, drawn)."""
    cache_dir, drawn = tmp_path / "cache", tmp_path / "drawn"
    drawn.mkdir()
    (drawn / "overview.svg").write_text("<svg>" + "<path/>" * 50 + "</svg>")
    (drawn / "overview.png").write_bytes(b"\x89PNG" + bytes(range(256)))
    key = "c" * 64
    result = Histogram(edges=(0.0, 1.0), counts=(2,))
    store_artefacts(cache_dir, key, result, {"overview": "figures/overview.svg"}, drawn)
    return cache_dir, key, drawn


@pytest.mark.parametrize(
    "damage",
    [
        lambda entry: (entry / "figures" / "overview.svg").write_text("<svg><pa"),  # truncated
        lambda entry: (entry / "figures" / "overview.png").unlink(),
        lambda entry: (entry / "figures" / "extra.svg").write_text("<svg/>"),
        lambda entry: (entry / "artefacts.pickle").write_bytes(b"\x80\x05N."),
        lambda entry: (entry / "SHA256SUMS").write_text("not a checksum\n"),
        lambda entry: (entry / "SHA256SUMS").unlink(),
    ],
    ids=["truncated-svg", "missing-png", "extra-file", "other-pickle", "bad-sums", "no-sums"],
)
def test_a_damaged_entry_is_a_miss_and_is_discarded(stored, tmp_path, damage):
    cache_dir, key, _ = stored
    damage((cache_dir / key))
    figures_dir = tmp_path / "stage" / "figures"
    assert load_artefacts(cache_dir, key, figures_dir) is None
    assert not (cache_dir / key).exists()
    assert not figures_dir.exists()  # nothing unchecked reaches the stage


def test_storing_again_under_the_same_key_repairs_the_entry(stored, tmp_path):
    # What --force does after a damaged entry was published: it must not be published again.
    cache_dir, key, drawn = stored
    ((cache_dir / key) / "figures" / "overview.svg").write_text("<svg><pa")
    store_artefacts(cache_dir, key, Histogram(edges=(0.0, 1.0), counts=(2,)), {"overview": "x"}, drawn)
    loaded = load_artefacts(cache_dir, key, tmp_path / "stage")
    assert loaded is not None
    assert (tmp_path / "stage" / "overview.svg").read_bytes() == (drawn / "overview.svg").read_bytes()
    assert sorted(p.name for p in cache_dir.iterdir()) == [key]  # no work folder left


def test_an_entry_naming_a_module_that_is_gone_is_a_miss_with_a_debug_line(tmp_path, monkeypatch, caplog):
    module = tmp_path / "modules" / "vanishing_results.py"
    module.parent.mkdir()
    module.write_text("class Thing:\n    pass\n")
    monkeypatch.syspath_prepend(str(module.parent))
    import vanishing_results

    drawn = tmp_path / "drawn"
    drawn.mkdir()
    cache_dir, key = tmp_path / "cache", "d" * 64
    store_artefacts(cache_dir, key, vanishing_results.Thing(), {}, drawn)
    module.unlink()
    monkeypatch.delitem(sys.modules, "vanishing_results")

    with caplog.at_level(logging.DEBUG, logger="publish.cache"):
        assert load_artefacts(cache_dir, key, tmp_path / "stage") is None
    assert "ModuleNotFoundError: No module named 'vanishing_results'" in caplog.text
    assert [r.levelno for r in caplog.records if "vanishing_results" in r.getMessage()] == [logging.DEBUG]
    assert not (cache_dir / key).exists()


def test_a_killed_builds_half_written_entry_is_removed_and_a_running_ones_kept(tmp_path):
    cache_dir = tmp_path / "cache"
    cache_dir.mkdir()
    dead, running = tempdirs.create(".entry-", cache_dir), tempdirs.create(".entry-", cache_dir)
    tempdirs.release(dead)  # as if its build had been killed
    assert remove_leftovers(cache_dir) == [dead]
    assert running.is_dir()
    tempdirs.remove(running)
