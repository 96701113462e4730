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
    ``torch.nn.utils.clip_grad_norm_``: g ← g · :func:`norm_scale`.

    ``norm`` is ‖g‖₂ if the caller already computed it (it is recomputed after value clipping).
    """
    if clip_value is not None:
        np.clip(grads, -clip_value, clip_value, out=grads)
        norm = None
    if clip_norm is not None:
        scale = norm_scale(grads, clip_norm, norm)
        if scale < 1:
            grads *= scale


def norm_scale(grads: np.ndarray, clip_norm: float, norm=None) -> float:
    """s = min(1, c / (‖g‖₂ + 10⁻⁶)), the factor that brings ‖g‖₂ down to at most c
    (``norm``: ‖g‖₂ if already known)."""
    norm = global_norm(grads) if norm is None else norm
    return min(1.0, clip_norm / (norm + 1e-6))


def check_clipping(clip_value, clip_norm) -> None:
    for name, value in (("clip_value", clip_value), ("clip_norm", clip_norm)):
        if value is not None:
            check_positive(name, value)
