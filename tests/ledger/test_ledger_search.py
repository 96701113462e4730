"""A real search into each backend: worker processes share the ledger, and it reads back."""

import numpy as np
from sklearn.datasets import make_classification

import mlpkit as mk
from mlpkit.search import Choice, LogUniform, Search


def test_a_search_with_two_worker_processes_fills_the_ledger_of_each_backend(ledger_url):
    X, y = make_classification(n_samples=160, n_features=5, random_state=0)
    space = {"hidden_layer_sizes": Choice([(4,), (8,)]), "alpha": LogUniform(1e-5, 1e-2)}
    kw = dict(n_trials=6, cv=2, batch_size=3, random_state=1)
    shared = Search(mk.MLPClassifier(max_iter=10), space, ledger=ledger_url, n_workers=2, **kw)
    result = shared.fit(X, y)
    alone = Search(mk.MLPClassifier(max_iter=10), space, **kw).fit(X, y)
    runs = mk.runs(ledger_url).search(search_id=result.search_id, order_by="number")
    assert len(runs) == 6
    frame = runs.to_frame()
    assert frame["status"].tolist() == alone.trials_["status"].tolist()
    assert np.allclose(frame["score"].astype(float), alone.trials_["score"].astype(float))
    assert frame["seed"].tolist() == alone.trials_["seed"].tolist()
