"""mk.evaluate's report, the accuracy paradox, stability across runs, bias and variance."""

import json
import warnings

import numpy as np
import pytest
import sklearn.metrics as skm

import mlpkit as mk
from mlpkit.datasets import load_machine_failure
from mlpkit.evaluation import (
    EvaluationReport,
    bias_variance,
    complexity_curve,
    evaluate,
    stability,
)
from mlpkit.exceptions import ConfigError


def blobs(n, k, seed=0):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, k, size=n)
    return rng.normal(size=(n, 4)) + np.eye(k, 4)[y] * 3, y


def classifier(n_outputs, seed=0):
    output = "sigmoid" if n_outputs == 1 else "softmax"
    return mk.Sequential(
        [mk.layers.Dense(8, activation="relu"), mk.layers.Dense(n_outputs, activation=output)],
        random_state=seed,
    )


def regressor(seed=0, width=16):
    return mk.Sequential(
        [mk.layers.Dense(width, activation="tanh"), mk.layers.Dense(1)], random_state=seed
    )


def sine(n, seed=0, noise=0.1):
    rng = np.random.default_rng(seed)
    X = rng.uniform(-3, 3, size=(n, 1))
    return X, np.sin(X[:, 0]) + rng.normal(scale=noise, size=n)


FIT = {"optimizer": "adam", "epochs": 30, "batch_size": 16}


def assert_round_trips_as_json(report):
    as_dict = report.to_dict()
    assert json.loads(json.dumps(as_dict)) == as_dict
    assert json.loads(report.to_json()) == as_dict


@pytest.fixture(scope="module")
def binary_net():
    X, y = blobs(200, 2)
    net = classifier(1)
    net.fit(X, y, loss="binary_cross_entropy", **FIT)
    return net, X, y


def test_evaluate_reports_a_binary_classifier_with_its_curves(binary_net):
    net, X, y = binary_net
    report = evaluate(net, X, y)
    assert isinstance(report, EvaluationReport) and report.task == "binary"
    assert report.n_samples == 200 and report.labels == [0, 1]
    assert report.class_balance == {0: np.mean(y == 0), 1: np.mean(y == 1)}
    proba = net.predict(X)[:, 0]
    assert report.metrics["auc"] == pytest.approx(skm.roc_auc_score(y, proba))
    assert report.metrics["recall"] == skm.recall_score(y, proba > 0.5)
    assert report.confusion_matrix == skm.confusion_matrix(y, proba > 0.5).tolist()
    assert report.roc["auc"] == report.metrics["auc"] and report.roc["fpr"][0] == 0
    assert report.gain["gain"][0] == 0 and report.gain["gain"][-1] == 1
    assert len(report.lift["lift"]) == 10 and report.lift["lift"][-1] == pytest.approx(1)
    assert report.warnings == []
    assert_round_trips_as_json(report)


def test_a_higher_threshold_predicts_fewer_positives(binary_net):
    net, X, y = binary_net
    low, high = evaluate(net, X, y, threshold=0.2), evaluate(net, X, y, threshold=0.8)
    positives = lambda report: np.sum(report.confusion_matrix, axis=0)[1]
    assert positives(high) < positives(low) and high.threshold == 0.8


def test_evaluate_reports_a_multiclass_classifier_per_class():
    X, y = blobs(240, 3)
    net = classifier(3)
    net.fit(X, y, loss="categorical_cross_entropy", **FIT)
    report = evaluate(net, X, y)
    assert report.task == "multiclass" and report.roc is None and report.lift is None
    assert np.array(report.confusion_matrix).shape == (3, 3)
    assert set(report.per_class) == {0, 1, 2}
    assert sum(c["support"] for c in report.per_class.values()) == 240
    proba = net.predict(X)
    assert report.metrics["f1_macro"] == pytest.approx(
        skm.f1_score(y, proba.argmax(axis=1), average="macro")
    )
    assert report.metrics["auc"] == pytest.approx(skm.roc_auc_score(y, proba, multi_class="ovr"))
    assert report.metrics["log_loss"] == pytest.approx(skm.log_loss(y, proba), rel=1e-5)
    assert evaluate(net, X, np.eye(3)[y]).metrics == report.metrics  # one-hot y too
    assert_round_trips_as_json(report)


