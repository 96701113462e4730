import numpy as np
import pytest
from gradcheck import numerical_gradient

import mlpkit as mk
from mlpkit.layers import ACTIVATIONS

Z = np.array([-3.0, -1.0, 0.0, 1.0, 3.0])
SMOOTH = [name for name in ACTIVATIONS if name not in ("step", "relu", "leaky_relu", "prelu")]


def activation(name):
    layer = mk.layers.activations.get(name)
    if name == "prelu":
        layer.bind({"alpha": np.full(5, 0.25)}, {"alpha": np.zeros(5)})
    return layer


def test_worked_example_table_sigmoid_relu_leaky_relu_values_and_derivatives():
    ones = np.ones((1, 5))
    for name, values, derivatives in [
        (
            "sigmoid",
            [0.047426, 0.268941, 0.5, 0.731059, 0.952574],
            [0.045177, 0.196612, 0.25, 0.196612, 0.045177],
        ),
        ("relu", [0, 0, 0, 1, 3], [0, 0, 0, 1, 1]),
        ("leaky_relu", [-0.03, -0.01, 0, 1, 3], [0.01, 0.01, 0.01, 1, 1]),
    ]:
        layer = activation(name)
        out = layer.forward(Z[None, :], training=True)
        np.testing.assert_allclose(out[0], values, atol=5e-7)
        np.testing.assert_allclose(layer.backward(ones)[0], derivatives, atol=5e-7)


def test_softmax_of_worked_example_vector():
    out = activation("softmax").forward(np.array([[2.0, 1.0, 0.1]]))
    np.testing.assert_allclose(out[0], [0.659001, 0.242433, 0.098566], atol=5e-7)


def test_step_is_heaviside_with_zero_gradient():
    layer = activation("step")
    np.testing.assert_array_equal(layer.forward(Z[None, :], training=True)[0], [0, 0, 0, 1, 1])
    np.testing.assert_array_equal(layer.backward(np.ones((1, 5)))[0], 0)


@pytest.mark.parametrize("name", list(ACTIVATIONS))
def test_activation_backward_matches_finite_differences(name):
    rng = np.random.default_rng(0)
    z = rng.normal(size=(4, 5)) * 2
    z[np.abs(z) < 1e-3] = 0.5  # keep away from the kinks of relu-like functions
    weights = rng.normal(size=(4, 5))
    layer = activation(name)

    def loss():
        return float(np.sum(weights * layer.forward(z)))

    layer.forward(z, training=True)
    analytic = layer.backward(weights.copy())
    np.testing.assert_allclose(analytic, numerical_gradient(loss, z), rtol=1e-6, atol=1e-8)


def test_softmax_over_channels_gradient_matches_finite_differences():
    rng = np.random.default_rng(3)
    z, weights = rng.normal(size=(4, 3, 5)), rng.normal(size=(4, 3, 5))
    layer = mk.layers.Softmax()

    def loss():
        return float(np.sum(weights * layer.forward(z)))

    layer.forward(z, training=True)
    analytic = layer.backward(weights.copy())
    np.testing.assert_allclose(analytic, numerical_gradient(loss, z), rtol=1e-6, atol=1e-8)


def test_prelu_slope_gradient_matches_finite_differences():
    rng = np.random.default_rng(1)
    z = rng.normal(size=(6, 3))
    weights = rng.normal(size=(6, 3))
    layer = mk.layers.PReLU()
    alpha, dalpha = np.array([0.1, 0.25, -0.3]), np.zeros(3)
    layer.bind({"alpha": alpha}, {"alpha": dalpha})
    layer.forward(z, training=True)
    layer.backward(weights)
    numeric = numerical_gradient(lambda: float(np.sum(weights * layer.forward(z))), alpha)
    np.testing.assert_allclose(dalpha, numeric, rtol=1e-6, atol=1e-9)


@pytest.mark.parametrize("name", list(ACTIVATIONS))
def test_activation_is_finite_for_huge_float32_inputs(name):
    z = np.array([[-1e4, -100.0, 0.0, 100.0, 1e4]], dtype=np.float32)
    layer = activation(name)
    if name == "prelu":
        layer.bind({"alpha": np.full(5, 0.25, np.float32)}, {"alpha": np.zeros(5, np.float32)})
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        out = layer.forward(z, training=True)
        grad = layer.backward(np.ones_like(z))
    assert np.isfinite(out).all() and np.isfinite(grad).all()
    assert out.dtype == np.float32


