"""Analysis settings: the ``analysis:`` block of ``_quarto.yml`` and CLI overrides."""

from collections.abc import Mapping
from dataclasses import dataclass, fields
import math
from typing import Any

from .errors import ConfigError
from .seeds import DEFAULT_SEED

__all__ = [
    "AnalysisConfig", "config_from_mapping", "check_setting", "AGE_OF_UNIVERSE_GYR", "LECTURE_BANDWIDTHS_GYR",
    "MIN_BANDWIDTH_GYR", "MAX_BANDWIDTH_GYR",
]  # fmt: skip

#: Planck 2018 age of the Universe; older measured ages are counted, never dropped.
AGE_OF_UNIVERSE_GYR = 13.8
#: The bandwidths the lecture tries with ``KernelDensity``.
LECTURE_BANDWIDTHS_GYR = (0.01, 0.1, 1.0)
#: The fixed bandwidths allowed (Gyr). Within them every density, log-likelihood and score
#: stays finite: at 1e-300 Gyr the squared standardised distances overflow and the held-out
#: log-likelihood is -inf; 1e-4 Gyr is far below any age's precision, 1e3 far above any span.
MIN_BANDWIDTH_GYR = 1e-4
MAX_BANDWIDTH_GYR = 1e3


@dataclass(frozen=True)
class AnalysisConfig:
    """Every knob of the analysis.

    Attributes
    ----------
    seed : int
        Root seed for every random draw.
    bandwidths : tuple of float
        Fixed KDE bandwidths in Gyr, evaluated besides the data-driven ones.
    replicates : int
        Synthetic samples per bandwidth summarised as an envelope (B).
    cv_folds : int
        Folds for the cross-validated likelihood and held-out scores.
    bootstrap_resamples : int
        Resamples for the difference-of-means interval.
    """

    seed: int = DEFAULT_SEED
    bandwidths: tuple[float, ...] = LECTURE_BANDWIDTHS_GYR
    replicates: int = 200
    cv_folds: int = 5
    bootstrap_resamples: int = 2000

    def __post_init__(self) -> None:
        for f in fields(self):
            object.__setattr__(self, f.name, check_setting(f.name, getattr(self, f.name), path=f"analysis.{f.name}"))


_MINIMUMS = {"seed": 0, "replicates": 1, "cv_folds": 2, "bootstrap_resamples": 100}


def check_setting(name: str, value: Any, *, path: str) -> Any:
    """Validate one setting of AnalysisConfig and return it normalised.

    Parameters
    ----------
    name : str
        The field, e.g. ``"bandwidths"``.
    value : object
        Its value as given.
    path : str
        Where the value came from, for the message: a YAML path
        (``analysis.bandwidths``; list items are named ``analysis.bandwidths[2]``)
        or a command-line option (``--bandwidths``, which names itself).

    Returns
    -------
    object
        The value; bandwidths as a sorted tuple of distinct floats.

    Raises
    ------
    ConfigError
        Naming ``path``, what is allowed and what was found.

    Examples
    --------
    >>> check_setting("bandwidths", [1, 0.1, 1], path="analysis.bandwidths")
    (0.1, 1.0)
    """
    if name == "bandwidths":
        return _check_bandwidths(value, path)
    minimum = _MINIMUMS[name]
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ConfigError(f"{path}: expected a whole number >= {minimum}, got {value!r}", path=path)
    return value


def _check_bandwidths(values: Any, path: str) -> tuple[float, ...]:
    if isinstance(values, (str, bytes)) or not isinstance(values, (tuple, list)):
        raise ConfigError(f"{path}: expected a list of positive numbers of Gyr, got {values!r}", path=path)
    if not values:
        raise ConfigError(f"{path}: expected at least one bandwidth, got an empty list", path=path)
    for i, h in enumerate(values):
        if (
            isinstance(h, bool)
            or not isinstance(h, (int, float))
            or not math.isfinite(h)
            or not MIN_BANDWIDTH_GYR <= h <= MAX_BANDWIDTH_GYR
        ):
            # An option names itself; a YAML path points at the item.
            where = path if path.startswith("--") else f"{path}[{i}]"
            raise ConfigError(
                f"{where}: expected a positive number of Gyr between {MIN_BANDWIDTH_GYR:g} and "
                f"{MAX_BANDWIDTH_GYR:g}, got {h!r}",
                path=where,
            )
    return tuple(sorted({float(h) for h in values}))


def config_from_mapping(block: Mapping[str, Any] | None, *, where: str = "analysis") -> AnalysisConfig:
    """Validate a mapping (e.g. the YAML ``analysis:`` block) into a config.

    Unknown keys are errors that list the allowed ones.

    Raises
    ------
    ConfigError
        Naming the key path, what is allowed and what was found.
    """
    if block is None:
        return AnalysisConfig()
    if not isinstance(block, Mapping):
        raise ConfigError(f"{where}: expected a mapping of settings, got {block!r}", path=where)
    allowed = [f.name for f in fields(AnalysisConfig)]
    for key in block:
        if key not in allowed:
            raise ConfigError(f"{where}.{key}: unknown setting; allowed: {', '.join(allowed)}", path=f"{where}.{key}")
    values = dict(block)
    if isinstance(values.get("bandwidths"), list):
        values["bandwidths"] = tuple(values["bandwidths"])
    return AnalysisConfig(**values)
