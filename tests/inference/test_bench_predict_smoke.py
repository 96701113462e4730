"""benchmarks/bench_predict.py runs end to end in its smoke mode, so it cannot rot."""

import json

from scripts import load_script


def load_bench():
    return load_script("benchmarks/bench_predict.py")


def test_bench_predict_smoke_prints_every_workload_and_agrees(tmp_path, capsys):
    bench = load_bench()
    out = tmp_path / "predict.json"
    assert bench.main(["--smoke", "--peers", "mlpkit,torch", "--json", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "µs/call" in printed and "rows/s" in printed and "BLAS" in printed
    results = json.loads(out.read_text())["results"]
    assert set(results) == {"small", "mnist", "wide"}
    for by_rows in results.values():
        assert set(by_rows) == {"1", "8"}
        for row in by_rows.values():
            assert all(len(times) == 2 and min(times) > 0 for times in row["times"].values())
            assert all(diff < 1e-5 for diff in row["max_abs_diff"].values()), row
