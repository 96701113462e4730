"""Every rule of mk.doctor fires on a network built to trigger it and stays quiet on the fixed
one (constructions in doctor_cases.py)."""

import numpy as np
import pytest
from doctor_cases import Dense, big_normal, blobs, imbalanced, small_noisy, stack

import mlpkit as mk

X, y = blobs()
BCE = "binary_cross_entropy"


def verdict(net, X, y, rule, loss=BCE, **options):
    return mk.doctor(net, X, y, loss=loss, **options).verdict(rule)


def test_vanishing_gradients_fail_in_a_20_layer_sigmoid_net_not_in_a_20_layer_relu_he_net():
    sick = verdict(stack("sigmoid", 20, 16), X, y, "vanishing_gradients", epochs=3)
    assert sick["status"] == "fail" and sick["numbers"]["ratio"] < 1e-8
    assert "ReLU" in sick["advice"] and "He initialisation" in sick["advice"]
    fixed = verdict(stack("relu", 20, 16), X, y, "vanishing_gradients", epochs=3)
    assert fixed["status"] == "ok" and 1e-2 < fixed["numbers"]["ratio"] < 10
    assert fixed["advice"] == ""


def test_exploding_gradients_fail_with_unit_variance_weights_in_a_deep_relu_net():
    sick = verdict(
        stack("relu", 8, 64, kernel_initializer=big_normal(1.0)),
        X,
        y,
        "exploding_gradients",
        epochs=2,
    )
    assert sick["status"] == "fail" and sick["numbers"]["largest"] > 1e4
    assert "clip" in sick["advice"].lower()
    fixed = verdict(stack("relu", 8, 64), X, y, "exploding_gradients", epochs=2)
    assert fixed["status"] == "ok" and fixed["numbers"]["largest"] < 10


def test_exploding_gradients_fail_when_the_gradient_norm_became_infinite():
    from mlpkit.diagnostics.evidence import Evidence
    from mlpkit.diagnostics.rules import exploding_gradients
    from mlpkit.diagnostics.thresholds import Thresholds

    history = {"loss": [0.7], "grad_norm_max": [3.0], "grad_norm/0:Dense": [1.0]}
    history["grad_norm/1:Dense"] = [2.0]
    diverged = {"epoch": 0, "batch": 3, "what": "gradient norm", "value": float("inf")}
    evidence = Evidence(history, diverged, {}, {}, [], X, y[:, None], "binary", 0.69, None)
    found = exploding_gradients(evidence, Thresholds())
    assert found["status"] == "fail" and "non-finite" in found["evidence"]
    assert found["numbers"] == {"largest": 3.0, "ratio": 0.5}


def test_dying_relu_fails_when_biases_start_at_minus_10():
    dead = stack("relu", 3, 32, bias_initializer=mk.initializers.Constant(-10.0))
    sick = verdict(dead, X, y, "dying_relu", epochs=3)
    assert sick["status"] == "fail" and sick["numbers"]["share"] == 1.0
    fixed = verdict(stack("relu", 3, 32), X, y, "dying_relu", epochs=3)
    assert fixed["status"] == "ok" and fixed["numbers"]["share"] < 0.1


def test_saturation_fails_for_tanh_with_weights_of_std_5_not_with_glorot():
    sick = verdict(
        stack("tanh", 3, 32, kernel_initializer=big_normal(5.0)), X, y, "saturation", epochs=3
    )
    assert sick["status"] == "fail" and sick["numbers"]["share"] > 0.9
    fixed = verdict(stack("tanh", 3, 32), X, y, "saturation", epochs=3)
    assert fixed["status"] == "ok" and fixed["numbers"]["share"] < 0.1


@pytest.mark.parametrize(
    ("activation", "stddev", "direction"), [("relu", 1.0, "grows"), ("tanh", 0.01, "collapses")]
)
def test_poor_initialization_fails_when_the_variance_grows_or_collapses(
    activation, stddev, direction
):
    sick = verdict(
        stack(activation, 8, 64, kernel_initializer=big_normal(stddev)),
        X,
        y,
        "initialization",
        epochs=1,
    )
    assert sick["status"] == "fail" and direction in sick["evidence"]
    ratio = sick["numbers"]["ratio"]
    assert ratio > 1e3 if direction == "grows" else ratio < 1e-3
    fixed = verdict(stack(activation, 8, 64), X, y, "initialization", epochs=1)
    assert fixed["status"] == "ok" and 0.1 < fixed["numbers"]["ratio"] < 10


