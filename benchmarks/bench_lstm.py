#!/usr/bin/env python
"""LSTM and GRU training throughput: mlpkit against PyTorch eager, same shapes, one process.

Each workload is Reshape((T, F)) → LSTM(units) or GRU(units) → Dense(1) (torch: ``nn.LSTM`` /
``nn.GRU``) on float32 standard-normal sequences
(seeded), MSE loss, plain SGD (lr 0.01), batches in a fixed order (no shuffling); an epoch is
``STEPS`` batches. A training step is forward + backward (BPTT) + the SGD update; the input
gradient of the first layer is computed by neither library (torch: the input needs no grad;
mlpkit: the first layer's ``needs_input_grad`` is False, Reshape's here, the recurrent layer still
computes dL/dx through its one input GEMM). Every library gets one warm-up epoch, then
``--repeats`` timed epochs interleaved round-robin; the best epoch is reported as sequences/s.
mlpkit runs twice: with the default kernel backend (``MLPKIT_KERNELS``, else ``"auto"``) and
with ``mk.kernels.using("numba")`` (the compiled LSTM/GRU step loops from the first step).

Threads are matched: ``torch.set_num_threads(k)`` and NumPy's BLAS limited to k threads
(threadpoolctl), k = ``--threads`` (default 1: on the shared 2-core machines a second BLAS
thread costs more than it brings on (64, 4·64) products).

Run it as (the two OpenBLAS variables set on the project machines slow current NumPy down)::

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python benchmarks/bench_lstm.py

Flags: --repeats 5  --threads 1  --steps 20
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import torch
from threadpoolctl import threadpool_limits
from torch import nn

import mlpkit as mk
from mlpkit.layers.recurrent import GRU, LSTM

WORKLOADS = {  # name -> (cell, batch, time steps, features, units)
    "LSTM T50-F8-H64": ("LSTM", 64, 50, 8, 64),
    "LSTM T20-F8-H128": ("LSTM", 64, 20, 8, 128),
    "GRU T50-F8-H64": ("GRU", 64, 50, 8, 64),
}
CELLS = {"LSTM": (LSTM, nn.LSTM), "GRU": (GRU, nn.GRU)}  # name -> (mlpkit, torch)
LR = 0.01


def make_data(batch, T, F, steps, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((batch * steps, T * F), dtype=np.float32)
    y = X.reshape(-1, T, F)[:, :, 0].mean(axis=1, keepdims=True)  # any target: speed only
    return X, y.astype(np.float32)


def setup_mlpkit(cell, batch, T, F, units, X, y):
    net = mk.Sequential(
        [mk.layers.Reshape((T, F)), CELLS[cell][0](units), mk.layers.Dense(1)],
        random_state=0,
    ).build(T * F)
    optimizer = mk.optim.SGD(learning_rate=LR)

    def epoch():
        net.fit(X, y, loss="mse", optimizer=optimizer, batch_size=batch, shuffle=False, verbose=0)

    return epoch


class TorchRecurrent(nn.Module):
    def __init__(self, cell, T, F, units) -> None:
        super().__init__()
        self.T, self.F = T, F
        self.cell = CELLS[cell][1](F, units, batch_first=True)
        self.head = nn.Linear(units, 1)

    def forward(self, x):
        states, _ = self.cell(x.reshape(len(x), self.T, self.F))
        return self.head(states[:, -1])


def setup_torch(cell, batch, T, F, units, X, y):
    torch.manual_seed(0)
    model = TorchRecurrent(cell, T, F, units)
    optimizer = torch.optim.SGD(model.parameters(), lr=LR)
    loss_fn = nn.MSELoss()
    Xt, yt = torch.from_numpy(X), torch.from_numpy(y)

    def epoch():
        for start in range(0, len(Xt), batch):
            optimizer.zero_grad(set_to_none=True)
            loss = loss_fn(model(Xt[start : start + batch]), yt[start : start + batch])
            loss.backward()
            optimizer.step()

    return epoch


def run(name, repeats, steps):
    cell, batch, T, F, units = WORKLOADS[name]
    X, y = make_data(batch, T, F, steps)
    epochs = {"mlpkit": setup_mlpkit(cell, batch, T, F, units, X, y)}
    numba_epoch = setup_mlpkit(cell, batch, T, F, units, X, y)

    def numba_backend():
        with mk.kernels.using("numba"):
            numba_epoch()

    epochs["mlpkit numba"] = numba_backend
    epochs["PyTorch eager"] = setup_torch(cell, batch, T, F, units, X, y)
    best = {lib: np.inf for lib in epochs}
    for epoch in epochs.values():
        epoch()  # warm-up
    for _ in range(repeats):
        for lib, epoch in epochs.items():
            start = time.perf_counter()
            epoch()
            best[lib] = min(best[lib], time.perf_counter() - start)
    return {lib: len(X) / seconds for lib, seconds in best.items()}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--steps", type=int, default=20, help="batches per epoch")
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)
    print(
        f"Recurrent training throughput (sequences/s, best of {args.repeats} epochs of "
        f"{args.steps} SGD steps), float32, {args.threads} thread(s) each; "
        f"numpy {np.__version__}, torch {torch.__version__}"
    )
    header = (
        f"{'workload (batch 64)':<22}{'mlpkit':>10}{'numba':>10}{'PyTorch eager':>16}"
        f"{'mlpkit/torch':>14}{'numba/torch':>13}"
    )
    print(header)
    print("-" * len(header))
    with threadpool_limits(limits=args.threads, user_api="blas"):
        for name in WORKLOADS:
            rates = run(name, args.repeats, args.steps)
            ours, fused = rates["mlpkit"], rates["mlpkit numba"]
            theirs = rates["PyTorch eager"]
            print(
                f"{name:<22}{ours:>10,.0f}{fused:>10,.0f}{theirs:>16,.0f}"
                f"{ours / theirs:>13.2f}x{fused / theirs:>12.2f}x"
            )


if __name__ == "__main__":
    main()
