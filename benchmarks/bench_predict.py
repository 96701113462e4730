#!/usr/bin/env python
"""Prediction benchmark: mlpkit's ``predict`` against PyTorch eager (``torch.inference_mode``)
and onnxruntime, on the same weights, for the architectures of the three workloads
(/work/shared/bench/WORKLOADS.md: small 32-128-128-2, mnist 784-256-128-10, wide
256-1024-1024-10; ReLU hidden layers, softmax output).

Per workload and batch size (default 1, 64 and 4096 rows) every peer is timed in interleaved
rounds (the peers' order rotates each round): a round times a loop of calls calibrated to take
about ``--seconds``, and reports the time per call. The table gives the median over rounds and
the range (min–max); single rows as latency (µs per call), batches as throughput (rows/s).

The PyTorch module is ``mk.export.to_torch(net)``; the ONNX model is written from the same
arrays (MatMul, Add, Relu, Softmax) and run by onnxruntime with ``--threads`` intra-op threads,
as PyTorch and OpenBLAS. The outputs are checked to agree before timing.

Run as ``env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python benchmarks/bench_predict.py``.
Flags: --workloads small,mnist,wide  --rows 1,64,4096  --rounds 7  --seconds 0.2
       --peers mlpkit,torch,onnxruntime  --threads 2  --json PATH  --smoke
``mlpkit_frozen`` is ``mk.freeze(net)``: a snapshot of the weights, packed once for the
register-tile GEMM (mlpkit.kernels.gemm), as onnxruntime's session packs them when it starts.
``--peers`` may add ``mlpkit_layers``: mlpkit with the one-call Dense stack turned off
(``inference.Predictor(net, stack=False)``), the layer-by-layer path timed in the same rounds.
``--smoke`` (run by tests/inference/test_bench_predict_smoke.py): rows 1 and 8, two short
rounds; its figures mean nothing.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import statistics
import sys
import time

import numpy as np

ARCHITECTURES = {"small": (32, (128, 128), 2), "mnist": (784, (256, 128), 10)}
ARCHITECTURES["wide"] = (256, (1024, 1024), 10)
PEERS = ("mlpkit", "mlpkit_frozen", "torch", "onnxruntime")


def network(workload: str):
    """An mlpkit network of the workload's architecture (seeded weights, biases made nonzero)."""
    import mlpkit as mk

    n_in, hidden, classes = ARCHITECTURES[workload]
    layers = [mk.layers.Dense(h, activation="relu") for h in hidden]
    net = mk.Sequential(layers + [mk.layers.Dense(classes, activation="softmax")], random_state=0)
    net.build(n_in)
    net.params[...] += np.random.default_rng(1).normal(0, 0.01, net.params.size)
    return net


def torch_peer(net, threads: int):
    """PyTorch eager on the same weights: module(x) under torch.inference_mode."""
    import torch

    import mlpkit as mk

    torch.set_num_threads(threads)
    module = mk.export.to_torch(net)

    def predict(X):
        with torch.inference_mode():
            return module(torch.from_numpy(X)).numpy()

    return predict


def onnx_peer(net, threads: int):
    """onnxruntime on an ONNX graph of the same arrays: a = relu(x·W + b) …, softmax(z)."""
    import onnx
    import onnxruntime as ort
    from onnx import TensorProto, helper, numpy_helper

    nodes, weights, x = [], [], "x"
    dense = [layer for layer in net.layers]
    for i, layer in enumerate(dense):
        weights += [
            numpy_helper.from_array(layer.W, f"W{i}"),
            numpy_helper.from_array(layer.b, f"b{i}"),
        ]
        nodes += [helper.make_node("MatMul", [x, f"W{i}"], [f"m{i}"])]
        nodes += [helper.make_node("Add", [f"m{i}", f"b{i}"], [f"z{i}"])]
        last = i == len(dense) - 1
        op = helper.make_node("Softmax", [f"z{i}"], ["y"], axis=1) if last else None
        nodes += [op or helper.make_node("Relu", [f"z{i}"], [f"a{i}"])]
        x = f"a{i}"
    graph = helper.make_graph(
        nodes,
        "mlp",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [None, net.n_features])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [None, net.n_outputs])],
        weights,
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    # no busy-waiting threads after a call: they would take the cores from the other peers
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    session = ort.InferenceSession(
        onnx.serialize_model(model)
        if hasattr(onnx, "serialize_model")
        else model.SerializeToString(),
        options,
        providers=["CPUExecutionProvider"],
    )
    return lambda X: session.run(None, {"x": X})[0]


def layer_by_layer(net):
    """mlpkit's predict without the one-call Dense stack (mlpkit.dense_stack): a copy of the
    network whose predictor runs the layer-by-layer path for every call (the before of that
    path, timed in the same rounds)."""
    import copy

    from mlpkit import inference

    twin = copy.deepcopy(net)
    twin.predictor = inference.Predictor(twin, stack=False)
    return twin.predict


def mk_freeze(net):
    """``mk.freeze(net)``; imported here so that importing this script does not import mlpkit."""
    import mlpkit as mk

    return mk.freeze(net)


def peers(net, names, threads: int) -> dict:
    """The predict function of each peer that is installed."""
    made = {}
    for name in names:
        try:
            if name == "mlpkit":
                made[name] = net.predict
            elif name == "mlpkit_layers":
                made[name] = layer_by_layer(net)
            elif name == "mlpkit_frozen":
                made[name] = mk_freeze(net).predict
            elif name == "torch":
                made[name] = torch_peer(net, threads)
            elif name == "onnxruntime":
                made[name] = onnx_peer(net, threads)
        except ImportError as error:
            print(f"skipped   {name}: {error}")
    return made


