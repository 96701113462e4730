"""Conv1D and Conv2D: float64 finite-difference gradient checks of every option, the output
size formula, and the errors for bad hyperparameters and shapes.

The layers are run standalone (built, bound to arrays of their ParamSpec shapes, then forward
and backward), with the loss L = Σ y ⊙ R for a fixed random R, so dL/dy = R.
"""

import numpy as np
import pytest
from gradcheck import numerical_gradient

import mlpkit as mk
from mlpkit.exceptions import ConfigError
from mlpkit.layers.base import ShapeError
from mlpkit.layers.conv import Conv1D, Conv2D
from mlpkit.layers.shaping import Flatten, Reshape

from .allocation import step_peak

RTOL, ATOL = 1e-6, 1e-8


def standalone(layer, in_size, seed=0, dtype=np.float64):
    """Build ``layer`` for ``in_size`` alone, bind it to fresh arrays (initialised by its specs,
    biases random so that they matter), and return ``(out_size, params, grads)``."""
    out, specs = layer.build(in_size)
    rng = np.random.default_rng(seed)
    params = {s.name: np.empty(s.shape, dtype) for s in specs}
    grads = {s.name: np.empty(s.shape, dtype) for s in specs}
    for spec in specs:
        spec.init(params[spec.name], rng)
        if spec.name == "b":
            params["b"][...] = rng.normal(size=spec.shape)
    layer.bind(params, grads)
    return out, params, grads


def check_gradients(layer, x, params=None, grads=None, seed=1):
    """Compare backward's dL/dx and parameter gradients with central differences; return the
    largest absolute difference seen."""
    y = layer.forward(x, training=True)
    weights = np.random.default_rng(seed).normal(size=y.shape)

    def loss():
        return float(np.sum(layer.forward(x, training=True) * weights))

    loss()
    dx = layer.backward(weights).copy()
    analytic = {name: g.copy() for name, g in (grads or {}).items()}
    worst = 0.0
    for name, values in [("x", x), *(params or {}).items()]:
        numeric = numerical_gradient(loss, values)
        got = dx if name == "x" else analytic[name]
        np.testing.assert_allclose(got, numeric, rtol=RTOL, atol=ATOL, err_msg=name)
        worst = max(worst, float(np.max(np.abs(got - numeric))))
    return worst


CONV2D_CASES = {
    "k3": dict(kernel_size=3),
    "stride2-pad1": dict(kernel_size=3, stride=2, padding=1),
    "dilation2": dict(kernel_size=3, dilation=2, padding=2),
    "rect-kernel-stride-pad": dict(kernel_size=(2, 3), stride=(2, 1), padding=(1, 0)),
    "same-even-kernel": dict(kernel_size=4, padding="same"),
    "all-options-relu": dict(kernel_size=3, stride=2, padding=1, dilation=2, activation="relu"),
    "no-bias-tanh": dict(kernel_size=2, use_bias=False, activation="tanh"),
}
#: rows of 20 → 18 outputs: stride 1 gathered window by window (rows >= RUNS_BELOW), not as runs
LONG_ROW_CASES = {
    "k3-long-rows": dict(kernel_size=3),
    "pad-dilation-long-rows-no-bias": dict(kernel_size=3, padding=2, dilation=2, use_bias=False),
}


@pytest.mark.parametrize("case", LONG_ROW_CASES)
def test_conv2d_gradients_with_long_rows_match_finite_differences(case):
    layer = Conv2D(3, **LONG_ROW_CASES[case])
    _, params, grads = standalone(layer, (2, 4, 20))
    assert not layer.windows.runs
    x = np.random.default_rng(2).normal(size=(2, 2, 4, 20))
    check_gradients(layer, x, params, grads)


@pytest.mark.parametrize("kwargs", [dict(padding=1), dict(padding=(2, 1), dilation=(1, 2))])
def test_the_runs_layout_and_the_window_gather_give_the_same_pass(kwargs):
    """Stride 1 has two layouts of the same GEMM: both give z, dL/dW, dL/db and dL/dx."""
    results = []
    for runs in (True, False):
        layer = Conv2D(4, 3, activation="tanh", **kwargs)
        _, _, grads = standalone(layer, (3, 6, 7))
        object.__setattr__(layer.windows, "runs", runs)
        x = np.random.default_rng(8).normal(size=(5, 3, 6, 7))
        y = layer.forward(x, training=True).copy()
        dx = layer.backward(np.cos(y)).copy()
        results.append([y, dx, *(g.copy() for g in grads.values())])
    for got, expected in zip(*results):
        np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("kwargs", [dict(), dict(padding=1), dict(stride=2)], ids=str)
