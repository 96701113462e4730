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


SETTINGS = dict(loss="binary_cross_entropy", epochs=8, validation_split=0.2)


def uninterrupted(seed):
    """(X, y, the network after the whole fit) for the data of ``seed``."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(300, 4))
    y = (X[:, 0] + 0.3 * rng.normal(size=300) > 0).astype(int)
    whole = network()
    whole.fit(X, y, **SETTINGS)
    return X, y, whole


def test_a_fit_interrupted_with_checkpoint_resumes_to_the_uninterrupted_weights(tmp_path):
    X, y, whole = uninterrupted(0)
    settings = SETTINGS
    interrupted = network()
    with pytest.raises(KeyboardInterrupt):
        interrupted.fit(X, y, **settings, checkpoint=tmp_path, callbacks=[Interrupt(3)])
    resumed = network()
    history = resumed.fit(X, y, **settings, resume=tmp_path, callbacks=[Interrupt(99)])
    np.testing.assert_array_equal(resumed.params, whole.params)
    assert len(history.history["loss"]) == 8


def test_a_resumable_modelcheckpoint_resumes_as_kerass_backup_and_restore(tmp_path):
    X, y, whole = uninterrupted(1)
    settings = SETTINGS

    def saver():
        return mk.callbacks.ModelCheckpoint(
            tmp_path / "best.mlpk", save_best_only=True, resumable=True
        )

    with pytest.raises(KeyboardInterrupt):
        network().fit(X, y, **settings, callbacks=[saver(), Interrupt(3)])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["best.mlpk", "fit.mlpk"]
    resumed = network()
    history = resumed.fit(X, y, **settings, callbacks=[saver(), Interrupt(99)])
    np.testing.assert_array_equal(resumed.params, whole.params)
    assert len(history.history["loss"]) == 8


@pytest.mark.parametrize(
    "path, fault",
    [("ckpt-{epoch}/model.mlpk", "fills the folder from the logs"), ("ckpt/fit.mlpk", "otherwise")],
)
def test_a_resumable_modelcheckpoint_needs_a_fixed_folder_and_its_own_name(path, fault):
    with pytest.raises(mk.ConfigError, match=fault):
        mk.callbacks.ModelCheckpoint(path, resumable=True)


def test_a_resumed_time_budget_counts_the_training_time_already_spent():
    budget = mk.callbacks.TimeBudget(60)
    state = budget.get_state()
    assert set(state) == {"elapsed"} and 0 <= state["elapsed"] < 5
    resumed = mk.callbacks.TimeBudget(60)
    resumed.set_state({"elapsed": 59.0})
    assert 59.0 <= resumed.elapsed < 64 and resumed.check(0, {}) is None
    resumed.set_state({"elapsed": 61.0})
    assert resumed.check(4, {}).startswith("time budget: 61.")
