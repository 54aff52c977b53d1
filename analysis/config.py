"""Analysis settings: the ``analysis:`` block of ``_quarto.yml`` and CLI overrides."""

from collections.abc import Mapping
from dataclasses import dataclass, fields
import math
from typing import Any

from .errors import ConfigError
from .seeds import DEFAULT_SEED

__all__ = ["AnalysisConfig", "config_from_mapping", "AGE_OF_UNIVERSE_GYR", "LECTURE_BANDWIDTHS_GYR"]

#: Planck 2018 age of the Universe; older measured ages are counted, never dropped.
AGE_OF_UNIVERSE_GYR = 13.8
#: The bandwidths the lecture tries with ``KernelDensity``.
LECTURE_BANDWIDTHS_GYR = (0.01, 0.1, 1.0)


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
        _check_int("analysis.seed", self.seed, minimum=0)
        _check_int("analysis.replicates", self.replicates, minimum=1)
        _check_int("analysis.cv_folds", self.cv_folds, minimum=2)
        _check_int("analysis.bootstrap_resamples", self.bootstrap_resamples, minimum=100)
        if isinstance(self.bandwidths, (str, bytes)) or not isinstance(self.bandwidths, (tuple, list)):
            raise ConfigError(
                f"analysis.bandwidths: expected a list of positive numbers of Gyr, got {self.bandwidths!r}"
            )
        if not self.bandwidths:
            raise ConfigError("analysis.bandwidths: expected at least one bandwidth, got an empty list")
        for i, h in enumerate(self.bandwidths):
            if isinstance(h, bool) or not isinstance(h, (int, float)) or not math.isfinite(h) or h <= 0:
                raise ConfigError(
                    f"analysis.bandwidths[{i}]: expected a positive number of Gyr, got {h!r}"
                )
        object.__setattr__(self, "bandwidths", tuple(sorted({float(h) for h in self.bandwidths})))


def _check_int(path: str, value: Any, *, minimum: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ConfigError(f"{path}: expected a whole number >= {minimum}, got {value!r}")


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
        raise ConfigError(f"{where}: expected a mapping of settings, got {block!r}")
    allowed = [f.name for f in fields(AnalysisConfig)]
    for key in block:
        if key not in allowed:
            raise ConfigError(
                f"{where}.{key}: unknown setting; allowed: {', '.join(allowed)}"
            )
    values = dict(block)
    if isinstance(values.get("bandwidths"), list):
        values["bandwidths"] = tuple(values["bandwidths"])
    return AnalysisConfig(**values)
