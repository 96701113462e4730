"""Overhead of the callback machinery on the "small" workload (WORKLOADS.md).

Trains the same network with no callbacks and with a full set (EarlyStopping with every rule and
restore_best_weights, ReduceLROnPlateau, CSVLogger, TerminateOnNaN — which has a batch hook — and
ProgressLogger(verbose=0)), interleaving epochs, and prints the best epoch of each and the
overhead in percent. Run as:

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python benchmarks/bench_callbacks.py
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np

import mlpkit as mk


def full_set(folder: Path) -> list:
    rules = [
        mk.callbacks.NoImprovement("val_loss", patience=1000),
        mk.callbacks.GeneralizationGap(margin=1e9),
        mk.callbacks.GradientNorm(max_norm=1e9),
        mk.callbacks.NonFiniteLoss(),
        mk.callbacks.MaxEpochs(10_000),
        mk.callbacks.TimeBudget(1e9),
        mk.callbacks.GeneralizationLoss(1e9),
        mk.callbacks.ProgressQuotient(1e9),
    ]
    return [
        mk.callbacks.EarlyStopping(rules=rules, restore_best_weights=True),
        mk.callbacks.ReduceLROnPlateau(patience=1000),
        mk.callbacks.TerminateOnNaN(),
        mk.callbacks.CSVLogger(folder / "log.csv", overwrite=True),  # the same file each repeat
        mk.callbacks.ProgressLogger(verbose=0),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    X = rng.standard_normal((100_000, 32), dtype=np.float32)
    y = rng.integers(0, 2, 100_000)
    X_val, y_val = X[:5000], y[:5000]

    def network():
        return mk.Sequential(
            [
                mk.layers.Dense(128, activation="relu"),
                mk.layers.Dense(128, activation="relu"),
                mk.layers.Dense(2, activation="softmax"),
            ],
            random_state=0,
        )

    with tempfile.TemporaryDirectory() as folder:
        setups = {"no callbacks": (network(), []), "full set": (network(), full_set(Path(folder)))}
        best = {}
        for name, (net, callbacks) in setups.items():  # warm-up epoch
            net.fit(
                X,
                y,
                loss="categorical_cross_entropy",
                batch_size=128,
                epochs=1,
                validation_data=(X_val, y_val),
                callbacks=callbacks,
            )
        for _ in range(args.repeats):
            for name, (net, callbacks) in setups.items():
                start = time.perf_counter()
                net.fit(
                    X,
                    y,
                    batch_size=128,
                    epochs=1,
                    validation_data=(X_val, y_val),
                    callbacks=callbacks,
                )
                best[name] = min(best.get(name, np.inf), time.perf_counter() - start)
    for name, seconds in best.items():
        print(
            f"{name:13s} best epoch {seconds * 1e3:7.1f} ms  ({100_000 / seconds / 1e3:.0f}k samples/s)"
        )
    overhead = best["full set"] / best["no callbacks"] - 1
    print(f"callback overhead: {overhead:+.1%} (target < 5%)")


if __name__ == "__main__":
    main()
