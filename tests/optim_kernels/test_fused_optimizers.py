"""The fused optimizer loops (mlpkit.optim.kernels, compiled by numba) against the NumPy
reference of the same rules (each optimizer's ``_update``), and the backend switch."""

import subprocess
import sys
import textwrap

import numpy as np
import pytest

import mlpkit as mk
import mlpkit.kernels  # noqa: F401  (mk.kernels, whatever mlpkit imports eagerly)

pytest.importorskip("numba")

OPTIMIZERS = {
    "sgd": lambda lr: mk.optim.SGD(lr),
    "sgd-momentum": lambda lr: mk.optim.SGD(lr, momentum=0.9),
    "sgd-nesterov": lambda lr: mk.optim.SGD(lr, momentum=0.9, nesterov=True),
    "adam": lambda lr: mk.optim.Adam(lr, beta_1=0.8, beta_2=0.9),
    "adamw": lambda lr: mk.optim.AdamW(lr, weight_decay=0.1),
    "rmsprop": lambda lr: mk.optim.RMSprop(lr),
    "rmsprop-momentum": lambda lr: mk.optim.RMSprop(lr, momentum=0.5),
    "adagrad": lambda lr: mk.optim.Adagrad(lr, lr_decay=0.1, initial_accumulator_value=0.1),
    "adadelta": lambda lr: mk.optim.Adadelta(lr),
}
CLIPPING = {"none": (None, None), "value": (0.5, None), "norm": (None, 3.0), "both": (0.5, 3.0)}
LEARNING_RATES = {
    "constant": 0.05,
    "cosine": mk.schedules.CosineDecay(0.05, decay_steps=4, per="batch"),
    "function": lambda step: 0.05 / (1 + step),
}


def run(backend, make, dtype, clip, steps=6, n=1000):
    """The parameters and state after ``steps`` updates of random gradients."""
    rng = np.random.default_rng(0)
    params = rng.standard_normal(n).astype(dtype)
    optimizer = make()
    with mk.kernels.using(backend):
        for _ in range(steps):
            optimizer.step(params, rng.standard_normal(n).astype(dtype), clip=clip)
    return params, optimizer.state


@pytest.mark.parametrize("name", OPTIMIZERS)
@pytest.mark.parametrize("clip", CLIPPING)
@pytest.mark.parametrize("lr", LEARNING_RATES)
def test_fused_update_equals_the_reference_in_float64(name, clip, lr):
    make = lambda: OPTIMIZERS[name](LEARNING_RATES[lr])
    fused, fused_state = run("numba", make, np.float64, CLIPPING[clip])
    reference, reference_state = run("numpy", make, np.float64, CLIPPING[clip])
    np.testing.assert_allclose(fused, reference, rtol=1e-6, atol=1e-12)
    for key, array in reference_state.items():
        np.testing.assert_allclose(fused_state[key], array, rtol=1e-6, atol=1e-12)


@pytest.mark.parametrize("name", OPTIMIZERS)
@pytest.mark.parametrize("clip", ["none", "both"])
def test_fused_update_equals_the_reference_in_float32(name, clip):
    make = lambda: OPTIMIZERS[name](0.05)
    fused, fused_state = run("numba", make, np.float32, CLIPPING[clip])
    reference, reference_state = run("numpy", make, np.float32, CLIPPING[clip])
    assert fused.dtype == np.float32
    np.testing.assert_allclose(fused, reference, rtol=1e-5, atol=1e-6)
    for key, array in reference_state.items():
        assert fused_state[key].dtype == np.float32
        np.testing.assert_allclose(fused_state[key], array, rtol=1e-5, atol=1e-6)


def test_optimizer_clipping_arguments_reach_the_fused_pass():
    make = lambda: mk.optim.Adam(0.1, clip_value=0.2)
    fused, _ = run("numba", make, np.float64, None)
    reference, _ = run("numpy", make, np.float64, None)
    np.testing.assert_allclose(fused, reference, rtol=1e-6)
    unclipped, _ = run("numba", lambda: mk.optim.Adam(0.1), np.float64, None)
    assert not np.allclose(fused, unclipped)


@pytest.mark.parametrize("optimizer", ["adam", "sgd", "rmsprop"])
def test_a_fit_trains_the_same_network_with_either_backend(optimizer):
    rng = np.random.default_rng(1)
    X = rng.standard_normal((256, 6)).astype(np.float32)
    y = (X[:, 0] - X[:, 1] > 0).astype(int)
    weights = {}
    for backend in ("numba", "numpy"):
        layers = [mk.layers.Dense(8, activation="relu"), mk.layers.Dense(2, activation="softmax")]
        net = mk.Sequential(layers, random_state=0)
        with mk.kernels.using(backend):
            net.fit(X, y, loss="categorical_cross_entropy", optimizer=optimizer, epochs=3)
        weights[backend] = net.params.copy()
    np.testing.assert_allclose(weights["numba"], weights["numpy"], rtol=1e-5, atol=1e-6)


