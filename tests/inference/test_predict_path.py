"""The inference path of Sequential.predict: the same outputs as the layers' own forward pass,
for every batch size, without touching what training reads, with the same input errors."""

import copy
import pickle

import numpy as np
import pytest

import mlpkit as mk
from mlpkit import inference

L = mk.layers
ARCHITECTURES = {
    "relu_softmax": lambda: [L.Dense(16, activation="relu"), L.Dense(3, activation="softmax")],
    "dropout_batchnorm": lambda: [
        L.Dense(16, activation="tanh"),
        L.BatchNorm(),
        L.Dropout(0.5),
        L.Dense(12, activation="relu"),
        L.Dense(3, activation="softmax"),
    ],
    "residual": lambda: [
        L.Dense(12, activation="relu"),
        L.Residual([L.Dense(12, activation="relu"), L.Dense(12)]),
        L.Residual([L.Dense(8, activation="gelu")]),
        L.Dense(3, activation="softmax"),
    ],
    "activation_layers": lambda: [
        L.Dropout(0.2),
        L.ReLU(),
        L.Residual([L.Tanh(), L.Dense(5)]),
        L.Dense(3, activation="softmax"),
    ],
    "other_activations": lambda: [
        L.Dense(10, activation="sigmoid"),
        L.Dense(10, activation="elu"),
        L.Dense(10, activation="leaky_relu", use_bias=False),
        L.Dense(10, activation="silu"),
        L.Dense(3, activation="softmax"),
    ],
}


def fitted(name, dtype="float32", n=120):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(n, 5)).astype(dtype)
    y = (X[:, 0] > 0).astype(int) + (X[:, 1] > 0.5)
    net = mk.Sequential(ARCHITECTURES[name](), random_state=0, dtype=dtype)
    net.fit(X, y, loss="categorical_cross_entropy", epochs=3, batch_size=16)
    return net, X


def reference(net, X):
    """Today's predict: every layer's own forward in inference mode."""
    return net.target.decode(net.forward(X, training=False))


@pytest.mark.parametrize("name", sorted(ARCHITECTURES))
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_same_outputs_as_the_layers_forward_for_changing_batch_sizes(name, dtype):
    net, X = fitted(name, dtype)
    tol = 1e-6 if dtype == "float32" else 1e-12
    for rows in (1, 7, 120, 3, 1, 120):
        got = net.predict(X[:rows])
        assert got.shape == (rows, 3) and got.dtype == np.dtype(dtype)
        np.testing.assert_allclose(got, reference(net, X[:rows]), rtol=tol, atol=tol)


@pytest.mark.parametrize("name", sorted(ARCHITECTURES))
def test_the_input_is_never_written(name):
    net, X = fitted(name)
    kept = X.copy()
    net.predict(X)
    np.testing.assert_array_equal(X, kept)


def test_each_call_returns_a_fresh_array():
    net, X = fitted("relu_softmax")
    first = net.predict(X[:4])
    kept = first.copy()
    net.predict(X[4:8])
    np.testing.assert_array_equal(first, kept)


def test_chunks_of_large_inputs_match(monkeypatch):
    net, X = fitted("residual")
    monkeypatch.setattr(inference, "CHUNK_ROWS", 32)
    np.testing.assert_allclose(net.predict(X), reference(net, X), rtol=1e-6, atol=1e-6)


def test_workspaces_are_bounded():
    net, X = fitted("relu_softmax")
    for rows in range(1, 30):
        net.predict(X[:rows])
    assert net.predictor.n_workspaces == inference.KEPT_SIZES
    assert "_spaces" not in net.predictor.__getstate__()  # the cache is not pickled


@pytest.mark.parametrize("name", sorted(ARCHITECTURES))
def test_predict_never_changes_training_state(name):
    net, X = fitted(name)
    before = net.snapshot()
    streams = {k: copy.deepcopy(rng.bit_generator.state) for k, rng in net.rngs.items()}
    inner = [copy.copy(vars(layer)) for layer in net.walk()]
    for rows in (1, 50, 120):
        net.predict(X[:rows])
    after = net.snapshot()
    assert before.keys() == after.keys()
    for key in before:
        np.testing.assert_array_equal(before[key], after[key])
    assert {k: rng.bit_generator.state for k, rng in net.rngs.items()} == streams
    for layer, saved in zip(net.walk(), inner):
        assert vars(layer).keys() == saved.keys()
        for attribute, value in saved.items():
            assert vars(layer)[attribute] is value, (layer.name, attribute)


def test_training_continues_identically_after_predict():
    a, X = fitted("dropout_batchnorm")
    b, _ = fitted("dropout_batchnorm")
    y = (X[:, 0] > 0).astype(int) + (X[:, 1] > 0.5)
    a.predict(X)
    a.fit(X, y, epochs=1, batch_size=16)
    b.fit(X, y, epochs=1, batch_size=16)
    np.testing.assert_array_equal(a.params, b.params)


def test_predict_follows_later_fits():
    net, X = fitted("relu_softmax")
    net.predict(X)
    y = (X[:, 0] > 0).astype(int) + (X[:, 1] > 0.5)
    net.fit(X, y, epochs=2)
    np.testing.assert_allclose(net.predict(X), reference(net, X), rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize(
    "bad, words",
    [
        (lambda X: X[:, :4], "4 features"),
        (lambda X: X[0], "2-D"),
        (lambda X: X[:0], "empty"),
        (lambda X: np.where(np.arange(5) == 2, np.nan, X).astype("float32"), "nan at row 0"),
        (lambda X: np.where(np.arange(5) == 1, np.inf, X).astype("float32"), "inf at row 0"),
        (lambda X: np.full((3, 5), "red"), None),
    ],
)
def test_bad_inputs_keep_their_errors(bad, words):
    net, X = fitted("relu_softmax")
    with pytest.raises((ValueError, TypeError)) as error:
        net.predict(bad(X))
    if words is not None:
        assert words in str(error.value)


def test_inputs_beyond_float32_range_are_named():
    net, X = fitted("relu_softmax")
    big = X.astype("float64")
    big[2, 3] = 1e300
    with pytest.raises(ValueError, match="row 2, column 3"):
        net.predict(big)


def test_other_inputs_are_converted_as_before():
    net, X = fitted("relu_softmax")
    expected = net.predict(X)
    np.testing.assert_allclose(net.predict(X.tolist()), expected, rtol=1e-6)
    np.testing.assert_allclose(net.predict(np.asfortranarray(X)), expected, rtol=1e-6)
    np.testing.assert_allclose(net.predict(X.astype("float64")), expected, rtol=1e-6)


def test_a_saved_and_copied_network_predicts_the_same(tmp_path):
    net, X = fitted("residual")
    expected = net.predict(X)
    for other in (pickle.loads(pickle.dumps(net)), copy.deepcopy(net)):
        np.testing.assert_allclose(other.predict(X), expected, rtol=1e-6, atol=1e-7)
    net.save(tmp_path / "m.mlpk")
    loaded = mk.load(tmp_path / "m.mlpk")
    np.testing.assert_allclose(loaded.predict(X), expected, rtol=1e-6, atol=1e-7)


def test_estimators_predict_through_it():
    rng = np.random.default_rng(1)
    X = rng.normal(size=(80, 4)).astype("float32")
    y = (X[:, 0] > 0).astype(int)
    model = mk.MLPClassifier(hidden_layer_sizes=(8,), max_iter=3, random_state=0)
    model.fit(X, y)
    proba = model.predict_proba(X)
    assert proba.shape == (80, 2) and np.allclose(proba.sum(axis=1), 1, atol=1e-5)
