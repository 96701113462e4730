"""Through ``Sequential.fit`` (trainer, loss, optimizer included) no batch after the first
allocates anything batch-sized; the first builds the workspaces."""

import tracemalloc

import numpy as np
import pytest

import mlpkit as mk
from mlpkit.callbacks import Callback

N_SAMPLES, WIDTH = 512, 256  # one batch array: 512 KiB in float32
BOUND = 64 * 1024


class BatchPeaks(Callback):
    """The peak of new traced memory within each batch, in bytes."""

    def __init__(self) -> None:
        super().__init__()
        self.peaks: list[int] = []

    def on_batch_begin(self, batch, logs=None):
        tracemalloc.reset_peak()
        self.before = tracemalloc.get_traced_memory()[0]

    def on_batch_end(self, batch, logs=None):
        self.peaks.append(tracemalloc.get_traced_memory()[1] - self.before)


@pytest.mark.parametrize("backend", ["numpy", "numba"])
@pytest.mark.parametrize("activation", ["relu", "gelu"])
def test_fit_batches_after_the_first_allocate_nothing_batch_sized(activation, backend):
    if backend == "numba":
        pytest.importorskip("numba")
    rng = np.random.default_rng(0)
    X = rng.normal(size=(N_SAMPLES * 4, WIDTH)).astype(np.float32)
    y = rng.integers(0, 10, len(X))
    net = mk.Sequential(
        [mk.layers.Dense(WIDTH, activation=activation), mk.layers.Dense(10, activation="softmax")],
        random_state=0,
    )
    peaks = BatchPeaks()
    tracemalloc.start()
    try:
        with mk.kernels.using(backend):
            net.fit(
                X,
                y,
                loss="categorical_cross_entropy",
                optimizer="adam",
                epochs=2,
                batch_size=N_SAMPLES,
                verbose=0,
                callbacks=[peaks],
            )
    finally:
        tracemalloc.stop()
    assert len(peaks.peaks) == 8
    assert max(peaks.peaks[1:]) < BOUND, [round(p / 1024, 1) for p in peaks.peaks]
