"""Every layer type exported to ONNX computes what it computes in mlpkit (onnxruntime vs
``predict``): to 1e-5 in float32 and 1e-9 in float64, also far out where activations saturate."""

import numpy as np
import pytest
from onnx_helpers import metadata, run_onnx

import mlpkit as mk

L = mk.layers
LAYERS = {
    "dense": lambda: L.Dense(5),
    "dense_without_bias": lambda: L.Dense(5, use_bias=False),
    "relu": lambda: L.Dense(5, activation="relu"),
    "sigmoid": lambda: L.Dense(5, activation="sigmoid"),
    "tanh": lambda: L.Dense(5, activation="tanh"),
    "leaky_relu": lambda: L.Dense(5, activation=L.LeakyReLU(0.2)),
    "prelu": lambda: L.Dense(5, activation="prelu"),
    "elu": lambda: L.Dense(5, activation=L.ELU(0.7)),
    "softplus": lambda: L.Dense(5, activation="softplus"),
    "silu": lambda: L.Dense(5, activation="silu"),
    "gelu": lambda: L.Dense(5, activation="gelu"),
    "gelu_tanh": lambda: L.Dense(5, activation=L.GELU(approximate="tanh")),
    "step": lambda: L.Dense(5, activation="step"),
    "softmax": lambda: L.Dense(5, activation="softmax"),
    "batchnorm": lambda: L.BatchNorm(),
    "dropout": lambda: L.Dropout(0.3),
    "residual": lambda: L.Residual([L.Dense(4, activation="relu"), L.Dense(4)]),
    "residual_projection": lambda: L.Residual([L.Dense(7, activation="tanh")]),
    "activation_layers": lambda: L.Residual([L.Dense(4), L.PReLU(), L.SiLU(), L.Softplus()]),
}
TOLERANCE = {"float32": 1e-5, "float64": 1e-9}


def _fitted(layer, dtype, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(96, 4))
    net = mk.Sequential(
        [L.Dense(4, activation="tanh"), layer, L.Dense(2)], random_state=0, dtype=dtype
    )
    net.fit(
        X,
        np.column_stack([X[:, 0] * X[:, 1], np.sin(X[:, 2])]),
        loss="mse",
        epochs=4,
        batch_size=16,
    )
    return net


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("kind", list(LAYERS))
def test_every_layer_type_agrees_with_predict(kind, dtype, tmp_path):
    net = _fitted(LAYERS[kind](), dtype)
    path = mk.export.to_onnx(net, tmp_path / f"{kind}.onnx")
    recorded = metadata(path)
    assert recorded["dtype"] == dtype
    assert float(recorded["max_abs_difference"]) <= TOLERANCE[dtype]
    rows = np.random.default_rng(1).normal(size=(200, 4)).astype(dtype)
    rows[:20] *= 40  # saturated sigmoids, softplus far from 0, huge residual sums
    got = run_onnx(path, rows)["output"]
    assert got.dtype == np.dtype(dtype)
    want = net.predict(rows)
    np.testing.assert_allclose(got, want, rtol=TOLERANCE[dtype], atol=TOLERANCE[dtype])


def test_a_deep_network_of_every_layer_agrees_in_float32_and_float64(tmp_path):
    kinds = [kind for kind in LAYERS if kind not in ("softmax", "step")]
    for dtype in ("float32", "float64"):
        block = L.Residual([L.Dense(4), *[LAYERS[kind]() for kind in kinds]])
        net = _fitted(block, dtype, seed=2)
        path = mk.export.to_onnx(net, tmp_path / f"deep_{dtype}.onnx")
        rows = np.random.default_rng(3).normal(size=(64, 4)).astype(dtype)
        got = run_onnx(path, rows)["output"]
        np.testing.assert_allclose(
            got, net.predict(rows), rtol=TOLERANCE[dtype], atol=TOLERANCE[dtype]
        )


def test_a_float32_network_exported_as_float64_and_back(tmp_path):
    net32 = _fitted(LAYERS["gelu"](), "float32")
    path = mk.export.to_onnx(net32, tmp_path / "wide.onnx", dtype="float64")
    assert metadata(path)["dtype"] == "float64"
    assert float(metadata(path)["tolerance"]) == 1e-5  # float32 weights: float32's tolerance
    net64 = _fitted(LAYERS["elu"](), "float64")
    path = mk.export.to_onnx(net64, tmp_path / "narrow.onnx", dtype="float32")
    rows = np.random.default_rng(4).normal(size=(32, 4)).astype(np.float32)
    np.testing.assert_allclose(run_onnx(path, rows)["output"], net64.predict(rows), atol=1e-5)
