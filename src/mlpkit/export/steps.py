"""The one walk of a network for every export format: its layers as plain steps with arrays.

:func:`network_steps` turns ``net.layers`` into a list of :class:`Step` — what each layer
computes at inference, with copies of its arrays — that every exporter (:mod:`.torch`,
:mod:`.onnx_graph`) translates one to one, so no exporter walks the layers itself:

    Dense            → "dense" (W (n_in, units), b (units,) or none), then its activation
    an activation    → "activation" (``name``; PReLU's slopes, LeakyReLU's slope, ELU's α,
                       GELU's ``approximate`` as options); "linear" gives no step
    BatchNorm        → "batchnorm" (gamma, beta, running_mean, running_var; epsilon, momentum)
    Dropout          → "dropout" (the identity at inference; ``rate`` kept for PyTorch)
    Residual         → "residual" (``body``: the steps of f; ``projection`` P (n_in, n_out)
                       when f changes the width)
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..layers import activations
from ..layers.batchnorm import BatchNorm
from ..layers.dense import Dense
from ..layers.dropout import Dropout
from ..layers.residual import Residual
from ..network import Sequential


@dataclass(frozen=True)
class Step:
    """One inference step: ``kind``, an activation's ``name``, named ``arrays`` (copies) and
    scalar ``options``; ``body`` holds a residual block's inner steps."""

    kind: str
    name: str = ""
    arrays: dict = field(default_factory=dict)
    options: dict = field(default_factory=dict)
    body: tuple = ()


def network_of(model, exporter: str) -> Sequential:
    """The ``mk.Sequential`` of ``model`` (itself, or a fitted estimator's ``network_``).

    Raises:
        TypeError: ``model`` is neither, or is an estimator not fitted yet.
    """
    if isinstance(model, Sequential):
        if not model.built:
            raise TypeError(
                f"{exporter} takes a built network; this Sequential has no weights yet: fit it "
                f"(or call net.build(n_features)) first."
            )
        return model
    network = getattr(model, "network_", None)
    if not isinstance(network, Sequential):
        raise TypeError(
            f"{exporter} takes an mk.Sequential or a fitted MLPClassifier/MLPRegressor; got "
            f"{type(model).__name__}" + (" (not fitted)" if hasattr(model, "get_params") else "")
        )
    return network


def network_steps(layers) -> list[Step]:
    """The inference steps of ``layers`` (a network's ``layers``, or a residual's), in order.

    Raises:
        ValueError: a layer or activation that no exporter knows, named.
    """
    steps = []
    for layer in layers:
        steps += _layer_steps(layer)
    return steps


def _layer_steps(layer) -> list[Step]:
    if isinstance(layer, Dense):
        arrays = {"W": _copy(layer.W)}
        if layer.use_bias:
            arrays["b"] = _copy(layer.b)
        return [Step("dense", arrays=arrays), *activation_steps(layer.activation)]
    if isinstance(layer, Dropout):
        return [Step("dropout", options={"rate": layer.rate})]
    if isinstance(layer, BatchNorm):
        names = ("gamma", "beta", "running_mean", "running_var")
        options = {"epsilon": layer.epsilon, "momentum": layer.momentum}
        return [
            Step("batchnorm", arrays={n: _copy(getattr(layer, n)) for n in names}, options=options)
        ]
    if isinstance(layer, Residual):
        arrays = {} if layer.projection is None else {"projection": _copy(layer.projection.W)}
        return [Step("residual", arrays=arrays, body=tuple(network_steps(layer.layers)))]
    if isinstance(layer, activations.Activation):
        return activation_steps(layer)
    raise ValueError(f"Cannot export the layer {type(layer).__name__}: no exporter knows it.")


def activation_steps(activation) -> list[Step]:
    """The step of an activation object ([] for "linear")."""
    name = activations.activation_name(activation)
    if name == "linear":
        return []
    if name not in activations.ACTIVATIONS:
        raise ValueError(f"Cannot export the activation {name!r}: no exporter knows it.")
    options = {
        "leaky_relu": lambda: {"negative_slope": activation.negative_slope},
        "elu": lambda: {"alpha": activation.alpha},
        "gelu": lambda: {"approximate": activation.approximate},
    }.get(name, dict)()
    arrays = {"alpha": _copy(activation.alpha)} if name == "prelu" else {}
    return [Step("activation", name=name, arrays=arrays, options=options)]


def _copy(array) -> np.ndarray:
    return np.array(array, copy=True, order="C")
