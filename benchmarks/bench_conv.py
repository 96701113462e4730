#!/usr/bin/env python
"""Convolution training throughput: mlpkit against PyTorch eager, same shapes, one process.

Follows the method of /work/shared/bench/WORKLOADS.md where it applies: float32 standard-normal
inputs (seeded), integer labels, softmax output with categorical cross-entropy, reshuffled
mini-batches, one warm-up epoch, then ``--repeats`` timed epochs interleaved between the two
libraries, best epoch reported as samples/second. The optimizer is plain SGD (lr 0.01), so the
step is forward + backward + one update. torch runs with ``torch.set_num_threads`` equal to
NumPy's BLAS threads (threadpoolctl).

Workloads (channels-first, valid convolutions unless said):
    mnist-conv  batch 64, 1×28×28 → Conv2D(16, 3, relu) → MaxPool2D(2) → Conv2D(32, 3, relu)
                → Flatten → Dense(10)                                          (6,400 rows)
    digits      batch 32, 1×8×8 → Conv2D(16, 3, pad 1, relu) → MaxPool2D(2) → Conv2D(32, 3,
                pad 1, relu) → MaxPool2D(2) → Flatten → Dense(10)               (1,797 rows)

The network computes dL/dx only below its first layer with parameters, so the first
convolution (after a Reshape) skips its input gradient, as torch does.

Run it as::

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python benchmarks/bench_conv.py [--repeats 3]
"""

from __future__ import annotations

import argparse
import time

import numpy as np

import mlpkit as mk
from mlpkit.layers.conv import Conv2D
from mlpkit.layers.pooling import MaxPool2D
from mlpkit.layers.shaping import Flatten, Reshape

LR = 0.01
WORKLOADS = {  # name -> (rows, batch, image side, [(filters, padding, pool after)])
    "mnist-conv": (6_400, 64, 28, [(16, 0, True), (32, 0, False)]),
    "digits": (1_797, 32, 8, [(16, 1, True), (32, 1, True)]),
}


def blas_threads() -> int:
    from threadpoolctl import threadpool_info

    counts = [d["num_threads"] for d in threadpool_info() if d["user_api"] == "blas"]
    return max(counts) if counts else 1


def make_data(name, seed=0):
    rows, _, side, _ = WORKLOADS[name]
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((rows, side * side), dtype=np.float32)
    return X, rng.integers(0, 10, size=rows)


def mlpkit_layers(name):
    _, _, side, convs = WORKLOADS[name]
    layers = [Reshape((1, side, side))]
    for filters, padding, pool in convs:
        layers.append(Conv2D(filters, 3, padding=padding, activation="relu"))
        if pool:
            layers.append(MaxPool2D(2))
    return layers + [Flatten(), mk.layers.Dense(10, activation="softmax")]


def setup_mlpkit(name, X, y):
    batch = WORKLOADS[name][1]
    net = mk.Sequential(mlpkit_layers(name), random_state=0).build(X.shape[1])
    optimizer = mk.optim.SGD(learning_rate=LR)

    def epoch():  # a later fit carries on from the weights and optimizer state
        net.fit(
            X,
            y,
            loss="categorical_cross_entropy",
            optimizer=optimizer,
            batch_size=batch,
            epochs=1,
            verbose=0,
        )

    return epoch


def setup_torch(name, X, y, threads):
    import torch
    from torch import nn

    torch.set_num_threads(threads)
    torch.manual_seed(0)
    _, batch, side, convs = WORKLOADS[name]
    modules, channels, size = [nn.Unflatten(1, (1, side, side))], 1, side
    for filters, padding, pool in convs:
        modules += [nn.Conv2d(channels, filters, 3, padding=padding), nn.ReLU()]
        channels, size = filters, size + 2 * padding - 2
        if pool:
            modules.append(nn.MaxPool2d(2))
            size //= 2
    model = nn.Sequential(*modules, nn.Flatten(), nn.Linear(channels * size * size, 10))
    optimizer = torch.optim.SGD(model.parameters(), lr=LR)
    loss_fn = nn.CrossEntropyLoss()
    X_t, y_t = torch.from_numpy(X), torch.from_numpy(y)
    generator = torch.Generator().manual_seed(0)

    def epoch():
        order = torch.randperm(len(X_t), generator=generator)
        for start in range(0, len(X_t), batch):
            rows = order[start : start + batch]
            optimizer.zero_grad(set_to_none=True)
            loss_fn(model(X_t[rows]), y_t[rows]).backward()
            optimizer.step()

    return epoch


def run(names, repeats):
    threads = blas_threads()
    print(f"NumPy BLAS threads {threads}; torch.set_num_threads({threads}); float32; SGD lr {LR}")
    print(f"{'workload':<12} {'library':<18} {'samples/s':>10} {'ratio to torch':>15}")
    for name in names:
        X, y = make_data(name)
        epochs = {
            "PyTorch eager": setup_torch(name, X, y, threads),
            "mlpkit": setup_mlpkit(name, X, y),
        }
        best = dict.fromkeys(epochs, np.inf)
        for epoch in epochs.values():
            epoch()  # warm-up
        for _ in range(repeats):
            for label, epoch in epochs.items():
                start = time.perf_counter()
                epoch()
                best[label] = min(best[label], time.perf_counter() - start)
        rate = {label: len(X) / seconds for label, seconds in best.items()}
        for label in epochs:
            ratio = rate[label] / rate["PyTorch eager"]
            print(f"{name:<12} {label:<18} {rate[label]:>10,.0f} {ratio:>15.2f}")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workloads", default=",".join(WORKLOADS))
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)
    run(args.workloads.split(","), args.repeats)


if __name__ == "__main__":
    main()