def test_sigmoid_and_softplus_keep_precision_in_the_tails():
    z = np.array([[-40.0, 40.0]])
    sig = activation("sigmoid").forward(z)[0]
    np.testing.assert_allclose(sig, [np.exp(-40) / (1 + np.exp(-40)), 1.0], rtol=1e-12)
    soft = activation("softplus").forward(z)[0]
    np.testing.assert_allclose(soft, [np.log1p(np.exp(-40)), 40.0], rtol=1e-12)


def test_unknown_activation_lists_the_valid_names():
    with pytest.raises(mk.ConfigError, match="relu"):
        mk.layers.Dense(3, activation="rellu")


@pytest.mark.parametrize("k", [1, 2, 3, 7, 8, 12])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_softmax_over_few_columns_gives_the_bits_of_the_row_reductions(k, dtype):
    from mlpkit.layers.activations import softmax

    z = (np.random.default_rng(k).normal(size=(300, k)) * 30).astype(dtype)
    z[3, 0], z[5, -1] = np.nan, np.inf  # a NaN row stays NaN, as NumPy's max makes it
    with np.errstate(invalid="ignore"), mk.kernels.using("numpy"):
        expected = np.exp(z - z.max(axis=1, keepdims=True))
        expected /= expected.sum(axis=1, keepdims=True)
        got = softmax(z, np.empty_like(z))
        same = z.copy()
        softmax(same, same)
    np.testing.assert_array_equal(got, expected)  # equal bits, NaN where NaN
    np.testing.assert_array_equal(same, expected)


def test_a_softmax_layer_over_feature_maps_trains_with_the_compiled_kernels():
    """Shaped samples (n, C, L): softmax over the channels, in NumPy on either backend (the
    row loops are written for (n, k)); training and prediction run under numba too."""
    pytest.importorskip("numba")
    from mlpkit.layers.activations import softmax

    z = np.random.default_rng(0).normal(size=(4, 3, 5))
    with mk.kernels.using("numba"):
        got = softmax(z, np.empty_like(z))
    np.testing.assert_allclose(got.sum(axis=1), 1, rtol=1e-12)
    L = mk.layers
    X = np.random.default_rng(1).normal(size=(30, 12))
    y = (X[:, 0] > 0).astype(int)
    trained = []
    for backend in ("numba", "numpy"):
        layers = [L.Reshape((2, 6)), L.Conv1D(3, 3, padding=1), L.Softmax(), L.Flatten()]
        net = mk.Sequential(layers + [L.Dense(2, activation="softmax")], random_state=0)
        with mk.kernels.using(backend):
            net.fit(X, y, loss="categorical_cross_entropy", epochs=2, batch_size=8)
            trained.append(net.predict(X))
    np.testing.assert_allclose(trained[0], trained[1], rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("k", [1, 2, 7, 8, 10, 128, 129])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_softmax_row_loops_match_the_numpy_reference(k, dtype):
    pytest.importorskip("numba")
    from mlpkit.layers.activations import softmax, softmax_reference

    z = (np.random.default_rng(k).normal(size=(300, k)) * 30).astype(dtype)
    z[3, 0], z[4, k // 2], z[5, -1] = np.nan, np.nan, np.inf
    z[6] = -np.inf if k == 1 else np.linspace(-1e30, 1e30, k).astype(dtype)
    with np.errstate(invalid="ignore", over="ignore"):
        expected = softmax_reference(z, np.empty_like(z))
        with mk.kernels.using("numba"):
            got = softmax(z, np.empty_like(z))
            same = z.copy()
            softmax(same, same)  # out may be z
    tolerance = 1e-6 if dtype == np.float32 else 1e-15
    np.testing.assert_allclose(got, expected, rtol=tolerance, atol=tolerance)  # NaN where NaN
    np.testing.assert_array_equal(same, got)
    if k < 8:  # the sums run in the same order as the reference's: the same bits
        np.testing.assert_array_equal(got, expected)
