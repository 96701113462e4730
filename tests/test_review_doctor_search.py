"""Review findings on the doctor, the search, export and class_weight: each one pinned."""

import numpy as np
import pytest
from sklearn.datasets import load_breast_cancer

import mlpkit as mk
from mlpkit.exceptions import ConfigError
from mlpkit.search import claims


@pytest.fixture(scope="module")
def cancer():
    X, y = load_breast_cancer(return_X_y=True)
    return X[:200], y[:200]


# -- 1. the corrected score is compared with the naive one computed the same way ---------------


def test_bbc_estimate_never_exceeds_the_uncorrected_maximum_on_the_same_rows():
    rng = np.random.default_rng(0)
    # one configuration far ahead wins every sample: the selection costs nothing, and the
    # estimate differs from the pooled naive best by bootstrap noise only
    per_row = np.vstack([rng.random((2, 160)) < 0.6, rng.random((1, 160)) < 0.86]).astype(float)
    for seed in range(20):
        fast = claims.bbc_cv(per_row=per_row, n_bootstrap=200, random_state=seed)
        assert fast.estimate <= fast.oob_best
    y = rng.integers(0, 2, 80)
    oof = np.where(rng.random((3, 80)) < [[0.6], [0.55], [0.9]], y, 1 - y)

    def accuracy(t, p):
        return float(np.mean(t == p))

    scored = claims.bbc_cv(oof, y, accuracy, n_bootstrap=100, random_state=1)
    assert scored.estimate <= scored.oob_best


def test_search_corrected_score_is_below_the_like_with_like_naive_and_the_report_says_so(cancer):
    space = {
        "hidden_layer_sizes": mk.search.Choice([(8,), (16,)]),
        "alpha": mk.search.LogUniform(1e-5, 1e-2),
    }
    result = mk.search.Search(
        mk.MLPClassifier(max_iter=10), space, n_trials=3, cv=2, random_state=0
    ).fit(*cancer)
    uncorrected = result.claims_["corrected"].oob_best
    assert result.corrected_score_ <= uncorrected + 1e-12
    assert f"against {uncorrected:.4f} uncorrected on the same out-of-bag rows" in result.report()
