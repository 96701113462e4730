"""The pruner's comparison is read from the ledger once per trial, not once per later trial."""

import numpy as np
from sklearn.datasets import make_classification

import mlpkit as mk
from mlpkit.ledger.store import Ledger
from mlpkit.search import Choice, IntUniform, Search
from mlpkit.search.workers import References, TrialContext


class FakeLedger:
    """Trials by number; records which numbers each read asked for."""

    def __init__(self):
        self.rows, self.reads = {}, []

    def finish(self, number, status="complete", scores=(0.5, 0.6)):
        self.rows[number] = {
            "number": number,
            "status": status,
            "fold_scores": list(scores) if status in ("complete", "pruned") else None,
            "history": {"folds": [{"loss": [1.0, 0.5]}]},
        }

    def start(self, number):
        self.rows[number] = {"number": number, "status": "running", "fold_scores": None}

    def trials(self, search_id, columns=None, numbers=None):
        self.reads.append(sorted(numbers))
        return [self.rows[n] for n in sorted(numbers) if n in self.rows]


def context(batch_size):
    return TrialContext("s", None, None, None, None, None, None, None, batch_size)


def naive(ledger, number, batch_size):
    start = number - number % batch_size
    rows = [r for n, r in sorted(ledger.rows.items()) if n < start]
    rows = [r for r in rows if r["status"] in ("complete", "pruned") and r["fold_scores"]]
    return [r["fold_scores"] for r in rows], [r["history"]["folds"] for r in rows]


def test_each_earlier_trial_is_read_once_and_the_comparison_equals_a_full_read():
    ledger, refs, ctx = FakeLedger(), References(), context(batch_size=4)
    for n in range(8):
        ledger.finish(n, "pruned" if n % 3 == 0 else "complete", scores=(n / 10, n / 20))
    ledger.finish(8, "failed")  # finished without scores: nothing to compare with
    for number in (8, 9, 10, 11):
        assert refs.before(ledger, ctx, number) == naive(ledger, number, 4)
    assert ledger.reads == [list(range(8)), [], [], []]
    for n in range(9, 12):
        ledger.finish(n)
    assert refs.before(ledger, ctx, 12) == naive(ledger, 12, 4)
    assert ledger.reads[-1] == [8, 9, 10, 11]


def test_a_trial_still_running_when_read_is_read_again_until_it_finishes():
    ledger, refs, ctx = FakeLedger(), References(), context(batch_size=2)
    ledger.finish(0)
    ledger.start(1)  # e.g. a lost trial re-run by a resumed search
    assert refs.before(ledger, ctx, 2) == naive(ledger, 2, 2)
    ledger.finish(1, scores=(0.9, 0.8))
    ledger.finish(2)
    ledger.finish(3)
    assert refs.before(ledger, ctx, 4) == naive(ledger, 4, 2)
    assert ledger.reads == [[0, 1], [1, 2, 3]]
    assert len(refs.before(ledger, ctx, 4)[0]) == 4


def test_a_pruned_search_reads_each_trials_history_once(monkeypatch):
    read = []
    select = Ledger.select

    def counting(self, where=None, order_by=(), limit=None, columns=None):
        rows = select(self, where, order_by, limit, columns)
        if columns is not None and "history" in columns:
            read.extend(r["number"] for r in rows)
        return rows

    monkeypatch.setattr(Ledger, "select", counting)
    X, y = make_classification(n_samples=200, n_features=6, random_state=0)
    space = {"learning_rate_init": Choice([3e-2, 1e-9]), "hidden_layer_sizes": IntUniform(4, 16)}
    result = Search(
        mk.MLPClassifier(max_iter=5),
        space,
        n_trials=24,
        cv=3,
        pruner=mk.search.MedianPruner(n_startup=2),
        batch_size=4,
        random_state=0,
        test_size=None,
    ).fit(X, y)
    assert (result.trials_["status"] == "pruned").any()
    # every trial of the first 5 batches is read once by the later ones (a full read per
    # trial would have read 4 × (4 + 8 + ... + 20) = 240 rows)
    assert sorted(read) == list(range(20))
    assert np.isfinite(result.best_score_)