def test_evaluate_reports_a_regressor_without_classification_fields():
    X, y = sine(100)
    net = regressor()
    net.fit(X, y, loss="mse", **FIT)
    report = evaluate(net, X, y, k=5)
    assert report.task == "regression"
    assert report.class_balance is None and report.confusion_matrix is None
    predicted = net.predict(X)[:, 0]
    assert report.metrics["r2"] == pytest.approx(skm.r2_score(y, predicted))
    expected = np.mean(np.abs(predicted - y) <= np.std(y) / 5)
    assert report.metrics["regression_accuracy"] == pytest.approx(expected)
    assert_round_trips_as_json(report)


def test_evaluate_explains_labels_and_tasks_it_cannot_use(binary_net):
    net, X, y = binary_net
    with pytest.raises(ValueError, match=r"labels \[2\] the model does not know.*\[0, 1\]"):
        evaluate(net, X, y + 1)
    with pytest.raises(ConfigError, match="task"):
        evaluate(net, X, y, task="ranking")
    with pytest.raises(mk.NotFittedError, match="not built"):
        evaluate(classifier(1), X, y)


# -- the accuracy paradox -------------------------------------------------------------------------


def never_failure_model():
    net = mk.Sequential([mk.layers.Dense(1, activation="sigmoid")], random_state=0)
    net.build(8)
    net.layers[0].W[...] = 0
    net.layers[0].b[...] = -10  # p ≈ 0.00005 everywhere: "no failure" for every machine
    return net


def test_accuracy_paradox_warning_fires_on_machine_failure_with_a_no_failure_model():
    X, y, _ = load_machine_failure()
    with pytest.warns(UserWarning, match="accuracy paradox") as caught:
        report = evaluate(never_failure_model(), X, y)
    assert report.metrics["accuracy"] == pytest.approx(0.9661)
    assert report.class_balance[1] == pytest.approx(0.0339)
    assert "majority share 0.966" in report.warnings[0]
    assert "recall of class 1 is 0.000" in report.warnings[1]
    assert "recall of class 1 is 0.000" in str(caught[0].message)
    assert report.metrics["balanced_accuracy"] == 0.5
    assert_round_trips_as_json(report)


def test_a_model_that_beats_the_majority_guess_gets_no_warning(binary_net):
    net, X, y = binary_net
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert evaluate(net, X, y).warnings == []


# -- stability ------------------------------------------------------------------------------------


def test_stability_summarises_each_metric_over_the_seeds():
    X, y = blobs(150, 2)
    result = stability(
        lambda seed: classifier(1, seed),
        X,
        y,
        seeds=(0, 1, 2),
        fit_kwargs={"loss": "binary_cross_entropy", "epochs": 5},
    )
    assert [run["seed"] for run in result["runs"]] == [0, 1, 2]
    assert {run["split"] for run in result["runs"]} == {0}
    accuracies = [run["metrics"]["accuracy"] for run in result["runs"]]
    summary = result["summary"]["accuracy"]
    assert summary["mean"] == pytest.approx(np.mean(accuracies))
    assert summary["std"] == pytest.approx(np.std(accuracies, ddof=1))
    assert (summary["min"], summary["max"]) == (min(accuracies), max(accuracies))
    assert {"auc", "f1", "log_loss"} <= set(result["summary"])
    json.dumps(result)


def test_stability_with_splits_runs_every_seed_on_every_split():
    X, y = sine(60)
    result = stability(
        regressor, X, y, seeds=(0, 1), splits=2, fit_kwargs={"loss": "mse", "epochs": 3}
    )
    assert [(run["split"], run["seed"]) for run in result["runs"]] == [
        (0, 0),
        (0, 1),
        (1, 0),
        (1, 1),
    ]
    assert result["summary"]["mse"]["std"] > 0


def test_stability_gives_every_fit_a_fresh_copy_of_the_optimizer():
    X, y = sine(60)
    fit_kwargs = {"loss": "mse", "optimizer": mk.optim.Adam(0.01), "epochs": 3}
    result = stability(regressor, X, y, seeds=(0, 0), fit_kwargs=fit_kwargs)
    first, second = (run["metrics"] for run in result["runs"])
    assert first == second and result["summary"]["mse"]["std"] == 0


# -- bias, variance, complexity -------------------------------------------------------------------

SINE_FIT = {"loss": "mse", "optimizer": mk.optim.Adam(0.03), "epochs": 60, "batch_size": 16}


