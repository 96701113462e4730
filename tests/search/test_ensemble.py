"""Ensemble selection from a search's stored out-of-fold predictions."""

import json

import numpy as np
import pytest
from sklearn.datasets import make_classification, make_regression
from sklearn.metrics import balanced_accuracy_score, log_loss

import mlpkit as mk
from mlpkit.exceptions import ConfigError
from mlpkit.search import Choice, Ensemble, LogUniform, Search
from mlpkit.search.ensemble import select


def squared(y):
    return lambda p: float(np.mean((p - y) ** 2))


def negated(loss):
    return lambda p: -loss(p)


def test_selection_pairs_trials_whose_errors_cancel_and_leaves_out_a_worse_one():
    rng = np.random.default_rng(0)
    y = rng.normal(size=50)
    e = rng.normal(size=50)
    oof = np.stack([y + e, y - e, y + 0.5 * rng.normal(size=50) + 2.0])
    counts = select(oof, negated(squared(y)), squared(y), size=10)
    assert counts[0] == counts[1] >= 1 and counts[2] == 0


def test_selection_stops_at_its_best_step():
    y = np.linspace(-1, 1, 20)
    oof = np.stack([y, y + 1.0])  # trial 0 is exact: adding anything can only hurt
    assert select(oof, negated(squared(y)), squared(y), size=8).tolist() == [1, 0]


def test_selection_follows_the_score_and_lets_the_loss_break_its_ties():
    y = np.array([0, 0, 0, 1])  # probability of class 1 in each of three trials
    confident_miss = np.array([0.0, 0.0, 0.0, 0.45])  # accuracy 3/4, loss low
    sure_hit = np.array([0.6, 0.0, 0.0, 0.9])  # accuracy 3/4, loss higher
    right = np.array([0.4, 0.4, 0.4, 0.6])  # accuracy 4/4, loss highest

    def accuracy(p):
        return float(np.mean((p > 0.5) == y))

    def log_loss(p):
        return float(-np.mean(np.log(np.clip(np.where(y == 1, p, 1 - p), 1e-15, 1))))

    assert log_loss(confident_miss) < log_loss(sure_hit) < log_loss(right)
    oof = np.stack([confident_miss, sure_hit, right])
    assert select(oof, accuracy, log_loss, size=1).tolist() == [0, 0, 1]  # the score first
    tied = np.stack([confident_miss, sure_hit])
    assert select(tied, accuracy, log_loss, size=1).tolist() == [1, 0]  # then the loss


class Fixed:
    def __init__(self, proba, classes=(0, 1)):
        self.proba, self.classes_ = np.asarray(proba, dtype=float), np.asarray(classes)

    def predict_proba(self, X):
        return np.repeat(self.proba[None], len(X), axis=0)

    def predict(self, X):
        return np.full(len(X), self.proba[0])


def test_an_ensemble_averages_probabilities_with_its_weights():
    ensemble = Ensemble([Fixed([0.9, 0.1]), Fixed([0.2, 0.8])], [1, 3], [4, 7], classes=[0, 1])
    np.testing.assert_allclose(ensemble.weights, [0.25, 0.75])
    np.testing.assert_allclose(ensemble.predict_proba(np.zeros((2, 1)))[0], [0.375, 0.625])
    assert ensemble.predict(np.zeros((3, 1))).tolist() == [1, 1, 1]
    values = Ensemble([Fixed([2.0]), Fixed([4.0])], [1, 1], [0, 1])
    assert values.predict(np.zeros((2, 1))).tolist() == [3.0, 3.0]
    with pytest.raises(ConfigError, match="one non-negative weight and one trial number"):
        Ensemble([Fixed([1.0])], [1, 2], [0])


SPACE = {
    "hidden_layer_sizes": Choice([(4,), (16,)]),
    "learning_rate_init": LogUniform(1e-3, 3e-2),
    "alpha": LogUniform(1e-5, 1e-1),
}


def test_a_search_ensemble_is_no_worse_out_of_fold_than_its_best_trial(tmp_path):
    X, y = make_classification(n_samples=200, n_features=6, random_state=0, flip_y=0.1)
    result = Search(mk.MLPClassifier(max_iter=15), SPACE, n_trials=6, cv=3, random_state=1)
    result = result.fit(X, y)
    ensemble = result.ensemble(size=10)
    assert result.ensemble_ is ensemble and set(ensemble.trials) <= set(result.trials_["number"])
    chosen = result.claims_["ensemble"]
    assert chosen["trials"] == ensemble.trials and np.isclose(sum(chosen["weights"]), 1.0)
    assert chosen["oof_score"] >= result.claims_["pooled_best"]
    if result.best_index_ in ensemble.trials:  # the winner is not fitted twice
        assert result.best_estimator_ in ensemble.members
    assert 0.0 <= result.ensemble_test_score_ <= 1.0
    assert "ensemble" in result.report()
    assert ensemble.predict_proba(X[:5]).shape == (5, 2)


def test_an_ensemble_saves_to_one_model_file_and_loads_back_predicting_the_same(tmp_path):
    rng = np.random.default_rng(3)
    X = rng.normal(size=(150, 4))
    labels = np.where(X[:, 0] + 0.3 * rng.normal(size=150) > 0, "fails", "runs")
    result = mk.search.auto(X, labels, n_trials=4, max_iter=8, cv=2, test_size=None)
    ensemble = result.ensemble_
    loaded = mk.load(ensemble.save(tmp_path / "ensemble.mlpk"))
    assert isinstance(loaded, Ensemble) and loaded.trials == ensemble.trials
    np.testing.assert_array_equal(loaded.weights, ensemble.weights)
    assert loaded.classes_.tolist() == ["fails", "runs"]
    np.testing.assert_array_equal(loaded.predict_proba(X), ensemble.predict_proba(X))
    assert (loaded.predict(X) == ensemble.predict(X)).all()
    values = mk.search.auto(X, X[:, 1] * 2.0, n_trials=3, max_iter=5, cv=2, test_size=None)
    back = mk.load(values.ensemble_.save(tmp_path / "values.mlpk"))
    np.testing.assert_array_equal(back.predict(X), values.ensemble_.predict(X))
    assert back.classes_ is None