@pytest.mark.parametrize("side", [13, 28])
def test_a_conv_training_step_allocates_nothing_batch_sized(kwargs, side):
    """Both layouts reuse their workspaces: a step allocates only NumPy's ufunc buffers (8192
    entries per operand, 96 KiB for a strided a += b); the smallest batch-sized array here,
    the 64 × 16 output of 6×6 positions, is 144 KiB."""
    layer = Conv2D(16, 3, activation="relu", **kwargs)
    standalone(layer, (4, side, side), dtype=np.float32)
    x = np.random.default_rng(9).normal(size=(64, 4, side, side)).astype(np.float32)
    dy = np.ones_like(layer.forward(x, training=True))
    assert step_peak(layer, x, dy) < 128 * 1024


@pytest.mark.parametrize("case", CONV2D_CASES)
def test_conv2d_gradients_match_finite_differences(case):
    layer = Conv2D(3, **CONV2D_CASES[case])
    _, params, grads = standalone(layer, (2, 7, 6))
    x = np.random.default_rng(2).normal(size=(3, 2, 7, 6))
    worst = check_gradients(layer, x, params, grads)
    print(f"Conv2D {case}: max |analytic - numeric| = {worst:.1e}")


CONV1D_CASES = {
    "k3": dict(kernel_size=3),
    "stride2-pad2-dilation2": dict(kernel_size=3, stride=2, padding=2, dilation=2),
    "same": dict(kernel_size=5, padding="same", activation="sigmoid"),
    "valid-stride3": dict(kernel_size=2, stride=3, padding="valid"),
}


@pytest.mark.parametrize("case", CONV1D_CASES)
def test_conv1d_gradients_match_finite_differences(case):
    layer = Conv1D(4, **CONV1D_CASES[case])
    _, params, grads = standalone(layer, (3, 11))
    x = np.random.default_rng(3).normal(size=(2, 3, 11))
    worst = check_gradients(layer, x, params, grads)
    print(f"Conv1D {case}: max |analytic - numeric| = {worst:.1e}")


def test_conv_matches_a_direct_sum_over_the_kernel():
    """z[i, f, u, v] = Σ_{c,p,q} W[(c,p,q), f] x_pad[i, c, u s + p d, v s + q d] + b[f]."""
    layer = Conv2D(2, (2, 3), stride=(1, 2), padding=1, dilation=(2, 1))
    out, params, _ = standalone(layer, (3, 6, 7))
    x = np.random.default_rng(4).normal(size=(2, 3, 6, 7))
    xp = np.pad(x, ((0, 0), (0, 0), (1, 1), (1, 1)))
    kernel = params["W"].T.reshape(2, 3, 2, 3)  # (filters, C, kh, kw), torch's layout
    expected = np.zeros((2, *out))
    for u in range(out[1]):
        for v in range(out[2]):
            patch = xp[:, :, u : u + 3 : 2, 2 * v : 2 * v + 3]  # rows u + 2p, columns 2v + q
            expected[:, :, u, v] = np.einsum("icpq,fcpq->if", patch, kernel) + params["b"]
    np.testing.assert_allclose(layer.forward(x), expected, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize(
    ("size", "k", "s", "p", "d"),
    [(28, 3, 1, 0, 1), (28, 3, 2, 1, 1), (13, 3, 2, 1, 2), (8, 5, 3, 2, 1), (7, 7, 1, 0, 1)],
)
def test_output_size_is_floor_of_l_plus_2p_minus_span_over_s_plus_1(size, k, s, p, d):
    expected = (size + 2 * p - d * (k - 1) - 1) // s + 1
    out, _ = Conv2D(5, k, stride=s, padding=p, dilation=d).build((2, size, size))
    assert out == (5, expected, expected)
    assert Conv1D(5, k, stride=s, padding=p, dilation=d).build((2, size))[0] == (5, expected)
    assert Conv2D(1, k, padding="same").build((1, size, size))[0] == (1, size, size)


def test_the_kernel_layout_gives_torch_fans_to_the_initialiser():
    layer = Conv2D(8, 3, activation="relu")
    _, params, _ = standalone(layer, (4, 10, 10), seed=5)
    assert params["W"].shape == (4 * 9, 8)  # (fan_in = C·kh·kw, fan_out = filters)
    np.testing.assert_allclose(params["W"].std(), np.sqrt(2 / 36), rtol=0.25)  # He normal


def test_no_input_gradient_is_computed_when_none_is_needed():
    layer = Conv2D(2, 3, padding=1)
    _, _, grads = standalone(layer, (1, 5, 5))
    x = np.random.default_rng(6).normal(size=(2, 1, 5, 5))
    dy = np.ones_like(layer.forward(x, training=True))
    assert layer.backward(dy).shape == x.shape
    full = {k: v.copy() for k, v in grads.items()}
    layer.forward(x, training=True)
    layer.needs_input_grad = False
    assert layer.backward(dy) is None
    for name, g in grads.items():  # the parameter gradients are still written
        np.testing.assert_array_equal(g, full[name])


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        (dict(filters=0, kernel_size=3), "filters must be a positive integer; received filters=0"),
        (dict(filters=2, kernel_size=0), "kernel_size=0"),
        (dict(filters=2, kernel_size=(3, 3, 3)), r"kernel_size=\(3, 3, 3\)"),
        (dict(filters=2, kernel_size=3, stride=0), "stride=0"),
        (dict(filters=2, kernel_size=3, dilation=1.5), "dilation=1.5"),
        (dict(filters=2, kernel_size=3, padding=-1), "padding=-1"),
        (dict(filters=2, kernel_size=3, padding="full"), "padding='full'"),
        (dict(filters=2, kernel_size=3, padding="same", stride=2), "same.*stride=2"),
        (dict(filters=2, kernel_size=3, activation="softmax"), "activation='softmax'"),
    ],
)
def test_bad_hyperparameters_are_refused_naming_the_argument_and_value(kwargs, match):
    with pytest.raises(ConfigError, match=match):
        Conv2D(**kwargs)


