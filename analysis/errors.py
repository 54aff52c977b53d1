"""The exception tree shared by the analysis and the report build.

Every error a user can cause is a ``ReportError``; ``build.py`` and
``python -m analysis`` turn it into one line and a non-zero exit status.
Anything else is a bug and keeps its traceback.
"""

__all__ = ["ReportError", "ConfigError", "DataError", "RenderError", "EngineError"]


class ReportError(Exception):
    """Base class: a problem with the user's input or environment."""


class ConfigError(ReportError):
    """A configuration value (manifest, ``_quarto.yml`` or CLI) is invalid.

    The message names the key path, e.g. ``analysis.bandwidths[2]``; ``path``
    holds it too (``None`` when the error is not about one key), so that a
    reader of the file can point at the line without parsing the message.
    """

    def __init__(self, message: str, *, path: str | None = None) -> None:
        super().__init__(message)
        self.path = path


class DataError(ReportError):
    """A data file cannot be used.

    The message names the file, line and column, what was found and what was
    expected, e.g. ``data/ages.csv:42: column 'Bensby_age': expected a
    positive number of Gyr, got 'abc'``.
    """


class RenderError(ReportError):
    """A template or figure could not be produced."""


class EngineError(ReportError):
    """An external renderer (quarto, pandoc, typst) failed or is missing."""
