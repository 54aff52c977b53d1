"""What a model says about impossible ages: its mass below 0 Gyr and above the age of the Universe."""

from dataclasses import dataclass

import numpy as np

from ..config import AGE_OF_UNIVERSE_GYR

__all__ = ["UnphysicalFractions", "unphysical_fractions"]


@dataclass(frozen=True)
class UnphysicalFractions:
    """Probabilities (0-1) a model gives to ages below 0 Gyr and above ``upper_gyr``."""

    below_zero: float
    above_upper: float
    upper_gyr: float


def unphysical_fractions(model, *, upper_gyr: float = AGE_OF_UNIVERSE_GYR) -> UnphysicalFractions:
    """Exact model mass below 0 Gyr and above ``upper_gyr`` (from the model's CDF, no sampling).

    Parameters
    ----------
    model : models.KdeModel or models.NormalModel
        Anything with ``log_mass(lower, upper)``.
    upper_gyr : float
        Default ``config.AGE_OF_UNIVERSE_GYR`` (13.8 Gyr). Stellar ages above it are reported, not removed: the data sets
        themselves hold some (Joyce 17 and Bensby 8 of 91), as age scales and errors allow.

    Returns
    -------
    UnphysicalFractions
        0 below 0 Gyr for the reflected and log-age KDEs by construction.
    """
    below = float(np.exp(model.log_mass(np.array([-np.inf]), np.array([0.0]))[0]))
    above = float(np.exp(model.log_mass(np.array([upper_gyr]), np.array([np.inf]))[0]))
    return UnphysicalFractions(below, above, upper_gyr)
