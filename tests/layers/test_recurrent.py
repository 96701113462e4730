"""SimpleRNN, LSTM and GRU: backpropagation through time checked against float64 central
differences for the inputs and every parameter, standalone (built, bound to arrays of our own,
run); the shape contract, configs, per-step gradient norms and clipping, workspaces, and the
model-file round trip."""

import numpy as np
import pytest
from gradcheck import numerical_gradient

import mlpkit as mk
from mlpkit.layers.base import ShapeError
from mlpkit.layers.recurrent import GRU, LSTM, SimpleRNN

from .allocation import step_peak

N, T, F, H = 3, 5, 4, 6
CELLS = {  # id -> (class, extra constructor arguments)
    "rnn-tanh": (SimpleRNN, {}),
    "rnn-relu": (SimpleRNN, {"activation": "relu"}),
    "lstm": (LSTM, {}),
    "gru": (GRU, {}),
}


def bound(layer, in_shape=(T, F), dtype=np.float64, seed=0):
    """Build ``layer`` for per-sample inputs ``in_shape`` and bind it to fresh arrays, filled
    by each spec's initializer plus noise (so zero biases do not hide a wrong gradient)."""
    _, specs = layer.build(in_shape)
    rng = np.random.default_rng(seed)
    params = {spec.name: np.empty(spec.shape, dtype=dtype) for spec in specs}
    grads = {spec.name: np.full(spec.shape, np.nan, dtype=dtype) for spec in specs}
    for spec in specs:
        spec.init(params[spec.name], rng)
        params[spec.name] += 0.3 * rng.standard_normal(spec.shape)
    layer.bind(params, grads)
    return params, grads


def make(cell, **kwargs):
    cls, extra = CELLS[cell]
    return cls(H, **extra, **kwargs)


@pytest.mark.parametrize("return_sequences", [False, True])
@pytest.mark.parametrize("cell", CELLS)
def test_bptt_gradients_of_inputs_and_every_parameter_match_finite_differences(
    cell, return_sequences
):
    layer = make(cell, return_sequences=return_sequences)
    params, grads = bound(layer)
    rng = np.random.default_rng(1)
    x = rng.standard_normal((N, T, F))
    weights = rng.standard_normal((N, T, H) if return_sequences else (N, H))

    def loss():  # L = Σ y ⊙ R, so dL/dy = R
        return float(np.sum(layer.forward(x, training=False) * weights))

    layer.forward(x, training=True)
    analytic = {"x": layer.backward(weights).copy()}
    analytic.update({name: g.copy() for name, g in grads.items()})
    numeric = {"x": numerical_gradient(loss, x)}
    numeric.update({name: numerical_gradient(loss, p) for name, p in params.items()})
    expected = {"W", "U", "b", "b_rec"} if cell == "gru" else {"W", "U", "b"}
    assert set(params) == expected
    for name in analytic:
        np.testing.assert_allclose(
            analytic[name], numeric[name], rtol=1e-6, atol=1e-8, err_msg=name
        )


@pytest.mark.parametrize("cell", CELLS)
def test_shapes_follow_the_contract(cell):
    for return_sequences, out_size in [(False, H), (True, (T, H))]:
        layer = make(cell, return_sequences=return_sequences)
        size, specs = layer.build((T, F))
        gates = {"lstm": 4, "gru": 3}.get(cell, 1)
        assert size == out_size
        shapes = {spec.name: spec.shape for spec in specs}
        assert shapes["W"] == (F, gates * H) and shapes["U"] == (H, gates * H)
        assert shapes["b"] == (gates * H,)
        assert not any(spec.regularize for spec in specs if spec.name.startswith("b"))
    with pytest.raises(ShapeError, match=r"\(n, time, features\).*Reshape"):
        make(cell).build(T * F)


@pytest.mark.parametrize("cell", CELLS)
def test_get_config_rebuilds_the_layer(cell):
    layer = make(cell, return_sequences=True, step_clip_norm=2.0, kernel_regularizer="l2")
    config = layer.get_config()
    clone = type(layer)(**config)
    assert clone.get_config() == config
    assert config["step_clip_norm"] == 2.0 and config["return_sequences"] is True


def test_constructor_errors_name_the_argument():
    with pytest.raises(ValueError, match="units"):
        LSTM(0)
    with pytest.raises(ValueError, match="activation='sigmoid'"):
        SimpleRNN(4, activation="sigmoid")
    with pytest.raises(ValueError, match="step_clip_norm"):
        GRU(4, step_clip_norm=-1.0)