def test_bias_variance_decomposes_the_expected_error():
    X, y = sine(80)
    X_test = np.linspace(-3, 3, 40)[:, None]
    result = bias_variance(
        regressor, X, y, X_test, np.sin(X_test[:, 0]), n_bootstrap=5, fit_kwargs=SINE_FIT
    )
    assert result["variance"] > 0 and result["bias2"] >= 0 and result["noise"] is None
    assert result["expected_error"] == pytest.approx(result["bias2"] + result["variance"])
    assert "includes the noise" in result["note"] and result["n_bootstrap"] == 5


def test_a_linear_model_of_a_sine_has_more_bias_than_a_flexible_one():
    X, y = sine(80)
    X_test = np.linspace(-3, 3, 40)[:, None]
    linear = lambda seed: mk.Sequential([mk.layers.Dense(1)], random_state=seed)
    args = (X, y, X_test, np.sin(X_test[:, 0]))
    rigid = bias_variance(linear, *args, n_bootstrap=5, fit_kwargs=SINE_FIT)
    flexible = bias_variance(regressor, *args, n_bootstrap=5, fit_kwargs=SINE_FIT)
    assert rigid["bias2"] > 5 * flexible["bias2"]


def test_a_known_noise_variance_is_taken_out_of_the_bias():
    X, y = sine(60)
    args = (regressor, X, y, X[:20], y[:20])
    without = bias_variance(*args, n_bootstrap=3, fit_kwargs=SINE_FIT)
    given = bias_variance(*args, n_bootstrap=3, fit_kwargs=SINE_FIT, noise=0.01)
    assert given["bias2"] == pytest.approx(without["bias2"] - 0.01)
    assert given["noise"] == 0.01
    total = given["bias2"] + given["variance"] + given["noise"]
    assert given["expected_error"] == pytest.approx(total)


def test_bias_variance_refuses_a_classifier():
    X, y = blobs(40, 2)
    with pytest.raises(ConfigError, match="regression"):
        bias_variance(lambda seed: classifier(1, seed), X, y, X, y, n_bootstrap=2)


def test_complexity_curve_training_error_falls_as_width_grows():
    X, y = sine(80)
    X_val, y_val = sine(40, seed=1)
    curve = complexity_curve(
        lambda width: regressor(width=width),
        X,
        y,
        X_val,
        y_val,
        complexities=[1, 4, 32],
        fit_kwargs=SINE_FIT,
    )
    assert curve["complexity"] == [1, 4, 32] and curve["n_params"] == [4, 13, 97]
    assert curve["train_error"][0] > curve["train_error"][1] > curve["train_error"][2]
    assert len(curve["val_error"]) == 3


def test_evaluate_takes_estimators_one_hot_binary_and_boolean_labels():
    import warnings

    rng = np.random.default_rng(0)
    X = rng.normal(size=(200, 4))
    truth = X[:, 0] > 0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        words = np.where(truth, "yes", "no")
        estimator = mk.MLPClassifier(max_iter=30, random_state=0).fit(X, words)
        assert mk.evaluate(estimator, X, words).task == "binary"
        regressor = mk.MLPRegressor(max_iter=30, random_state=0).fit(X, X[:, 1])
        assert mk.evaluate(regressor, X, X[:, 1]).task == "regression"
        net = mk.Sequential([mk.layers.Dense(2, activation="softmax")], random_state=0)
        net.fit(X, truth.astype(int), loss="categorical_cross_entropy", epochs=3)
        one_hot = mk.evaluate(net, X, np.eye(2)[truth.astype(int)])
        assert one_hot.to_dict() == mk.evaluate(net, X, truth).to_dict()


# -- any labels -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "labels",
    [np.array([3, 7]), np.array([False, True]), np.array(["no", "yes"]), np.array([-1.0, 2.5])],
)
def test_evaluate_names_binary_classes_by_their_labels(labels):
    X, y = blobs(120, 2)
    net = classifier(1)
    net.fit(X, labels[y], loss="binary_cross_entropy", **FIT)
    names = labels.tolist()
    report = evaluate(net, X, labels[y])
    assert report.labels == names and report.positive_class == names[1]
    assert list(report.per_class) == list(report.class_balance) == names
    by_index = evaluate(net, X, np.eye(2)[y])  # one-hot rows: the same report
    assert by_index.to_dict() == report.to_dict()
    assert report.metrics["recall"] == skm.recall_score(y, net.predict(X)[:, 0] > 0.5)
    as_json = json.loads(report.to_json())
    assert list(as_json["per_class"]) == [str(name) for name in names]
    assert_round_trips_as_json(report)


