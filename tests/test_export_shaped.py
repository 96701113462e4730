"""Networks on shaped samples (images, signals, sequences) exported to PyTorch and ONNX
compute what ``predict`` computes: conv, pooling, per-channel BatchNorm/Dropout,
Flatten/Reshape and the recurrent layers, each mapped to its torch module or ONNX operator."""

import numpy as np
import pytest
import torch
from export.onnx_helpers import metadata, run_onnx

import mlpkit as mk

L = mk.layers


def _conv2d():
    return [
        L.Reshape((1, 8, 8)),
        L.Conv2D(3, 4, padding="same", activation="relu"),  # pads (1, 2): an odd total
        L.MaxPool2D(2),
        L.Conv2D(4, 3, stride=2, padding=1, dilation=2, activation="tanh"),
        L.AvgPool2D(2, stride=1, padding=1),
        L.BatchNorm(),
        L.Dropout(0.2, per_channel=True),
        L.Flatten(),
        L.Dense(3, activation="softmax"),
    ]


def _conv1d():
    return [
        L.Reshape((2, 12)),
        L.Conv1D(4, 3, padding="same", activation="relu"),
        L.BatchNorm(),
        L.Dropout(0.1, per_channel=True),
        L.MaxPool1D(3, stride=2, padding=1),
        L.AvgPool1D(2, padding=1),
        L.Conv1D(5, 2, use_bias=False),
        L.GlobalAveragePool(),
        L.Dense(3, activation="softmax"),
    ]


def _recurrent(cell, return_sequences):
    def layers():
        tail = [L.Flatten()] if return_sequences else []
        return [L.Reshape((6, 5)), cell(return_sequences), *tail, L.Dense(2)]

    return layers


#: name → (n_features, layers, the torch module types the export must contain)
NETS = {
    "conv2d": (
        64,
        _conv2d,
        ("Unflatten", "ConstantPad2d", "Conv2d", "MaxPool2d", "AvgPool2d", "BatchNorm2d"),
    ),
    "conv1d": (24, _conv1d, ("Conv1d", "BatchNorm1d", "Dropout1d", "GlobalAveragePool")),
}
CELLS = {
    "lstm": (lambda seq: L.LSTM(4, return_sequences=seq), "LSTM"),
    "gru": (lambda seq: L.GRU(4, return_sequences=seq), "GRU"),
    "simple_rnn": (  # torch's two nonlinearities: relu on sequences, tanh on the last state
        lambda seq: L.SimpleRNN(4, activation="relu" if seq else "tanh", return_sequences=seq),
        "RNN",
    ),
}
for _name, (_cell, _module) in CELLS.items():
    for _seq in (True, False):
        _tail = ("Flatten",) if _seq else ()
        NETS[f"{_name}_{'sequences' if _seq else 'last'}"] = (
            30,
            _recurrent(_cell, _seq),
            (_module, "Recurrent", *_tail),
        )
TOLERANCE = {"float64": 1e-6, "float32": 1e-5}


def _fitted(kind, dtype):
    n_features, layers, _ = NETS[kind]
    rng = np.random.default_rng(0)
    X = rng.normal(size=(48, n_features))
    net = mk.Sequential(layers(), random_state=0, dtype=dtype)
    if net.layers[-1].units == 3:  # a classifier
        y, loss = rng.integers(0, 3, 48), "categorical_cross_entropy"
    else:
        y, loss = rng.normal(size=(48, 2)), "mse"
    net.fit(X, y, loss=loss, epochs=3, batch_size=16)
    return net, rng.normal(size=(40, n_features))


def _run(module, X, dtype) -> np.ndarray:
    with torch.no_grad():
        return module(torch.tensor(X, dtype=getattr(torch, dtype))).numpy()


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("kind", list(NETS))
def test_to_torch_equals_predict(kind, dtype):
    net, X = _fitted(kind, dtype)
    module = mk.export.to_torch(net)
    kinds = {type(m).__name__ for m in module.modules()}
    assert set(NETS[kind][2]) <= kinds
    assert not module.training
    got = _run(module, X, dtype)
    assert got.dtype == np.dtype(dtype)
    tolerance = TOLERANCE[dtype]
    np.testing.assert_allclose(got, net.predict(X), rtol=tolerance, atol=tolerance)


def test_recurrent_weights_map_to_torch_with_gru_recurrent_bias():
    net, _ = _fitted("gru_last", "float64")
    gru = net.layers[1]
    cell = mk.export.to_torch(net)[1].cell
    np.testing.assert_array_equal(cell.weight_ih_l0.detach().numpy(), gru.W.T)
    np.testing.assert_array_equal(cell.weight_hh_l0.detach().numpy(), gru.U.T)
    np.testing.assert_array_equal(cell.bias_hh_l0.detach().numpy(), gru.b_rec)


@pytest.mark.parametrize("kind", list(NETS))
def test_to_onnx_runs_in_onnxruntime_like_predict(kind, tmp_path):
    net, X = _fitted(kind, "float32")
    path = mk.export.to_onnx(net, tmp_path / f"{kind}.onnx")
    assert float(metadata(path)["max_abs_difference"]) <= 1e-5  # its own probe batch
    rows = X.astype(np.float32)
    np.testing.assert_allclose(run_onnx(path, rows)["output"], net.predict(rows), atol=1e-5)


def test_a_float64_conv_network_is_written_as_float32_onnx_only(tmp_path):
    net, X = _fitted("conv1d", "float64")
    with pytest.raises(ValueError, match="float32 kernels only for ONNX Conv.*dtype='float32'"):
        mk.export.to_onnx(net, tmp_path / "wide.onnx")
    assert not (tmp_path / "wide.onnx").exists()
    path = mk.export.to_onnx(net, tmp_path / "narrow.onnx", dtype="float32")
    rows = X.astype(np.float32)
    np.testing.assert_allclose(run_onnx(path, rows)["output"], net.predict(rows), atol=1e-5)


def test_global_average_pool_and_max_pool_run_in_float64_onnx(tmp_path):
    net = mk.Sequential(
        [L.Reshape((3, 4, 4)), L.MaxPool2D(2, padding=1), L.BatchNorm(), L.GlobalAveragePool()],
        random_state=0,
        dtype="float64",
    )
    rng = np.random.default_rng(5)
    X = rng.normal(size=(32, 48))
    net.fit(X, rng.normal(size=(32, 3)), loss="mse", epochs=2, batch_size=8)
    path = mk.export.to_onnx(net, tmp_path / "pool.onnx")
    assert metadata(path)["dtype"] == "float64"
    np.testing.assert_allclose(run_onnx(path, X)["output"], net.predict(X), atol=1e-12)
