"""Gradient clipping over the flat gradient buffer (in place)."""

from __future__ import annotations

import math

import numpy as np

from .._checks import check_positive


def global_norm(grads: np.ndarray) -> float:
    """‖g‖₂ over every gradient entry of the network, one BLAS dot product (float64 on overflow)."""
    squared = float(np.dot(grads, grads))
    if math.isinf(squared) and np.isfinite(grads).all():
        squared = float(np.dot(grads.astype(np.float64), grads.astype(np.float64)))
    return math.sqrt(squared) if squared >= 0 else math.nan


def clip_gradients(grads: np.ndarray, clip_value=None, clip_norm=None, norm=None) -> None:
    """Clip in place: by value, g ← clip(g, −c, c); then by global norm, as
    ``torch.nn.utils.clip_grad_norm_``: g ← g · min(1, c / (‖g‖₂ + 10⁻⁶)).

    ``norm`` is ‖g‖₂ if the caller already computed it (it is recomputed after value clipping).
    """
    if clip_value is not None:
        np.clip(grads, -clip_value, clip_value, out=grads)
        norm = None
    if clip_norm is not None:
        norm = global_norm(grads) if norm is None else norm
        scale = clip_norm / (norm + 1e-6)
        if scale < 1:
            grads *= scale


def check_clipping(clip_value, clip_norm) -> None:
    for name, value in (("clip_value", clip_value), ("clip_norm", clip_norm)):
        if value is not None:
            check_positive(name, value)
