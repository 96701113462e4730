"""Metrics: scikit-learn's numbers where it has them, hand-checked ones where it has none."""

import numpy as np
import pytest
import sklearn.metrics as skm

import mlpkit as mk
from mlpkit import metrics
from mlpkit.exceptions import ConfigError

CASES = [(seed, n, k) for seed in range(3) for n, k in ((20, 2), (57, 3), (200, 5))]


def labels_and_proba(seed, n, k):
    """True labels (every class present), probabilities, and the predicted labels."""
    rng = np.random.default_rng(seed)
    y = np.concatenate([np.arange(k), rng.integers(0, k, n - k)])
    proba = rng.dirichlet(np.ones(k), size=n)
    return y, proba, proba.argmax(axis=1)


@pytest.mark.parametrize("seed, n, k", CASES)
def test_classification_metrics_equal_sklearn(seed, n, k):
    y, proba, predicted = labels_and_proba(seed, n, k)
    assert metrics.accuracy(y, predicted) == skm.accuracy_score(y, predicted)
    assert metrics.balanced_accuracy(y, predicted) == skm.balanced_accuracy_score(y, predicted)
    np.testing.assert_array_equal(
        metrics.confusion_matrix(y, predicted), skm.confusion_matrix(y, predicted)
    )
    assert metrics.log_loss(y, proba) == pytest.approx(skm.log_loss(y, proba))
    if k == 2:
        assert metrics.roc_auc(y, proba[:, 1]) == skm.roc_auc_score(y, proba[:, 1])
        for ours, theirs in zip(metrics.roc_curve(y, proba[:, 1]), skm.roc_curve(y, proba[:, 1])):
            np.testing.assert_array_equal(ours, theirs)
    else:
        assert metrics.roc_auc(y, proba) == pytest.approx(
            skm.roc_auc_score(y, proba, multi_class="ovr")
        )


@pytest.mark.parametrize("seed, n, k", CASES)
@pytest.mark.parametrize("average", [None, "macro", "weighted"])
def test_precision_recall_f1_equal_sklearn_per_class_and_averaged(seed, n, k, average):
    y, _, predicted = labels_and_proba(seed, n, k)
    ours = metrics.precision_recall_f1(y, predicted, average)
    theirs = skm.precision_recall_fscore_support(y, predicted, average=average, zero_division=0)
    for key, expected in zip(("precision", "recall", "f1"), theirs):
        np.testing.assert_allclose(ours[key], expected)
    if average is None:
        np.testing.assert_array_equal(ours["support"], theirs[3])
        np.testing.assert_array_equal(ours["labels"], np.unique(y))
    else:
        assert ours["support"] == n


@pytest.mark.parametrize("seed", range(3))
@pytest.mark.parametrize("shape", [(30,), (50, 1), (40, 3)])
def test_regression_metrics_equal_sklearn(seed, shape):
    rng = np.random.default_rng(seed)
    y = rng.normal(size=shape)
    predicted = y + rng.normal(scale=0.5, size=shape)
    assert metrics.mse(y, predicted) == skm.mean_squared_error(y, predicted)
    assert metrics.rmse(y, predicted) == skm.root_mean_squared_error(y, predicted)
    assert metrics.mae(y, predicted) == skm.mean_absolute_error(y, predicted)
    assert metrics.r2(y, predicted) == skm.r2_score(y, predicted)


def test_precision_recall_f1_rejects_an_unknown_average():
    with pytest.raises(ConfigError, match="average"):
        metrics.precision_recall_f1([0, 1], [0, 1], "mean")


# -- regression accuracy ------------------------------------------------------------------------


def test_regression_accuracy_counts_predictions_within_std_over_k():
    # std([0, 10, 20]) = 8.165, so k=10 allows 0.8165: errors 0.5, 1, 0 -> 2 of 3 right
    assert metrics.regression_accuracy([0, 10, 20], [0.5, 11, 20]) == pytest.approx(2 / 3)
    # k=5 allows 1.633: all three right
    assert metrics.regression_accuracy([0, 10, 20], [0.5, 11, 20], k=5) == 1.0


def test_regression_accuracy_absolute_and_relative_tolerances():
    y, predicted = [0, 10, 20], [0.5, 11, 20]
    assert metrics.regression_accuracy(y, predicted, k=None, atol=1) == 1.0
    assert metrics.regression_accuracy(y, predicted, k=None, atol=0.4) == pytest.approx(1 / 3)
    # rtol=0.05 allows 0, 0.5, 1.0: only the exact 20 is right
    assert metrics.regression_accuracy(y, predicted, k=None, rtol=0.05) == pytest.approx(1 / 3)


