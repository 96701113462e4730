"""Central finite differences in float64, to check analytic gradients: the library's own
(:func:`mlpkit.diagnostics.finite_differences.central_differences`, also behind ``mk.explain``),
under the name the tests use."""

import numpy as np

from mlpkit.diagnostics.finite_differences import central_differences


def numerical_gradient(f, x: np.ndarray, eps: float = 1e-6) -> np.ndarray:
    """∂f/∂x by (f(x + ε) − f(x − ε)) / 2ε, one entry at a time; f returns a float, x is float64
    and is perturbed in place (so it may be a view into a parameter buffer)."""
    return central_differences(f, x, eps)
