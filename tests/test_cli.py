import numpy as np

from mlpkit.cli import main
from mlpkit.datasets import load_machine_failure


def test_shipped_machine_failure_data_drops_ids_and_leaking_failure_modes():
    X, y, names = load_machine_failure()
    assert X.shape == (10000, 8) and y.sum() == 339
    assert not {"UDI", "Product ID", "TWF", "HDF", "PWF", "OSF", "RNF"} & set(names)
    np.testing.assert_array_equal(X[:, -3:].sum(axis=1), 1)  # Type one-hot


def test_demo_trains_reports_and_writes_the_html_report_without_overwriting(
    capsys, tmp_path, monkeypatch
):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "mlpkit-demo-report.html").write_text("mine")
    assert main(["demo", "--epochs", "3"]) == 0
    out = capsys.readouterr().out
    assert (tmp_path / "mlpkit-demo-report.html").read_text() == "mine"
    written = tmp_path / "mlpkit-demo-report-2.html"
    assert written.exists() and f"Report: {written}" in out
    assert "Epoch 3/3" in out
    for line in ("Test accuracy:", "Precision of failure class:", "Recall of failure class:"):
        assert line in out
