"""The layers of a network as torch modules, one :class:`~.steps.Step` at a time, holding the
network's weights in its dtype (``nn.Linear`` stores W transposed; a convolution's kernel
(C·k…, filters) is ``weight.reshape(filters, -1).T``; a recurrent layer's W and U are
``weight_ih_l0``ᵀ and ``weight_hh_l0``ᵀ)."""

from __future__ import annotations

import numpy as np

from .steps import network_steps
from .torch_modules import torch_modules


def torch_layers(net):
    """The layers as a ``torch.nn.Sequential`` with the network's weights and dtype."""
    import torch

    dtype = torch.float64 if net.dtype == np.float64 else torch.float32
    steps = network_steps(net.layers, net.sizes)
    modules = [module for step in steps for module in _modules(step, dtype)]
    return torch.nn.Sequential(*modules).to(dtype)


def _modules(step, dtype) -> list:
    """The torch modules of one :class:`~.steps.Step`, holding its arrays."""
    import torch.nn as nn

    tensor = lambda array: nn.Parameter(_tensor(array, dtype))  # noqa: E731
    if step.kind == "dense":
        W = step.arrays["W"]
        linear = nn.Linear(*W.shape, bias="b" in step.arrays)
        linear.weight = tensor(W.T)
        if "b" in step.arrays:
            linear.bias = tensor(step.arrays["b"])
        return [linear]
    if step.kind == "dropout":
        return [_dropout(step.options)]
    if step.kind == "batchnorm":
        return [_batchnorm(step, dtype)]
    if step.kind == "residual":
        return [_residual_module(step, dtype)]
    if step.kind == "activation":
        return [_activation_module(step, dtype)]
    return _shaped_modules(step, dtype)


def _shaped_modules(step, dtype) -> list:
    """The torch modules of the steps on shaped samples (and of Flatten / Reshape)."""
    import torch.nn as nn

    options = step.options
    if step.kind == "flatten":
        return [nn.Flatten()]
    if step.kind == "reshape":
        shape = tuple(options["shape"])
        flatten = [nn.Flatten()] if len(options["in_shape"]) > 1 else []
        return flatten + ([nn.Unflatten(1, shape)] if len(shape) > 1 else [])
    if step.kind == "conv":
        return _conv(step, dtype)
    if step.kind in ("max_pool", "avg_pool"):
        rank, padding = options["rank"], tuple(before for before, _ in options["pads"])
        if step.kind == "max_pool":
            kind = (nn.MaxPool1d, nn.MaxPool2d)[rank - 1]
            return [kind(options["pool_size"], options["stride"], padding)]
        kind = (nn.AvgPool1d, nn.AvgPool2d)[rank - 1]
        return [kind(options["pool_size"], options["stride"], padding, count_include_pad=True)]
    if step.kind == "global_average_pool":
        return [torch_modules().GlobalAveragePool()]
    if step.kind == "recurrent":
        return [_recurrent(step, dtype)]
    raise ValueError(f"Cannot export the step {step.kind!r} to PyTorch.")


def _dropout(options):
    """nn.Dropout, or nn.Dropout1d/2d for whole channels (all the identity in eval mode)."""
    import torch.nn as nn

    if options["per_channel"] and options["rank"] in (1, 2):
        return (nn.Dropout1d, nn.Dropout2d)[options["rank"] - 1](options["rate"])
    return nn.Dropout(options["rate"])


def _conv(step, dtype) -> list:
    """nn.Conv1d/2d with weight = Wᵀ reshaped to (filters, C, k…); padding that differs before
    and after (an odd "same" total) as an nn.ConstantPad1d/2d of zeros in front."""
    import torch.nn as nn

    options, W = step.options, step.arrays["W"]
    rank, pads = options["rank"], options["pads"]
    symmetric = all(before == after for before, after in pads)
    conv = (nn.Conv1d, nn.Conv2d)[rank - 1](
        options["channels"],
        options["filters"],
        options["kernel_size"],
        stride=options["stride"],
        padding=tuple(before for before, _ in pads) if symmetric else 0,
        dilation=options["dilation"],
        bias="b" in step.arrays,
    )
    shape = (options["filters"], options["channels"], *options["kernel_size"])
    conv.weight = nn.Parameter(_tensor(W.T.reshape(shape), dtype))
    if "b" in step.arrays:
        conv.bias = nn.Parameter(_tensor(step.arrays["b"], dtype))
    if symmetric:
        return [conv]
    # torch pads the last axis first: (left, right, top, bottom)
    flat = tuple(p for pair in reversed(pads) for p in pair)
    return [(nn.ConstantPad1d, nn.ConstantPad2d)[rank - 1](flat, 0.0), conv]


