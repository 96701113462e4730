import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils.estimator_checks import parametrize_with_checks

import mlpkit as mk

X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)


@pytest.mark.parametrize("gate, y", [("AND", [0, 0, 0, 1]), ("OR", [0, 1, 1, 1])])
def test_perceptron_learns_linearly_separable_gates(gate, y):
    model = mk.Perceptron(random_state=0).fit(X, y)
    np.testing.assert_array_equal(model.predict(X), y)
    assert model.mistakes_[-1] == 0 and model.n_iter_ < 100


def test_perceptron_cannot_learn_xor_and_says_why():
    with pytest.warns(ConvergenceWarning, match="not be linearly separable"):
        model = mk.Perceptron(max_iter=50, random_state=0).fit(X, [0, 1, 1, 0])
    assert (model.predict(X) != [0, 1, 1, 0]).any()
    assert min(model.mistakes_) > 0


def test_perceptron_rule_updates_only_on_mistakes():
    model = mk.Perceptron(learning_rate=0.5, max_iter=1, shuffle=False)
    with pytest.warns(ConvergenceWarning):
        model.fit([[1.0, 2.0], [-1.0, -1.0]], [0, 1])
    # sample 1: step(0) = 0 = target, no update; sample 2: step(0) = 0 ≠ 1, w += 0.5 · x
    np.testing.assert_allclose(model.coef_, [[-0.5, -0.5]])
    np.testing.assert_allclose(model.intercept_, [0.5])


def test_perceptron_keeps_string_labels_and_handles_three_classes():
    rng = np.random.default_rng(0)
    centers = np.array([[5, 0], [0, 5], [-5, -5]])
    labels = rng.integers(0, 3, size=90)
    data = centers[labels] + rng.normal(size=(90, 2))
    names = np.array(["low", "mid", "high"])[labels]
    model = mk.Perceptron(random_state=0).fit(data, names)
    assert set(model.classes_) == {"low", "mid", "high"}
    assert (model.predict(data) == names).mean() > 0.95


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@parametrize_with_checks([mk.Perceptron(random_state=0)])
def test_perceptron_passes_scikit_learn_estimator_checks(estimator, check):
    check(estimator)
