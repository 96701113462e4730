"""Export a trained network to PyTorch, to serve it with PyTorch tooling.

``to_torch(net)`` returns an equivalent ``torch.nn.Sequential`` in evaluation mode, with the same
weights (``nn.Linear`` stores W transposed) and dtype; its outputs equal ``net.predict``'s. torch
is imported only here and only when called: it is never a dependency of mlpkit.
"""

from __future__ import annotations

import numpy as np

from .layers import activations
from .layers.batchnorm import BatchNorm
from .layers.dense import Dense
from .layers.dropout import Dropout
from .layers.residual import Residual


def to_torch(net):
    """The network as a ``torch.nn.Sequential`` (eval mode). A preprocessor, if the network
    has one, is not part of it: apply ``net.preprocessor.transform`` to the inputs first."""
    import torch

    dtype = torch.float64 if net.dtype == np.float64 else torch.float32
    model = torch.nn.Sequential(*[module for layer in net.layers for module in _modules(layer)])
    model.to(dtype)
    _copy_weights(net.layers, model, torch, dtype)
    return model.eval()


def _modules(layer) -> list:
    import torch.nn as nn

    if isinstance(layer, Dense):
        n_in = layer.W.shape[0]
        return [nn.Linear(n_in, layer.units, bias=layer.use_bias), *_modules(layer.activation)]
    if isinstance(layer, Dropout):
        return [nn.Dropout(layer.rate)]
    if isinstance(layer, BatchNorm):
        return [nn.BatchNorm1d(layer.gamma.size, eps=layer.epsilon, momentum=layer.momentum)]
    if isinstance(layer, Residual):
        return [_residual_module(layer)]
    return _activation_module(layer)


def _activation_module(layer) -> list:
    import torch.nn as nn

    name = activations.activation_name(layer)
    simple = {
        "sigmoid": nn.Sigmoid,
        "tanh": nn.Tanh,
        "relu": nn.ReLU,
        "softplus": nn.Softplus,
        "silu": nn.SiLU,
    }
    if name == "linear":
        return []
    if name in simple:
        return [simple[name]()]
    if name == "leaky_relu":
        return [nn.LeakyReLU(layer.negative_slope)]
    if name == "prelu":
        return [nn.PReLU(num_parameters=layer.alpha.size)]
    if name == "elu":
        return [nn.ELU(layer.alpha)]
    if name == "gelu":
        return [nn.GELU(approximate=layer.approximate)]
    if name == "softmax":
        return [nn.Softmax(dim=1)]
    if name == "step":
        return [_step_module()]
    raise ValueError(f"Cannot export the activation {name!r} to PyTorch.")


def _step_module():
    import torch

    class Step(torch.nn.Module):
        """Heaviside step: 1 where z > 0, else 0 (as mlpkit's Step)."""

        def forward(self, z):
            return (z > 0).to(z.dtype)

    return Step()


def _residual_module(layer):
    import torch

    class Residual(torch.nn.Module):
        """y = x + f(x), or x·P + f(x) with a bias-free projection P."""

        def __init__(self, body, projection):
            super().__init__()
            self.body, self.projection = body, projection

        def forward(self, x):
            skip = x if self.projection is None else self.projection(x)
            return self.body(x) + skip

    body = torch.nn.Sequential(*[m for inner in layer.layers for m in _modules(inner)])
    projection = None
    if layer.projection is not None:
        projection = torch.nn.Linear(
            layer.projection.W.shape[0], layer.projection.units, bias=False
        )
    return Residual(body, projection)


def _copy_weights(layers, modules, torch, dtype) -> None:
    """Copy parameters and running statistics, layer by layer, in module order."""
    queue = list(modules)
    for layer in layers:
        if isinstance(layer, Residual):
            module = queue.pop(0)
            _copy_weights(layer.layers, module.body, torch, dtype)
            if layer.projection is not None:
                module.projection.weight.data = _tensor(layer.projection.W.T, torch, dtype)
            continue
        for module in _modules_of(layer, queue):
            _copy_one(layer, module, torch, dtype)


def _modules_of(layer, queue) -> list:
    count = len(_modules(layer))
    taken, queue[:] = queue[:count], queue[count:]
    return taken


def _copy_one(layer, module, torch, dtype) -> None:
    tensor = lambda array: _tensor(array, torch, dtype)  # noqa: E731
    if isinstance(module, torch.nn.Linear):
        module.weight.data = tensor(layer.W.T)
        if layer.use_bias:
            module.bias.data = tensor(layer.b)
    elif isinstance(module, torch.nn.PReLU):
        module.weight.data = tensor(
            layer.activation.alpha if isinstance(layer, Dense) else layer.alpha
        )
    elif isinstance(module, torch.nn.BatchNorm1d):
        module.weight.data, module.bias.data = tensor(layer.gamma), tensor(layer.beta)
        module.running_mean.data = tensor(layer.running_mean)
        module.running_var.data = tensor(layer.running_var)


def _tensor(array, torch, dtype):
    return torch.tensor(np.ascontiguousarray(array), dtype=dtype)
