"""A stack of Dense layers predicted in one compiled call (mlpkit.dense_stack) against the
NumPy inference path, its reference: the same outputs, the same errors, for the calls it takes."""

import numpy as np
import pytest

import mlpkit as mk
from mlpkit import dense_stack, inference

L = mk.layers


def network(activations, dtype="float32", use_bias=True, n_features=7):
    layers = [L.Dense(9, activation=name, use_bias=use_bias) for name in activations[:-1]]
    layers.append(L.Dense(4, activation=activations[-1], use_bias=use_bias))
    net = mk.Sequential(layers, random_state=0, dtype=dtype)
    net.build(n_features)
    net.params[...] += np.random.default_rng(1).normal(0, 0.3, net.params.size)  # biases ≠ 0
    return net


def both_paths(net, X):
    with mk.kernels.using("numba"):
        compiled = net.predict(X)
    with mk.kernels.using("numpy"):
        reference = net.predict(X)
    return compiled, reference


HIDDEN = ["linear", "relu", "tanh", "sigmoid"]


@pytest.mark.parametrize("output", ["linear", "relu", "tanh", "sigmoid", "softmax"])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("use_bias", [True, False])
def test_the_compiled_stack_matches_the_numpy_path(output, dtype, use_bias):
    net = network(HIDDEN + [output], dtype, use_bias)
    X = np.random.default_rng(2).normal(0, 3, size=(17, 7)).astype(dtype)
    compiled, reference = both_paths(net, X)
    assert net.predictor.stack is not None and net.predictor.stack.takes(17)
    tolerance = 1e-6 if dtype == "float32" else 1e-12
    np.testing.assert_allclose(compiled, reference, rtol=tolerance, atol=tolerance)
    assert compiled.dtype == reference.dtype == np.dtype(dtype)
    out, scratch = np.empty_like(compiled), np.empty((2, 17 * 9), dtype)
    for backend, runs in [("numba", True), ("numpy", False)]:
        with mk.kernels.using(backend):
            assert net.predictor.stack.forward(X, scratch, out) is runs
    np.testing.assert_array_equal(out, compiled)


def test_softmax_rows_sum_to_one_and_extreme_logits_stay_finite():
    net = network(["relu", "softmax"])
    X = np.random.default_rng(3).normal(0, 1, size=(5, 7)).astype("float32")
    net.layers[-1].W[...] *= 1e4  # logits in the thousands: e^(z − max) only
    compiled, reference = both_paths(net, X)
    assert np.isfinite(compiled).all()
    np.testing.assert_allclose(compiled.sum(axis=1), 1, rtol=1e-6)
    np.testing.assert_allclose(compiled, reference, atol=1e-6)


def test_sigmoid_does_not_overflow_for_large_negative_inputs():
    net = network(["sigmoid"], dtype="float64")
    net.layers[0].W[...] = 0
    net.layers[0].b[...] = [-800.0, 800.0, 0.0, -30.0]
    compiled, reference = both_paths(net, np.zeros((2, 7)))
    np.testing.assert_allclose(compiled, reference, rtol=1e-12, atol=0)
    assert compiled[0, 0] == 0.0 and compiled[0, 1] == 1.0 and compiled[0, 2] == 0.5


def test_only_small_calls_take_it(monkeypatch):
    net = network(["relu", "softmax"])
    net.predict(np.zeros((1, 7), "float32"))
    stack = net.predictor.stack
    assert stack.macs_per_row == 7 * 9 + 9 * 4
    limit = dense_stack.MAX_MACS // stack.macs_per_row
    assert stack.takes(limit) and not stack.takes(limit + 1)
    monkeypatch.setattr(dense_stack, "MAX_WEIGHTS", 9 * 4)  # the 7 × 9 kernel is now large
    assert stack.takes(1) and not stack.takes(2)
    monkeypatch.setattr(dense_stack, "MAX_WEIGHTS", 7 * 9)
    monkeypatch.setattr(dense_stack, "MAX_MACS", 10 * stack.macs_per_row)
    X = np.random.default_rng(4).normal(size=(25, 7)).astype("float32")
    with mk.kernels.using("numba"):
        compiled = np.vstack([net.predict(X[i : i + 5]) for i in range(0, 25, 5)])
        numpy_path = net.predict(X)  # 25 rows > 10: the layer-by-layer path
    np.testing.assert_allclose(compiled, numpy_path, rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize(
    "layers",
    [
        lambda: [L.Dense(5, activation="gelu"), L.Dense(2)],
        lambda: [L.Dense(5, activation="prelu"), L.Dense(2)],
        lambda: [L.Dense(5), L.BatchNorm(), L.Dense(2)],
        lambda: [L.Dense(5), L.Dropout(0.1), L.Dense(2)],
        lambda: [L.Dense(5), L.ReLU(), L.Dense(2)],
        lambda: [L.Residual([L.Dense(7, activation="relu")]), L.Dense(2)],
    ],
)
def test_other_networks_keep_the_layer_by_layer_path(layers):
    net = mk.Sequential(layers(), random_state=0)
    net.build(7)
    X = np.random.default_rng(5).normal(size=(3, 7)).astype("float32")
    with mk.kernels.using("numba"):
        out = net.predict(X)
    assert net.predictor.stack is None
    np.testing.assert_allclose(out, net.forward(X, training=False), rtol=1e-6, atol=1e-7)


def test_weights_changed_by_a_later_fit_are_used():
    rng = np.random.default_rng(6)
    X = rng.normal(size=(60, 7)).astype("float32")
    y = (X[:, 0] > 0).astype(int)
    layers = [L.Dense(9, activation="relu"), L.Dense(2, activation="softmax")]
    net = mk.Sequential(layers, random_state=0)
    net.fit(X, y, loss="categorical_cross_entropy", epochs=1)
    with mk.kernels.using("numba"):
        before = net.predict(X[:3])
        net.fit(X, y, epochs=3)
        after = net.predict(X[:3])
    assert not np.allclose(before, after)
    with mk.kernels.using("numpy"):
        np.testing.assert_allclose(after, net.predict(X[:3]), rtol=1e-6, atol=1e-7)


def test_an_overflowing_output_is_named_as_on_the_numpy_path():
    net = network(["relu", "linear"])
    for layer in net.layers:
        layer.W[...] = 1e30
    X = np.ones((2, 7), "float32")
    messages = []
    for backend in ("numba", "numpy"):
        with mk.kernels.using(backend), pytest.raises(mk.exceptions.OutputOverflowError) as err:
            net.predict(X)
        messages.append(str(err.value))
    assert messages[0] == messages[1]


def test_a_predictor_can_keep_the_layer_by_layer_path():
    net = network(["relu", "softmax"])
    net.predictor = inference.Predictor(net, stack=False)
    X = np.random.default_rng(7).normal(size=(3, 7)).astype("float32")
    with mk.kernels.using("numba"):
        out = net.predict(X)
    assert net.predictor.stack is None
    np.testing.assert_allclose(out, both_paths(net, X)[1], rtol=1e-6, atol=1e-7)