def calibrate(predict, X, seconds: float) -> int:
    """Calls per timed loop so that one loop lasts about ``seconds``."""
    predict(X)
    start, calls = time.perf_counter(), 0
    while time.perf_counter() - start < seconds / 4 and calls < 100_000:
        predict(X)
        calls += 1
    per_call = (time.perf_counter() - start) / calls
    return max(1, int(seconds / per_call))


def time_rounds(functions: dict, X, rounds: int, seconds: float) -> dict[str, list[float]]:
    """Seconds per call of each function, one figure per round; the order rotates each round."""
    loops = {name: calibrate(f, X, seconds) for name, f in functions.items()}
    times = {name: [] for name in functions}
    names = list(functions)
    for r in range(rounds):
        for name in names[r % len(names) :] + names[: r % len(names)]:
            f, n = functions[name], loops[name]
            start = time.perf_counter()
            for _ in range(n):
                f(X)
            times[name].append((time.perf_counter() - start) / n)
    return times


def median_cells(times: dict[str, list[float]], unit: str = "µs") -> tuple[dict, str]:
    """``(median seconds per call of each, "name 12 µs (11–14); ...")`` from
    :func:`time_rounds`' figures; ``unit`` "µs" or "ms"."""
    scale = {"µs": 1e6, "ms": 1e3}[unit]
    digits = 0 if unit == "µs" else 1
    medians = {k: statistics.median(v) for k, v in times.items()}
    cells = "; ".join(
        f"{k} {m * scale:,.{digits}f} {unit} ({min(times[k]) * scale:,.{digits}f}–"
        f"{max(times[k]) * scale:,.{digits}f})"
        for k, m in medians.items()
    )
    return medians, cells


def print_machine() -> None:
    """Print the date, the machine and the versions (:func:`machine`) as a run's header."""
    info = machine()
    print(f"date      {info['date']}\nmachine   {info['host']}, {info['cpu_count']} CPUs")
    print("versions  " + ", ".join(f"{k} {v}" for k, v in info["versions"].items()))


def check_agreement(functions: dict, X) -> dict[str, float]:
    """The largest difference of each peer's output from mlpkit's."""
    reference = functions["mlpkit"](X) if "mlpkit" in functions else None
    if reference is None:
        return {}
    return {name: float(np.abs(f(X) - reference).max()) for name, f in functions.items()}


def machine() -> dict:
    """Where the figures come from: host, CPUs, load, versions, BLAS."""
    import mlpkit as mk

    info = {
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "host": platform.node(),
        "platform": platform.platform(),
        "cpu_count": os.cpu_count(),
        "load": os.getloadavg(),
        "versions": {
            "python": platform.python_version(),
            "numpy": np.__version__,
            "mlpkit": mk.__version__,
        },
        "blas": [],
    }
    for module in ("torch", "onnxruntime"):
        try:
            info["versions"][module] = __import__(module).__version__
        except ImportError:
            pass
    try:
        from threadpoolctl import threadpool_info

        info["blas"] = [
            f"{d.get('internal_api')} {d.get('version')} ({d.get('num_threads')} threads, "
            f"{d.get('architecture')})"
            for d in threadpool_info()
        ]
    except ImportError:
        pass
    return info


def report(results: dict) -> None:
    """The table: median (min–max) per peer; latency for one row, throughput otherwise."""
    for workload, by_rows in results.items():
        for rows, row in by_rows.items():
            unit = "µs/call" if rows == 1 else "rows/s"
            cells = []
            for name, times in row["times"].items():
                values = [t * 1e6 for t in times] if rows == 1 else [rows / t for t in times]
                low, high = min(values), max(values)
                cells.append(f"{name} {statistics.median(values):,.1f} ({low:,.1f}–{high:,.1f})")
            print(f"{workload:6s} {rows:5d} rows [{unit}]: " + "; ".join(cells))
            diff = ", ".join(
                f"{k} {v:.1e}" for k, v in row["max_abs_diff"].items() if k != "mlpkit"
            )
            print(f"{'':6s} {'':5s}      max |output − mlpkit|: {diff or '-'}")


def parse(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workloads", default="small,mnist,wide")
    parser.add_argument("--rows", default="1,64,4096")
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--seconds", type=float, default=0.2)
    parser.add_argument("--peers", default=",".join(PEERS))
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--json")
    parser.add_argument("--smoke", action="store_true")
    args = parser.parse_args(argv)
    if args.smoke:
        args.rows, args.rounds, args.seconds = "1,8", 2, 0.002
    return args


def main(argv=None) -> int:
    args = parse(argv)
    info = machine()
    print(
        f"date      {info['date']}\nmachine   {info['host']}, {info['cpu_count']} CPUs, load {info['load']}"
    )
    print(f"platform  {info['platform']}")
    print("versions  " + ", ".join(f"{k} {v}" for k, v in info["versions"].items()))
    for line in info["blas"]:
        print(f"BLAS      {line}")
    results = {}
    for workload in args.workloads.split(","):
        net = network(workload)
        functions = peers(net, args.peers.split(","), args.threads)
        results[workload] = {}
        for rows in [int(r) for r in args.rows.split(",")]:
            X = np.random.default_rng(rows).normal(size=(rows, net.n_features)).astype(np.float32)
            results[workload][rows] = {
                "max_abs_diff": check_agreement(functions, X),
                "times": time_rounds(functions, X, args.rounds, args.seconds),
            }
    report(results)
    if args.json:
        with open(args.json, "w") as file:
            json.dump({"machine": info, "results": results}, file, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