def test_regression_accuracy_counts_a_prediction_within_any_given_tolerance():
    # allowed: max(0.8165, 0.1 * |y|) = 0.8165, 1, 2 -> all right
    assert metrics.regression_accuracy([0, 10, 20], [0.5, 11, 20], rtol=0.1) == 1.0


def test_regression_accuracy_uses_each_output_columns_own_std():
    y = np.array([[0.0, 0.0], [10.0, 100.0], [20.0, 200.0]])
    predicted = y + [[0.5, 5.0], [1.0, 10.0], [0.0, 0.0]]  # column std 8.165 and 81.65
    assert metrics.regression_accuracy(y, predicted) == pytest.approx(4 / 6)


def test_regression_accuracy_needs_a_tolerance_and_matching_shapes():
    with pytest.raises(ConfigError, match="tolerance"):
        metrics.regression_accuracy([1, 2], [1, 2], k=None)
    with pytest.raises(ConfigError, match="k must be a positive number"):
        metrics.regression_accuracy([1, 2], [1, 2], k=0)
    with pytest.raises(ValueError, match="shape"):
        metrics.regression_accuracy([1, 2, 3], [1, 2])


# -- lift and gain ------------------------------------------------------------------------------

SCORES = np.array([0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2, 0.1, 0.0])
HITS = np.array([1, 1, 0, 1, 0, 0, 0, 0, 1, 0])  # 4 positives of 10, in score order


def test_cumulative_gain_is_the_share_of_positives_in_the_top_rows():
    order = np.random.default_rng(0).permutation(10)  # the rows' order does not matter
    fraction, gain = metrics.cumulative_gain(HITS[order], SCORES[order])
    np.testing.assert_allclose(fraction, np.arange(11) / 10)
    np.testing.assert_allclose(gain, [0, 0.25, 0.5, 0.5, 0.75, 0.75, 0.75, 0.75, 0.75, 1, 1])


def test_lift_is_gain_over_fraction_by_group():
    fraction, lift = metrics.lift_curve(HITS, SCORES, n_bins=5)
    np.testing.assert_allclose(fraction, [0.2, 0.4, 0.6, 0.8, 1.0])
    # gain through each pair of rows: 0.5, 0.75, 0.75, 0.75, 1
    np.testing.assert_allclose(lift, [2.5, 1.875, 1.25, 0.9375, 1.0])


def test_a_perfect_ranking_finds_every_positive_at_the_positive_rate():
    y = np.array([0, 0, 1, 0, 1, 0, 0, 0])
    fraction, gain = metrics.cumulative_gain(y, y)
    assert gain[2] == 1.0 and fraction[2] == 0.25
    _, lift = metrics.lift_curve(y, y, n_bins=4)
    np.testing.assert_allclose(lift, [4, 2, 4 / 3, 1])


def test_tied_scores_share_their_positives_whatever_the_row_order():
    _, gain = metrics.cumulative_gain([0, 1, 1, 0], [0.5, 0.5, 0.5, 0.5])
    np.testing.assert_allclose(gain, [0, 0.25, 0.5, 0.75, 1])  # the diagonal: no ranking
    _, lift = metrics.lift_curve([1, 1, 0, 0, 0, 0, 0, 0, 0, 0], np.zeros(10), n_bins=10)
    np.testing.assert_allclose(lift, 1.0)
    _, gain = metrics.cumulative_gain([1, 0, 0], [0.9, 0.2, 0.2])
    np.testing.assert_allclose(gain, [0, 1, 1, 1])


def test_lift_and_gain_need_positives_and_a_sensible_number_of_bins():
    with pytest.raises(ValueError, match="no positives"):
        metrics.cumulative_gain([0, 0, 0], [0.1, 0.2, 0.3])
    with pytest.raises(ConfigError, match="n_bins"):
        metrics.lift_curve([0, 1, 1], [0.1, 0.2, 0.3], n_bins=4)


# -- the network-format registry ------------------------------------------------------------------


def network_format(seed, n, k):
    """(output, targets, y): network output, targets as the loss prepares them, labels."""
    y, proba, _ = labels_and_proba(seed, n, max(k, 2))
    if k == 1:
        return proba[:, 1:].astype(np.float32), y[:, None].astype(np.float32), y
    return proba.astype(np.float32), np.eye(k, dtype=np.float32)[y], y


