"""The published site: what ``--out`` may name, the stage beside it, the atomic swap into place.

Face of the family: ``check_output``/``is_site``/``MARKER`` (``outdir``),
``make_stage`` ... ``publish`` (``stage``), and the two helpers the cache
shares, ``swap`` (the one-step exchange of two folders) and ``tempdirs``
(folders owned by a running build).
"""

from . import swap, tempdirs
from .outdir import KEY_FILE, MARKER, check_output, is_site, write_marker
from .stage import make_stage, publish, remove_leftovers, remove_stage, stage_tree, staged_quarto, write_staged_quarto

__all__ = [
    "KEY_FILE", "MARKER", "check_output", "is_site", "make_stage", "publish", "remove_leftovers", "remove_stage",
    "stage_tree", "staged_quarto", "swap", "tempdirs", "write_marker", "write_staged_quarto",
]  # fmt: skip
