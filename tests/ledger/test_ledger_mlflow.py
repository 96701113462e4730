"""Export to MLflow, read back with MLflow's own client."""

from __future__ import annotations

import importlib.util

import numpy as np
import pytest

from mlpkit.ledger import open_ledger, runs

mlflow = pytest.importorskip("mlflow", reason="the MLflow export needs mlflow(-skinny)")
from mlflow.tracking import MlflowClient  # noqa: E402


@pytest.fixture
def tracking_uri(tmp_path, monkeypatch):
    """A local tracking store: a database store when SQLAlchemy and Alembic are there
    (mlflow-skinny leaves them out), else the file store, which MLflow 3 allows on request."""
    if importlib.util.find_spec("sqlalchemy") and importlib.util.find_spec("alembic"):
        return f"sqlite:///{tmp_path / 'mlflow.db'}"
    monkeypatch.setenv("MLFLOW_ALLOW_FILE_STORE", "true")
    return (tmp_path / "mlruns").as_uri()


@pytest.fixture
def ledger(tmp_path):
    ledger = open_ledger(tmp_path / "runs.sqlite")
    ledger.create_search("s1", {"strategy": "tpe", "cv": 3, "space": {"a": [1, 2]}}, [0, 1, 2])
    ledger.add_trials(
        "s1", [{"number": i, "config": {"alpha": 0.1 * i, "act": "relu"}} for i in range(3)]
    )
    history = {"loss": [1.0, 0.6, 0.3], "val_loss": [1.1, 0.8, 0.7]}
    ledger.claim("s1", "w")
    ledger.finish("s1", 0, "w", "complete", score=0.8, fold_scores=[0.7, 0.8, 0.9], history=history)
    ledger.claim("s1", "w")
    per_fold = {"folds": [{"loss": [3.0, 2.0]}, {"loss": [4.0]}]}
    ledger.finish(
        "s1", 1, "w", "pruned", score=0.2, fold_scores=[0.2], stop_reason="pruned", history=per_fold
    )
    ledger.claim("s1", "w")
    ledger.finish("s1", 2, "w", "failed", error="ValueError: bad")
    ledger.record_fit({"config": {"network": {"units": 4}}, "history": {"loss": [2.0, 1.0]}})
    return ledger


def metric_series(client, run_id, name):
    return [(m.step, m.value) for m in client.get_metric_history(run_id, name)]


def test_searches_become_parents_and_trials_children(ledger, tracking_uri):
    ids = runs(ledger).to_mlflow(tracking_uri, experiment="exp")
    client = MlflowClient(tracking_uri)
    assert client.get_experiment(ids["experiment_id"]).name == "exp"
    parent = client.get_run(ids["searches"]["s1"])
    assert parent.data.tags["mlpkit.kind"] == "search"
    assert parent.data.params["strategy"] == "tpe" and parent.data.params["cv"] == "3"
    assert parent.data.metrics["n_trials"] == 3 and parent.data.metrics["n_complete"] == 1
    assert parent.data.metrics["n_pruned"] == 1 and parent.data.metrics["best_score"] == 0.8

    best = client.get_run(ids["runs"]["s1/0"])
    assert best.data.tags["mlflow.parentRunId"] == parent.info.run_id
    assert best.data.tags["mlpkit.status"] == "complete" and best.info.status == "FINISHED"
    assert best.data.params == {"alpha": "0.0", "act": "relu"}
    assert metric_series(client, best.info.run_id, "fold_score") == [(0, 0.7), (1, 0.8), (2, 0.9)]
    assert best.data.metrics["score"] == 0.8
    assert best.data.metrics["score_mean"] == pytest.approx(0.8)
    assert best.data.metrics["score_std"] == pytest.approx(np.std([0.7, 0.8, 0.9]))
    assert metric_series(client, best.info.run_id, "val_loss") == [(0, 1.1), (1, 0.8), (2, 0.7)]

    failed = client.get_run(ids["runs"]["s1/2"])
    assert failed.info.status == "FAILED" and failed.data.tags["mlpkit.error"] == "ValueError: bad"
    pruned = client.get_run(ids["runs"]["s1/1"])
    assert pruned.data.tags["mlpkit.status"] == "pruned"
    assert pruned.data.tags["mlpkit.stop_reason"] == "pruned"
    assert metric_series(client, pruned.info.run_id, "folds/0/loss") == [(0, 3.0), (1, 2.0)]
    assert metric_series(client, pruned.info.run_id, "folds/1/loss") == [(0, 4.0)]


def test_plain_fits_are_runs_of_their_own(ledger, tracking_uri):
    ids = runs(ledger).search(search_id=[None]).to_mlflow(tracking_uri)
    assert ids["searches"] == {}
    (run_id,) = ids["runs"].values()
    run = MlflowClient(tracking_uri).get_run(run_id)
    assert "mlflow.parentRunId" not in run.data.tags and run.data.tags["mlpkit.kind"] == "fit"
    assert run.data.params == {"network.units": "4"}
    assert metric_series(MlflowClient(tracking_uri), run_id, "loss") == [(0, 2.0), (1, 1.0)]


def test_exporting_again_adds_nothing(ledger, tracking_uri):
    first = runs(ledger).to_mlflow(tracking_uri)
    again = runs(ledger).to_mlflow(tracking_uri)
    assert again == first
    client = MlflowClient(tracking_uri)
    assert len(client.search_runs([first["experiment_id"]])) == 5  # 1 parent, 3 trials, 1 fit


def test_the_file_store_works_when_mlflow_allows_it(ledger, tmp_path, monkeypatch):
    monkeypatch.setenv("MLFLOW_ALLOW_FILE_STORE", "true")
    uri = (tmp_path / "mlruns").as_uri()
    ids = runs(ledger).search(search_id="s1").to_mlflow(uri)
    child = MlflowClient(uri).get_run(ids["runs"]["s1/0"])
    assert child.data.tags["mlflow.parentRunId"] == ids["searches"]["s1"]


def test_without_mlflow_the_error_says_what_to_install(ledger, monkeypatch):
    monkeypatch.setitem(__import__("sys").modules, "mlflow.tracking", None)
    with pytest.raises(ImportError, match="pip install mlflow-skinny"):
        runs(ledger).to_mlflow("sqlite:///x.db")
