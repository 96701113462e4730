"""benchmarks/bench_doctor.py runs end to end on a few rows, so it cannot rot (no timing is
asserted: the machines are shared)."""

import importlib.util
from pathlib import Path

BENCH = Path(__file__).resolve().parents[2] / "benchmarks" / "bench_doctor.py"


def test_bench_doctor_prints_on_and_off(capsys):
    spec = importlib.util.spec_from_file_location("bench_doctor", BENCH)
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    ratios = bench.main(["--rows", "2000", "--repeats", "1"])
    assert set(ratios) == {"on (every 10th step)", "on (every step)"}
    assert all(ratio > 0 for ratio in ratios.values())
    printed = capsys.readouterr().out
    assert "its hooks took" in printed and printed.count("best epoch") == 3
