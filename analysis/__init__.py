"""Pure computation behind the Stellar Age KDE Report.

Ages in, frozen JSON-serialisable results out: Gaussian fits, KDE curves at
fixed and data-driven bandwidths, seeded generative resamples, held-out
scores and pairwise comparisons. No file writing, plotting or printing.
"""

from .config import AnalysisConfig, config_from_mapping
from .dataset import Dataset
from .errors import ConfigError, DataError, EngineError, RenderError, ReportError
from .pipeline import analyse
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
