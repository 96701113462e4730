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


@pytest.mark.parametrize("name", list(LOSSES))
def test_weights_whose_products_with_the_losses_overflow_float32_give_the_weighted_mean(name):
    rng = np.random.default_rng(4)
    out = (rng.normal(size=(4, 3)) * 1e3).astype(np.float32)
    y = targets_for(name, rng, 4, 3).astype(np.float32)
    weights = np.array([1e37, 2e37, 5e36, 1e37], np.float32)  # each wᵢℓᵢ > 3.4e38
    loss = mk.losses.get(name)
    rows = loss.rows(out.astype(np.float64), y.astype(np.float64))
    with np.errstate(over="raise", invalid="raise"):
        value, grad = loss.value_and_grad(out, y, training=False, weights=weights)
    exact = np.dot(weights.astype(np.float64), rows) / weights.astype(np.float64).sum()
    assert value == pytest.approx(exact, rel=1e-5)
    _, scaled = loss.value_and_grad(out, y, training=False, weights=weights / 1e37)
    np.testing.assert_allclose(grad, scaled, rtol=1e-5)  # only the weights' ratios matter


# -- precision where the model is confident (float64) -------------------------------------------
# Exact values from the closed forms with 50 digits (mpmath); PyTorch agrees to 1e-16 for
# BCE at z ≥ 25 with y = 1 (and loses precision itself for z ≤ −25, y = 0, and for softmax rows
# whose label is the arg max: it rounds 1 + e^(−22) before the log).
def exact_bce(z, y):
    mpmath = pytest.importorskip("mpmath")
    with mpmath.workdps(50):
        z, y = mpmath.mpf(z), mpmath.mpf(y)
        return float(
            -y * mpmath.log(1 / (1 + mpmath.exp(-z)))
            - (1 - y) * mpmath.log(1 / (1 + mpmath.exp(z)))
        )


def exact_ce(z_row, label):
    mpmath = pytest.importorskip("mpmath")
    with mpmath.workdps(50):
        return float(
            mpmath.log(sum(mpmath.exp(mpmath.mpf(v)) for v in z_row)) - mpmath.mpf(z_row[label])
        )


CONFIDENT_Z = np.array([[25.0], [30.0], [36.0], [-25.0], [-30.0], [-36.0], [36.0], [0.5]])
CONFIDENT_Y = np.array([[1.0], [1.0], [1.0], [0.0], [0.0], [0.0], [0.0], [1.0]])


def test_binary_cross_entropy_keeps_full_precision_at_confident_logits():
    loss = mk.losses.BinaryCrossEntropy()
    exact = np.array([exact_bce(z, y) for z, y in zip(CONFIDENT_Z.ravel(), CONFIDENT_Y.ravel())])
    np.testing.assert_allclose(loss.rows(CONFIDENT_Z, CONFIDENT_Y), exact, rtol=1e-15, atol=0)
    for i in range(len(exact)):  # each row alone: value and value_and_grad
        z, y = CONFIDENT_Z[i : i + 1], CONFIDENT_Y[i : i + 1]
        assert loss.value(z, y) == pytest.approx(exact[i], rel=1e-15, abs=0)
        assert loss.value_and_grad(z, y)[0] == pytest.approx(exact[i], rel=1e-15, abs=0)
    value, grad = loss.value_and_grad(CONFIDENT_Z, CONFIDENT_Y)
    assert value == pytest.approx(exact.mean(), rel=1e-15)
    s = 1 / (1 + np.exp(-CONFIDENT_Z))
    np.testing.assert_allclose(grad, (s - CONFIDENT_Y) / len(exact), rtol=1e-15, atol=1e-300)


def test_binary_cross_entropy_matches_torch_to_1e_15_where_the_model_is_confidently_right():
    torch = pytest.importorskip("torch")
    z = np.array([[25.0], [30.0], [36.0]])
    y = np.ones_like(z)
    expected = torch.nn.functional.binary_cross_entropy_with_logits(
        torch.from_numpy(z), torch.from_numpy(y), reduction="none"
    ).numpy()
    loss = mk.losses.BinaryCrossEntropy()
    assert expected[2, 0] == pytest.approx(2.3195228302435696e-16, rel=1e-15)
    np.testing.assert_allclose(loss.rows(z, y), expected.ravel(), rtol=1e-15, atol=0)
    for i in range(3):
        assert loss.value(z[i : i + 1], y[i : i + 1]) == pytest.approx(expected[i, 0], rel=1e-15)


def test_categorical_cross_entropy_keeps_full_precision_at_margins_of_22_to_25():
    z = np.array(
        [[22.0, 0.0, -1.0], [3.0, 28.0, 5.0], [0.0, 1.0, 25.0], [1.0, 24.0, 0.5], [-20.0, 3.0, 2.0]]
    )
    labels = np.array([0, 1, 2, 1, 0])  # the last row confidently wrong
    y = np.eye(3)[labels]
    exact = np.array([exact_ce(row, label) for row, label in zip(z, labels)])
    loss = mk.losses.CategoricalCrossEntropy()
    np.testing.assert_allclose(loss.rows(z, y), exact, rtol=1e-15, atol=0)
    for i in range(len(exact)):
        assert loss.value(z[i : i + 1], y[i : i + 1]) == pytest.approx(exact[i], rel=1e-15, abs=0)
    value, grad = loss.value_and_grad(z, y)
    assert value == pytest.approx(exact.mean(), rel=1e-15)
    p = np.exp(z - z.max(axis=1, keepdims=True))
    np.testing.assert_allclose(
        grad, (p / p.sum(axis=1, keepdims=True) - y) / 5, rtol=1e-14, atol=1e-300
    )
