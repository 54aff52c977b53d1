"""One data set of stellar ages, as the rest of the analysis sees it."""

from dataclasses import dataclass, fields

import numpy as np

__all__ = ["MIN_DISTINCT_AGES", "Dataset", "too_few_ages"]

#: The fewest distinct ages a data set is analysed from. With one value there is no spread:
#: no bandwidth rule, no Gaussian width and no shape to estimate, and a column of one repeated
#: value is more often a placeholder than a measurement. Two stars build the whole report;
#: ``minimums.MINIMUMS`` lists what needs more.
MIN_DISTINCT_AGES = 2


@dataclass(frozen=True, eq=False)
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
    ages_gyr : ndarray of float, shape (n,)
        Measured ages in Gyr, missing values already removed; stored as a
        read-only array (a catalog may hold millions of stars).
    rows : ndarray of int, shape (n,)
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
    role : str
        ``"training"`` or ``"benchmark"`` (manifest ``role:``): a benchmark's
        ages score the training sets' models and are not analysed as a data set.
    errors_gyr : ndarray of float, shape (n,) or (n, 2), or None
        Each age's one-sigma uncertainty (Gyr), or its lower and upper one
        (manifest ``error_column(s)``, ``--error-column``); read-only; ``None``
        when the file gives none.
    """

    name: str
    label: str
    colour: str
    ages_gyr: np.ndarray
    rows: np.ndarray
    n_missing: int
    source: str
    pair_group: str | None = None
    units: str = "Gyr"
    citation: str = ""
    doi: str = ""
    method: str = ""
    role: str = "training"
    errors_gyr: np.ndarray | None = None

    def __post_init__(self) -> None:
        # Any sequence is accepted; keep private read-only arrays so the record stays immutable.
        for field, dtype in (("ages_gyr", np.float64), ("rows", np.int64)):
            array = np.array(getattr(self, field), dtype=dtype)
            array.setflags(write=False)
            object.__setattr__(self, field, array)
        if self.ages_gyr.shape != self.rows.shape or self.ages_gyr.ndim != 1:
            raise ValueError(
                f"Dataset {self.name!r}: ages_gyr and rows must be 1-D of equal length, "
                f"got shapes {self.ages_gyr.shape} and {self.rows.shape}"
            )
        if self.errors_gyr is not None:
            errors = np.array(self.errors_gyr, dtype=np.float64)
            if errors.shape not in ((self.ages_gyr.size,), (self.ages_gyr.size, 2)) or not np.all(errors >= 0):
                raise ValueError(
                    f"Dataset {self.name!r}: errors_gyr must be >= 0 Gyr, one or two per age, got shape {errors.shape}"
                )
            errors.setflags(write=False)
            object.__setattr__(self, "errors_gyr", errors)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Dataset):
            return NotImplemented
        return all(
            np.array_equal(a, b) if isinstance(a, np.ndarray) or isinstance(b, np.ndarray) else a == b
            for a, b in zip(astuple_shallow(self), astuple_shallow(other), strict=True)
        )

    __hash__ = None  # mutable-free but array-valued: equal datasets need not hash alike

    @property
    def ages(self) -> np.ndarray:
        """The ages as a read-only float array of shape (n,), in Gyr."""
        return self.ages_gyr


def too_few_ages(ages: np.ndarray, n_missing: int) -> str | None:
    """Why these ages (Gyr) are too few to analyse, or ``None`` when they have ``MIN_DISTINCT_AGES``.

    One wording for every caller, which prefixes the file and data set.

    Examples
    --------
    >>> too_few_ages(np.array([4.2]), 2)
    'only 1 age (2 missing values dropped); expected at least 2 distinct ages, the fewest the report is built from'
    >>> too_few_ages(np.array([1.0, 2.0]), 0) is None
    True
    """
    needed = f"expected at least {MIN_DISTINCT_AGES} distinct ages, the fewest the report is built from"
    if ages.size == 0:
        return f"all {n_missing} values are missing; {needed}" if n_missing else f"no ages; {needed}"
    if ages.size == 1:
        dropped = f" ({n_missing} missing {'value' if n_missing == 1 else 'values'} dropped)" if n_missing else ""
        return f"only 1 age{dropped}; {needed}"
    # Fewer than MIN_DISTINCT_AGES = 2 distinct values, tested in O(n) rather than by sorting a catalog.
    if ages.min() == ages.max():
        return (
            f"every age is {float(ages[0])!r} Gyr ({ages.size} stars); {needed}: with no spread there is no "
            "bandwidth, Gaussian width or shape to estimate"
        )
    return None


def astuple_shallow(record: Dataset) -> tuple:
    """The field values of a record, without ``dataclasses.astuple``'s deep copies."""
    return tuple(getattr(record, f.name) for f in fields(record))
