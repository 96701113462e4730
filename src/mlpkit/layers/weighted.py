"""What a layer with a kernel W, a bias b and an activation shares (Dense, Conv1D, Conv2D):
their initialisers and penalties, how they bind their views, and their configuration."""

from __future__ import annotations

from .. import initializers, regularizers
from . import activations
from .base import Layer


def config_or_none(component) -> dict | None:
    """A component's config (an initialiser, a penalty), or None for none."""
    return None if component is None else component.get_config()


class WeightedLayer(Layer):
    """A layer a = f(z) whose z is linear in a kernel W plus a bias b.

    Attributes: ``activation``, ``kernel_initializer`` (by default by activation: He normal
    for the ReLU family, Glorot uniform for sigmoid/tanh/softmax/step, LeCun normal for
    linear), ``bias_initializer``, ``use_bias``, ``kernel_regularizer``, ``bias_regularizer``;
    after the network is built ``W``, ``b`` and their gradients ``dW``, ``db``.
    """

    def _set_weights(
        self,
        activation,
        kernel_initializer,
        bias_initializer,
        use_bias: bool,
        kernel_regularizer,
        bias_regularizer,
    ) -> None:
        self.activation = activations.get(activation)
        self.kernel_initializer = (
            initializers.get(kernel_initializer)
            if kernel_initializer is not None
            else initializers.default_for_activation(activations.activation_name(self.activation))
        )
        self.bias_initializer = initializers.get(bias_initializer)
        self.use_bias = bool(use_bias)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)

    def weights_config(self) -> dict:
        """The activation, initialisers, ``use_bias`` and penalties, as constructor arguments."""
        return {
            "activation": activations.serialize(self.activation),
            "kernel_initializer": self.kernel_initializer.get_config(),
            "bias_initializer": self.bias_initializer.get_config(),
            "use_bias": self.use_bias,
            "kernel_regularizer": config_or_none(self.kernel_regularizer),
            "bias_regularizer": config_or_none(self.bias_regularizer),
        }

    def regularizer_for(self, name: str):
        return {"W": self.kernel_regularizer, "b": self.bias_regularizer}.get(name)

    def bind(self, params, grads):
        self.W, self.dW = params["W"], grads["W"]
        if self.use_bias:
            self.b, self.db = params["b"], grads["b"]
        self.activation.bind(params, grads)
