"""One data set of stellar ages, as the rest of the analysis sees it."""

from dataclasses import dataclass

import numpy as np

__all__ = ["Dataset"]


@dataclass(frozen=True)
class Dataset:
    """Ages of one data set, with what readers need to know about it.

    Attributes
    ----------
    name : str
        Identifier used in seeds, file names and URLs (``[a-z0-9_-]+``).
    label : str
        Human-readable name, e.g. ``"Joyce et al. (2023)"``.
    colour : str
        Hex colour used for this data set in every figure.
    ages_gyr : tuple of float, length n
        Measured ages in Gyr, missing values already removed.
    rows : tuple of int, length n
        Zero-based data-row index of each age in its source file; data sets
        from the same file and ``pair_group`` are paired on equal rows.
    n_missing : int
        Stars dropped from this data set because their value was missing.
    source : str
        Display name of the file the ages came from.
    pair_group : str or None
        Data sets sharing a group hold the same stars row by row; ``None``
        means they are not paired with anything.
    units : str
        Always ``"Gyr"``; stated so readers never guess.
    citation, doi, method : str
        Provenance shown on the Data page (may be empty).
    """

    name: str
    label: str
    colour: str
    ages_gyr: tuple[float, ...]
    rows: tuple[int, ...]
    n_missing: int
    source: str
    pair_group: str | None = None
    units: str = "Gyr"
    citation: str = ""
    doi: str = ""
    method: str = ""

    @property
    def ages(self) -> np.ndarray:
        """The ages as a float array of shape (n,), in Gyr."""
        return np.asarray(self.ages_gyr, dtype=float)
