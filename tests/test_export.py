"""A network exported to PyTorch predicts what it predicts here."""

import numpy as np
import pytest
import torch

import mlpkit as mk


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_exported_network_predicts_like_the_original_for_every_layer_type(dtype):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(64, 5))
    y = rng.integers(0, 3, size=64)
    net = mk.Sequential(
        [
            mk.layers.Dense(8, activation="prelu"),
            mk.layers.BatchNorm(),
            mk.layers.Dropout(0.2),
            mk.layers.Residual([mk.layers.Dense(6, activation="gelu"), mk.layers.Dense(6)]),
            mk.layers.ELU(),
            mk.layers.Dense(6, activation="leaky_relu"),
            mk.layers.Residual([mk.layers.Dense(6, activation="silu"), mk.layers.Dense(6)]),
            mk.layers.Dense(4, activation="softplus"),
            mk.layers.Tanh(),
            mk.layers.Dense(3, activation="softmax"),
        ],
        random_state=0,
        dtype=dtype,
    )
    net.fit(X, y, loss="categorical_cross_entropy", epochs=3, batch_size=16)
    model = mk.export.to_torch(net)
    with torch.no_grad():
        exported = model(torch.tensor(X, dtype=model[0].weight.dtype)).numpy()
    tolerance = 1e-6 if dtype == "float64" else 1e-5
    np.testing.assert_allclose(exported, net.predict(X), rtol=tolerance, atol=tolerance)
    assert not model.training


def test_export_of_an_mlp_classifier_network():
    rng = np.random.default_rng(1)
    X, y = rng.normal(size=(100, 4)), rng.integers(0, 2, size=100)
    clf = mk.MLPClassifier(hidden_layer_sizes=(8,), random_state=0, max_iter=5).fit(X, y)
    model = mk.export.to_torch(clf.network_)
    scaled = clf.input_scaler_.transform(X)
    with torch.no_grad():
        p = model(torch.tensor(scaled)).numpy().ravel()
    np.testing.assert_allclose(p, clf.predict_proba(X)[:, 1], rtol=1e-6, atol=1e-9)
