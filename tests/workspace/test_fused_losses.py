"""The one-pass cross-entropies (numba) against their NumPy references."""

import numpy as np
import pytest

import mlpkit as mk

pytest.importorskip("numba")

LOSSES = ["binary_cross_entropy", "categorical_cross_entropy"]


def batch(name, dtype, scale):
    rng = np.random.default_rng(3)
    z = (rng.normal(size=(37, 6)) * scale).astype(dtype)
    if name == "binary_cross_entropy":
        y = (rng.random((37, 6)) < 0.5).astype(dtype)
    else:
        y = np.eye(6, dtype=dtype)[rng.integers(0, 6, 37)]
    return z, y


def value_and_grad(name, backend, z, y):
    with mk.kernels.using(backend):
        value, grad = mk.losses.get(name).value_and_grad(z, y)
    return value, grad.copy()


@pytest.mark.parametrize("scale", [1.0, 40.0])
@pytest.mark.parametrize("name", LOSSES)
def test_fused_cross_entropy_matches_the_numpy_reference_in_float64(name, scale):
    z, y = batch(name, np.float64, scale)
    value, grad = value_and_grad(name, "numba", z, y)
    ref_value, ref_grad = value_and_grad(name, "numpy", z, y)
    np.testing.assert_allclose(value, ref_value, rtol=1e-6, atol=0)
    np.testing.assert_allclose(grad, ref_grad, rtol=1e-6, atol=1e-12)


@pytest.mark.parametrize("name", LOSSES)
def test_fused_cross_entropy_keeps_float32_and_its_precision(name):
    z, y = batch(name, np.float32, 3.0)
    value, grad = value_and_grad(name, "numba", z, y)
    ref_value, ref_grad = value_and_grad(name, "numpy", z.astype(np.float64), y.astype(np.float64))
    assert grad.dtype == np.float32
    np.testing.assert_allclose(value, ref_value, rtol=1e-5)
    np.testing.assert_allclose(grad, ref_grad, rtol=1e-4, atol=1e-7)


@pytest.mark.parametrize("name", LOSSES)
def test_fused_cross_entropy_keeps_a_confident_rows_tiny_loss(name):
    """ln(1 + e^(−36)) ≈ 2.3e-16 is kept, not rounded to 0 (as the NumPy path)."""
    k = 1 if name == "binary_cross_entropy" else 2
    z = np.array([[36.0] + [0.0] * (k - 1)])
    y = np.array([[1.0] + [0.0] * (k - 1)])
    value, _ = value_and_grad(name, "numba", z, y)
    ref_value, _ = value_and_grad(name, "numpy", z, y)
    assert value > 0
    np.testing.assert_allclose(value, ref_value, rtol=1e-12)
