"""Flatten and Reshape, and the network's shape checks at build time."""

import numpy as np
import pytest

import mlpkit as mk
from mlpkit.layers.base import ShapeError

L = mk.layers


def test_reshape_then_flatten_is_the_identity_forward_and_backward():
    x = np.arange(24, dtype=np.float64).reshape(2, 12)
    reshape, flatten = L.Reshape((3, 4)), L.Flatten()
    assert reshape.build(12) == ((3, 4), [])
    assert flatten.build((3, 4)) == (12, [])
    shaped = reshape.forward(x)
    assert shaped.shape == (2, 3, 4) and shaped[1, 2, 3] == x[1, 11]  # C order
    np.testing.assert_array_equal(flatten.forward(shaped), x)
    dy = np.random.default_rng(0).normal(size=(2, 12))
    np.testing.assert_array_equal(reshape.backward(flatten.backward(dy)), dy)


def test_minus_one_is_inferred():
    assert L.Reshape((-1, 4)).build(12)[0] == (3, 4)
    assert L.Reshape((-1,)).build((3, 4))[0] == 12


@pytest.mark.parametrize("bad", [(), (0, 4), (-1, -1), (-2,), "ab", None])
def test_a_bad_target_shape_is_refused_naming_it(bad):
    with pytest.raises(mk.exceptions.ConfigError, match="target_shape="):
        L.Reshape(bad)


def test_a_network_through_reshape_and_flatten_equals_the_plain_one():
    X = np.random.default_rng(1).normal(size=(50, 6))
    y = X @ np.arange(6.0)
    plain = mk.Sequential([L.Dense(3, activation="tanh"), L.Dense(1)], random_state=4)
    shaped = mk.Sequential(
        [L.Reshape((2, 3)), L.Flatten(), L.Dense(3, activation="tanh"), L.Dense(1)],
        random_state=4,
    )
    for net in (plain, shaped):
        net.fit(X, y, loss="mse", epochs=3, batch_size=10, shuffle=False, verbose=0)
    np.testing.assert_array_equal(plain.params, shaped.params)
    np.testing.assert_array_equal(plain.forward(X), shaped.forward(X))
    # predict may take the one-call Dense stack for the plain net only (mlpkit.dense_stack)
    np.testing.assert_allclose(plain.predict(X), shaped.predict(X), rtol=1e-6, atol=1e-7)


def test_a_shape_mismatch_names_the_layer_and_both_shapes():
    net = mk.Sequential([L.Reshape((2, 3)), L.Dense(2)])
    expected = r"layer 1 \(Dense\).*\(n, features\).*\(n, 2, 3\).*Flatten"
    with pytest.raises(ShapeError, match=expected):
        net.build(6)
    with pytest.raises(ShapeError, match=r"layer 0 \(Reshape\).*6 values"):
        mk.Sequential([L.Reshape((4, 2)), L.Flatten()]).build(6)


def test_the_output_must_be_flat_rows():
    with pytest.raises(ShapeError, match=r"output must be rows.*\(n, 2, 3\)"):
        mk.Sequential([L.Reshape((2, 3))]).build(6)


def test_summary_shows_each_layers_shape(tmp_path):
    net = mk.Sequential([L.Reshape((2, 3)), L.Flatten(), L.Dense(1)], random_state=0)
    net.build(6)
    text = net.summary()
    assert "(None, 2, 3)" in text and "(None, 6)" in text and "(None, 1)" in text
    net.save(tmp_path / "shaped.mlpk")
    again = mk.load(tmp_path / "shaped.mlpk")
    assert again.sizes == [6, (2, 3), 6, 1]
    X = np.ones((3, 6))
    np.testing.assert_array_equal(again.predict(X), net.predict(X))