def _recurrent(step, dtype):
    """nn.RNN / nn.LSTM / nn.GRU (batch_first) with weight_ih = Wᵀ, weight_hh = Uᵀ, bias_ih =
    b and bias_hh = b_rec (GRU) or 0 (SimpleRNN and LSTM add one bias only)."""
    import torch.nn as nn

    arrays, options = step.arrays, step.options
    features, units = arrays["W"].shape[0], options["units"]
    if step.name == "simple_rnn":
        cell = nn.RNN(features, units, nonlinearity=options["activation"], batch_first=True)
    else:
        cell = {"lstm": nn.LSTM, "gru": nn.GRU}[step.name](features, units, batch_first=True)
    cell.weight_ih_l0 = nn.Parameter(_tensor(arrays["W"].T, dtype))
    cell.weight_hh_l0 = nn.Parameter(_tensor(arrays["U"].T, dtype))
    cell.bias_ih_l0 = nn.Parameter(_tensor(arrays["b"], dtype))
    recurrent_bias = arrays.get("b_rec", np.zeros_like(arrays["b"]))
    cell.bias_hh_l0 = nn.Parameter(_tensor(recurrent_bias, dtype))
    return torch_modules().Recurrent(cell, options["return_sequences"])


def _batchnorm(step, dtype):
    import torch.nn as nn

    arrays, options = step.arrays, step.options
    kind = nn.BatchNorm2d if options["rank"] == 2 else nn.BatchNorm1d  # rows, (n, C, L)
    module = kind(arrays["gamma"].size, eps=options["epsilon"], momentum=options["momentum"])
    module.weight = nn.Parameter(_tensor(arrays["gamma"], dtype))
    module.bias = nn.Parameter(_tensor(arrays["beta"], dtype))
    module.running_mean = _tensor(arrays["running_mean"], dtype)
    module.running_var = _tensor(arrays["running_var"], dtype)
    return module


def _activation_module(step, dtype):
    import torch.nn as nn

    simple = {
        "sigmoid": nn.Sigmoid,
        "tanh": nn.Tanh,
        "relu": nn.ReLU,
        "softplus": nn.Softplus,
        "silu": nn.SiLU,
    }
    name, options = step.name, step.options
    if name in simple:
        return simple[name]()
    if name == "leaky_relu":
        return nn.LeakyReLU(options["negative_slope"])
    if name == "prelu":
        module = nn.PReLU(num_parameters=step.arrays["alpha"].size)
        module.weight = nn.Parameter(_tensor(step.arrays["alpha"], dtype))
        return module
    if name == "elu":
        return nn.ELU(options["alpha"])
    if name == "gelu":
        return nn.GELU(approximate=options["approximate"])
    if name == "softmax":
        return nn.Softmax(dim=1)
    if name == "step":
        return torch_modules().Step()
    raise ValueError(f"Cannot export the activation {name!r} to PyTorch.")


def _residual_module(step, dtype):
    import torch

    body = torch.nn.Sequential(*[m for inner in step.body for m in _modules(inner, dtype)])
    projection = None
    if "projection" in step.arrays:
        P = step.arrays["projection"]
        projection = torch.nn.Linear(*P.shape, bias=False)
        projection.weight = torch.nn.Parameter(_tensor(P.T, dtype))
    return torch_modules().Residual(body, projection)


def _tensor(array, dtype):
    import torch

    return torch.tensor(np.ascontiguousarray(array), dtype=dtype)
