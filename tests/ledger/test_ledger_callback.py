"""LedgerCallback: a plain fit recorded when training ends."""

from __future__ import annotations

import json

import numpy as np
import pytest
from sklearn.base import clone

import mlpkit as mk
from mlpkit.ledger import LedgerCallback, environment, fingerprint, open_ledger, runs


@pytest.fixture
def data():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(64, 3))
    return X, (X[:, 0] > 0).astype(float)


def network():
    return mk.Sequential(
        [mk.layers.Dense(4, activation="tanh"), mk.layers.Dense(1, activation="sigmoid")],
        random_state=0,
    )


def test_a_fit_is_recorded_with_its_history_and_provenance(tmp_path, data):
    X, y = data
    path = tmp_path / "runs.sqlite"
    callback = LedgerCallback(str(path), X, y)
    net = network()
    history = net.fit(X, y, loss="binary_cross_entropy", epochs=4, callbacks=[callback])
    (run,) = runs(path)
    assert run["run_id"] == callback.run_id and run["search_id"] is None
    assert run["status"] == "complete" and run["error"] is None
    assert run["history"]["loss"] == history.history["loss"]
    assert run["history"]["epoch"] == [0, 1, 2, 3]
    assert run["stop_reason"] == history.stop_reason == "max epochs (4) reached"
    assert run["fingerprint"] == fingerprint(X, y)
    assert run["environment"] == environment()
    assert run["config"]["network"] == json.loads(json.dumps(net.get_config()))
    assert run["config"]["loss"]["name"] and run["config"]["optimizer"]["name"]
    fit = {"epochs": 4, "first_epoch": 0, "steps": 2, "resumed": False, "resumed_at": None}
    assert run["config"]["fit"] == fit
    assert 0 < run["duration"] < 60 and run["started"] <= run["finished"]


def test_each_fit_is_a_run_fingerprinted_from_the_rows_it_trains_on(data):
    X, y = data
    ledger = open_ledger(None)
    callback = LedgerCallback(ledger)
    net = network()
    net.fit(X, y, loss="binary_cross_entropy", epochs=2, callbacks=[callback])
    net.fit(X, y, epochs=3, callbacks=[callback])
    net.fit(X[:32], y[:32], epochs=1, callbacks=[callback])
    assert len(callback.run_ids) == 3
    first, second, third = runs(ledger)
    assert second["history"]["epoch"] == [2, 3, 4]
    assert first["fingerprint"] == second["fingerprint"] != third["fingerprint"]
    assert len(first["fingerprint"]) == 64


def test_data_given_to_the_callback_is_fingerprinted_instead_of_the_fits_rows(data):
    X, y = data
    ledger = open_ledger(None)
    model = mk.MLPClassifier(
        hidden_layer_sizes=(4,), max_iter=2, random_state=0, callbacks=[LedgerCallback(ledger)]
    )
    model.fit(X, y)
    raw = mk.MLPClassifier(
        hidden_layer_sizes=(4,), max_iter=2, callbacks=[LedgerCallback(ledger, X, y)]
    )
    raw.fit(X, y)
    preprocessed, given = runs(ledger)
    assert given["fingerprint"] == fingerprint(X, y)
    assert preprocessed["fingerprint"] not in (None, given["fingerprint"])


def test_a_fit_that_raises_is_recorded_as_failed(data):
    X, y = data

    class Boom(mk.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            if epoch == 1:
                raise RuntimeError("disk full")

    ledger = open_ledger(None)
    with pytest.raises(RuntimeError, match="disk full"):
        network().fit(
            X, y, loss="binary_cross_entropy", epochs=5, callbacks=[LedgerCallback(ledger), Boom()]
        )
    (run,) = runs(ledger)
    assert run["status"] == "failed" and run["error"] == "RuntimeError: disk full"
    assert run["stop_reason"] is None and len(run["history"]["loss"]) == 2


def test_an_estimator_with_the_callback_can_be_cloned_and_records_its_fits(tmp_path, data):
    X, y = data
    path = str(tmp_path / "runs.sqlite")
    model = mk.MLPClassifier(
        hidden_layer_sizes=(4,), max_iter=3, random_state=0, callbacks=[LedgerCallback(path)]
    )
    clone(model).fit(X, y)
    in_memory = mk.MLPClassifier(max_iter=2, callbacks=[LedgerCallback(open_ledger(None))])
    assert clone(in_memory).callbacks[0].ledger is in_memory.callbacks[0].ledger
    (run,) = runs(path)
    assert run["status"] == "complete" and len(run["history"]["loss"]) == 3