def test_auto_loads_numba_once_the_reference_has_taken_long_enough(monkeypatch):
    """A short fit never pays numba's load (about 1.5 s); a long one switches to it."""
    monkeypatch.setattr(mk.kernels.jit, "LOAD_AFTER", 1e9)
    with mk.kernels.using("auto"):
        if mk.kernels.backend() == "numba":  # a kernel was loaded before: auto keeps it
            return
        mk.optim.Adam().step(np.ones(100), np.ones(100))
        assert mk.kernels.backend() == "numpy"
        monkeypatch.setattr(mk.kernels.jit, "LOAD_AFTER", 0.0)
        assert mk.kernels.backend() == "numba"


def test_auto_switches_after_a_count_of_work_not_of_seconds(monkeypatch):
    """The switch step depends on the entries the reference processed, never on the clock:
    the same script switches at the same step on a fast, a slow or a loaded machine."""
    jit = mk.kernels.jit
    monkeypatch.setattr(jit, "_compiled", {})  # as in a process that has loaded no kernel yet
    with mk.kernels.using("auto"):
        step = 1000 * jit.COST_NS["optimizer"] * 1e-9
        monkeypatch.setattr(jit, "LOAD_AFTER", jit.reference_seconds() + 2.5 * step)
        adam = mk.optim.Adam()
        for _ in range(2):
            adam.step(np.ones(1000), np.ones(1000))
            assert mk.kernels.backend() == "numpy"
        adam.step(np.ones(1000), np.ones(1000))
        assert mk.kernels.backend() == "numba"


def test_backend_switch_and_environment_variable(monkeypatch):
    with mk.kernels.using("numba"):
        assert mk.kernels.backend() == "numba"
    with mk.kernels.using("numpy"):
        assert mk.kernels.backend() == "numpy"
        assert mk.kernels.compiled(mk.optim.kernels.adam) is None
    with mk.kernels.using("numba"):
        assert mk.kernels.compiled(mk.optim.kernels.adam) is not None
    monkeypatch.setenv("MLPKIT_KERNELS", "numpy")
    assert mk.kernels.backend() == "numpy"
    monkeypatch.setenv("MLPKIT_KERNELS", "fortran")
    with pytest.raises(mk.exceptions.ConfigError, match="MLPKIT_KERNELS must be one of"):
        mk.kernels.backend()
    with pytest.raises(mk.exceptions.ConfigError, match="'auto', 'numba', 'numpy'"):
        mk.kernels.use("cuda")


def python(code: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True
    )


def test_import_mlpkit_does_not_import_numba():
    result = python("import sys, mlpkit; assert 'numba' not in sys.modules, 'numba imported'")
    assert result.returncode == 0, result.stderr


def test_a_broken_numba_falls_back_to_the_reference_with_a_warning(tmp_path):
    (tmp_path / "numba").mkdir()
    (tmp_path / "numba" / "__init__.py").write_text("raise ImportError('broken on purpose')\n")
    code = f"""
        import sys, warnings
        sys.path.insert(0, {str(tmp_path)!r})
        import numpy as np, mlpkit as mk, mlpkit.kernels
        params = np.ones(10)
        mk.kernels.use("numba")
        with warnings.catch_warnings(record=True) as seen:
            warnings.simplefilter("always")
            mk.optim.Adam(0.1).step(params, np.ones(10))
        assert any("numba could not be imported" in str(w.message) for w in seen), seen
        assert mk.kernels.backend() == "numpy"
        np.testing.assert_allclose(params, 0.9)
    """
    result = python(code)
    assert result.returncode == 0, result.stderr


def scaled(x, factor):
    return x * factor


def scaled_sum(x, factor):
    total = 0.0
    for i in range(x.shape[0]):
        total += scaled(x[i], factor)
    return total


def test_a_kernel_may_call_another_plain_kernel():
    """numba cannot call a plain Python function: jitted compiles the callees it names."""
    kernel = mk.kernels.jit.jitted(scaled_sum)
    assert kernel(np.arange(4.0), 3.0) == 18.0
    assert scaled_sum(np.arange(4.0), 3.0) == 18.0  # the Python original is untouched
    assert mk.kernels.jit.jitted(scaled_sum) is kernel  # one numba function a kernel


def test_a_kernel_is_cached_under_a_name_its_callees_source_changes():
    """numba's disk cache checks only the caller's file: the callees' source is in the name."""
    jit = mk.kernels.jit
    name = jit.jitted(scaled_sum).py_func.__qualname__
    assert name == f"scaled_sum_{jit._callee_stamp({'scaled': scaled})}"  # noqa: SLF001
    assert jit._callee_stamp({"scaled": scaled}) != jit._callee_stamp({"scaled": scaled_sum})  # noqa: SLF001
