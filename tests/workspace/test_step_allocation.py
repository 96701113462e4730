"""A training step allocates nothing batch-sized after warm-up, for every layer and activation.

tracemalloc sees NumPy's array allocations. One batch array here is 512 × 256 float32 = 512 KiB
(a boolean mask of it 128 KiB); a step may allocate only small constants (NumPy's 32 KiB ufunc
buffer for a broadcast bias, per-column and per-row vectors), so the bound is 64 KiB.
"""

import tracemalloc

import numpy as np
import pytest

import mlpkit as mk
from mlpkit.layers import ACTIVATIONS

N_SAMPLES, WIDTH = 512, 256
BOUND = 64 * 1024
L = mk.layers

HIDDEN = [name for name in ACTIVATIONS if name != "softmax"]
CASES = {
    **{f"dense-{name}": lambda name=name: [L.Dense(WIDTH, activation=name)] for name in HIDDEN},
    **{
        f"layer-{name}": lambda name=name: [L.Dense(WIDTH), L.activations.get(name)]
        for name in HIDDEN
    },
    "gelu-tanh": lambda: [L.Dense(WIDTH, activation=L.GELU(approximate="tanh"))],
    "dense-no-bias": lambda: [L.Dense(WIDTH, use_bias=False, activation="relu")],
    "dropout": lambda: [L.Dense(WIDTH, activation="relu"), L.Dropout(0.3)],
    "batchnorm": lambda: [L.Dense(WIDTH), L.BatchNorm(), L.ReLU()],
    "residual": lambda: [
        L.Dense(WIDTH),
        L.Residual([L.Dense(WIDTH, activation="relu"), L.Dense(WIDTH)]),
    ],
    "residual-projection": lambda: [
        L.Dense(WIDTH),
        L.Residual([L.Dense(WIDTH // 2), L.Dense(WIDTH * 2)]),
    ],
}
OUTPUTS = {
    "mse": (WIDTH, "linear"),
    "mae": (WIDTH, "linear"),
    "huber": (WIDTH, "linear"),
    "binary_cross_entropy": (WIDTH, "sigmoid"),
    "categorical_cross_entropy": (WIDTH, "softmax"),
}


def targets(loss, rng, k):
    if loss == "categorical_cross_entropy":
        return np.eye(k, dtype=np.float32)[rng.integers(0, k, N_SAMPLES)]
    if loss == "binary_cross_entropy":
        return (rng.random((N_SAMPLES, k)) < 0.5).astype(np.float32)
    return rng.normal(size=(N_SAMPLES, k)).astype(np.float32)


def step_allocation(hidden, loss_name, output_activation="linear", output_units=4):
    """Bytes allocated at the peak of one forward + loss + backward, after 3 warm-up steps."""
    rng = np.random.default_rng(0)
    layers = [*hidden, L.Dense(output_units, activation=output_activation)]
    net = mk.Sequential(layers, random_state=0).build(WIDTH)
    loss = mk.losses.get(loss_name)
    X, y = (
        rng.normal(size=(N_SAMPLES, WIDTH)).astype(np.float32),
        targets(loss_name, rng, output_units),
    )
    logits = loss.logits_activation is not None

    def step():
        out = net.forward(X, training=True, logits=logits)
        _, grad = loss.value_and_grad(out, y)
        net.backward(grad, logits=logits)

    for _ in range(3):
        step()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        step()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    return peak - before


@pytest.mark.parametrize("case", list(CASES))
def test_training_step_allocates_nothing_batch_sized_for_every_layer(case):
    assert step_allocation(CASES[case](), "mse") < BOUND


@pytest.mark.parametrize("loss_name", list(OUTPUTS))
def test_training_step_allocates_nothing_batch_sized_for_every_loss(loss_name):
    units, activation = OUTPUTS[loss_name]
    hidden = [L.Dense(WIDTH, activation="relu")]
    assert step_allocation(hidden, loss_name, activation, units) < BOUND


def test_softmax_output_backward_allocates_nothing_batch_sized_under_mse():
    assert step_allocation([L.Dense(WIDTH, activation="relu")], "mse", "softmax", WIDTH) < BOUND


def test_the_measure_sees_a_batch_sized_temporary():
    """The bound is meaningful: a step that makes one float32 batch array fails it."""

    class Wasteful(L.ReLU):
        def _df(self, dy, dz):
            np.multiply(dy, (self._a > 0).astype(dy.dtype), out=dz)

    assert step_allocation([L.Dense(WIDTH), Wasteful()], "mse") > BOUND
