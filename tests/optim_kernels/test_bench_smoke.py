"""benchmarks/bench_peers.py runs end to end in its CI-safe smoke mode, so it cannot rot."""

import json

from scripts import load_script


def load_bench():
    return load_script("benchmarks/bench_peers.py")


def test_bench_peers_smoke_run_prints_the_tables_and_writes_json(tmp_path, capsys):
    bench = load_bench()
    out = tmp_path / "peers.json"
    libs = "mlpkit,mlpkit_numpy,sklearn"
    assert bench.main(["--smoke", "--libs", libs, "--json", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "Samples/second, median epoch" in printed and "mlpkit (NumPy kernels)" in printed
    results = json.loads(out.read_text())["results"]
    assert set(results) == {"small", "mnist", "wide"}
    for workload in results.values():
        assert workload["rows"] == 2 * workload["batch"]
        for lib in libs.split(","):
            assert workload["libs"][lib]["samples_per_s"] > 0, workload["libs"][lib]
