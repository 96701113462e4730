import numpy as np
import pytest
from gradcheck import numerical_gradient

import mlpkit as mk
from mlpkit.losses import LOSSES


def targets_for(name, rng, n, k):
    if name == "binary_cross_entropy":
        return rng.integers(0, 2, size=(n, k)).astype(float)
    if name == "categorical_cross_entropy":
        return np.eye(k)[rng.integers(0, k, size=n)]
    return rng.normal(size=(n, k))


@pytest.mark.parametrize("name", list(LOSSES))
def test_loss_gradient_matches_finite_differences(name):
    rng = np.random.default_rng(0)
    out = rng.normal(size=(6, 3)) * 2
    y = targets_for(name, rng, 6, 3)
    loss = mk.losses.get(name)
    _, grad = loss.value_and_grad(out, y)
    grad = grad.copy()
    numeric = numerical_gradient(lambda: loss.value_and_grad(out, y)[0], out)
    np.testing.assert_allclose(grad, numeric, rtol=1e-6, atol=1e-9)


def test_cross_entropies_from_logits_equal_their_textbook_formulas():
    rng = np.random.default_rng(1)
    z = rng.normal(size=(5, 4))
    y = np.eye(4)[rng.integers(0, 4, size=5)]
    p = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
    value, grad = mk.losses.CategoricalCrossEntropy().value_and_grad(z, y)
    assert value == pytest.approx(-np.mean(np.sum(y * np.log(p), axis=1)), rel=1e-12)
    np.testing.assert_allclose(grad, (p - y) / 5, rtol=1e-12)

    t = rng.integers(0, 2, size=(5, 1)).astype(float)
    s = 1 / (1 + np.exp(-z[:, :1]))
    value, grad = mk.losses.BinaryCrossEntropy().value_and_grad(z[:, :1], t)
    assert value == pytest.approx(-np.mean(t * np.log(s) + (1 - t) * np.log(1 - s)), rel=1e-12)
    np.testing.assert_allclose(grad, (s - t) / 5, rtol=1e-12)


@pytest.mark.parametrize(
    "name, expected", [("binary_cross_entropy", 1e4), ("categorical_cross_entropy", 2e4)]
)
def test_cross_entropy_is_finite_for_huge_float32_logits(name, expected):
    z = np.array([[1e4, -1e4], [-1e4, 1e4]], dtype=np.float32)
    y = np.array([[0.0, 1.0], [1.0, 0.0]], dtype=np.float32)  # confidently wrong
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        value, grad = mk.losses.get(name).value_and_grad(z, y)
    assert np.isfinite(value) and np.isfinite(grad).all()
    assert value == pytest.approx(expected, rel=1e-3)


def test_regression_losses_are_means_over_samples_and_outputs():
    out, y = np.array([[1.0, 2.0], [3.0, -4.0]]), np.zeros((2, 2))
    assert mk.losses.get("mse").value(out, y) == pytest.approx((1 + 4 + 9 + 16) / 4)
    assert mk.losses.get("mae").value(out, y) == pytest.approx((1 + 2 + 3 + 4) / 4)
    assert mk.losses.Huber(delta=1.0).value(out, y) == pytest.approx((0.5 + 1.5 + 2.5 + 3.5) / 4)


def test_categorical_targets_accept_labels_and_one_hot_alike():
    loss = mk.losses.get("categorical_cross_entropy")
    labels = loss.prepare_targets(np.array([2, 0, 1]), 3, np.float64)
    one_hot = loss.prepare_targets(np.eye(3)[[2, 0, 1]], 3, np.float64)
    np.testing.assert_array_equal(labels, one_hot)


def test_class_label_beyond_the_output_layer_is_rejected_with_both_numbers():
    loss = mk.losses.get("categorical_cross_entropy")
    with pytest.raises(ValueError, match=r"label 5 .*3 softmax units.*0\.\.2"):
        loss.prepare_targets(np.array([0, 1, 5]), 3, np.float32)


@pytest.mark.parametrize("name", list(LOSSES))
def test_rows_average_to_the_loss_and_weights_give_the_weighted_mean(name):
    rng = np.random.default_rng(3)
    out = rng.normal(size=(6, 3)) * 2
    y = targets_for(name, rng, 6, 3)
    loss = mk.losses.get(name)
    value, _ = loss.value_and_grad(out, y, training=False)
    assert loss.rows(out, y).mean() == pytest.approx(value, rel=1e-12)
    weights = rng.uniform(0, 2, size=6)
    weighted, grad = loss.value_and_grad(out, y, training=False, weights=weights)
    assert weighted == pytest.approx(np.dot(weights, loss.rows(out, y)) / weights.sum())
    numeric = numerical_gradient(
        lambda: loss.value_and_grad(out, y, training=False, weights=weights)[0], out
    )
    np.testing.assert_allclose(grad, numeric, rtol=1e-6, atol=1e-9)