def test_lstm_forget_gate_bias_starts_at_one_with_unit_forget_bias():
    for unit_forget_bias, expected in [(True, 1.0), (False, 0.0)]:
        layer = LSTM(H, unit_forget_bias=unit_forget_bias)
        _, specs = layer.build((T, F))
        (bias,) = [spec for spec in specs if spec.name == "b"]
        b = np.full(bias.shape, np.nan)
        bias.init(b, np.random.default_rng(0))
        np.testing.assert_array_equal(b[H : 2 * H], expected)  # gates i, f, g, o
        np.testing.assert_array_equal(np.delete(b, np.s_[H : 2 * H]), 0.0)


@pytest.mark.parametrize("cell", CELLS)
def test_without_input_grad_backward_returns_none_and_still_fills_the_gradients(cell):
    layer = make(cell)
    _, grads = bound(layer)
    layer.needs_input_grad = False
    x = np.random.default_rng(2).standard_normal((N, T, F))
    layer.forward(x, training=True)
    assert layer.backward(np.ones((N, H))) is None
    assert all(np.isfinite(g).all() for g in grads.values())


@pytest.mark.parametrize("cell", CELLS)
def test_inference_forward_leaves_the_training_caches_alone(cell):
    layer = make(cell)
    _, grads = bound(layer)
    rng = np.random.default_rng(3)
    x, other, dy = rng.standard_normal((N, T, F)), rng.standard_normal((2, T, F)), np.ones((N, H))
    layer.forward(x, training=True)
    layer.backward(dy)
    expected = {name: g.copy() for name, g in grads.items()}
    layer.forward(x, training=True)
    layer.forward(other, training=False)  # e.g. a validation pass in between
    layer.backward(dy)
    for name, g in grads.items():
        np.testing.assert_array_equal(g, expected[name], err_msg=name)


@pytest.mark.parametrize("cell", CELLS)
def test_step_grad_norms_are_the_mean_norm_of_dl_dh_per_step(cell):
    """With return_sequences=False the gradient reaching h_T is dL/dy itself, and with
    return_sequences=True at T=1 every step's too: check those exactly, and the shape."""
    layer = make(cell)
    bound(layer)
    rng = np.random.default_rng(4)
    dy = rng.standard_normal((N, H))
    layer.forward(rng.standard_normal((N, T, F)), training=True)
    layer.backward(dy)
    norms = layer.step_grad_norms
    assert norms.shape == (T,) and (norms > 0).all()
    np.testing.assert_allclose(norms[-1], np.linalg.norm(dy, axis=1).mean(), rtol=1e-12)


@pytest.mark.parametrize("cell", CELLS)
def test_step_clip_norm_rescales_the_gradient_reaching_each_step(cell):
    """At T = 1 the only δh is dL/dy: clipping it to norm c scales every gradient by
    c / ‖dL/dy‖; a bound above every step's norm changes nothing."""
    rng = np.random.default_rng(5)
    x, dy = rng.standard_normal((N, 1, F)), rng.standard_normal((N, H))
    plain, clipped = make(cell), make(cell, step_clip_norm=0.5)
    _, plain_grads = bound(plain, (1, F))
    _, clipped_grads = bound(clipped, (1, F))
    for layer in (plain, clipped):
        layer.forward(x, training=True)
    dx, dx_clipped = plain.backward(dy).copy(), clipped.backward(dy)
    scale = 0.5 / np.linalg.norm(dy)
    np.testing.assert_allclose(dx_clipped, scale * dx, rtol=1e-12)
    for name, g in plain_grads.items():
        np.testing.assert_allclose(clipped_grads[name], scale * g, rtol=1e-12, err_msg=name)

    loose = make(cell, step_clip_norm=1e6)
    _, loose_grads = bound(loose)
    plain = make(cell)
    _, plain_grads = bound(plain)
    x = rng.standard_normal((N, T, F))
    for layer in (plain, loose):
        layer.forward(x, training=True)
        layer.backward(dy)
    for name, g in plain_grads.items():
        np.testing.assert_array_equal(loose_grads[name], g, err_msg=name)


@pytest.mark.parametrize("return_sequences", [False, True])
@pytest.mark.parametrize("cell", CELLS)
def test_training_steps_after_the_first_allocate_nothing_batch_sized(cell, return_sequences):
    """One (n, units) float32 array is 512 KiB; the bound, 128 KiB, leaves room for numpy's
    ufunc buffers on the strided gate columns (8192 entries each, up to ~100 KiB together,
    the same for any batch size) and the small per-step objects."""
    n, steps, units = 2048, 12, 64
    cls, extra = CELLS[cell]
    layer = cls(units, return_sequences=return_sequences, **extra)
    bound(layer, (steps, 8), dtype=np.float32)
    rng = np.random.default_rng(6)
    x = rng.standard_normal((n, steps, 8)).astype(np.float32)
    dy = np.ones((n, steps, units) if return_sequences else (n, units), np.float32)
    peak = step_peak(layer, x, dy, warmup=1)
    assert peak < 128 * 1024, peak


