"""A small convolutional network on scikit-learn's 8×8 digits (bundled with scikit-learn, no
download): ≥ 97 % test accuracy on a stratified 25 % hold-out, with and without per-channel
dropout, and a model-file round trip of the trained network.

The GEMMs of this net are small (at most 144 × 512 per step), so BLAS runs on one thread
(threadpoolctl): on a shared 2-core machine the second thread's hand-off costs more than it
gives (20 epochs take ~6 s on one thread, ~30 s on two under load).
"""

import time

import numpy as np
import pytest
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from threadpoolctl import threadpool_limits

import mlpkit as mk
from mlpkit.layers.conv import Conv2D
from mlpkit.layers.pooling import MaxPool2D
from mlpkit.layers.shaping import Flatten, Reshape

L = mk.layers
NEW_LAYERS = {cls.__name__: cls for cls in (Conv2D, MaxPool2D)}


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits(return_X_y=True)
    X = (X / 16).astype(np.float32)  # pixel intensities 0..16 → [0, 1]
    return train_test_split(X, y, test_size=0.25, stratify=y, random_state=0)


def digits_net(per_channel_dropout: bool) -> mk.Sequential:
    layers = [
        Reshape((1, 8, 8)),
        Conv2D(16, 3, padding=1, activation="relu"),  # (16, 8, 8)
        MaxPool2D(2),  # (16, 4, 4)
        *([L.Dropout(0.1, per_channel=True)] if per_channel_dropout else []),
        Conv2D(32, 3, padding=1, activation="relu"),  # (32, 4, 4)
        MaxPool2D(2),  # (32, 2, 2)
        Flatten(),
        L.Dense(10, activation="softmax"),
    ]
    return mk.Sequential(layers, random_state=0)


@pytest.fixture(scope="module", params=[False, True], ids=["plain", "per-channel-dropout"])
def trained(request, digits):
    X_train, X_test, y_train, y_test = digits
    net = digits_net(per_channel_dropout=request.param)
    start = time.perf_counter()
    with threadpool_limits(limits=1, user_api="blas"):
        net.fit(
            X_train,
            y_train,
            loss="categorical_cross_entropy",
            optimizer=mk.optim.Adam(learning_rate=3e-3),
            epochs=20,
            batch_size=32,
            verbose=0,
        )
    seconds = time.perf_counter() - start
    accuracy = float(np.mean(np.argmax(net.predict(X_test), axis=1) == y_test))
    return net, accuracy, seconds, request.param


def test_a_small_conv_net_reaches_97_percent_on_held_out_digits(trained):
    net, accuracy, seconds, dropout = trained
    assert net.params.dtype == np.float32
    print(f"digits, per-channel dropout={dropout}: test accuracy {accuracy:.4f} in {seconds:.1f} s")
    assert accuracy >= 0.97


def test_the_trained_conv_net_survives_a_model_file_round_trip(
    trained, digits, tmp_path, monkeypatch
):
    for name, cls in NEW_LAYERS.items():  # a no-op once mlpkit.layers registers them
        monkeypatch.setitem(L.LAYERS, name, cls)
    net, *_ = trained
    X_test = digits[1]
    path = net.save(tmp_path / "digits")
    loaded = mk.load(path)
    assert [type(layer) for layer in loaded.layers] == [type(layer) for layer in net.layers]
    assert [layer.get_config() for layer in loaded.layers] == [
        layer.get_config() for layer in net.layers
    ]
    np.testing.assert_array_equal(loaded.predict(X_test), net.predict(X_test))
