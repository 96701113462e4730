"""mk.runs: filters, sorting, limits, the DataFrame (on both backends)."""

from __future__ import annotations

import numpy as np
import pytest

from mlpkit.exceptions import ConfigError
from mlpkit.ledger import open_ledger, runs


@pytest.fixture
def filled(ledger_url):
    """Two searches: "a" with trials complete / pruned / failed / waiting, "b" with one
    complete trial; and one plain fit."""
    ledger = open_ledger(ledger_url)
    for search_id, n in (("a", 4), ("b", 1)):
        ledger.create_search(search_id, {"name": search_id}, np.array([0, 1, 0, 1]))
        ledger.add_trials(
            search_id,
            [
                {"number": i, "config": {"alpha": 0.1 * (i + 1), "layers": [8] * (i + 1)}}
                for i in range(n)
            ],
        )
    outcomes = [("complete", 0.7), ("pruned", 0.4), ("failed", None)]
    for status, score in outcomes:
        trial = ledger.claim("a", f"w-{status}")
        ledger.finish("a", trial["number"], f"w-{status}", status, score=score)
    ledger.claim("b", "w-b")
    ledger.finish("b", 0, "w-b", "complete", score=0.9)
    ledger.record_fit({"config": {"optimizer": {"name": "adam"}}, "stop_reason": "done"})
    return ledger


def numbers(selection):
    return [(run["search_id"], run["number"]) for run in selection]


def test_all_runs_in_the_default_order(filled):
    everything = runs(filled)
    assert len(everything) == 6
    assert numbers(everything) == [("a", 0), ("a", 1), ("a", 2), ("a", 3), ("b", 0), (None, None)]


def test_filters_combine_and_chain(filled):
    everything = runs(filled.url) if filled.backend.shareable else runs(filled)
    assert numbers(everything.search(search_id="a", status="complete")) == [("a", 0)]
    assert numbers(everything.search(status=["pruned", "failed"])) == [("a", 1), ("a", 2)]
    assert numbers(everything.search(search_id="a").search(status="waiting")) == [("a", 3)]
    assert numbers(everything.search(search_id=["a", "b"]).search(search_id="b")) == [("b", 0)]
    assert numbers(everything.search(search_id=None)) == numbers(everything)
    assert len(everything.search(search_id=[None])) == 1  # the plain fit
    assert numbers(everything.search(worker="w-pruned")) == [("a", 1)]
    assert numbers(everything.search(score=None, search_id="a")) == [("a", 2), ("a", 3)]
    assert numbers(everything.search(**{"param.alpha": 0.2})) == [("a", 1)]
    assert numbers(everything.search(**{"param.layers": (8, 8, 8)})) == [("a", 2)]
    assert len(everything.search(**{"param.optimizer.name": "adam"})) == 1


def test_order_and_limit(filled):
    everything = runs(filled)
    best = everything.search(order_by="-score")
    assert numbers(best)[:3] == [("b", 0), ("a", 0), ("a", 1)]
    assert [run["score"] for run in best][3:] == [None, None, None]  # missing last
    assert numbers(everything.search(order_by="score", limit=2)) == [("a", 1), ("a", 0)]
    assert numbers(everything.search(order_by="-param.alpha", limit=2)) == [("a", 3), ("a", 2)]
    assert numbers(everything.search(limit=3).search(limit=10)) == numbers(everything)[:3]
    by_worker = everything.search(order_by="worker", status="complete", search_id=["a", "b"])
    assert [run["worker"] for run in by_worker] == ["w-b", "w-complete"]


def test_to_frame_expands_params(filled):
    frame = runs(filled).search(search_id="a").to_frame()
    assert list(frame.columns[:5]) == ["run_id", "search_id", "number", "status", "score"]
    assert list(frame["number"]) == [0, 1, 2, 3]
    assert frame["param.alpha"].tolist() == pytest.approx([0.1, 0.2, 0.3, 0.4])
    assert frame["param.layers"].tolist()[1] == [8, 8]
    assert "config" not in frame.columns and "fold_scores" in frame.columns
    assert runs(filled).search(search_id="none").to_frame().empty


def test_iteration_yields_every_column(filled):
    (run,) = runs(filled).search(search_id="b")
    assert run["config"] == {"alpha": 0.1, "layers": [8]} and run["score"] == 0.9
    assert run["environment"]["numpy"] == np.__version__


@pytest.mark.parametrize(
    "arguments, message",
    [
        ({"status": "lost"}, "status must be one of"),
        ({"order_by": "scor"}, r"no such column.*Did you mean \['score'"),
        ({"wroker": "w"}, r"Cannot filter by 'wroker'.*Did you mean \['worker'"),
        ({"config": {}}, "holds json values.*param.<name>"),
        ({"limit": -1}, "limit must be an integer >= 0"),
        ({"order_by": "-"}, "order_by must be a column name"),
    ],
)
def test_wrong_queries_name_what_is_wrong(tmp_path, arguments, message):
    open_ledger(tmp_path / "l.sqlite").close()  # reading never creates a ledger
    with pytest.raises(ConfigError, match=message):
        runs(tmp_path / "l.sqlite").search(**arguments)