@pytest.mark.parametrize("cell", CELLS)
def test_model_file_round_trip_keeps_the_predictions(cell, tmp_path):
    cls, extra = CELLS[cell]
    net = mk.Sequential(
        [
            mk.layers.Reshape((T, F)),
            cls(H, return_sequences=True, step_clip_norm=5.0, **extra),
            mk.layers.Flatten(),
            mk.layers.Dense(2),
        ],
        random_state=0,
    )
    rng = np.random.default_rng(7)
    X, y = rng.standard_normal((20, T * F)), rng.standard_normal((20, 2))
    net.fit(X, y, loss="mse", epochs=2, batch_size=5, verbose=0)
    loaded = mk.load(net.save(tmp_path / "recurrent"))
    assert loaded.layers[1].get_config() == net.layers[1].get_config()
    np.testing.assert_array_equal(loaded.predict(X), net.predict(X))


@pytest.mark.parametrize("cell", CELLS)
def test_gradients_do_not_depend_on_the_batches_before(cell):
    """The layers keep their workspaces and per-step views between batches: a batch of
    another size in between, or released workspaces, must leave the next result unchanged."""
    rng = np.random.default_rng(8)
    x, other = rng.standard_normal((N, T, F)), rng.standard_normal((N + 2, T, F))
    dy, dy_other = rng.standard_normal((N, H)), rng.standard_normal((N + 2, H))
    fresh, reused = make(cell), make(cell)
    _, fresh_grads = bound(fresh)
    _, reused_grads = bound(reused)
    fresh.forward(x, training=True)
    expected_dx = fresh.backward(dy).copy()
    for before in (other, "release", x):
        if isinstance(before, str):
            reused.release_workspaces()
        else:
            reused.forward(before, training=True)
            reused.backward(dy_other if len(before) == N + 2 else dy)
        y = reused.forward(x, training=True).copy()
        np.testing.assert_array_equal(y, fresh.forward(x, training=False))
        np.testing.assert_array_equal(reused.backward(dy), expected_dx)
        for name, g in fresh_grads.items():
            np.testing.assert_array_equal(reused_grads[name], g, err_msg=name)


def fit_then_backward(backend, cell, dtype, return_sequences):
    """A few steps of a fit under ``backend``, then one more forward and backward: the
    predictions, the parameters, every gradient and dL/dX."""
    cls, extra = CELLS[cell]
    rng = np.random.default_rng(9)
    X = rng.standard_normal((24, T * F)).astype(dtype)
    y = rng.standard_normal((24, 2)).astype(dtype)
    with mk.kernels.using(backend):
        net = mk.Sequential(
            [
                mk.layers.Reshape((T, F)),
                cls(H, return_sequences=return_sequences, **extra),
                mk.layers.Flatten(),
                mk.layers.Dense(2),
            ],
            random_state=0,
            dtype=dtype.__name__,
        )
        net.fit(X, y, loss="mse", epochs=3, batch_size=8, shuffle=False, verbose=0)
        output = net.forward(X, training=True)
        dx = net.backward(output - y, input_grad=True)
    return {"output": output, "params": net.params, "grads": net.grads, "dx": dx}


@pytest.mark.parametrize("return_sequences", [False, True])
@pytest.mark.parametrize(
    ("dtype", "rtol", "atol"), [(np.float64, 1e-12, 1e-14), (np.float32, 1e-5, 1e-6)]
)
@pytest.mark.parametrize("cell", ["lstm", "gru"])
def test_compiled_cell_steps_equal_the_numpy_reference(cell, dtype, rtol, atol, return_sequences):
    pytest.importorskip("numba")
    fused = fit_then_backward("numba", cell, dtype, return_sequences)
    reference = fit_then_backward("numpy", cell, dtype, return_sequences)
    for key, expected in reference.items():
        assert fused[key].dtype == dtype, key
        np.testing.assert_allclose(fused[key], expected, rtol=rtol, atol=atol, err_msg=key)


@pytest.mark.parametrize("cell", ["lstm", "gru"])
def test_compiled_cell_steps_are_bit_reproducible(cell):
    pytest.importorskip("numba")
    first = fit_then_backward("numba", cell, np.float32, True)
    second = fit_then_backward("numba", cell, np.float32, True)
    for key, expected in first.items():
        np.testing.assert_array_equal(second[key], expected, err_msg=key)
