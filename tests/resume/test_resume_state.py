"""In-process resume: the callbacks' state contract and a fit interrupted at every epoch."""

import json

import numpy as np
import pytest

import mlpkit as mk


def _data():
    rng = np.random.default_rng(0)
    return rng.normal(size=(200, 4)), rng.normal(size=200)


def _net():
    layers = [mk.layers.Dense(8, activation="relu"), mk.layers.Dropout(0.1), mk.layers.Dense(1)]
    return mk.Sequential(layers, random_state=3)


def _callbacks(directory):
    return [
        mk.callbacks.EarlyStopping(patience=1, restore_best_weights=True),
        mk.callbacks.ReduceLROnPlateau(patience=0),
        mk.callbacks.Checkpoint(directory),
    ]


class Interrupt(mk.callbacks.Callback):
    def __init__(self, epoch):
        self.epoch = epoch

    def on_epoch_end(self, epoch, logs=None):
        if epoch == self.epoch:
            raise KeyboardInterrupt


def _fit(net, callbacks):
    X, y = _data()
    optimizer = mk.optim.Adam(learning_rate=0.05)
    return net.fit(
        X, y, loss="mse", optimizer=optimizer, epochs=40, validation_split=0.2, callbacks=callbacks
    )


def test_a_fit_interrupted_after_any_epoch_resumes_to_the_same_end(tmp_path):
    reference = _net()
    expected = _fit(reference, [*_callbacks(tmp_path / "reference"), Interrupt(-1)])
    assert expected.stop_reason.startswith("early stopping")
    for epoch in range(len(expected.epoch)):
        folder = tmp_path / f"cut{epoch}"
        with pytest.raises(KeyboardInterrupt):
            _fit(_net(), [*_callbacks(folder), Interrupt(epoch)])
        net = _net()
        found = _fit(net, [*_callbacks(folder), Interrupt(-1)])
        np.testing.assert_array_equal(net.params, reference.params)
        assert found.epoch == expected.epoch and found.stop_reason == expected.stop_reason
        timeless = [{k: v for k, v in h.history.items() if k != "time"} for h in (found, expected)]
        assert timeless[0] == timeless[1]


def test_callback_states_are_plain_json():
    stopping = mk.callbacks.EarlyStopping(patience=3)
    plateau = mk.callbacks.ReduceLROnPlateau(patience=2)
    stopping.on_epoch_end(0, {"val_loss": 1.0})
    stopping.on_epoch_end(1, {"val_loss": 2.0})
    plateau.tracker.update(0, 0.5)
    plateau.wait = 2
    copy_stopping = mk.callbacks.EarlyStopping(patience=3)
    copy_plateau = mk.callbacks.ReduceLROnPlateau(patience=2)
    copy_stopping.set_state(json.loads(json.dumps(stopping.get_state())))
    copy_plateau.set_state(json.loads(json.dumps(plateau.get_state())))
    assert copy_stopping.best == 1.0 and copy_stopping.rules[0].wait == 1
    assert copy_plateau.best == 0.5 and copy_plateau.wait == 2


def test_resuming_with_other_callbacks_is_refused(tmp_path):
    with pytest.raises(KeyboardInterrupt):
        _fit(_net(), [*_callbacks(tmp_path), Interrupt(1)])
    expected = r"callbacks: \['EarlyStopping', 'ReduceLROnPlateau', 'Checkpoint', 'Interrupt'\]"
    with pytest.raises(mk.ConfigError, match=expected + " in the checkpoint, .* now"):
        _fit(_net(), _callbacks(tmp_path))
