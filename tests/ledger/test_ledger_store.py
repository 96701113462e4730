"""The Ledger over both backends: the life of a trial, round trips of every column, errors."""

from __future__ import annotations

import copy
import io
import math
import pickle
import sqlite3
import time

import numpy as np
import pytest

from mlpkit.exceptions import ConfigError
from mlpkit.ledger import environment, open_ledger
from mlpkit.ledger.schema import RUN_COLUMNS

FOLDS = np.array([0, 1, 2, 0, 1, 2, 0, 1])


def new_search(ledger, search_id="s", n=3):
    assert ledger.create_search(search_id, {"strategy": "random", "seed": 0}, FOLDS)
    rows = [{"number": i, "config": {"alpha": 10.0**-i}, "seed": 1000 + i} for i in range(n)]
    assert ledger.add_trials(search_id, rows) == n
    return rows


def raw_execute(url: str, sql: str, params=()):
    """Run SQL on the ledger's database directly (to plant what mlpkit would never write)."""
    if url.startswith("postgresql://"):
        import psycopg

        with psycopg.connect(url, autocommit=True) as connection:
            connection.execute(sql.replace("?", "%s"), params)
    else:
        with sqlite3.connect(url) as connection:
            connection.execute(sql, params)


def test_a_search_is_created_once_with_its_spec_and_folds(ledger_url):
    ledger = open_ledger(ledger_url)
    assert ledger.create_search("s", {"space": {"alpha": [1, 2]}}, FOLDS)
    assert not ledger.create_search("s", {"other": 1}, FOLDS[:2])
    assert ledger.search_spec("s") == {"space": {"alpha": [1, 2]}}
    assert ledger.search_spec("missing") is None
    folds = ledger.search_folds("s")
    assert folds.dtype == FOLDS.dtype and np.array_equal(folds, FOLDS)
    assert ledger.searches() == ["s"]
    with pytest.raises(ConfigError, match="no search 'missing'"):
        ledger.search_folds("missing")


def test_add_trials_is_idempotent(ledger_url):
    ledger = open_ledger(ledger_url)
    rows = new_search(ledger, n=3)
    claimed = ledger.claim("s", "w")
    more = [{"number": i, "config": {"alpha": -1.0}, "seed": 0} for i in range(5)]
    assert ledger.add_trials("s", more) == 2
    trials = ledger.trials("s")
    assert [t["number"] for t in trials] == [0, 1, 2, 3, 4]
    assert trials[0]["status"] == "running" and trials[0]["worker"] == "w"
    assert [t["config"] for t in trials[:3]] == [r["config"] for r in rows]
    assert claimed["config"] == rows[0]["config"]
    assert ledger.add_trials("s", []) == 0


def test_a_trial_goes_waiting_running_complete(ledger_url):
    ledger = open_ledger(ledger_url)
    new_search(ledger)
    first = ledger.claim("s", "w1")
    assert (first["number"], first["status"], first["seed"]) == (0, "running", 1000)
    assert first["started"] == first["heartbeat"] and first["finished"] is None
    assert ledger.heartbeat("s", 0, "w1") and not ledger.heartbeat("s", 0, "w2")
    assert not ledger.finish("s", 0, "w2", "complete", score=1.0)  # not w2's trial
    assert ledger.finish("s", 0, "w1", "complete", score=0.75)
    assert not ledger.finish("s", 0, "w1", "complete", score=0.5)  # already finished
    assert ledger.claim("s", "w1")["number"] == 1
    trial = ledger.trials("s")[0]
    assert trial["status"] == "complete" and trial["score"] == 0.75
    assert trial["finished"] >= trial["started"] and trial["duration"] >= 0
    assert trial["environment"] == environment()
    assert trial["folds_id"] == ledger.trials("s")[2]["folds_id"]