@pytest.mark.parametrize("seed, n, k", [(s, n, k) for s in range(3) for n, k in ((40, 1), (60, 4))])
def test_registry_classification_metrics_equal_the_user_facing_functions(seed, n, k):
    output, targets, y = network_format(seed, n, k)
    if k == 1:
        scores, predicted, average = output[:, 0], (output[:, 0] > 0.5).astype(int), "binary"
    else:
        scores, predicted, average = output, output.argmax(axis=1), "macro"
    summary = metrics.precision_recall_f1(y, predicted, average)
    expected = {
        "accuracy": metrics.accuracy(y, predicted),
        "auc": metrics.roc_auc(y, scores),
        "log_loss": metrics.log_loss(y, scores),
        **{name: summary[name] for name in ("precision", "recall", "f1")},
    }
    for name, value in expected.items():
        assert metrics.METRICS[name](output, targets) == pytest.approx(value), name


@pytest.mark.parametrize("n_outputs", [1, 3])
def test_registry_regression_metrics_equal_the_user_facing_functions(n_outputs):
    rng = np.random.default_rng(n_outputs)
    targets = rng.normal(size=(50, n_outputs)).astype(np.float32)
    output = targets + rng.normal(scale=0.3, size=targets.shape).astype(np.float32)
    for name in ("mse", "rmse", "mae", "r2", "regression_accuracy"):
        expected = getattr(metrics, name)(targets, output)
        assert metrics.METRICS[name](output, targets) == pytest.approx(expected), name


def test_registry_auc_averages_over_the_classes_present_and_is_nan_for_one_class():
    output, targets, y = network_format(0, 60, 4)
    present = y != 3
    expected = np.mean([skm.roc_auc_score(y[present] == c, output[present, c]) for c in range(3)])
    assert metrics.METRICS["auc"](output[present], targets[present]) == pytest.approx(expected)
    assert np.isnan(metrics.METRICS["auc"](output[:5, :1], np.zeros((5, 1))))


def test_check_accepts_every_registered_name_and_lists_them_for_an_unknown_one():
    assert metrics.check("auc") == (metrics.NamedMetric("auc"),)
    assert [m.name for m in metrics.check(list(metrics.METRICS))] == list(metrics.METRICS)
    with pytest.raises(ConfigError, match="Available: accuracy, auc"):
        metrics.check(["accuracy", "confusion_matrix"])


def test_check_turns_names_and_metric_objects_into_metric_objects_with_a_log_key():
    five = metrics.RegressionAccuracy(k=5)
    found = metrics.check(["rmse", five])
    assert [m.name for m in found] == ["rmse", "regression_accuracy"] and found[1] is five
    assert metrics.check(five) == (five,)
    assert metrics.check(metrics.check(["mae"])) == metrics.check("mae")  # idempotent
    with pytest.raises(ConfigError, match="same key.*regression_accuracy.*name="):
        metrics.check(["regression_accuracy", five])
    with pytest.raises(ConfigError, match="metric objects with a name"):
        metrics.check([len])


def test_regression_accuracy_object_validates_its_tolerance_when_made():
    with pytest.raises(ConfigError, match="k"):
        metrics.RegressionAccuracy(k=0)
    with pytest.raises(ConfigError, match="needs a tolerance"):
        metrics.RegressionAccuracy(k=None)
    with pytest.raises(ConfigError, match="batch_size"):
        metrics.RegressionAccuracy(batch_size=0)
    five = metrics.RegressionAccuracy(k=5, name="ra5")
    assert type(five)(**five.get_config()) == five and "k=5" in repr(five)


def test_regression_accuracy_object_scores_with_its_k():
    y, predicted = np.array([[0.0], [10.0], [20.0]]), np.array([[0.5], [11.0], [20.0]])
    assert metrics.RegressionAccuracy()(predicted, y) == pytest.approx(2 / 3)  # tol 0.8165
    assert metrics.RegressionAccuracy(k=5)(predicted, y) == 1.0  # tol 1.633
    assert metrics.RegressionAccuracy() == metrics.RegressionAccuracy(k=10)
    assert metrics.NamedMetric("regression_accuracy")(predicted, y) == pytest.approx(2 / 3)


