"""PyTorch as the oracle of the convolution, pooling and per-channel BatchNorm layers.

Each network trains by ``net.fit(..., shuffle=False)`` for 5 epochs of 40 rows in batches of 8
(25 steps) next to a float64 torch twin that starts from the same weights and sees the same
batches; the outputs (after training, eval mode) and every weight must then agree to 1e-6.

Weight mapping, mlpkit ↔ torch:
    Conv1D/Conv2D W (C·k…, filters)  ↔ nn.Conv1d/2d weight (filters, C, k…):
        weight = W.T.reshape(filters, C, *k),   W = weight.reshape(filters, -1).T
    Dense W (n_in, units)             ↔ nn.Linear weight (units, n_in) = W.T
    BatchNorm γ, β, running stats     ↔ nn.BatchNorm1d/2d weight, bias, running_mean/var; the
        momentum is the same number (torch's convention: new = (1 − m)·old + m·batch).
"""

from __future__ import annotations

from functools import partial

import numpy as np
import pytest
import torch
from test_oracle_torch import ATOL, RTOL, train_torch
from torch import nn

import mlpkit as mk
from mlpkit.layers.conv import Conv1D, Conv2D
from mlpkit.layers.pooling import AvgPool1D, AvgPool2D, GlobalAveragePool, MaxPool1D, MaxPool2D
from mlpkit.layers.shaping import Flatten, Reshape

L = mk.layers
F64 = {"dtype": torch.float64}
N_SAMPLES, BATCH_SIZE, EPOCHS, N_CLASSES = 40, 8, 5, 3
TORCH_ACTIVATIONS = {"linear": nn.Identity, "relu": nn.ReLU, "tanh": nn.Tanh}


class ChannelMean(nn.Module):
    """GlobalAveragePool's twin: the mean over every axis after the channels."""

    def forward(self, x):
        return x.flatten(2).mean(dim=2)


def torch_conv(layer):
    rank = len(layer.kernel_size)
    channels = layer.W.shape[0] // int(np.prod(layer.kernel_size))
    conv = (nn.Conv1d, nn.Conv2d)[rank - 1](
        channels,
        layer.filters,
        layer.kernel_size,
        stride=layer.stride,
        padding=tuple(before for before, _ in layer.pads),
        dilation=layer.dilation,
        bias=layer.use_bias,
        **F64,
    )
    with torch.no_grad():
        conv.weight.copy_(torch.from_numpy(layer.W.T.reshape(conv.weight.shape)))
        if layer.use_bias:
            conv.bias.copy_(torch.from_numpy(layer.b))
    return [conv, TORCH_ACTIVATIONS[mk.layers.activations.activation_name(layer.activation)]()]


def torch_pool(layer):
    kind = (nn.MaxPool1d, nn.MaxPool2d) if isinstance(layer, (MaxPool1D, MaxPool2D)) else None
    kind = kind or (nn.AvgPool1d, nn.AvgPool2d)
    padding = tuple(before for before, _ in layer.pads)
    return [kind[len(layer.pool_size) - 1](layer.pool_size, layer.stride, padding)]


def twin_of(net: mk.Sequential) -> nn.Sequential:
    """The torch copy of ``net``: its layers one by one, the weights copied; the softmax
    output left to CrossEntropyLoss (logits)."""
    modules = []
    for layer in net.layers:
        if isinstance(layer, Reshape):
            modules.append(nn.Unflatten(1, layer.target_shape))
        elif isinstance(layer, (Conv1D, Conv2D)):
            modules += torch_conv(layer)
        elif isinstance(layer, (MaxPool1D, MaxPool2D, AvgPool1D, AvgPool2D)):
            modules += torch_pool(layer)
        elif isinstance(layer, GlobalAveragePool):
            modules.append(ChannelMean())
        elif isinstance(layer, L.BatchNorm):
            rank = len(layer.network.sizes[net.layers.index(layer)]) - 1
            bn = (nn.BatchNorm1d, nn.BatchNorm2d)[max(rank - 1, 0)]
            modules.append(
                bn(layer.gamma.shape[0], eps=layer.epsilon, momentum=layer.momentum, **F64)
            )
        elif isinstance(layer, L.ReLU):
            modules.append(nn.ReLU())
        elif isinstance(layer, Flatten):
            modules.append(nn.Flatten())
        elif isinstance(layer, L.Dense):
            linear = nn.Linear(*layer.W.shape, **F64)
            with torch.no_grad():
                linear.weight.copy_(torch.from_numpy(layer.W.T))
                linear.bias.copy_(torch.from_numpy(layer.b))
            modules.append(linear)
        else:
            raise AssertionError(f"no torch twin for {layer.name}")
    return nn.Sequential(*modules)