def test_the_driver_marks_a_waiting_trial_duplicate_without_claiming_it(ledger_url):
    ledger = open_ledger(ledger_url)
    new_search(ledger, n=3)
    ledger.claim("s", "w")
    assert ledger.finish("s", 1, "driver", "duplicate", duplicate_of=0)
    assert not ledger.finish("s", 0, "driver", "duplicate", duplicate_of=2)  # w's, running
    assert not ledger.finish("s", 2, "driver", "complete", score=1.0)  # a run needs a claim
    assert ledger.claim("s", "w")["number"] == 2
    duplicate = ledger.trials("s")[1]
    assert (duplicate["status"], duplicate["duplicate_of"], duplicate["worker"]) == (
        "duplicate",
        0,
        "driver",
    )


def test_claim_returns_none_when_nothing_waits(ledger_url):
    ledger = open_ledger(ledger_url)
    new_search(ledger, n=1)
    assert ledger.claim("s", "w")["number"] == 0
    assert ledger.claim("s", "w") is None
    assert ledger.claim("other search", "w") is None


def test_every_column_round_trips(ledger_url):
    ledger = open_ledger(ledger_url)
    ledger.create_search("s", {}, FOLDS)
    config = {"hidden_layer_sizes": [64, 32], "alpha": 1e-5, "act": "relu", "flag": True}
    seed = 2**63 - 1
    ledger.add_trials(
        "s",
        [{"number": 7, "config": config, "config_hash": "h7", "seed": seed, "fingerprint": "fp"}],
    )
    ledger.claim("s", "wörker ✓")
    oof = np.random.default_rng(0).normal(size=(8, 3)).astype(np.float32)
    results = {
        "score": 0.1 + 0.2,
        "fold_scores": [0.25, float("nan"), 1e-300],
        "oof": oof,
        "history": {"loss": [1.0, 0.5], "fold 0": {"val_loss": [2.0]}},
        "stop_reason": "early stopping: patience 3",
        "error": "trace\n  line «2»",
        "duration": 12.5,
        "duplicate_of": 3,
        "values": [0.3, 1234],
        "environment": {"mlpkit": "x", "blas": [{"version": "0.3"}]},
        "fingerprint": "fp2",
    }
    assert ledger.finish("s", 7, "wörker ✓", "duplicate", **results)
    (trial,) = ledger.trials("s")
    assert set(trial) == set(RUN_COLUMNS)
    assert trial["run_id"] == "s/7" and trial["search_id"] == "s" and trial["number"] == 7
    assert trial["status"] == "duplicate" and trial["worker"] == "wörker ✓"
    assert trial["config"] == config and trial["config_hash"] == "h7" and trial["seed"] == seed
    assert trial["oof"].dtype == np.float32 and np.array_equal(trial["oof"], oof)
    assert trial["score"] == 0.1 + 0.2
    assert trial["fold_scores"][0] == 0.25 and math.isnan(trial["fold_scores"][1])
    assert trial["fold_scores"][2] == 1e-300
    for name in ("history", "stop_reason", "error", "duration", "duplicate_of", "values"):
        assert trial[name] == results[name], name
    assert trial["environment"] == results["environment"] and trial["fingerprint"] == "fp2"
    assert trial["lost_count"] == 0 and trial["created"] <= trial["started"] <= trial["finished"]
    assert abs(trial["finished"] - time.time()) < 60  # the database's clock, in seconds


@pytest.mark.parametrize(
    "oof",
    [
        np.arange(10, dtype=np.int64),
        np.linspace(0, 1, 12).reshape(4, 3),
        np.array([np.nan, np.inf, -0.0, 5e-324]),
        np.array([True, False]),
        np.array(["a", "bé"]),
        np.zeros((0, 2)),
    ],
    ids=["int", "2-D", "special floats", "bool", "str", "empty"],
)
def test_out_of_fold_arrays_come_back_exactly(tmp_path, oof):
    ledger = open_ledger(tmp_path / "l.sqlite")
    new_search(ledger, n=1)
    ledger.claim("s", "w")
    ledger.finish("s", 0, "w", "complete", oof=oof)
    back = ledger.trials("s")[0]["oof"]
    assert back.dtype == oof.dtype and back.shape == oof.shape
    assert back.tobytes() == oof.tobytes()


