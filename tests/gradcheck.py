"""Central finite differences in float64, to check analytic gradients."""

import numpy as np


def numerical_gradient(f, x: np.ndarray, eps: float = 1e-6) -> np.ndarray:
    """∂f/∂x by (f(x + ε) − f(x − ε)) / 2ε, one entry at a time; f returns a float, x is float64
    and is perturbed in place (so it may be a view into a parameter buffer)."""
    grad = np.zeros_like(x)
    flat, flat_grad = x.reshape(-1), grad.reshape(-1)
    for i in range(flat.size):
        saved = flat[i]
        flat[i] = saved + eps
        up = f()
        flat[i] = saved - eps
        down = f()
        flat[i] = saved
        flat_grad[i] = (up - down) / (2 * eps)
    return grad
