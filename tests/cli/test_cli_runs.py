"""``mlpkit runs list|show|compare|export`` on a ledger holding a small search and a plain fit."""

import json
import os

import numpy as np
import pytest

import mlpkit as mk


@pytest.fixture(scope="module")
def ledger(tmp_path_factory):
    """runs.sqlite with a 3-trial search and one plain fit (mk.callbacks.Ledger)."""
    folder = tmp_path_factory.mktemp("ledger")
    path = folder / "runs.sqlite"
    rng = np.random.default_rng(0)
    X = rng.normal(size=(120, 4))
    y = (X[:, 0] + 0.3 * rng.normal(size=120) > 0).astype(int)
    space = {"alpha": mk.search.LogUniform(1e-5, 1e-2)}
    model = mk.MLPClassifier(hidden_layer_sizes=(4,), max_iter=3)
    result = mk.search.Search(model, space, n_trials=3, cv=2, ledger=str(path)).fit(X, y)
    net = mk.Sequential([mk.layers.Dense(1, activation="sigmoid")], random_state=0)
    recorder = mk.callbacks.Ledger(str(path), X, y)
    net.fit(X, y, loss="binary_cross_entropy", epochs=2, callbacks=[recorder])
    return {"path": path, "search": result.search_id, "fit": recorder.run_id}


def test_runs_list_shows_every_run_and_filters(cli, ledger):
    folder = ledger["path"].parent
    listed = cli("runs", "list", cwd=folder)  # runs.sqlite in the working directory
    assert listed.returncode == 0, listed.stderr
    assert listed.stdout.splitlines()[0].split()[:3] == ["run_id", "status", "score"]
    assert ledger["fit"] in listed.stdout and f"{ledger['search']}/2" in listed.stdout
    rows = json.loads(
        cli("runs", "list", "--search", ledger["search"], "--json", cwd=folder).stdout
    )
    assert [row["number"] for row in rows] == [0, 1, 2]
    assert all("oof" not in row and row["oof_length"] > 0 for row in rows)
    best = json.loads(
        cli("runs", "list", "--sort=-score", "--limit", "1", "--json", cwd=folder).stdout
    )
    assert best[0]["score"] == max(row["score"] for row in rows)


def test_runs_show_takes_a_unique_beginning_of_an_id(quick, ledger, tmp_path):
    env = {**os.environ, "MLPKIT_LEDGER": str(ledger["path"])}  # no --ledger: the variable
    shown = quick("runs", "show", ledger["fit"][:12], cwd=tmp_path, env=env)
    assert shown.returncode == 0, shown.stderr
    assert (
        f"run_id: {ledger['fit']}" in shown.stdout
        and "loss.name: binary_cross_entropy" in shown.stdout
    )
    found = json.loads(quick("runs", "show", ledger["fit"], "--json", cwd=tmp_path, env=env).stdout)
    assert found["status"] == "complete" and found["history"]["epoch"] == [0, 1]
    ambiguous = quick("runs", "show", ledger["search"][:4], cwd=tmp_path, env=env)
    assert ambiguous.returncode == 2 and "give more of the id" in ambiguous.stderr


def test_runs_compare_lists_the_differences(cli, ledger):
    a, b = f"{ledger['search']}/0", f"{ledger['search']}/1"
    args = ["runs", "compare", a, b, "--ledger", ledger["path"]]
    text = cli(*args, cwd=ledger["path"].parent)
    assert text.returncode == 0 and "param.alpha" in text.stdout
    found = json.loads(cli(*args, "--json", cwd=ledger["path"].parent).stdout)
    assert found["a"] == a and "param.alpha" in found["different"]
    assert found["same"]["status"] == "complete"


def test_runs_on_a_ledger_that_is_not_there_is_bad_usage_and_creates_nothing(quick, tmp_path):
    done = quick("runs", "list", "--ledger", "typo.sqlite", cwd=tmp_path)
    assert done.returncode == 2 and "No ledger at 'typo.sqlite'" in done.stderr
    assert list(tmp_path.iterdir()) == []
    (tmp_path / "other.sqlite").write_text("not a database")
    done = quick("runs", "list", "--ledger", "other.sqlite", cwd=tmp_path)
    assert done.returncode in (1, 2) and "Traceback" not in done.stderr


def test_runs_export_to_mlflow(quick, ledger, tmp_path):
    pytest.importorskip("mlflow")
    uri = f"sqlite:///{tmp_path / 'mlflow.db'}"
    done = quick(
        "runs", "export", "--mlflow", uri, "--ledger", ledger["path"], "--json", cwd=tmp_path
    )
    assert done.returncode == 0, done.stderr
    exported = json.loads(done.stdout)
    assert set(exported["searches"]) == {ledger["search"]} and len(exported["runs"]) == 4