def test_no_pickle_object_arrays_are_refused_both_ways(ledger_url):
    ledger = open_ledger(ledger_url)
    new_search(ledger, n=1)
    ledger.claim("s", "w")
    with pytest.raises(ConfigError, match="oof of trial 0.*without pickle"):
        ledger.finish("s", 0, "w", "complete", oof=np.array([{"a": 1}], dtype=object))
    buffer = io.BytesIO()
    np.save(buffer, np.array([{"code": 1}], dtype=object), allow_pickle=True)
    table = "mlpkit_runs"
    raw_execute(
        ledger_url, f"UPDATE {table} SET oof = ? WHERE run_id = ?", (buffer.getvalue(), "s/0")
    )
    with pytest.raises(ConfigError, match="oof of run 's/0'.*refused.*pickle"):
        ledger.trials("s")


def test_reap_puts_a_stale_trial_back_with_its_seed(ledger_url):
    ledger = open_ledger(ledger_url)
    new_search(ledger, n=2)
    ledger.claim("s", "dead")
    ledger.claim("s", "alive")
    time.sleep(0.3)
    assert ledger.heartbeat("s", 1, "alive")
    assert ledger.reap("s", stale_after=0.2) == [0]
    assert ledger.reap("s", stale_after=0.2) == []
    dead, alive = ledger.trials("s")
    assert (dead["status"], dead["lost_count"], dead["seed"], dead["worker"]) == (
        "waiting",
        1,
        1000,
        None,
    )
    assert alive["status"] == "running" and alive["lost_count"] == 0
    assert not ledger.heartbeat("s", 0, "dead")
    assert not ledger.finish("s", 0, "dead", "complete", score=1.0)
    again = ledger.claim("s", "new")
    assert (again["number"], again["seed"], again["lost_count"]) == (0, 1000, 1)
    assert ledger.finish("s", 0, "new", "complete", score=0.5)
    assert ledger.trials("s")[0]["lost_count"] == 1


def test_record_fit_stores_a_plain_fit(ledger_url):
    ledger = open_ledger(ledger_url)
    run_id = ledger.record_fit(
        {
            "config": {"network": {"layers": [1, 2]}},
            "history": {"loss": [0.5, 0.25]},
            "stop_reason": "max epochs (2) reached",
            "duration": 1.5,
            "started": 100.0,
            "fingerprint": "abc",
        }
    )
    (run,) = ledger.select({"run_id": [run_id]})
    assert run_id.startswith("fit-") and run["search_id"] is None and run["number"] is None
    assert run["status"] == "complete" and run["history"] == {"loss": [0.5, 0.25]}
    assert run["config_hash"] and run["environment"] == environment()
    assert run["started"] == 100.0 and run["finished"] > 100.0 and run["worker"]
    with pytest.raises(ConfigError, match="record_fit got the unknown field.*'histories'"):
        ledger.record_fit({"histories": {}})


def test_wrong_fields_and_values_are_named(ledger_url):
    ledger = open_ledger(ledger_url)
    new_search(ledger, n=1)
    ledger.claim("s", "w")
    with pytest.raises(
        ConfigError, match=r"unknown field\(s\) \['scores'\].*Did you mean \['score'"
    ):
        ledger.finish("s", 0, "w", "complete", scores=[1.0])
    with pytest.raises(ConfigError, match="status must be one of"):
        ledger.finish("s", 0, "w", "lost")
    with pytest.raises(ConfigError, match="score of trial 0 of search 's' must be a number"):
        ledger.finish("s", 0, "w", "complete", score="high")
    with pytest.raises(ConfigError, match="seed of trial 5 must fit in 64 bits"):
        ledger.add_trials("s", [{"number": 5, "config": {}, "seed": 2**64}])
    with pytest.raises(ConfigError, match="needs 'number' and 'config'"):
        ledger.add_trials("s", [{"config": {}}])
    with pytest.raises(ConfigError, match="config of trial 6 as JSON"):
        ledger.add_trials("s", [{"number": 6, "config": {"f": object()}}])
    with pytest.raises(ConfigError, match="no search 'nope'.*create_search"):
        ledger.add_trials("nope", [{"number": 0, "config": {}}])
    with pytest.raises(ConfigError, match="folds must be a 1-D integer array"):
        ledger.create_search("t", {}, np.zeros((2, 2)))
    with pytest.raises(ConfigError, match="stale_after must be a non-negative number"):
        ledger.reap("s", -1)


