"""The Scorer's direct computations give scikit-learn's numbers."""

import numpy as np
import pytest

from mlpkit.search.scoring import Scorer

RNG = np.random.default_rng(0)
CLASS_NAMES = ["accuracy", "balanced_accuracy", "neg_log_loss", "roc_auc", "f1"]
VALUE_NAMES = ["r2", "neg_mean_squared_error", "neg_mean_absolute_error", "explained_variance"]


@pytest.mark.parametrize("name", CLASS_NAMES)
@pytest.mark.parametrize("labels", [np.array([0, 1]), np.array(["no", "yes"])])
def test_class_scores_equal_the_scikit_learn_scorer(name, labels):
    for _ in range(3):
        y = labels[RNG.integers(0, 2, 250)]
        p = RNG.random(250).round(2)  # ties in the ranks
        proba = np.c_[1 - p, p]
        if name == "f1" and labels.dtype.kind == "U":
            continue  # scikit-learn's f1 scorer takes pos_label=1, which text labels lack
        scorer = Scorer(name, classify=True, classes=labels)
        direct = scorer.of(y, proba)
        assert direct == pytest.approx(scorer(proba, y, np.arange(250)), abs=1e-12)


def test_multiclass_balanced_accuracy_and_accuracy_equal_the_scorer():
    classes = np.arange(4)
    y = RNG.integers(0, 4, 300)
    proba = RNG.dirichlet(np.ones(4), 300)
    for name in ("accuracy", "balanced_accuracy", "neg_log_loss"):
        scorer = Scorer(name, classify=True, classes=classes)
        assert scorer.of(y, proba) == pytest.approx(scorer(proba, y, np.arange(300)), abs=1e-12)


@pytest.mark.parametrize("name", VALUE_NAMES)
def test_value_scores_equal_the_scikit_learn_scorer(name):
    y = RNG.normal(size=200)
    predicted = y + RNG.normal(scale=0.5, size=200)
    scorer = Scorer(name, classify=False)
    assert scorer.of(y, predicted) == pytest.approx(scorer(predicted, y, np.arange(200)))


def test_roc_auc_on_several_classes_says_what_to_use():
    scorer = Scorer("roc_auc", classify=True, classes=np.arange(3))
    with pytest.raises(ValueError, match="roc_auc_ovr"):
        scorer.of(np.array([0, 1, 2]), np.eye(3))


def test_an_unknown_scoring_name_is_named():
    with pytest.raises(ValueError, match="no_such_score"):
        Scorer("no_such_score", classify=True, classes=np.arange(2))


def test_average_ranks_equal_scipy_rankdata():
    from scipy.stats import rankdata

    from mlpkit.search.scoring import average_ranks

    for values in (
        RNG.random(500).round(2),
        RNG.random(500),
        np.zeros(4),
        np.array([3.0, 1, 2, 2]),
    ):
        assert np.array_equal(average_ranks(values), rankdata(values))