def test_the_paradox_warning_names_the_class():
    X, _ = blobs(100, 2)
    net = classifier(1)
    words = np.array(["rare"] * 5 + ["common"] * 95)
    net.fit(X, words, loss="binary_cross_entropy", epochs=1)
    net.layers[-1].W[...] = 0
    net.layers[-1].b[...] = -10  # always classes_[0] = "common"
    with pytest.warns(UserWarning, match="always predicting class 'common'"):
        report = evaluate(net, X, words)
    assert "recall of class 'rare' is 0.000" in report.warnings[1]


def test_evaluate_takes_a_raw_table_and_leaves_out_rows_the_preprocessor_drops():
    import pandas as pd

    rng = np.random.default_rng(0)
    frame = pd.DataFrame({"x": rng.normal(size=100), "kind": rng.choice(["a", "b"], 100)})
    y = np.where(frame["x"] > 0, "up", "down")
    net = mk.Sequential(
        [mk.layers.Dense(1, activation="sigmoid")],
        random_state=0,
        preprocessor=mk.data.Preprocessor(missing="drop"),
    )
    net.fit(frame, y, loss="binary_cross_entropy", **FIT)
    gappy = frame.copy()
    gappy.loc[:9, "x"] = np.nan
    with pytest.warns(UserWarning, match="10 of 100 rows have missing values"):
        report = evaluate(net, gappy, pd.Series(y))
    assert report.n_samples == 90 and report.labels == ["down", "up"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert report.metrics == evaluate(net, frame.iloc[10:], y[10:]).metrics


def test_evaluate_reports_a_multilabel_classifier_per_label():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(200, 3))
    Y = np.column_stack([X[:, 0] > 0, X[:, 1] > 0.5, X[:, 2] > -0.5]).astype(int)
    estimator = mk.MLPClassifier(max_iter=60, random_state=0).fit(X, Y)
    report = evaluate(estimator, X, Y)
    predicted = estimator.predict(X)
    assert report.task == "multilabel" and report.labels == [0, 1, 2]
    assert report.confusion_matrix is None and report.roc is None
    assert report.metrics["accuracy"] == pytest.approx(skm.accuracy_score(Y, predicted))
    assert report.metrics["f1_macro"] == pytest.approx(skm.f1_score(Y, predicted, average="macro"))
    assert report.class_balance == {j: pytest.approx(Y[:, j].mean()) for j in range(3)}
    assert report.per_class[1]["support"] == Y[:, 1].sum()
    assert_round_trips_as_json(report)
    with pytest.raises(ValueError, match="0/1 matrix"):
        evaluate(estimator, X, Y[:, 0])


def test_evaluate_of_an_unfitted_estimator_or_a_foreign_object_says_so():
    X, y = blobs(20, 2)
    with pytest.raises(mk.NotFittedError, match="MLPClassifier is not fitted"):
        evaluate(mk.MLPClassifier(), X, y)
    with pytest.raises(TypeError, match="takes an mk.Sequential"):
        evaluate(object(), X, y)


def test_evaluate_of_an_estimator_equals_evaluate_of_its_network():
    X, y = blobs(120, 3)
    words = np.array(["ant", "bee", "cat"])[y]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        estimator = mk.MLPClassifier(max_iter=20, random_state=0).fit(X, words)
        assert (
            evaluate(estimator, X, words).to_dict()
            == evaluate(estimator.network_, X, words).to_dict()
        )
    assert evaluate(estimator, X, words).labels == ["ant", "bee", "cat"]


# -- a scikit-learn Pipeline, and labels encoded by the model's Target ----------------------------


def test_evaluate_scores_a_fitted_pipeline_ending_in_an_mlpkit_estimator():
    import pandas as pd
    from sklearn.pipeline import Pipeline

    rng = np.random.default_rng(0)
    frame = pd.DataFrame({"x": rng.normal(size=150), "kind": rng.choice(["a", "b", None], 150)})
    y = np.where(frame["x"] > 0, "up", "down")
    pipeline = Pipeline(
        [
            ("prepare", mk.data.Preprocessor(missing="auto")),
            ("mlp", mk.MLPClassifier(max_iter=30, random_state=0)),
        ]
    ).fit(frame, y)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        report = evaluate(pipeline, frame, y)
        direct = evaluate(pipeline[-1], pipeline[:-1].transform(frame), y)
    assert report.task == "binary" and report.labels == ["down", "up"]
    assert report.positive_class == "up"
    assert report.to_dict() == direct.to_dict()  # the same scores as its final step's
    proba = pipeline.predict_proba(frame)[:, 1]
    assert report.metrics["auc"] == pytest.approx(skm.roc_auc_score(y == "up", proba))
    assert report.metrics["accuracy"] == pytest.approx(np.mean(pipeline.predict(frame) == y))


