import numpy as np

from mlpkit.cli import main
from mlpkit.datasets import load_machine_failure


def test_shipped_machine_failure_data_drops_ids_and_leaking_failure_modes():
    X, y, names = load_machine_failure()
    assert X.shape == (10000, 8) and y.sum() == 339
    assert not {"UDI", "Product ID", "TWF", "HDF", "PWF", "OSF", "RNF"} & set(names)
    np.testing.assert_array_equal(X[:, -3:].sum(axis=1), 1)  # Type one-hot


def test_demo_trains_and_reports_accuracy_precision_and_recall(capsys):
    assert main(["demo", "--epochs", "3"]) == 0
    out = capsys.readouterr().out
    assert "Epoch 3/3" in out
    for line in ("Test accuracy:", "Precision of failure class:", "Recall of failure class:"):
        assert line in out
