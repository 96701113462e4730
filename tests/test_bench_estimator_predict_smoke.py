"""benchmarks/bench_estimator_predict.py runs end to end in its smoke mode, so it cannot rot."""

from scripts import load_script


def test_bench_estimator_predict_smoke_times_every_peer(capsys):
    bench = load_script("benchmarks/bench_estimator_predict.py")
    assert bench.main(["--smoke"]) == 0
    printed = capsys.readouterr().out
    for task in ("red wine (classifier)", "housing (regressor)"):
        lines = [line for line in printed.splitlines() if line.startswith(task)]
        assert len(lines) == 2, printed
        for line in lines:
            assert all(peer in line for peer in ("mlpkit array", "sklearn frame", "array "))
