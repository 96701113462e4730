"""Residual block: y = x + f(x), the skip connection that lets deep networks train."""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from ..exceptions import ConfigError
from .base import Layer
from .dense import Dense


class Residual(Layer):
    """y = x + f(x), where f is a stack of layers; y = x·P + f(x) when f changes the width.

    The identity path carries the gradient straight back, dL/dx = dL/dy + dL/dy·∂f/∂x, so it
    cannot vanish however deep the stack (He et al., 2016). When f's output width differs from
    its input width a linear projection P (a bias-free ``Dense``, LeCun-initialised) maps x to
    the new width.

    Args:
        layers: the layers of f, in order (e.g. ``[Dense(32, activation="relu"), Dense(32)]``).

    Parameters of the inner layers are named ``"<i>.<name>"`` (``"0.W"``) in the network's
    buffer, and the projection's ``"projection.W"``; the inner layers keep their own views.
    """

    def __init__(self, layers) -> None:
        layers = list(layers)
        if not layers or not all(isinstance(layer, Layer) for layer in layers):
            raise ConfigError(
                "Residual takes a non-empty list of layers, e.g. [Dense(16), ReLU()]."
            )
        self.layers = layers
        self.projection: Dense | None = None

    def get_config(self):
        return {
            "layers": [{"class": layer.name, "config": layer.get_config()} for layer in self.layers]
        }

    def sublayers(self):
        return self.layers + ([self.projection] if self.projection is not None else [])

    def build(self, n_in):
        width, specs = n_in, []
        for index, layer in enumerate(self.layers):
            width, layer_specs = layer.build(width)
            specs += [_prefixed(spec, f"{index}.") for spec in layer_specs]
        self.projection = None
        if width != n_in:
            self.projection = Dense(width, use_bias=False, kernel_initializer="lecun_normal")
            specs += [_prefixed(spec, "projection.") for spec in self.projection.build(n_in)[1]]
        return width, specs

    def bind(self, params, grads):
        for prefix, layer in self._named_layers():
            layer.bind(_unprefixed(params, prefix), _unprefixed(grads, prefix))

    def trains(self, name):
        for prefix, layer in self._named_layers():
            if name.startswith(prefix):
                return self.trainable and layer.trains(name[len(prefix) :])
        return self.trainable

    def regularizer_for(self, name):
        for prefix, layer in self._named_layers():
            if name.startswith(prefix):
                return layer.regularizer_for(name[len(prefix) :])
        return None

    def _named_layers(self):
        named = [(f"{index}.", layer) for index, layer in enumerate(self.layers)]
        return named + ([("projection.", self.projection)] if self.projection is not None else [])

    def forward(self, x, *, training=False, logits=False):
        h = x
        for layer in self.layers:
            h = layer.forward(h, training=training)
        skip = x if self.projection is None else self.projection.forward(x, training=training)
        return np.add(h, skip, out=self._output("y", h.shape, h.dtype, training))

    def backward(self, dy, *, logits=False):
        dh = dy
        for layer in reversed(self.layers):
            dh = layer.backward(dh)
        if not self.needs_input_grad:
            if self.projection is not None:
                self.projection.backward(dy)
            return None
        skip = dy if self.projection is None else self.projection.backward(dy)
        return np.add(dh, skip, out=self._output("dx", dh.shape, dh.dtype, True))


def _prefixed(spec, prefix):
    return replace(spec, name=prefix + spec.name)


def _unprefixed(views, prefix):
    return {name[len(prefix) :]: view for name, view in views.items() if name.startswith(prefix)}
