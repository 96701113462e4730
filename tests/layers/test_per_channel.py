"""Dropout(per_channel=True) and BatchNorm on shaped inputs (n, C, *S): whole channels dropped,
statistics per channel; gradient checks in float64; rows (n, features) unchanged."""

import json

import numpy as np
import pytest
import torch
from gradcheck import numerical_gradient

import mlpkit as mk
from mlpkit.layers.base import ShapeError
from mlpkit.layers.conv import Conv2D

from .test_conv import check_gradients, standalone

L = mk.layers


class FixedStream:
    """Dropout draws from ``layer.rng``: a Generator re-seeded on every forward gives the same
    mask each time, so the loss is a smooth function of x."""

    def __init__(self, layer, seed):
        self.layer, self.seed = layer, seed

    def forward(self, x, **kwargs):
        self.layer.rng = np.random.default_rng(self.seed)
        return self.layer.forward(x, **kwargs)

    def backward(self, dy):
        return self.layer.backward(dy)


@pytest.mark.parametrize("shape", [(4, 3, 5), (3, 4, 3, 2)])
def test_per_channel_dropout_drops_whole_channels_and_scales_the_rest(shape):
    layer = L.Dropout(0.5, per_channel=True)
    assert layer.build(shape[1:]) == (shape[1:], [])
    layer.rng = np.random.default_rng(0)
    x = np.random.default_rng(1).normal(size=shape) + 10  # no zeros of its own
    y = layer.forward(x, training=True)
    assert layer.mask.shape == (*shape[:2],) + (1,) * (len(shape) - 2)
    kept = layer.mask.reshape(shape[:2]) > 0
    assert kept.any() and (~kept).any()
    flat_x, flat_y = x.reshape(*shape[:2], -1), y.reshape(*shape[:2], -1)
    np.testing.assert_array_equal(flat_y[~kept], 0)
    np.testing.assert_allclose(flat_y[kept], 2 * flat_x[kept])
    np.testing.assert_array_equal(layer.forward(x, training=False), x)


def test_per_channel_dropout_keeps_a_fraction_one_minus_rate_of_channels():
    layer = L.Dropout(0.3, per_channel=True)
    layer.build((64, 2, 2))
    layer.rng = np.random.default_rng(2)
    layer.forward(np.ones((200, 64, 2, 2)), training=True)
    kept = np.mean(layer.mask > 0)
    assert abs(kept - 0.7) < 0.02, kept  # 12,800 channel draws: σ ≈ 0.004


@pytest.mark.parametrize("per_channel", [True, False])
def test_dropout_gradient_with_a_fixed_mask_matches_finite_differences(per_channel):
    layer = L.Dropout(0.4, per_channel=per_channel)
    layer.build((3, 4, 4))
    worst = check_gradients(
        FixedStream(layer, 3), np.random.default_rng(4).normal(size=(2, 3, 4, 4))
    )
    print(f"Dropout(per_channel={per_channel}): max |analytic - numeric| = {worst:.1e}")


def test_per_channel_dropout_refuses_rows_and_old_configs_still_load():
    with pytest.raises(ShapeError, match=r"per_channel=True.*\(n, 16\).*Dropout\(0.5\)"):
        L.Dropout(0.5, per_channel=True).build(16)
    assert L.Dropout(0.2).get_config() == {"rate": 0.2}  # as older versions wrote it
    assert L.Dropout(0.2, per_channel=True).get_config() == {"rate": 0.2, "per_channel": True}
    assert L.deserialize({"class": "Dropout", "config": {"rate": 0.2}}).per_channel is False


@pytest.mark.parametrize("shape", [(5, 3, 4), (4, 2, 3, 3)])
def test_per_channel_batchnorm_gradients_match_finite_differences(shape):
    layer = L.BatchNorm()
    _, params, grads = standalone(layer, shape[1:])
    rng = np.random.default_rng(5)
    params["gamma"][...] = rng.uniform(0.5, 2, size=shape[1])
    params["beta"][...] = rng.normal(size=shape[1])
    x = rng.normal(size=shape) * 3 + 1
    worst = check_gradients(layer, x, params, grads)
    print(f"BatchNorm per channel {shape}: max |analytic - numeric| = {worst:.1e}")