def test_learning_rate_too_high_fails_on_divergence_warns_on_oscillation_quiet_at_0_1():
    fail = verdict(
        stack("relu", 3, 32), X, y, "learning_rate_too_high", epochs=8, optimizer=mk.optim.SGD(10.0)
    )
    assert fail["status"] == "fail" and "diverged" in fail["evidence"]
    ragged = verdict(
        stack("relu", 3, 32), X, y, "learning_rate_too_high", epochs=12, optimizer=mk.optim.SGD(5.0)
    )
    assert ragged["status"] == "warn" and ragged["numbers"]["rising"] > 0.25
    assert ragged["numbers"]["last"] < ragged["numbers"]["first"]  # not grown: oscillating
    fixed = verdict(
        stack("relu", 3, 32), X, y, "learning_rate_too_high", epochs=8, optimizer=mk.optim.SGD(0.1)
    )
    assert fixed["status"] == "ok" and fixed["numbers"]["rising"] == 0.0


def test_learning_rate_too_low_warns_when_the_loss_does_not_move():
    sick = verdict(
        stack("relu", 3, 32), X, y, "learning_rate_too_low", epochs=8, optimizer=mk.optim.SGD(1e-5)
    )
    assert sick["status"] == "warn" and sick["numbers"]["progress"] < 0.01
    assert sick["numbers"]["baseline_share"] > 0.9
    fixed = verdict(
        stack("relu", 3, 32), X, y, "learning_rate_too_low", epochs=8, optimizer=mk.optim.SGD(0.1)
    )
    assert fixed["status"] == "ok" and fixed["numbers"]["progress"] > 0.5


def test_unscaled_inputs_warn_on_a_column_1e4_times_the_others_fail_beyond_1e6():
    wide = X.copy()
    wide[:, 0] *= 1e4
    sick = verdict(stack("relu", 3, 32), wide, y, "unscaled_inputs", epochs=1)
    assert sick["status"] == "warn" and sick["numbers"]["spread"] > 1e3
    huge = verdict(stack("relu", 3, 32), X * 1e7, y, "unscaled_inputs", epochs=1)
    assert huge["status"] == "fail" and huge["numbers"]["largest"] > 1e6
    fixed = verdict(stack("relu", 3, 32), X, y, "unscaled_inputs", epochs=1)
    assert fixed["status"] == "ok" and fixed["numbers"]["size"] < 2


def test_unscaled_targets_warn_for_prices_in_the_thousands_not_with_a_target_scaler():
    prices = 1000 + 500 * X[:, 0]
    sick = verdict(
        stack("relu", 3, 32, out="linear"), X, prices, "unscaled_targets", loss="mse", epochs=1
    )
    assert sick["status"] == "warn" and sick["numbers"]["size"] == pytest.approx(1000, rel=0.05)
    scaled = mk.Sequential(
        [Dense(32, activation="relu"), Dense(1)], random_state=0, target_scaler="standard"
    )
    fixed = verdict(scaled, X, prices, "unscaled_targets", loss="mse", epochs=1)
    assert fixed["status"] == "ok" and fixed["numbers"]["size"] == pytest.approx(1.0, abs=1e-6)


def test_overfitting_fails_when_a_wide_net_memorises_40_noisy_rows():
    Xs, ys = small_noisy()
    wide = mk.Sequential(
        [Dense(256, activation="relu"), Dense(1, activation="sigmoid")], random_state=0
    )
    options = {
        "epochs": 150,
        "optimizer": mk.optim.Adam(0.01),
        "batch_size": None,
        "validation_split": 0.5,
    }
    sick = verdict(wide, Xs, ys, "overfitting", **options)
    assert sick["status"] == "fail" and sick["numbers"]["gl"] > 50
    assert "EarlyStopping" in sick["advice"]
    fixed = verdict(
        stack("relu", 2, 8), X, y, "overfitting", epochs=30, optimizer=mk.optim.Adam(0.01)
    )
    assert fixed["status"] == "ok" and fixed["numbers"]["gl"] < 10


def test_accuracy_paradox_fails_on_5_percent_positives_without_signal():
    Xn, yn = imbalanced(signal=False)
    sick = verdict(stack("relu", 2, 16), Xn, yn, "accuracy_paradox", epochs=10)
    assert sick["status"] == "fail" and sick["numbers"]["majority_share"] > 0.9
    assert "accuracy paradox" in sick["evidence"] or "never finds" in sick["evidence"]
    Xs, ys = imbalanced(signal=True)
    fixed = verdict(
        stack("relu", 2, 16), Xs, ys, "accuracy_paradox", epochs=60, optimizer=mk.optim.Adam(0.02)
    )
    assert fixed["status"] == "ok" and fixed["numbers"]["majority_share"] > 0.9
    assert fixed["numbers"]["accuracy"] > 0.97


def test_every_rule_is_demonstrated_here():
    tested = {
        "vanishing_gradients", "exploding_gradients", "dying_relu", "saturation",
        "initialization", "learning_rate_too_high", "learning_rate_too_low", "unscaled_inputs",
        "unscaled_targets", "overfitting", "accuracy_paradox",
    }  # fmt: skip
    assert {rule.__name__ for rule in mk.diagnostics.RULES} == tested
    assert np.isfinite(X).all()
