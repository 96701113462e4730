"""Backpropagation checked against float64 central differences, layer by layer and end to end."""

import numpy as np
import pytest
from gradcheck import numerical_gradient

import mlpkit as mk
from mlpkit.layers import ACTIVATIONS

DIFFERENTIABLE = [name for name in ACTIVATIONS if name not in ("step", "softmax")]


def network_loss(net, X, y, loss):
    logits = loss.logits_activation is not None
    return loss.value_and_grad(net.forward(X, logits=logits), y)[0]


def analytic_gradients(net, X, y, loss):
    logits = loss.logits_activation is not None
    _, grad = loss.value_and_grad(net.forward(X, training=True, logits=logits), y)
    net.backward(grad, logits=logits)
    return net.grads.copy()


@pytest.mark.parametrize("activation", DIFFERENTIABLE)
def test_dense_layer_gradients_of_every_parameter_match_finite_differences(activation):
    rng = np.random.default_rng(0)
    net = mk.Sequential(
        [mk.layers.Dense(4, activation=activation), mk.layers.Dense(2)],
        random_state=0,
        dtype="float64",
    ).build(3)
    X, y = rng.normal(size=(5, 3)), rng.normal(size=(5, 2))
    loss = mk.losses.get("mse")
    analytic = analytic_gradients(net, X, y, loss)
    numeric = numerical_gradient(lambda: network_loss(net, X, y, loss), net.params)
    np.testing.assert_allclose(analytic, numeric, rtol=1e-5, atol=1e-8)


@pytest.mark.parametrize(
    "loss_name, output, k",
    [
        ("mse", "linear", 2),
        ("mae", "linear", 2),
        ("huber", "linear", 2),
        ("binary_cross_entropy", "sigmoid", 1),
        ("categorical_cross_entropy", "softmax", 3),
        ("mse", "softmax", 3),
        ("mse", "sigmoid", 2),
    ],
)
def test_three_layer_network_gradients_match_finite_differences(loss_name, output, k):
    rng = np.random.default_rng(1)
    net = mk.Sequential(
        [
            mk.layers.Dense(5, activation="tanh"),
            mk.layers.Dense(4, activation="elu"),
            mk.layers.Dense(k, activation=output),
        ],
        random_state=1,
        dtype="float64",
    ).build(3)
    loss = mk.losses.get(loss_name)
    X = rng.normal(size=(7, 3))
    y = loss.prepare_targets(
        rng.integers(0, 2, size=(7, k))
        if "binary" in loss_name
        else rng.integers(0, k, size=7)
        if "categorical" in loss_name
        else rng.normal(size=(7, k)),
        k,
        np.float64,
    )
    analytic = analytic_gradients(net, X, y, loss)
    numeric = numerical_gradient(lambda: network_loss(net, X, y, loss), net.params)
    np.testing.assert_allclose(analytic, numeric, rtol=1e-5, atol=1e-8)


def test_standalone_activation_layers_backpropagate_like_the_dense_argument():
    rng = np.random.default_rng(2)
    fused = mk.Sequential(
        [mk.layers.Dense(4, activation="silu"), mk.layers.Dense(1)], random_state=3, dtype="float64"
    ).build(3)
    split = mk.Sequential(
        [mk.layers.Dense(4, kernel_initializer="he_normal"), mk.layers.SiLU(), mk.layers.Dense(1)],
        random_state=3,
        dtype="float64",
    ).build(3)
    X, y = rng.normal(size=(6, 3)), rng.normal(size=(6, 1))
    loss = mk.losses.get("mse")
    np.testing.assert_allclose(
        analytic_gradients(split, X, y, loss), analytic_gradients(fused, X, y, loss), rtol=1e-12
    )