def pairs(net, model):
    """(name, mlpkit array, torch array in mlpkit's layout) for every learned array."""
    learned = [
        m
        for m in model
        if isinstance(m, (nn.Conv1d, nn.Conv2d, nn.Linear, nn.BatchNorm1d, nn.BatchNorm2d))
    ]
    layers = [
        layer for layer in net.layers if isinstance(layer, (Conv1D, Conv2D, L.Dense, L.BatchNorm))
    ]
    assert len(learned) == len(layers)
    for i, (layer, module) in enumerate(zip(layers, learned)):
        if isinstance(layer, L.BatchNorm):
            yield from (
                (f"{i}.gamma", layer.gamma, module.weight),
                (f"{i}.beta", layer.beta, module.bias),
                (f"{i}.running_mean", layer.running_mean, module.running_mean),
                (f"{i}.running_var", layer.running_var, module.running_var),
            )
            continue
        weight = module.weight.detach().numpy()
        yield f"{i}.W", layer.W, weight.reshape(weight.shape[0], -1).T
        if layer.use_bias:
            yield f"{i}.b", layer.b, module.bias


def assert_same(net, model, rtol=RTOL, atol=ATOL):
    worst = 0.0
    for name, mine, theirs in pairs(net, model):
        theirs = theirs.detach().numpy() if torch.is_tensor(theirs) else theirs
        np.testing.assert_allclose(mine, theirs, rtol=rtol, atol=atol, err_msg=name)
        worst = max(worst, float(np.max(np.abs(mine - theirs))))
    return worst


def train_twins(layers, n_features, optimizer, torch_optimizer, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(N_SAMPLES, n_features))
    y = np.argmax(X @ rng.normal(size=(n_features, N_CLASSES)), axis=1)
    net = mk.Sequential(layers, random_state=seed, dtype="float64").build(n_features)
    model = twin_of(net)
    assert_same(net, model, rtol=0, atol=0)
    start = net.params.copy()
    net.fit(
        X,
        y,
        loss="categorical_cross_entropy",
        optimizer=optimizer,
        batch_size=BATCH_SIZE,
        epochs=EPOCHS,
        shuffle=False,
        verbose=0,
    )
    losses = train_torch(
        model,
        X,
        torch.from_numpy(y),
        nn.CrossEntropyLoss(),
        torch_optimizer(model.parameters()),
        BATCH_SIZE,
        EPOCHS,
    )
    assert not np.allclose(net.params, start), "training did not move the weights"
    worst = assert_same(net, model)
    X_new = rng.normal(size=(10, n_features))
    model.eval()
    with torch.no_grad():
        expected = torch.softmax(model(torch.from_numpy(X_new)), dim=1).numpy()
    predicted = net.predict(X_new)
    np.testing.assert_allclose(predicted, expected, rtol=RTOL, atol=ATOL)
    worst_output = float(np.max(np.abs(predicted - expected)))
    print(
        f"max |weight diff| = {worst:.1e}, max |output diff| = {worst_output:.1e}, "
        f"torch loss {losses[0]:.3f} -> {losses[-1]:.3f}"
    )


SGD = (
    lambda: mk.optim.SGD(learning_rate=0.05, momentum=0.9),
    partial(torch.optim.SGD, lr=0.05, momentum=0.9),
)
ADAM = (lambda: mk.optim.Adam(learning_rate=1e-2), partial(torch.optim.Adam, lr=1e-2))


@pytest.mark.parametrize("optimizers", [SGD, ADAM], ids=["sgd-momentum", "adam"])
def test_conv2d_pooling_network_matches_torch(optimizers):
    layers = [
        Reshape((1, 14, 14)),
        Conv2D(4, 3, padding=1, activation="relu"),  # (4, 14, 14)
        MaxPool2D(2),  # (4, 7, 7)
        Conv2D(6, 3, stride=2, padding=1, dilation=2, activation="tanh"),  # (6, 3, 3)
        AvgPool2D(2, stride=1),  # (6, 2, 2)
        Flatten(),
        L.Dense(N_CLASSES, activation="softmax"),
    ]
    train_twins(layers, 14 * 14, optimizers[0](), optimizers[1])


@pytest.mark.parametrize("optimizers", [SGD, ADAM], ids=["sgd-momentum", "adam"])
def test_conv1d_pooling_batchnorm_network_matches_torch(optimizers):
    layers = [
        Reshape((2, 20)),
        Conv1D(4, 3, padding=1, use_bias=False),  # (4, 20); BatchNorm's β is the bias
        L.BatchNorm(),  # torch BatchNorm1d on (n, C, L)
        L.ReLU(),
        MaxPool1D(3, stride=2, padding=1),  # (4, 10)
        Conv1D(5, 3, stride=2, padding=1, dilation=2, activation="tanh"),  # (5, 4)
        AvgPool1D(2, stride=1),  # (5, 3)
        GlobalAveragePool(),  # (5,)
        L.Dense(N_CLASSES, activation="softmax"),
    ]
    train_twins(layers, 2 * 20, optimizers[0](), optimizers[1])


@pytest.mark.parametrize("momentum", [0.1, 0.3])
def test_per_channel_batchnorm2d_network_matches_torch(momentum):
    layers = [
        Reshape((2, 8, 8)),
        Conv2D(4, 3, padding="same", use_bias=False),
        L.BatchNorm(momentum=momentum, epsilon=1e-3),  # torch BatchNorm2d
        L.ReLU(),
        MaxPool2D(2),  # (4, 4, 4)
        Flatten(),
        L.Dense(N_CLASSES, activation="softmax"),
    ]
    train_twins(layers, 2 * 8 * 8, ADAM[0](), ADAM[1])
