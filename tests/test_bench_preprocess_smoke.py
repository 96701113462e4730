"""benchmarks/bench_preprocess.py runs end to end in its smoke mode, so it cannot rot."""

from scripts import load_script


def test_bench_preprocess_smoke_times_both_peers(capsys):
    bench = load_script("benchmarks/bench_preprocess.py")
    assert bench.main(["--smoke"]) == 0
    lines = [line for line in capsys.readouterr().out.splitlines() if "california" in line]
    assert len(lines) == 1
    for peer in ("mlpkit fit", "sklearn fit", "mlpkit transform", "sklearn transform", "÷"):
        assert peer in lines[0]
