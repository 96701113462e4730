"""A training epoch gathers each batch; it never copies the whole data set (tracemalloc), and
benchmarks/bench_memory.py runs in its smoke mode."""

import json
import tracemalloc

import numpy as np
from scripts import load_script

import mlpkit as mk


def traced_peak(function) -> int:
    """The largest traced allocation total while ``function`` runs, in bytes."""
    tracemalloc.start()
    try:
        function()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_epochs_allocate_far_less_than_the_data():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((20_000, 50), dtype=np.float32)  # 4 MB
    y = rng.integers(0, 3, size=20_000)
    layers = [mk.layers.Dense(32, activation="relu"), mk.layers.Dense(3, activation="softmax")]
    net = mk.Sequential(layers, random_state=0)
    with mk.kernels.using("numpy"):  # a numba compile mid-fit would be traced too
        net.fit(X, y, loss="categorical_cross_entropy", epochs=1, batch_size=64)
        one = traced_peak(lambda: net.fit(X, y, epochs=1, batch_size=64))
        four = traced_peak(lambda: net.fit(X, y, epochs=4, batch_size=64))
    assert one < X.nbytes / 2, one
    assert four < X.nbytes / 2 and four < 1.5 * one, (one, four)


def test_bench_memory_smoke_reports_both_libraries(tmp_path, capsys):
    bench = load_script("benchmarks/bench_memory.py")
    out = tmp_path / "memory.json"
    assert bench.main(["--smoke", "--workloads", "small", "--json", str(out)]) == 0
    assert "epoch's own" in capsys.readouterr().out
    runs = json.loads(out.read_text())["small"]
    for lib in ("mlpkit", "torch"):
        (run,) = runs[lib]
        assert run["peak_kib"] >= run["baseline_kib"] > 0
