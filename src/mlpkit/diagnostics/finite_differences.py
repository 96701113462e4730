r"""Central finite differences: the numeric check of every gradient explain mode prints.

For a scalar loss L(v) of an array v, each entry's derivative is estimated as

    ∂L/∂vⱼ ≈ (L(v + h·eⱼ) − L(v − h·eⱼ)) / (2h),

whose error is O(h²) (plus rounding ≈ ε_machine·|L|/h; h = 1e-6 in float64 balances the two
at ≈ 1e-10). ``v`` is perturbed in place and put back exactly.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

#: The step h (float64).
STEP = 1e-6


def central_differences(
    loss_of: Callable[[], float], values: np.ndarray, step: float = STEP
) -> np.ndarray:
    """∂L/∂v for every entry of ``values`` (any shape, perturbed in place), where
    ``loss_of()`` computes L from the current ``values``; the same shape as ``values``."""
    flat = values.reshape(-1)  # a view: perturbing it perturbs values
    estimate = np.empty(flat.shape, dtype=np.float64)
    for j in range(flat.size):
        kept = flat[j]
        flat[j] = kept + step
        above = loss_of()
        flat[j] = kept - step
        below = loss_of()
        flat[j] = kept
        estimate[j] = (above - below) / (2 * step)
    return estimate.reshape(values.shape)


__all__ = ["STEP", "central_differences"]