def test_per_batch_regression_accuracy_uses_each_batch_of_consecutive_rows_own_std():
    y = np.array([0.0, 2.0, 10.0, 30.0, 7.0])
    predicted = y + np.array([0.9, 1.1, 9.0, 11.0, 0.0])
    # batches of 2: [0, 2] std 1, [10, 30] std 10, [7] std 0; with k=1 the tolerances are
    # 1, 1, 10, 10, 0, so rows 0, 2 and 4 are right
    assert metrics.regression_accuracy(y, predicted, k=1, batch_size=2) == pytest.approx(3 / 5)
    # the whole data's std (10.98) would count every row but row 3 (error 11)
    assert metrics.regression_accuracy(y, predicted, k=1) == pytest.approx(4 / 5)
    # one batch holding every row is the default; per-batch equals the size-weighted mean of
    # the batches' own accuracies (what Keras averages)
    assert metrics.regression_accuracy(y, predicted, k=1, batch_size=5) == pytest.approx(4 / 5)
    parts = [
        metrics.regression_accuracy(y[s], predicted[s], k=1)
        for s in (slice(0, 2), slice(2, 4), slice(4, 5))
    ]
    assert np.average(parts, weights=[2, 2, 1]) == pytest.approx(3 / 5)
    ra = metrics.RegressionAccuracy(k=1, batch_size=2)
    assert ra(predicted[:, None], y[:, None]) == pytest.approx(3 / 5)


def test_fit_logs_regression_accuracy_with_the_users_k_and_per_batch_on_request():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(64, 2))
    y = X @ [1.0, -2.0]
    net = mk.Sequential([mk.layers.Dense(1)], random_state=0)
    chosen = [
        "rmse",
        metrics.RegressionAccuracy(k=2),
        metrics.RegressionAccuracy(k=2, batch_size=16, name="regression_accuracy_batch"),
    ]
    history = net.fit(
        X,
        y,
        loss="mse",
        epochs=1,
        batch_size=16,
        shuffle=False,
        metrics=chosen,
        validation_data=(X, y),
    )
    logged = history.history
    predicted = net.predict(X).ravel()
    assert logged["val_regression_accuracy"][-1] == pytest.approx(
        metrics.regression_accuracy(y, predicted, k=2)
    )
    assert logged["val_regression_accuracy_batch"][-1] == pytest.approx(
        metrics.regression_accuracy(y, predicted, k=2, batch_size=16)
    )
    assert {"rmse", "regression_accuracy", "regression_accuracy_batch"} <= set(logged)
    k10 = net.fit(X, y, epochs=1, metrics=["regression_accuracy"], validation_data=(X, y))
    assert k10.history["val_regression_accuracy"][-1] == pytest.approx(
        metrics.regression_accuracy(y, net.predict(X).ravel(), k=10)
    )


WIKIPEDIA = {"tp": 6, "fp": 1, "fn": 2, "tn": 3}  # 12 people, 8 with cancer (Confusion matrix)


def test_confusion_ratios_of_wikipedias_worked_example_by_hand():
    r = metrics.ratios_from_counts(**WIKIPEDIA)
    expected = {
        "tpr": 6 / 8,
        "tnr": 3 / 4,
        "ppv": 6 / 7,
        "npv": 3 / 5,
        "fpr": 1 / 4,
        "fnr": 2 / 8,
        "fdr": 1 / 7,
        "for": 2 / 5,
        "lr_plus": 3.0,
        "lr_minus": 1 / 3,
        "dor": 9.0,
        "mcc": (6 * 3 - 1 * 2) / np.sqrt(7 * 8 * 4 * 5),
        "informedness": 0.5,
        "markedness": 6 / 7 + 3 / 5 - 1,
        "threat_score": 6 / 9,
        "fowlkes_mallows": np.sqrt(6 / 7 * 6 / 8),
        "prevalence": 8 / 12,
        "prevalence_threshold": (np.sqrt(0.75 * 0.25) - 0.25) / 0.5,
        "accuracy": 9 / 12,
        "balanced_accuracy": 0.75,
        "f1": 12 / 15,
    }
    assert set(r) == set(expected) == set(metrics.RATIOS)
    for key, value in expected.items():
        assert float(r[key]) == pytest.approx(value), key


