"""The 8-point Lagrange stencil that interpolates a binned density between its nodes.

Shared by the binning's error bound (``grid``), the densities (``density``)
and the compiled interpolation loop (``loops``), so none of them imports
another for it.
"""

import numpy as np

__all__ = ["INVERSE_DENOMINATORS", "STENCIL"]

#: Lagrange interpolation stencil: nodes j-3 .. j+4 around a point in [g_j, g_j+1)
#: (``loops.lagrange_interpolate``).
STENCIL = np.arange(-3, 5)


def _inverse_denominators() -> np.ndarray:
    """``1 / prod_{m != k} (k - m)`` for each stencil node k."""
    return np.array([1.0 / np.prod([float(k - m) for m in STENCIL if m != k]) for k in STENCIL])


#: The Lagrange weights' constant factors, one per stencil node.
INVERSE_DENOMINATORS = _inverse_denominators()
