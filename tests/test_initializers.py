import numpy as np
import pytest

import mlpkit as mk
from mlpkit import initializers


@pytest.mark.parametrize(
    "name, std",
    [
        ("he_normal", np.sqrt(2 / 400)),
        ("he_uniform", np.sqrt(2 / 400)),
        ("glorot_normal", np.sqrt(2 / 700)),
        ("glorot_uniform", np.sqrt(2 / 700)),
        ("lecun_normal", np.sqrt(1 / 400)),
        ("lecun_uniform", np.sqrt(1 / 400)),
        ("random_normal", 0.05),
        ("random_uniform", 0.1 / np.sqrt(12)),
    ],
)
def test_initializer_draws_have_the_documented_spread(name, std):
    W = np.empty((400, 300))
    initializers.get(name)(W, np.random.default_rng(0))
    assert W.mean() == pytest.approx(0, abs=4 * std / np.sqrt(W.size))
    assert W.std() == pytest.approx(std, rel=0.02)
    if "uniform" in name:
        assert np.abs(W).max() <= std * np.sqrt(3) + 1e-12


@pytest.mark.parametrize(
    "name, value", [("zeros", 0), ("ones", 1), ({"name": "constant", "value": 0.3}, 0.3)]
)
def test_constant_initializers_fill_every_entry(name, value):
    W = np.empty((3, 4))
    initializers.get(name)(W, np.random.default_rng(0))
    np.testing.assert_array_equal(W, value)


@pytest.mark.parametrize(
    "activation, expected",
    [
        ("relu", "he_normal"),
        ("leaky_relu", "he_normal"),
        ("elu", "he_normal"),
        ("sigmoid", "glorot_uniform"),
        ("tanh", "glorot_uniform"),
        ("softmax", "glorot_uniform"),
        ("linear", "lecun_normal"),
    ],
)
def test_dense_default_initializer_follows_its_activation(activation, expected):
    layer = mk.layers.Dense(3, activation=activation)
    assert layer.kernel_initializer.name == expected
    assert layer.bias_initializer.name == "zeros"


def test_initializer_config_round_trips():
    for name in ["he_uniform", "glorot_normal", "zeros"]:
        init = initializers.get(name)
        assert type(initializers.get(init.get_config())) is type(init)
    normal = initializers.RandomNormal(mean=1.0, stddev=0.3)
    assert initializers.get(normal.get_config()).get_config() == normal.get_config()


@pytest.mark.parametrize("shape", [(8, 8), (6, 24), (24, 6)])
def test_orthogonal_gives_orthonormal_rows_or_columns(shape):
    out = np.empty(shape)
    mk.initializers.get({"name": "orthogonal", "gain": 2.0})(out, np.random.default_rng(0))
    small = min(shape)
    gram = out @ out.T if shape[0] <= shape[1] else out.T @ out
    np.testing.assert_allclose(gram, 4.0 * np.eye(small), atol=1e-12)
    again = np.empty(shape)
    mk.initializers.Orthogonal(2.0)(again, np.random.default_rng(0))
    np.testing.assert_array_equal(out, again)


def test_orthogonal_refuses_a_bias_naming_its_shape():
    with pytest.raises(mk.ConfigError, match=r"shape \(5,\)"):
        mk.initializers.Orthogonal()(np.empty(5), np.random.default_rng(0))


def test_a_recurrent_kernel_can_start_orthogonal():
    net = mk.Sequential(
        [
            mk.layers.Reshape((3, 2)),
            mk.layers.LSTM(4, recurrent_initializer="orthogonal"),
            mk.layers.Dense(1),
        ],  # fmt: skip
        random_state=0,
        dtype="float64",
    ).build(6)
    U = net.layers[1].U
    np.testing.assert_allclose(U @ U.T, np.eye(4), atol=1e-12)