def test_confusion_ratios_per_class_match_sklearn_where_it_has_them():
    for seed, n, k in CASES:
        y, _, predicted = labels_and_proba(seed, n, k)
        found = metrics.confusion_ratios(y, predicted)
        matrix = skm.confusion_matrix(y, predicted)
        for c, row in found["per_class"].items():
            truth, guess = y == c, predicted == c
            assert row["tp"] == matrix[c, c]
            assert row["tpr"] == pytest.approx(skm.recall_score(truth, guess))
            assert row["ppv"] == pytest.approx(
                skm.precision_score(truth, guess, zero_division=np.nan), nan_ok=True
            )
            assert row["mcc"] == pytest.approx(skm.matthews_corrcoef(truth, guess))
            assert row["f1"] == pytest.approx(skm.f1_score(truth, guess))
            assert row["balanced_accuracy"] == pytest.approx(
                skm.balanced_accuracy_score(truth, guess)
            )
            # (sklearn's fowlkes_mallows_score counts pairs of a clustering: another number)
            assert row["fowlkes_mallows"] == pytest.approx(np.sqrt(row["ppv"] * row["tpr"]))
            lr_plus, lr_minus = skm.class_likelihood_ratios(truth, guess)
            assert row["lr_plus"] == pytest.approx(lr_plus, nan_ok=True)
            assert row["lr_minus"] == pytest.approx(lr_minus, nan_ok=True)
        macro = found["macro"]
        assert macro["tpr"] == pytest.approx(skm.balanced_accuracy_score(y, predicted))
        assert macro["ppv"] == pytest.approx(
            skm.precision_score(y, predicted, average="macro", zero_division=np.nan)
        )


def test_confusion_ratios_are_nan_where_a_denominator_is_zero():
    # class "b" is never predicted, so its PPV, FDR and the ratios built on them are 0/0
    found = metrics.confusion_ratios(["a", "a", "b"], ["a", "a", "a"])
    b = found["per_class"]["b"]
    assert (b["tp"], b["fp"], b["fn"], b["tn"]) == (0, 0, 1, 2)
    for key in ("ppv", "fdr", "mcc", "fowlkes_mallows", "markedness", "dor"):
        assert np.isnan(b[key]), key
    assert b["tpr"] == 0.0 and b["fpr"] == 0.0 and np.isnan(b["lr_plus"])  # 0/0, not inf
    assert b["lr_minus"] == 1.0  # FNR 1 / TNR 1
    a = found["per_class"]["a"]  # every row predicted "a": no predicted negative
    assert np.isnan(a["npv"]) and np.isnan(a["for"]) and a["lr_plus"] == 1.0
    # macro leaves the undefined classes out: PPV of "a" alone
    assert found["macro"]["ppv"] == pytest.approx(a["ppv"])
    assert np.isnan(metrics.ratios_from_counts(0, 0, 0, 0)["tpr"])


def test_confusion_ratios_of_a_multilabel_matrix_judge_each_column():
    truth = np.array([[1, 0], [1, 1], [0, 1], [0, 0]])
    guess = np.array([[1, 1], [0, 1], [0, 1], [0, 0]])
    found = metrics.confusion_ratios(truth, guess)
    counts = [[found["per_class"][j][key] for key in metrics.COUNTS] for j in (0, 1)]
    assert counts == [[1, 0, 1, 2], [2, 1, 0, 1]]  # tp, fp, fn, tn
    assert found["per_class"][0]["tpr"] == 0.5 and found["per_class"][1]["ppv"] == 2 / 3
    assert found["per_class"][1]["tp"] == 2 and found["per_class"][1]["fp"] == 1


def test_fit_logs_each_named_metric_on_training_and_validation_data():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(120, 3))
    y = (X[:, 0] + 0.5 * rng.normal(size=120) > 0).astype(int)
    net = mk.Sequential([mk.layers.Dense(1, activation="sigmoid")], random_state=0)
    names = ["accuracy", "auc", "log_loss", "precision", "recall", "f1"]
    history = net.fit(
        X[:80],
        y[:80],
        loss="binary_cross_entropy",
        epochs=2,
        metrics=names,
        validation_data=(X[80:], y[80:]),
    )
    p_val = net.predict(X[80:])[:, 0]
    assert history.history["val_auc"][-1] == pytest.approx(metrics.roc_auc(y[80:], p_val))
    for name in names:
        assert len(history.history[name]) == len(history.history[f"val_{name}"]) == 2


def test_fit_logs_regression_metrics_by_name():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 2))
    y = X @ [1.0, -2.0]
    net = mk.Sequential([mk.layers.Dense(1)], random_state=0)
    names = ["mse", "rmse", "mae", "r2", "regression_accuracy"]
    history = net.fit(X, y, loss="mse", epochs=2, metrics=names, validation_split=0.25)
    assert set(names) | {f"val_{name}" for name in names} <= set(history.history)
