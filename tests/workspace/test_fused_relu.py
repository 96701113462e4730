"""The fused bias + ReLU passes (numba) against their NumPy references, and a fit either way."""

import numpy as np
import pytest

import mlpkit as mk
from mlpkit.layers import fused

numba = pytest.importorskip("numba")


def arrays(dtype, seed=0):
    rng = np.random.default_rng(seed)
    z = rng.normal(size=(33, 17)).astype(dtype)
    z[0, :3] = [0.0, np.nan, -0.0]
    return z, rng.normal(size=17).astype(dtype), rng.normal(size=(33, 17)).astype(dtype)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_fused_bias_relu_matches_the_numpy_reference(dtype):
    z, b, _ = arrays(dtype)
    z_ref, a_ref, a = z.copy(), np.empty_like(z), np.empty_like(z)
    fused.bias_relu_reference(z_ref, b, a_ref)
    with mk.kernels.using("numba"):
        fused.bias_relu(z, b, a)
    np.testing.assert_allclose(z, z_ref, rtol=1e-6, atol=0)
    np.testing.assert_allclose(a, a_ref, rtol=1e-6, atol=0)  # NaN where the reference has NaN


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_fused_bias_relu_in_place_matches_the_numpy_reference(dtype):
    z, b, _ = arrays(dtype)  # a is z: the inference path's call, its own one-array loop
    z_ref = z.copy()
    fused.bias_relu_reference(z_ref, b, z_ref)
    with mk.kernels.using("numba"):
        fused.bias_relu(z, b, z)
    np.testing.assert_allclose(z, z_ref, rtol=1e-6, atol=0)
    assert np.isnan(z[0, 1]) and z[0, 0] == max(b[0], 0)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_fused_relu_backward_matches_the_numpy_reference(dtype):
    a, _, dy = arrays(dtype)
    dy[1, 0] = np.nan
    dz_ref, dz = np.empty_like(a), np.empty_like(a)
    fused.relu_backward_reference(a, dy, dz_ref)
    with mk.kernels.using("numba"):
        fused.relu_backward(a, dy, dz)
    np.testing.assert_allclose(dz, dz_ref, rtol=1e-6, atol=0)


@pytest.mark.parametrize("contiguous", [True, False])
def test_fused_relu_backward_takes_shaped_samples(contiguous):
    rng = np.random.default_rng(1)
    a = np.maximum(rng.normal(size=(6, 3, 4, 5)), 0)
    dy = rng.normal(size=(6, 3, 4, 5)) if contiguous else rng.normal(size=(6, 3, 5, 4))
    if not contiguous:
        dy = dy.transpose(0, 1, 3, 2)  # a view: the reference runs
    dz_ref, dz = np.empty_like(a), np.empty_like(a)
    fused.relu_backward_reference(a, dy, dz_ref)
    with mk.kernels.using("numba"):
        fused.relu_backward(a, dy, dz)
    np.testing.assert_array_equal(dz, dz_ref)


def test_a_convolution_with_relu_trains_the_same_compiled():
    rng = np.random.default_rng(2)
    X, y = rng.normal(size=(40, 12)), rng.integers(0, 2, 40)
    L = mk.layers
    trained = []
    for backend in ("numba", "numpy"):
        net = mk.Sequential(
            [L.Reshape((2, 6)), L.Conv1D(3, 3, padding=1), L.ReLU(), L.Flatten()]
            + [L.Dense(2, activation="softmax")],
            random_state=0,
            dtype="float64",
        )
        with mk.kernels.using(backend):  # numba: ReLU's backward on (n, C, L) feature maps
            net.fit(X, y, loss="categorical_cross_entropy", epochs=2, batch_size=8)
        trained.append(net.params.copy())
    np.testing.assert_allclose(trained[0], trained[1], rtol=1e-9, atol=1e-12)


def fitted_params(backend):
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(64, 5)), rng.integers(0, 3, 64)
    net = mk.Sequential(
        [mk.layers.Dense(8, activation="relu"), mk.layers.Dense(3, activation="softmax")],
        random_state=0,
        dtype="float64",
    )
    with mk.kernels.using(backend):
        net.fit(X, y, loss="categorical_cross_entropy", epochs=3, batch_size=16, verbose=0)
    return net.params.copy()


def test_a_relu_network_fits_the_same_with_fused_and_reference_kernels():
    np.testing.assert_allclose(fitted_params("numba"), fitted_params("numpy"), rtol=1e-6, atol=1e-9)