def test_a_wrong_input_rank_and_a_kernel_larger_than_the_input_are_refused():
    with pytest.raises(ShapeError, match=r"\(n, channels, height, width\).*\(n, 64\).*Reshape"):
        Conv2D(4, 3).build(64)
    with pytest.raises(ShapeError, match=r"\(n, channels, length\).*\(n, 1, 8, 8\)"):
        Conv1D(4, 3).build((1, 8, 8))
    with pytest.raises(ShapeError, match=r"spans 5 positions.*has only 4"):
        Conv2D(4, 3, dilation=2).build((1, 4, 9))
    net = mk.Sequential([Reshape((1, 4, 4)), Conv2D(2, 5), Flatten(), mk.layers.Dense(1)])
    with pytest.raises(ShapeError, match=r"layer 1 \(Conv2D\).*kernel spans 5.*only 4"):
        net.build(16)


def test_get_config_rebuilds_the_same_layer():
    layer = Conv2D(6, (3, 1), stride=2, padding=(1, 0), dilation=(1, 2), activation="relu")
    config = layer.get_config()
    assert config["kernel_size"] == [3, 1] and config["stride"] == 2 and config["padding"] == [1, 0]
    again = Conv2D(**config)
    assert again.get_config() == config
    assert Conv1D(2, 3, padding="same").get_config()["padding"] == "same"


def test_a_conv_net_trains_and_keeps_its_weights_in_the_flat_buffer():
    rng = np.random.default_rng(7)
    X = rng.normal(size=(64, 2 * 6 * 6)).astype(np.float32)
    y = (X[:, :36].mean(axis=1) > 0).astype(np.float32)
    net = mk.Sequential(
        [
            Reshape((2, 6, 6)),
            Conv2D(4, 3, padding=1, activation="relu"),
            Conv2D(4, 3, stride=2, activation="tanh"),
            Flatten(),
            mk.layers.Dense(1, activation="sigmoid"),
        ],
        random_state=0,
    )
    history = net.fit(X, y, loss="binary_cross_entropy", epochs=30, batch_size=16, verbose=0)
    assert history.history["loss"][-1] < 0.7 * history.history["loss"][0]
    conv = net.layers[1]
    assert np.shares_memory(conv.W, net.params) and np.shares_memory(conv.dW, net.grads)
    assert net.predict(X).shape == (64, 1)
