"""Overhead of the doctor's per-layer statistics (mk.diagnostics.LayerStatistics) on the
"small" workload of WORKLOADS.md: 100,000 rows × 32 features, 128-128 ReLU, 2 classes, Adam,
batch 128.

Three setups train the same network, epochs interleaved (one warm-up epoch each, then the best
of ``--repeats``): no statistics (off: the callback is simply absent), LayerStatistics with its
defaults (update/weight ratio every 10th step, a 256-row probe pass per epoch) and with the
ratio on every step. Prints each best epoch, the ratio on ÷ off (wall clock: on the shared
2-core machines it moves by ±15% with the other processes) and the time spent inside the
callback's own hooks as a share of the rest of the epoch (the steadier measure). Run as:

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python benchmarks/bench_doctor.py
"""

from __future__ import annotations

import argparse
import time

import numpy as np

import mlpkit as mk


class Timed(mk.diagnostics.LayerStatistics):
    """LayerStatistics that also adds up the time spent in its own hooks (``spent``): its
    cost measured from inside, less sensitive to the other processes than the epoch time."""

    spent = 0.0

    def _timed(self, hook, *args):
        start = time.perf_counter()
        hook(*args)
        self.spent += time.perf_counter() - start

    def on_train_begin(self, logs=None):
        self._timed(super().on_train_begin, logs)

    def on_batch_begin(self, batch, logs=None):
        self._timed(super().on_batch_begin, batch, logs)

    def on_batch_end(self, batch, logs=None):
        self._timed(super().on_batch_end, batch, logs)

    def on_epoch_end(self, epoch, logs=None):
        self._timed(super().on_epoch_end, epoch, logs)


def network() -> mk.Sequential:
    return mk.Sequential(
        [
            mk.layers.Dense(128, activation="relu"),
            mk.layers.Dense(128, activation="relu"),
            mk.layers.Dense(2, activation="softmax"),
        ],
        random_state=0,
    )


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--rows", type=int, default=100_000)
    args = parser.parse_args(argv)
    rng = np.random.default_rng(0)
    X = rng.standard_normal((args.rows, 32), dtype=np.float32)
    y = rng.integers(0, 2, args.rows)
    probe = X[:256]
    setups = {
        "off": [],
        "on (every 10th step)": [Timed(probe)],
        "on (every step)": [Timed(probe, update_every=1)],
    }
    nets = {name: network() for name in setups}
    best, inside = {}, {}
    for round_ in range(args.repeats + 1):  # round 0 warms up
        for name, callbacks in setups.items():
            for callback in callbacks:
                callback.spent = 0.0
            start = time.perf_counter()
            nets[name].fit(
                X, y, loss="categorical_cross_entropy", batch_size=128, epochs=1,
                callbacks=callbacks,
            )  # fmt: skip
            seconds = time.perf_counter() - start
            if round_ and seconds < best.get(name, np.inf):
                best[name] = seconds
                inside[name] = sum(callback.spent for callback in callbacks)
    for name, seconds in best.items():
        rate = args.rows / seconds / 1e3
        print(f"{name:22s} best epoch {seconds * 1e3:7.1f} ms  ({rate:.0f}k samples/s)")
    ratios = {name: best[name] / best["off"] for name in best if name != "off"}
    for name, ratio in ratios.items():
        own = inside[name] / (best[name] - inside[name])
        print(
            f"{name}: {ratio:.3f}x the time off ({ratio - 1:+.1%}, wall clock); its hooks "
            f"took {inside[name] * 1e3:.1f} ms = {own:+.1%} of the rest of the epoch (target < 5%)"
        )
    return ratios


if __name__ == "__main__":
    main()