def test_evaluate_explains_pipelines_and_objects_it_cannot_score():
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import StandardScaler

    X, y = blobs(40, 2)
    unfitted = Pipeline([("scale", StandardScaler()), ("mlp", mk.MLPClassifier())])
    with pytest.raises(mk.NotFittedError, match="Pipeline is not fitted yet.*'mlp'"):
        evaluate(unfitted, X, y)
    foreign = Pipeline([("scale", StandardScaler()), ("logistic", LogisticRegression())])
    with pytest.raises(TypeError, match="final step is an MLPClassifier.*'logistic'"):
        evaluate(foreign.fit(X, y), X, y)
    with pytest.raises(TypeError, match="takes an mk.Sequential.*LogisticRegression"):
        evaluate(LogisticRegression().fit(X, y), X, y)  # fitted, but not a model of ours


def test_evaluate_reads_labels_with_the_models_target_and_its_messages(binary_net):
    net, X, y = binary_net
    words = np.array(["no", "yes"])
    text = classifier(1)
    text.fit(X, words[y], loss="binary_cross_entropy", epochs=1)
    unknown = np.where(y == 1, "yes", "maybe")
    with pytest.raises(ValueError) as from_fit_side:
        text.target.encode(unknown)
    with pytest.raises(ValueError) as from_evaluate:
        evaluate(text, X, unknown)
    assert str(from_evaluate.value) == str(from_fit_side.value)
    gappy = words[y].astype(object)
    gappy[3] = None
    with pytest.raises(ValueError, match="missing value"):
        evaluate(text, X, gappy)
    with pytest.raises(ValueError, match="probabilities"):
        evaluate(net, X, np.full(len(y), 0.3))
    with pytest.raises(ValueError, match=r"one-hot rows \(n_samples, 2\)"):
        evaluate(net, X, np.eye(3)[y])


def test_report_carries_the_whole_confusion_ratio_table_by_class_label():
    X, y = blobs(150, 3, seed=3)
    labels = np.array(["ant", "bee", "cow"])[y]
    clf = mk.MLPClassifier(max_iter=30, random_state=0).fit(X, labels)
    report = mk.evaluate(clf, X, labels)
    ratios = report.confusion_ratios
    assert list(ratios["per_class"]) == ["ant", "bee", "cow"]
    predicted = clf.predict(X)
    expected = mk.metrics.confusion_ratios(labels, predicted)
    for label in ("ant", "bee", "cow"):
        assert ratios["per_class"][label] == pytest.approx(
            expected["per_class"][label], nan_ok=True
        )
        truth, guess = labels == label, predicted == label
        assert ratios["per_class"][label]["mcc"] == pytest.approx(
            skm.matthews_corrcoef(truth, guess)
        )
    assert ratios["macro"]["tpr"] == pytest.approx(report.metrics["balanced_accuracy"])
    assert set(ratios["macro"]) == set(mk.metrics.RATIOS)


def test_confusion_ratios_in_json_write_nan_as_null():
    net = classifier(1).build(4)
    net.layers[-1].W[...] = 0
    net.layers[-1].b[...] = -10  # always class 0: PPV of class 1 is 0/0
    X, y = blobs(40, 2)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        report = mk.evaluate(net, X, y)
    assert np.isnan(report.confusion_ratios["per_class"][1]["ppv"])
    found = json.loads(report.to_json())["confusion_ratios"]
    assert found["per_class"]["1"]["ppv"] is None and found["per_class"]["1"]["tp"] == 0
    assert found["macro"]["ppv"] == pytest.approx(report.confusion_ratios["per_class"][0]["ppv"])


def test_multilabel_report_has_confusion_ratios_per_label():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(80, 3))
    Y = np.column_stack([X[:, 0] > 0, X[:, 1] > 0]).astype(int)
    net = mk.Sequential([mk.layers.Dense(2, activation="sigmoid")], random_state=0)
    net.fit(X, Y, loss="binary_cross_entropy", epochs=5)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        report = mk.evaluate(net, X, Y)
    predicted = (net.predict(X) > 0.5).astype(int)
    for j, label in enumerate(report.labels):
        row = report.confusion_ratios["per_class"][label]
        assert row["tp"] == int(((Y[:, j] == 1) & (predicted[:, j] == 1)).sum())