def test_an_ensemble_of_other_models_is_not_saved_and_says_which_member(tmp_path):
    ensemble = Ensemble([Fixed([0.9, 0.1]), Fixed([0.2, 0.8])], [1, 1], [4, 7], classes=[0, 1])
    with pytest.raises(ConfigError, match="member 0 \\(trial 4\\) is a Fixed"):
        ensemble.save(tmp_path / "e.mlpk")
    assert not (tmp_path / "e.mlpk").exists()


def test_predict_takes_an_ensemble_file_and_the_others_say_how_to_use_it(tmp_path, capsys):
    import pandas as pd

    from mlpkit.cli import main

    X, y = make_classification(n_samples=90, n_features=3, n_redundant=0, random_state=0)
    frame = pd.DataFrame(X, columns=["a", "b", "c"])
    labels = np.where(y == 1, "yes", "no")
    result = mk.search.auto(frame, labels, n_trials=3, max_iter=4, cv=2, test_size=None)
    ensemble = result.ensemble_
    path = ensemble.save(tmp_path / "ensemble.mlpk")
    data = tmp_path / "rows.csv"
    frame.iloc[:6].to_csv(data, index=False)
    out = tmp_path / "predictions.csv"
    assert main(["predict", str(path), str(data), "-o", str(out)]) == 0
    written = pd.read_csv(out)
    expected = ensemble.predict_proba(frame.iloc[:6])
    np.testing.assert_allclose(written[["proba_no", "proba_yes"]], expected, rtol=1e-12)
    assert written["prediction"].tolist() == ensemble.predict(frame.iloc[:6]).tolist()
    capsys.readouterr()
    labelled = tmp_path / "labelled.csv"
    frame.assign(answer=labels).to_csv(labelled, index=False)
    assert main(["evaluate", str(path), str(labelled), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    expected = balanced_accuracy_score(labels, ensemble.predict(frame))
    assert report["target"] == "answer" and report["n_samples"] == 90
    assert report["metrics"]["balanced_accuracy"] == pytest.approx(expected, abs=1e-12)
    with pytest.raises(SystemExit) as stopped:
        main(["summary", str(path)])
    assert stopped.value.code == 2  # a usage error
    error = capsys.readouterr().err
    assert "holds an Ensemble" in error and "predict and evaluate take one" in error
    assert ".predict(X)" in error and "Traceback" not in error


def test_evaluate_scores_an_ensemble_by_its_mean_probabilities():
    X, y = make_classification(
        n_samples=120, n_features=4, n_informative=3, n_redundant=0, n_classes=3, random_state=1
    )
    result = mk.search.auto(X, y, n_trials=3, max_iter=4, cv=2, test_size=None)
    ensemble = result.ensemble_
    report = mk.evaluate(ensemble, X, y)
    assert report.task == "multiclass" and report.labels == [0, 1, 2]
    proba = ensemble.predict_proba(X)
    assert report.metrics["log_loss"] == pytest.approx(log_loss(y, proba), rel=1e-9)
    expected = balanced_accuracy_score(y, ensemble.predict(X))
    assert report.metrics["balanced_accuracy"] == pytest.approx(expected, abs=1e-12)


def test_predict_writes_an_ensembles_mean_value_for_a_regression(tmp_path):
    import pandas as pd

    from mlpkit.cli import main

    X, y = make_regression(n_samples=80, n_features=3, random_state=0)
    result = mk.search.auto(X, y, n_trials=2, max_iter=3, cv=2, test_size=None)
    path = result.ensemble_.save(tmp_path / "ensemble.mlpk")
    data = tmp_path / "rows.csv"
    pd.DataFrame(X[:5]).to_csv(data, index=False)
    out = tmp_path / "predictions.csv"
    assert main(["predict", str(path), str(data), "-o", str(out)]) == 0
    written = pd.read_csv(out)
    assert list(written.columns) == ["row", "prediction"]
    np.testing.assert_allclose(written["prediction"], result.ensemble_.predict(X[:5]), rtol=1e-12)


def test_auto_ends_with_an_ensemble_unless_told_not_to():
    X, y = make_regression(n_samples=120, n_features=4, noise=5.0, random_state=0)
    result = mk.search.auto(X, y, n_trials=3, max_iter=5, cv=2, test_size=None)
    assert isinstance(result.ensemble_, Ensemble) and result.ensemble_.classes_ is None
    assert result.ensemble_.predict(X[:4]).shape == (4,)
    plain = mk.search.auto(X, y, n_trials=3, max_iter=5, cv=2, test_size=None, ensemble=0)
    assert plain.ensemble_ is None


def test_one_trial_is_an_ensemble_of_itself_and_the_size_is_a_whole_number():
    X, y = make_regression(n_samples=60, n_features=3, random_state=0)
    result = mk.search.auto(X, y, n_trials=1, max_iter=3, cv=2, test_size=None, ensemble=0)
    ensemble = result.ensemble()
    assert ensemble.trials == [result.best_index_]
    assert ensemble.members == [result.best_estimator_]
    assert f"trial {result.best_index_} alone" in result.report()
    with pytest.raises(ValueError, match="whole number"):
        result.ensemble(size=0)
