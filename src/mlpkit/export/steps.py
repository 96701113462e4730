"""The one walk of a network for every export format: its layers as plain steps with arrays.

:func:`network_steps` turns ``net.layers`` into a list of :class:`Step` — what each layer
computes at inference, with copies of its arrays — that every exporter (:mod:`.torch`,
:mod:`.onnx_graph`) translates one to one, so no exporter walks the layers itself. Samples
are channels-first, as in mlpkit: (n, C, L), (n, C, H, W), sequences (n, T, F).

    Dense            → "dense" (W (n_in, units), b (units,) or none), then its activation
    an activation    → "activation" (``name``; PReLU's slopes, LeakyReLU's slope, ELU's α,
                       GELU's ``approximate`` as options); "linear" gives no step
    BatchNorm        → "batchnorm" (gamma, beta, running_mean, running_var; epsilon, momentum;
                       ``rank``: 0 on rows, 1 or 2 per channel on (n, C, L) / (n, C, H, W))
    Dropout          → "dropout" (the identity at inference; ``rate``, ``per_channel`` and
                       ``rank`` kept for PyTorch)
    Residual         → "residual" (``body``: the steps of f; ``projection`` P (n_in, n_out)
                       when f changes the width)
    Flatten          → "flatten" (to rows (n, features), C order)
    Reshape          → "reshape" (``shape``: the per-sample target; ``in_shape``)
    Conv1D, Conv2D   → "conv" (W (C·k…, filters), b (filters,) or none; ``rank``,
                       ``channels``, ``filters``, ``kernel_size``, ``stride``, ``dilation``,
                       ``pads`` ((before, after) per axis)), then its activation
    MaxPool1D/2D     → "max_pool" (``rank``, ``pool_size``, ``stride``, ``pads``)
    AvgPool1D/2D     → "avg_pool" (the same; zero padding counted in the mean)
    GlobalAveragePool → "global_average_pool" (mean over every axis after the channels;
                       ``in_shape``)
    SimpleRNN, LSTM, GRU → "recurrent" (``name`` "simple_rnn", "lstm" or "gru"; W (F, G·H),
                       U (H, G·H), b (G·H,), GRU's b_rec (G·H,); ``units``,
                       ``return_sequences``, ``time``, SimpleRNN's ``activation``); the gates
                       in torch's order (LSTM i, f, g, o; GRU r, z, n)
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..layers import activations
from ..layers.base import shape_of
from ..layers.batchnorm import BatchNorm
from ..layers.conv import Conv1D, Conv2D
from ..layers.dense import Dense
from ..layers.dropout import Dropout
from ..layers.pooling import AvgPool1D, AvgPool2D, GlobalAveragePool, MaxPool1D, MaxPool2D
from ..layers.recurrent.gru import GRU
from ..layers.recurrent.lstm import LSTM
from ..layers.recurrent.simple_rnn import SimpleRNN
from ..layers.residual import Residual
from ..layers.shaping import Flatten, Reshape
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


def network_steps(layers, sizes=None) -> list[Step]:
    """The inference steps of ``layers`` (a network's ``layers``, or a residual's), in order.

    Args:
        layers: the layers.
        sizes: the per-sample size each layer takes (``net.sizes``: ``sizes[i]`` is layer i's
            input); None for layers on rows (n, features), as a residual's are.

    Raises:
        ValueError: a layer or activation that no exporter knows, named.
    """
    sizes = [None] * len(layers) if sizes is None else sizes
    steps = []
    for layer, size in zip(layers, sizes):
        steps += _layer_steps(layer, () if size is None else shape_of(size))
    return steps


#: The pooling layers and their step kinds.
POOLING = {
    MaxPool1D: "max_pool",
    MaxPool2D: "max_pool",
    AvgPool1D: "avg_pool",
    AvgPool2D: "avg_pool",
}
#: The recurrent layers and their step names.
RECURRENT = {SimpleRNN: "simple_rnn", LSTM: "lstm", GRU: "gru"}


def _layer_steps(layer, in_shape: tuple) -> list[Step]:
    """The steps of one layer, which takes samples of ``in_shape`` (() when unknown: rows)."""
    rank = max(len(in_shape) - 1, 0)  # spatial axes after the channels
    if isinstance(layer, Dense):
        arrays = {"W": _copy(layer.W)}
        if layer.use_bias:
            arrays["b"] = _copy(layer.b)
        return [Step("dense", arrays=arrays), *activation_steps(layer.activation)]
    if isinstance(layer, Dropout):
        options = {"rate": layer.rate, "per_channel": layer.per_channel, "rank": rank}
        return [Step("dropout", options=options)]
    if isinstance(layer, BatchNorm):
        names = ("gamma", "beta", "running_mean", "running_var")
        options = {"epsilon": layer.epsilon, "momentum": layer.momentum, "rank": rank}
        return [
            Step("batchnorm", arrays={n: _copy(getattr(layer, n)) for n in names}, options=options)
        ]
    if isinstance(layer, Residual):
        arrays = {} if layer.projection is None else {"projection": _copy(layer.projection.W)}
        return [Step("residual", arrays=arrays, body=tuple(network_steps(layer.layers)))]
    if isinstance(layer, activations.Activation):
        return activation_steps(layer)
    return _shaped_steps(layer, in_shape)


def _shaped_steps(layer, in_shape: tuple) -> list[Step]:
    """The steps of the layers on shaped samples (and of Flatten / Reshape)."""
    if isinstance(layer, Flatten):
        return [Step("flatten")]
    if isinstance(layer, Reshape):
        return [Step("reshape", options={"shape": layer.output_shape, "in_shape": in_shape})]
    if isinstance(layer, (Conv1D, Conv2D)):
        return [_conv_step(layer), *activation_steps(layer.activation)]
    pooling = _kind(layer, POOLING)
    if pooling is not None:
        options = {"rank": len(layer.pool_size), "pool_size": layer.pool_size}
        options.update(stride=layer.stride, pads=layer.pads)
        return [Step(pooling, options=options)]
    if isinstance(layer, GlobalAveragePool):
        return [Step("global_average_pool", options={"in_shape": in_shape})]
    if _kind(layer, RECURRENT) is not None:
        return [_recurrent_step(layer)]
    raise ValueError(f"Cannot export the layer {type(layer).__name__}: no exporter knows it.")


def _conv_step(layer) -> Step:
    arrays = {"W": _copy(layer.W)}
    if layer.use_bias:
        arrays["b"] = _copy(layer.b)
    options = {
        "rank": len(layer.kernel_size),
        "channels": layer.W.shape[0] // int(np.prod(layer.kernel_size)),
        "filters": layer.filters,
        "kernel_size": layer.kernel_size,
        "stride": layer.stride,
        "dilation": layer.dilation,
        "pads": layer.pads,
    }
    return Step("conv", arrays=arrays, options=options)


def _recurrent_step(layer) -> Step:
    names = ("W", "U", "b", "b_rec") if isinstance(layer, GRU) else ("W", "U", "b")
    options = {
        "units": layer.units,
        "return_sequences": layer.return_sequences,
        "time": layer.time,
    }
    if isinstance(layer, SimpleRNN):
        options["activation"] = layer.activation_name
    arrays = {n: _copy(getattr(layer, n)) for n in names}
    return Step("recurrent", name=_kind(layer, RECURRENT), arrays=arrays, options=options)


def _kind(layer, table: dict) -> str | None:
    """The entry of ``table`` (class → name) for ``layer``'s class, None when it has none."""
    return next((name for cls, name in table.items() if isinstance(layer, cls)), None)


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
