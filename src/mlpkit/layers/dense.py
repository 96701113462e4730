"""The fully connected layer: every input connected to every neuron."""

from __future__ import annotations

import numpy as np

from .._checks import check_integer
from ..params import ParamSpec
from . import activations
from .weighted import WeightedLayer


class Dense(WeightedLayer):
    """A layer of ``units`` neurons: a = f(z), z = x W + b.

    Shapes: x (n_samples, n_in), W (n_in, units), b (units,), z and a (n_samples, units).

    Backward, given dL/da (n_samples, units):
        dL/dz = dL/da ⊙ f'(z)        (done by the activation)
        dL/dW = xᵀ · dL/dz           (n_in, units)
        dL/db = Σ_samples dL/dz      (units,)
        dL/dx = dL/dz · Wᵀ           (n_samples, n_in)

    Args:
        units: number of neurons (output width), a positive integer.
        activation: a name from ``mk.layers.ACTIVATIONS`` or an activation layer object.
            Defaults to ``"linear"``.
        kernel_initializer: name or ``mk.initializers`` object for W. Defaults by activation:
            He normal for the ReLU family, Glorot uniform for sigmoid/tanh/softmax/step,
            LeCun normal for linear.
        bias_initializer: for b. Defaults to ``"zeros"``.
        use_bias: whether the layer has b. Defaults to True.
        kernel_regularizer: an ``mk.regularizers`` penalty on W (name, config or object).
            Defaults to None (the network's ``regularizer``, if any, applies).
        bias_regularizer: a penalty on b. Defaults to None (biases are not penalised).

    Attributes (after the network is built): ``W``, ``b`` and their gradients ``dW``, ``db`` —
    views into the network's flat ``params`` and ``grads``; ``activation`` — the activation layer.
    """

    def __init__(
        self,
        units: int,
        activation: str | activations.Activation | None = "linear",
        *,
        kernel_initializer=None,
        bias_initializer="zeros",
        use_bias: bool = True,
        kernel_regularizer=None,
        bias_regularizer=None,
    ) -> None:
        check_integer("units", units, low=1, owner="Dense")
        self.units = int(units)
        self._set_weights(
            activation,
            kernel_initializer,
            bias_initializer,
            use_bias,
            kernel_regularizer,
            bias_regularizer,
        )

    def get_config(self):
        return {"units": self.units, **self.weights_config()}

    def build(self, n_in):
        (n_in,) = self.expect_rank(n_in, 1, "features")
        specs = [ParamSpec("W", (n_in, self.units), self.kernel_initializer)]
        if self.use_bias:
            specs.append(ParamSpec("b", (self.units,), self.bias_initializer, regularize=False))
        _, activation_specs = self.activation.build(self.units)
        return self.units, specs + activation_specs

    def forward(self, x, *, training=False, logits=False):
        z = self._output("z", (x.shape[0], self.units), x.dtype, training)
        np.matmul(x, self.W, out=z)
        if training:
            self._x = x
        if not self.use_bias:
            return self.activation.forward(z, training=training, logits=logits)
        if logits:
            z += self.b
            return z
        return self.activation.forward_biased(z, self.b, training=training)

    def backward(self, dy, *, logits=False):
        dz = self.activation.backward(dy, logits=logits)
        np.matmul(self._x.T, dz, out=self.dW)
        if self.use_bias:
            np.matmul(self._ones(dz.shape[0], dz.dtype), dz, out=self.db)  # Σ over samples
        if not self.needs_input_grad:
            return None
        dx = self._output("dx", self._x.shape, dz.dtype, True)
        return np.matmul(dz, self.W.T, out=dx)
