"""benchmarks/bench_doctor.py runs end to end on a few rows, so it cannot rot (no timing is
asserted: the machines are shared)."""

from scripts import load_script


def test_bench_doctor_prints_on_and_off(capsys):
    bench = load_script("benchmarks/bench_doctor.py")
    ratios = bench.main(["--rows", "2000", "--repeats", "1"])
    assert set(ratios) == {"on (every 10th step)", "on (every step)"}
    assert all(ratio > 0 for ratio in ratios.values())
    printed = capsys.readouterr().out
    assert "its hooks took" in printed and printed.count("best epoch") == 3
