"""External programs as argument lists, their errors as one line, and the outputs an engine must leave.

A program never runs through a shell; a non-zero exit raises ``EngineError``
with the command and the lines of its output that name the cause.
"""

from collections.abc import Collection, Sequence
import logging
from pathlib import Path
import re
import subprocess

from analysis.errors import EngineError

from ..project import PDF_NAME, REPORT_PAGE, Page

__all__ = ["RESOURCE_DIRS", "check_outputs", "error_summary", "html_name", "run"]

logger = logging.getLogger(__name__)

#: Folders of the stage that the site serves as they are.
RESOURCE_DIRS = ("assets", "figures", "downloads")
#: Last lines of a failed program's output shown in the error, after the lines naming the cause.
_TAIL_LINES = 8
#: Most lines that name the cause (``error_summary``) shown in the error.
_CAUSE_LINES = 8
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
# Quarto's progress line for each page it renders: "[ 3/11] dataset-joyce.qmd".
_PROGRESS = re.compile(r"^\[\s*\d+/\d+\]\s+(\S+)")
# Lines that name a cause: "ERROR:", "error:", "Error running filter", "file.lua:76: ...", typst's "error: ...".
_CAUSE = re.compile(r"\b(error|exception|failed|fatal)\b|\.lua:\d+:|^\s*=?\s*hint:", re.IGNORECASE)


def run(command: Sequence[str], *, cwd: Path | None = None) -> str:
    """Run an external program and return its standard output.

    Raises
    ------
    EngineError
        If the program cannot be started or exits non-zero; the message gives
        the command line and ``error_summary`` of what it printed.
    """
    shown = " ".join(command)
    logger.debug("running: %s", shown)
    try:
        completed = subprocess.run(list(command), cwd=cwd, capture_output=True, text=True, check=False)
    except OSError as error:
        raise EngineError(f"cannot run `{shown}`: {error.strerror}") from error
    if completed.returncode != 0:
        summary = error_summary(completed.stderr + "\n" + completed.stdout) or "(no error output)"
        raise EngineError(f"`{shown}` exited with status {completed.returncode}: {summary}")
    return completed.stdout


def error_summary(output: str, *, tail: int = _TAIL_LINES, most: int = _CAUSE_LINES) -> str:
    """The lines of a failed program's output that name the cause, as one line.

    Quarto and pandoc print the cause (``ERROR: ...``, a Lua filter's
    ``file.lua:76: attempt to index a nil value``) and then a long stack trace,
    so the last lines alone often miss it: this keeps the page Quarto was
    rendering (its last ``[3/11] page.qmd`` line before the first cause), the
    first ``most`` lines that look like errors, then the last ``tail`` lines,
    without colour codes or repeats, joined by `` | ``.

    >>> error_summary("[1/2] a.qmd\\n[2/2] b.qmd\\n\\x1b[31mERROR: bad shortcode\\x1b[0m\\nstack 1\\nstack 2", tail=1)
    'rendering b.qmd | ERROR: bad shortcode | stack 2'
    """
    lines = [line.strip() for line in _ANSI.sub("", output).splitlines() if line.strip()]
    first = next((i for i, line in enumerate(lines) if _CAUSE.search(line)), len(lines))
    pages = [_PROGRESS.match(line) for line in lines[:first]]
    where = [f"rendering {match[1]}" for match in pages if match][-1:]
    causes = [line for line in lines if _CAUSE.search(line)][:most]
    return " | ".join(dict.fromkeys(where + causes + lines[-tail:]))


def check_outputs(out: Path, pages: Sequence[Page], formats: Collection[str]) -> None:
    """An EngineError naming the first page or PDF that an engine should have written but did not."""
    expected = [html_name(page.file) for page in pages if page.file != REPORT_PAGE] if "html" in formats else []
    expected += [PDF_NAME] if "pdf" in formats else []
    missing = [name for name in expected if not (out / name).is_file()]
    if missing:
        raise EngineError(f"the engine finished without writing {', '.join(missing)} into {out}")


def html_name(qmd: str) -> str:
    return f"{Path(qmd).stem}.html"
