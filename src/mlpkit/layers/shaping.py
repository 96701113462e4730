"""Layers that change how each sample's values are laid out, not the values: Flatten and
Reshape, the bridges between flat rows (n, features) and shaped samples such as images
(n, channels, height, width) or sequences (n, time, features)."""

from __future__ import annotations

import numpy as np

from ..exceptions import ConfigError
from .base import Layer, ShapeError, as_size, shape_of, shown, size_of


class Flatten(Layer):
    """(n, d₁, …, d_k) → (n, d₁·…·d_k), in C order (the last axis varies fastest, as PyTorch's
    ``nn.Flatten`` and Keras's channels-first ``Flatten``). Backward reshapes dL/dy back to
    the input's shape. No parameters; flat rows pass through unchanged."""

    def build(self, n_in):
        self._in_shape = shape_of(n_in)
        return size_of(n_in), []

    def forward(self, x, *, training=False, logits=False):
        return x.reshape(x.shape[0], -1)

    def backward(self, dy, *, logits=False):
        if not self.needs_input_grad:
            return None
        return dy.reshape(dy.shape[0], *self._in_shape)


class Reshape(Layer):
    """(n, *in_shape) → (n, *target_shape), in C order, with the same number of values per
    sample: e.g. ``Reshape((1, 8, 8))`` turns rows of 64 pixels into one-channel 8×8 images,
    ``Reshape((30, 4))`` rows of 120 values into 30 time steps of 4 features. One entry may
    be -1 (inferred). Backward reshapes dL/dy back to the input's shape.

    Args:
        target_shape: the per-sample shape (without the batch axis), a tuple of positive
            integers with at most one -1.
    """

    def __init__(self, target_shape) -> None:
        shape = (target_shape,) if isinstance(target_shape, (int, np.integer)) else target_shape
        try:
            shape = tuple(int(d) for d in shape)
        except (TypeError, ValueError):
            shape = None
        if not shape or any(d == 0 or d < -1 for d in shape) or shape.count(-1) > 1:
            raise ConfigError(
                f"Reshape takes the per-sample shape as a tuple of positive integers (at most "
                f"one -1), e.g. Reshape((1, 8, 8)); got target_shape={target_shape!r}."
            )
        self.target_shape = shape

    def get_config(self):
        return {"target_shape": list(self.target_shape)}

    def build(self, n_in):
        self._in_shape = shape_of(n_in)
        n_values, known = size_of(n_in), int(np.prod([d for d in self.target_shape if d != -1]))
        shape = self.target_shape
        if -1 in shape:
            if n_values % known:
                raise ShapeError(self._mismatch(n_in))
            shape = tuple(n_values // known if d == -1 else d for d in shape)
        if size_of(shape) != n_values:
            raise ShapeError(self._mismatch(n_in))
        self.output_shape = shape
        return as_size(shape), []

    def _mismatch(self, n_in) -> str:
        return (
            f"Reshape({self.target_shape}) cannot lay out the {size_of(n_in)} values per sample "
            f"of {shown(n_in)}: the target shape must hold exactly {size_of(n_in)} values."
        )

    def forward(self, x, *, training=False, logits=False):
        return x.reshape(x.shape[0], *self.output_shape)

    def backward(self, dy, *, logits=False):
        if not self.needs_input_grad:
            return None
        return dy.reshape(dy.shape[0], *self._in_shape)
