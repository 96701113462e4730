"""Named parts of a network (an autoencoder's encoder and decoder) used on their own."""

import numpy as np
import pytest
from sklearn.datasets import load_digits

import mlpkit as mk

L = mk.layers


def autoencoder(code: int = 8) -> mk.Sequential:
    return mk.Sequential(
        [
            L.Dense(32, activation="relu"),
            L.Dense(code),
            L.Dense(32, activation="relu"),
            L.Dense(64, activation="sigmoid"),
        ],
        random_state=0,
        target_scaler=None,
        parts={"encoder": (0, 2), "decoder": (2, 4)},
    )


@pytest.fixture(scope="module")
def digits():
    return load_digits().data / 16.0


@pytest.fixture(scope="module")
def trained(digits):
    net = autoencoder()
    history = net.fit(digits, digits, loss="mse", epochs=40, batch_size=64, verbose=0)
    return net, history


def test_the_parts_compose_to_the_whole(trained, digits):
    net, _ = trained
    codes = net.part("encoder").predict(digits)
    assert codes.shape == (len(digits), 8)
    np.testing.assert_allclose(net.part("decoder").predict(codes), net.predict(digits), atol=1e-6)


def test_the_autoencoder_learns_a_code_that_beats_the_mean(trained, digits):
    net, history = trained
    losses = history.history["loss"]
    baseline = float(np.mean((digits - digits.mean(axis=0)) ** 2))
    reconstruction = float(np.mean((net.predict(digits) - digits) ** 2))
    print(f"reconstruction mse {reconstruction:.4f}, predicting the mean {baseline:.4f}")
    assert losses[-1] < losses[0] and reconstruction < 0.5 * baseline


def test_a_part_is_a_copy(trained, digits):
    net, _ = trained
    encoder = net.part("encoder")
    before = encoder.predict(digits[:5])
    encoder.fit(digits[:50], np.zeros((50, 8)), loss="mse", epochs=2, verbose=0)
    np.testing.assert_allclose(net.part("encoder").predict(digits[:5]), before, atol=1e-7)


def test_parts_survive_a_model_file(trained, digits, tmp_path):
    net, _ = trained
    net.save(tmp_path / "ae.mlpk")
    again = mk.load(tmp_path / "ae.mlpk")
    assert again.parts == net.parts
    np.testing.assert_array_equal(
        again.part("encoder").predict(digits[:9]), net.part("encoder").predict(digits[:9])
    )


def test_bad_parts_are_refused_with_their_name():
    with pytest.raises(mk.exceptions.ConfigError, match="'encoder'.*start < stop"):
        mk.Sequential([L.Dense(2)], parts={"encoder": (2, 1)})
    with pytest.raises(mk.exceptions.ConfigError, match="reaches past the network's 1 layers"):
        mk.Sequential([L.Dense(2)], parts={"encoder": (0, 2)}).build(3)
    net = mk.Sequential([L.Dense(2)], parts={"encoder": (0, 1)}).build(3)
    with pytest.raises(mk.exceptions.ConfigError, match="no part 'coder'.*'encoder'"):
        net.part("coder")