def test_per_channel_batchnorm_standardises_each_channel_over_samples_and_positions():
    layer = L.BatchNorm(momentum=0.5)
    _, params, _ = standalone(layer, (3, 4, 5))
    x = np.random.default_rng(6).normal(size=(6, 3, 4, 5)) * np.array([1, 5, 0.1])[:, None, None]
    y = layer.forward(x, training=True)
    np.testing.assert_allclose(y.mean(axis=(0, 2, 3)), 0, atol=1e-12)
    var = x.var(axis=(0, 2, 3))
    np.testing.assert_allclose(y.var(axis=(0, 2, 3)), var / (var + 1e-5), rtol=1e-12)
    m = 6 * 4 * 5  # values per channel; running_var takes their unbiased variance
    np.testing.assert_allclose(layer.running_mean, 0.5 * x.mean(axis=(0, 2, 3)))
    np.testing.assert_allclose(
        layer.running_var, 0.5 + 0.5 * x.var(axis=(0, 2, 3)) * m / (m - 1), rtol=1e-12
    )
    assert params["gamma"].shape == (3,)


def test_frozen_per_channel_batchnorm_is_the_affine_map_of_its_running_statistics():
    layer = L.BatchNorm()
    _, params, grads = standalone(layer, (2, 5))
    layer.running_mean[...] = [1.0, -2.0]
    layer.running_var[...] = [4.0, 0.25]
    params["gamma"][...] = [2.0, 3.0]
    layer.trainable = False
    x = np.random.default_rng(7).normal(size=(3, 2, 5))
    scale = np.array([2.0, 3.0]) / np.sqrt(np.array([4.0, 0.25]) + 1e-5)
    expected = (x - np.array([1.0, -2.0])[:, None]) * scale[:, None]
    np.testing.assert_allclose(layer.forward(x, training=True), expected)
    check_gradients(layer, x)  # dL/dx = dy · γ/σ̃ per channel
    np.testing.assert_array_equal(grads["gamma"], 0)


def test_a_conv_net_with_per_channel_layers_predicts_like_its_own_forward_and_round_trips():
    """The inference path (mlpkit.inference: BatchNorm per channel, Dropout the identity) agrees
    with the layers' own forward(training=False), before and after a model-file round trip."""
    rng = np.random.default_rng(8)
    X = rng.normal(size=(40, 2 * 5 * 5))
    y = rng.integers(0, 3, size=40)
    net = mk.Sequential(
        [
            L.Reshape((2, 5, 5)),
            Conv2D(4, 3, padding=1),
            L.BatchNorm(),
            L.ReLU(),
            L.Dropout(0.3, per_channel=True),
            L.Flatten(),
            L.Dense(3, activation="softmax"),
        ],
        random_state=0,
        dtype="float64",
    )
    net.fit(X, y, loss="categorical_cross_entropy", epochs=3, batch_size=8, verbose=0)
    assert not np.allclose(net.layers[2].running_mean, 0)
    expected = X
    for layer in net.layers:
        expected = layer.forward(expected, training=False)
    np.testing.assert_allclose(net.predict(X), expected, rtol=1e-12)
    json.dumps([layer.get_config() for layer in net.layers])  # model files are JSON


def test_batchnorm_on_rows_is_unchanged_by_the_channel_form():
    """The flat (n, features) path keeps its exact arithmetic: a torch BatchNorm1d twin agrees
    to float64 rounding over a few steps (the full oracle is tests/test_oracle_torch_control)."""
    x = np.random.default_rng(9).normal(size=(8, 3))
    layer = L.BatchNorm()
    _, params, grads = standalone(layer, 3)
    twin = torch.nn.BatchNorm1d(3, dtype=torch.float64)
    x_torch = torch.from_numpy(x).requires_grad_()
    out = twin(x_torch)
    out.backward(torch.ones_like(out) * torch.arange(3.0, dtype=torch.float64))
    np.testing.assert_allclose(layer.forward(x, training=True), out.detach().numpy(), atol=1e-12)
    dx = layer.backward(np.ones((8, 3)) * np.arange(3.0))
    np.testing.assert_allclose(dx, x_torch.grad.numpy(), atol=1e-12)
    np.testing.assert_allclose(layer.running_var, twin.running_var.numpy(), rtol=1e-12)
    numeric = numerical_gradient(lambda: float(layer.forward(x, training=True)[:, 1].sum()), x)
    np.testing.assert_allclose(numeric, 0, atol=1e-6)  # a standardised column sums to β·n
