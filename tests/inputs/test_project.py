"""analysis.inputs.project: the analysis block of _quarto.yml and the command-line overrides."""

from pathlib import Path
import re

import pytest
import yaml

from analysis.config import AnalysisConfig
from analysis.errors import ConfigError
from analysis.inputs import load_project, parse_bandwidths, with_overrides

ROOT = Path(__file__).resolve().parents[2]


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "_quarto.yml"
    path.write_text(text, encoding="utf-8")
    return path


def test_repository_project_file_holds_the_documented_defaults():
    # The defaults are written once, in AnalysisConfig; _quarto.yml repeats them as documentation.
    project = load_project(ROOT / "_quarto.yml")
    assert project.config == AnalysisConfig()
    assert "analysis" not in project.quarto
    assert project.quarto["project"]["type"] == "website"
    assert project.quarto["website"]["title"] == "Stellar Age KDE Report"
    assert project.quarto["format"]["html"]["html-math-method"] == "mathml"


def test_analysis_block_values_are_read(tmp_path):
    path = _write(tmp_path, "project:\n  type: website\nanalysis:\n  seed: 7\n  bandwidths: [0.5, 0.2]\n")
    config = load_project(path).config
    assert config.seed == 7
    assert config.bandwidths == (0.2, 0.5)
    assert config.replicates == AnalysisConfig().replicates


def test_missing_analysis_block_gives_defaults(tmp_path):
    assert load_project(_write(tmp_path, "project:\n  type: website\n")).config == AnalysisConfig()


def test_unknown_key_names_file_line_column_and_path(tmp_path):
    path = _write(tmp_path, "project:\n  type: website\nanalysis:\n  seed: 1\n  bandwith: 0.3\n")
    with pytest.raises(ConfigError, match=r"_quarto\.yml:5:13: analysis\.bandwith: unknown setting; allowed: seed"):
        load_project(path)


def test_bad_list_item_points_at_the_item(tmp_path):
    path = _write(tmp_path, "analysis:\n  bandwidths:\n    - 0.1\n    - -2\n")
    with pytest.raises(ConfigError, match=r"_quarto\.yml:4:7: analysis\.bandwidths\[1\]: expected a positive number"):
        load_project(path)


def test_yaml_syntax_error_has_line_and_column(tmp_path):
    path = _write(tmp_path, "analysis:\n  seed: [1, 2\n  replicates: 3\n")
    with pytest.raises(ConfigError, match=r"_quarto\.yml:3:\d+: invalid YAML"):
        load_project(path)


def test_missing_file_is_a_config_error(tmp_path):
    with pytest.raises(ConfigError, match="cannot read the project file"):
        load_project(tmp_path / "absent.yml")


def test_top_level_must_be_a_mapping(tmp_path):
    with pytest.raises(ConfigError, match="expected a mapping of project settings, got list"):
        load_project(_write(tmp_path, "- 1\n- 2\n"))


def test_overrides_replace_only_what_is_given():
    base = AnalysisConfig(seed=3, replicates=50)
    assert with_overrides(base) == base
    changed = with_overrides(base, seed=11, bandwidths=(1.0, 0.3))
    assert (changed.seed, changed.bandwidths, changed.replicates) == (11, (0.3, 1.0), 50)
    with pytest.raises(ConfigError, match=r"^--seed: expected a whole number >= 0, got -1$"):
        with_overrides(base, seed=-1)


@pytest.mark.parametrize("bad", [1e-300, 5e-5, 1001.0, 1e300])
def test_a_bandwidth_outside_the_finite_range_names_its_option(bad):
    # 1e-300 Gyr used to reach the render stage as a log-likelihood of -inf.
    expected = f"--bandwidths: expected a positive number of Gyr between 0.0001 and 1000, got {bad!r}"
    with pytest.raises(ConfigError, match=f"^{re.escape(expected)}$"):
        with_overrides(AnalysisConfig(), bandwidths=(0.1, bad))
    assert with_overrides(AnalysisConfig(), bandwidths=(1e-4, 1e3)).bandwidths == (1e-4, 1e3)  # the ends are in


def test_a_bandwidth_outside_the_finite_range_names_its_yaml_item(tmp_path):
    path = _write(tmp_path, "analysis:\n  bandwidths:\n    - 0.1\n    - 1.0\n    - 1.0e-300\n")
    located = r"_quarto\.yml:5:7: analysis\.bandwidths\[2\]: expected a positive number of Gyr between 0.0001 and 1000"
    with pytest.raises(ConfigError, match=located):
        load_project(path)



def test_parse_bandwidths():
    assert parse_bandwidths("0.01,0.1,1") == (0.01, 0.1, 1.0)
    for bad in ("0.1,abc", "0.1,,1", "-1", "0", "inf", "nan"):
        with pytest.raises(ConfigError, match="--bandwidths: expected comma-separated positive numbers"):
            parse_bandwidths(bad)


def test_the_readme_states_the_defaults_of_analysis_config():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Configuration", 1)[1].split("\n## ", 1)[0]
    rows = dict(re.findall(r"^\| `(\w+)` \| `?([^|`]+?)`? \|", section, re.M))
    defaults = AnalysisConfig()
    assert set(rows) == set(AnalysisConfig.__dataclass_fields__)
    for name, text in rows.items():
        value = getattr(defaults, name)
        assert (list(value) if isinstance(value, tuple) else value) == yaml.safe_load(text), name


def test_a_config_error_carries_its_key_path():
    from analysis.config import check_setting

    with pytest.raises(ConfigError) as error:
        check_setting("bandwidths", [0.1, 1.0, -2], path="analysis.bandwidths")
    assert error.value.path == "analysis.bandwidths[2]"
    with pytest.raises(ConfigError) as error:
        with_overrides(AnalysisConfig(), seed=-1)
    assert error.value.path == "--seed"


def test_the_located_error_keeps_the_key_path(tmp_path):
    path = _write(tmp_path, "analysis:\n  replicates: 0\n")
    with pytest.raises(ConfigError, match=r"_quarto\.yml:2:15: analysis\.replicates: expected a whole number") as error:
        load_project(path)
    assert error.value.path == "analysis.replicates"
