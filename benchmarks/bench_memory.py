#!/usr/bin/env python
"""Memory benchmark: the peak resident set size (RSS) of one training epoch, mlpkit against
PyTorch eager, on the three workloads of /work/shared/bench/WORKLOADS.md (float32 features,
int64 labels, ReLU hidden layers, softmax + categorical cross-entropy, Adam, reshuffled
mini-batches).

Each (workload, library) runs in a fresh subprocess (``--child``), so no library's arenas or
caches carry over. The child imports the library, makes the data and the model, and records
its current RSS (the baseline: interpreter, libraries, data X of rows · features · 4 bytes,
model); then it trains one epoch and reads the peak RSS, ``resource.getrusage(...).ru_maxrss``.
Reported: the peak, and the epoch's own part, peak − baseline. Runs of the libraries alternate
(``--repeats`` rounds); the table gives medians and ranges.

Run as ``env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python benchmarks/bench_memory.py``.
Flags: --workloads small,mnist,wide  --libs mlpkit,torch  --repeats 3  --json PATH  --smoke
(``--smoke``: two batches per workload, one round).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys

WORKLOADS = {
    #          rows,   features, hidden,       classes, batch
    "small": (100_000, 32, (128, 128), 2, 128),
    "mnist": (60_000, 784, (256, 128), 10, 64),
    "wide": (30_000, 256, (1024, 1024), 10, 512),
}


def current_rss_kib() -> int:
    """The resident set size now, in KiB (from /proc/self/statm)."""
    with open("/proc/self/statm") as file:
        pages = int(file.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") // 1024


def peak_rss_kib() -> int:
    """The peak resident set size of this process so far, in KiB (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def data(workload: str, smoke: bool):
    import numpy as np

    rows, features, hidden, classes, batch = WORKLOADS[workload]
    rows = 2 * batch if smoke else rows
    rng = np.random.default_rng(0)
    X = rng.standard_normal((rows, features), dtype=np.float32)
    return X, rng.integers(0, classes, size=rows, dtype=np.int64)


def mlpkit_epoch(workload: str, X, y):
    """One epoch of mlpkit's fit; returns the callable after the model is built."""
    import mlpkit as mk

    _, features, hidden, classes, batch = WORKLOADS[workload]
    layers = [mk.layers.Dense(h, activation="relu") for h in hidden]
    net = mk.Sequential(layers + [mk.layers.Dense(classes, activation="softmax")], random_state=0)
    net.build(features)
    optimizer = mk.optim.Adam(learning_rate=1e-3)
    return lambda: net.fit(
        X, y, loss="categorical_cross_entropy", optimizer=optimizer, batch_size=batch, epochs=1
    )


def torch_epoch(workload: str, X, y):
    """One epoch of the PyTorch eager loop of bench_peers (randperm, per-batch gather, Adam)."""
    import torch
    from torch import nn

    _, features, hidden, classes, batch = WORKLOADS[workload]
    torch.set_num_threads(os.cpu_count())
    torch.manual_seed(0)
    sizes = [features, *hidden, classes]
    modules = []
    for a, b in zip(sizes[:-1], sizes[1:]):
        modules += [nn.Linear(a, b), nn.ReLU()]
    model = nn.Sequential(*modules[:-1])
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = nn.CrossEntropyLoss()
    Xt, yt = torch.from_numpy(X), torch.from_numpy(y)  # shares memory, no copy

    def epoch():
        perm = torch.randperm(Xt.shape[0])
        for i in range(0, Xt.shape[0], batch):
            idx = perm[i : i + batch]
            optimizer.zero_grad(set_to_none=True)
            loss_fn(model(Xt[idx]), yt[idx]).backward()
            optimizer.step()

    return epoch


def child(workload: str, lib: str, smoke: bool) -> dict:
    """Run in the subprocess: the baseline and peak RSS of one epoch, in KiB."""
    X, y = data(workload, smoke)
    epoch = {"mlpkit": mlpkit_epoch, "torch": torch_epoch}[lib](workload, X, y)
    baseline = current_rss_kib()
    epoch()
    peak = peak_rss_kib()
    return {"baseline_kib": baseline, "peak_kib": peak, "data_kib": (X.nbytes + y.nbytes) // 1024}


def measure(workload: str, lib: str, smoke: bool) -> dict:
    command = [sys.executable, __file__, "--child", workload, lib] + (["--smoke"] * smoke)
    done = subprocess.run(command, capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def summary(runs: list[dict]) -> str:
    peaks = [r["peak_kib"] / 1024 for r in runs]
    own = [(r["peak_kib"] - r["baseline_kib"]) / 1024 for r in runs]
    return (
        f"peak {statistics.median(peaks):.0f} MiB ({min(peaks):.0f}–{max(peaks):.0f}), "
        f"epoch's own {statistics.median(own):.1f} MiB ({min(own):.1f}–{max(own):.1f})"
    )


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workloads", default="small,mnist,wide")
    parser.add_argument("--libs", default="mlpkit,torch")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--json")
    parser.add_argument("--smoke", action="store_true")
    parser.add_argument("--child", nargs=2, metavar=("WORKLOAD", "LIB"))
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(child(*args.child, args.smoke)))
        return 0
    print(f"machine   {platform.node()}, {os.cpu_count()} CPUs, load {os.getloadavg()}")
    print(f"platform  {platform.platform()}, python {platform.python_version()}")
    results = {}
    for workload in args.workloads.split(","):
        runs = {lib: [] for lib in args.libs.split(",")}
        for _ in range(1 if args.smoke else args.repeats):
            for lib in runs:
                runs[lib].append(measure(workload, lib, args.smoke))
        results[workload] = runs
        data_mib = runs[next(iter(runs))][0]["data_kib"] / 1024
        print(f"{workload} (data {data_mib:.1f} MiB):")
        for lib, lib_runs in runs.items():
            print(f"  {lib:7s} {summary(lib_runs)}")
    if args.json:
        with open(args.json, "w") as file:
            json.dump(results, file, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