def test_a_ledger_is_shared_by_copies_and_never_pickled(tmp_path):
    ledger = open_ledger(tmp_path / "l.sqlite")
    assert copy.deepcopy(ledger) is ledger and copy.copy(ledger) is ledger
    with pytest.raises(TypeError, match="cannot be pickled; pass the URL it was opened with"):
        pickle.dumps(ledger)
    ledger.close()
    with pytest.raises(ConfigError, match="is closed"):
        ledger.trials("s")


def test_the_ledger_is_created_once_and_reopened(tmp_path):
    path = tmp_path / "runs.sqlite"
    with open_ledger(path) as ledger:
        new_search(ledger, n=2)
    for url in (path, str(path), f"sqlite:///{path}"):
        with open_ledger(url) as ledger:
            assert len(ledger.trials("s")) == 2
    journal = sqlite3.connect(path).execute("PRAGMA journal_mode").fetchone()[0]
    assert journal == "wal"


def test_memory_ledgers_are_separate():
    first, second = open_ledger(None), open_ledger("sqlite://")
    new_search(first)
    assert first.searches() == ["s"] and second.searches() == []


@pytest.mark.parametrize(
    "url, message",
    [
        ("mysql://host/db", "scheme 'mysql'.*Use one of"),
        ("sqlite://host/path", "names a host; write sqlite:///relative/path"),
        ("", "must be one of"),
        (42, "must be one of"),
    ],
)
def test_bad_urls_are_config_errors(url, message):
    with pytest.raises(ConfigError, match=message):
        open_ledger(url)


def test_files_that_are_not_ledgers_are_refused(tmp_path):
    with pytest.raises(ConfigError, match="directory .*missing does not exist"):
        open_ledger(tmp_path / "missing" / "runs.sqlite")
    with pytest.raises(ConfigError, match="is a directory"):
        open_ledger(tmp_path)
    text = tmp_path / "notes.txt"
    text.write_text("hello, this is not a database\n" * 100)
    with pytest.raises(ConfigError, match="notes.txt is not an SQLite database"):
        open_ledger(text)
    other = tmp_path / "other.sqlite"
    with sqlite3.connect(other) as connection:
        connection.execute("CREATE TABLE customers (id INTEGER)")
    with pytest.raises(ConfigError, match=r"other.sqlite is an SQLite database but not an mlpkit"):
        open_ledger(other)


def test_a_newer_schema_is_refused(tmp_path):
    path = tmp_path / "runs.sqlite"
    open_ledger(path).close()
    with sqlite3.connect(path) as connection:
        connection.execute("UPDATE mlpkit_meta SET value = '99' WHERE key = 'schema_version'")
    with pytest.raises(ConfigError, match="schema version 99, written by a newer mlpkit"):
        open_ledger(path)


def test_an_unreachable_server_is_a_config_error_without_the_password():
    with __import__("socket").socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # nothing listens there once closed
    url = f"postgresql://user:s3cret@127.0.0.1:{port}/db"
    with pytest.raises(ConfigError) as caught:
        open_ledger(url)
    message = str(caught.value)
    assert f"postgresql://user:***@127.0.0.1:{port}/db" in message and "s3cret" not in message
    assert "Check that the server runs" in message


def test_a_missing_database_is_named(postgres_url):
    url = postgres_url.rsplit("/", 1)[0] + "/no_such_database"
    with pytest.raises(ConfigError, match="no_such_database.*does not exist.*createdb"):
        open_ledger(url)


@pytest.mark.parametrize("name", ["query", "callback", "provenance"])
def test_the_docstring_examples_run(name):
    import doctest
    import importlib

    module = importlib.import_module(f"mlpkit.ledger.{name}")
    assert doctest.testmod(module).failed == 0
