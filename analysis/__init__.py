"""The numbers behind the Stellar Age KDE Report.

Ages in, frozen JSON-serialisable results out: Gaussian fits, KDE curves at
fixed and data-driven bandwidths, seeded generative resamples, held-out
scores and pairwise comparisons. Pure, but for its two boundaries: ``inputs``
(the one family that reads files: settings and data) and ``__main__`` (the
command line). No plotting; nothing here imports ``publish``.

This face exports the records and ``analyse``; the families behind it are
``readers``, ``inputs``, ``statistics``, ``exact`` and ``binned`` (see
ARCHITECTURE.md).
"""

from .config import AnalysisConfig, config_from_mapping
from .dataset import Dataset
from .errors import ConfigError, DataError, EngineError, RenderError, ReportError
from .results import AnalysisResult, to_json

__all__ = [
    "AnalysisConfig",
    "AnalysisResult",
    "ConfigError",
    "DataError",
    "Dataset",
    "EngineError",
    "RenderError",
    "ReportError",
    "analyse",
    "config_from_mapping",
    "to_json",
]


def __getattr__(name: str):
    # The pipeline pulls in scikit-learn and SciPy; import it on first use so that
    # light users (configuration, errors, result records) start fast (PEP 562).
    if name == "analyse":
        from .pipeline import analyse

        return analyse
    raise AttributeError(f"module 'analysis' has no attribute {name!r}")
