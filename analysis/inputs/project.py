"""Read the Quarto project file and its ``analysis:`` block into an AnalysisConfig.

``_quarto.yml`` is both Quarto's project file and the home of the analysis
settings, so that one file says how the report is made. YAML syntax errors
and invalid settings are reported as ``file:line:column: what, allowed, got``.
"""

from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
import re
from typing import Any

import yaml

from ..config import AnalysisConfig, check_setting, config_from_mapping
from ..errors import ConfigError

__all__ = ["Project", "load_project", "with_overrides", "parse_bandwidths"]



@dataclass(frozen=True)
class Project:
    """The parsed project file: Quarto's settings and the validated analysis config.

    Attributes
    ----------
    path : Path
        The file that was read.
    quarto : dict
        Every top-level setting except ``analysis``, as Quarto should see it.
    config : AnalysisConfig
        The validated ``analysis:`` block (defaults for missing keys).
    """

    path: Path
    quarto: dict[str, Any]
    config: AnalysisConfig


def load_project(path: Path) -> Project:
    """Parse ``_quarto.yml`` and validate its ``analysis:`` block.

    Parameters
    ----------
    path : Path
        The project file.

    Returns
    -------
    Project

    Raises
    ------
    ConfigError
        If the file is missing, is not valid YAML (with line:column), is not
        a mapping, or the analysis block is invalid (with the key's
        line:column and YAML path, e.g. ``analysis.cv_folds``).
    """
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise ConfigError(f"{path}: cannot read the project file: {error.strerror}") from error
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
        where = f"{path}:{mark.line + 1}:{mark.column + 1}" if mark else str(path)
        problem = getattr(error, "problem", None) or str(error)
        raise ConfigError(f"{where}: invalid YAML: {problem}") from error
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: expected a mapping of project settings, got {type(data).__name__}")
    quarto = {key: value for key, value in data.items() if key != "analysis"}
    try:
        config = config_from_mapping(data.get("analysis"), where="analysis")
    except ConfigError as error:
        raise ConfigError(f"{_locate(path, root, error.path or 'analysis')}: {error}", path=error.path) from error
    return Project(path, quarto, config)


def _locate(path: Path, root: yaml.Node, key_path: str) -> str:
    """``file:line:column`` of the deepest YAML node on ``key_path`` (``analysis.bandwidths[2]``)."""
    node = root
    steps = re.findall(r"[A-Za-z_][\w-]*|\[\d+\]", key_path)
    for step in steps:
        child = _child(node, step)
        if child is None:
            break
        node = child
    mark = node.start_mark
    return f"{path}:{mark.line + 1}:{mark.column + 1}"


def _child(node: yaml.Node, step: str) -> yaml.Node | None:
    if isinstance(node, yaml.MappingNode) and not step.startswith("["):
        for key, value in node.value:
            if key.value == step:
                return value
    if isinstance(node, yaml.SequenceNode) and step.startswith("["):
        index = int(step[1:-1])
        if index < len(node.value):
            return node.value[index]
    return None


def with_overrides(
    config: AnalysisConfig, *, seed: int | None = None, bandwidths: tuple[float, ...] | None = None
) -> AnalysisConfig:
    """The config with command-line values replacing the file's (None keeps the file's).

    Raises
    ------
    ConfigError
        If an override is invalid, naming its option (``--seed``), not the
        file's key.
    """
    changes: Mapping[str, Any] = {
        key: check_setting(key, value, path=f"--{key}")
        for key, value in (("seed", seed), ("bandwidths", bandwidths))
        if value is not None
    }
    return replace(config, **changes)


def parse_bandwidths(text: str) -> tuple[float, ...]:
    """``"0.01,0.1,1"`` -> ``(0.01, 0.1, 1.0)`` (Gyr), as given on the command line.

    Raises
    ------
    ConfigError
        Naming the item that is not a positive number.

    Examples
    --------
    >>> parse_bandwidths("0.01, 0.1,1")
    (0.01, 0.1, 1.0)
    """
    values = []
    for item in text.split(","):
        try:
            value = float(item)
        except ValueError:
            value = float("nan")
        if not value > 0 or value == float("inf"):
            raise ConfigError(
                f"--bandwidths: expected comma-separated positive numbers of Gyr, got {item.strip()!r} in {text!r}"
            )
        values.append(value)
    return tuple(values)
