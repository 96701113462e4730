"""``Sequential.fit(checkpoint=..., resume=...)``: the keywords reach the trainer's Checkpoint."""

import numpy as np
import pytest

import mlpkit as mk


class Interrupt(mk.callbacks.Callback):
    """Stops the process's fit after ``epochs`` epochs, as a kill between epochs would."""

    def __init__(self, epochs):
        self.epochs = epochs

    def on_epoch_end(self, epoch, logs=None):
        if epoch + 1 == self.epochs:
            raise KeyboardInterrupt


def network():
    layers = [mk.layers.Dense(8, activation="relu"), mk.layers.Dense(1, activation="sigmoid")]
    return mk.Sequential(layers, random_state=0)


def test_a_fit_interrupted_with_checkpoint_resumes_to_the_uninterrupted_weights(tmp_path):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(300, 4))
    y = (X[:, 0] + 0.3 * rng.normal(size=300) > 0).astype(int)
    settings = dict(loss="binary_cross_entropy", epochs=8, validation_split=0.2)
    whole = network()
    whole.fit(X, y, **settings)
    interrupted = network()
    with pytest.raises(KeyboardInterrupt):
        interrupted.fit(X, y, **settings, checkpoint=tmp_path, callbacks=[Interrupt(3)])
    resumed = network()
    history = resumed.fit(X, y, **settings, resume=tmp_path, callbacks=[Interrupt(99)])
    np.testing.assert_array_equal(resumed.params, whole.params)
    assert len(history.history["loss"]) == 8
