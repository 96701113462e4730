"""The comparison behind to_onnx's check: absolute for probabilities, relative for large
values, NaN only against NaN, labels exact except on a decision boundary."""

import numpy as np

from mlpkit.export.verify import compare


def test_differences_are_absolute_below_1_and_relative_above():
    expected = {"output": np.array([[0.5], [2e5]])}
    report = compare({"output": np.array([[0.5 + 1e-6], [2e5 + 0.1]])}, expected, 1e-5)
    assert report["agrees"]
    assert abs(report["max_abs_difference"] - 0.1) < 1e-9
    assert report["max_relative_difference"] < 1.1e-6
    assert not compare({"output": np.array([[0.51], [2e5]])}, expected, 1e-5)["agrees"]


def test_nan_agrees_only_with_nan():
    expected = {"output": np.array([[np.nan], [1.0]])}
    assert compare({"output": np.array([[np.nan], [1.0]])}, expected, 1e-9)["agrees"]
    report = compare({"output": np.array([[0.0], [1.0]])}, expected, 1e-9)
    assert report["max_abs_difference"] == np.inf and not report["agrees"]


def test_a_label_may_tip_only_on_a_decision_boundary():
    proba = np.array([[0.5, 0.5], [0.1, 0.9]])
    expected = {"probabilities": proba, "label": np.array(["a", "b"])}
    tipped = {"probabilities": proba, "label": np.array(["b", "b"])}
    assert compare(tipped, expected, 1e-5)["agrees"]
    wrong = {"probabilities": proba, "label": np.array(["a", "a"])}
    report = compare(wrong, expected, 1e-5)
    assert report["label_mismatches"] == 1 and not report["agrees"]
