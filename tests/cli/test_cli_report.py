import numpy as np
import pandas as pd
import pytest

import mlpkit as mk
from mlpkit.cli import main
from mlpkit.datasets import load_machine_failure


def test_shipped_machine_failure_data_drops_ids_and_leaking_failure_modes():
    X, y, names = load_machine_failure()
    assert X.shape == (10000, 8) and y.sum() == 339
    assert not {"UDI", "Product ID", "TWF", "HDF", "PWF", "OSF", "RNF"} & set(names)
    np.testing.assert_array_equal(X[:, -3:].sum(axis=1), 1)  # Type one-hot


def test_demo_trains_and_rewrites_its_one_report_file(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "mlpkit-demo-report.html").write_text("an older run")
    assert main(["demo", "--epochs", "3"]) == 0
    out = capsys.readouterr().out
    written = tmp_path / "mlpkit-demo-report.html"
    assert [p.name for p in tmp_path.iterdir()] == [written.name]  # nothing else left behind
    assert written.read_text().startswith("<!DOCTYPE html>")
    assert f"Report: {written} (rewritten on each run)" in out
    assert "Epoch 3/3" in out
    for line in ("Test accuracy:", "Precision of failure class:", "Recall of failure class:"):
        assert line in out


# -- mlpkit report: exit codes and one-line messages -----------------------------------------------


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    """A network without a preprocessor, an estimator with one, and tables for both."""
    folder = tmp_path_factory.mktemp("cli")
    rng = np.random.default_rng(0)
    X = rng.normal(size=(80, 2))
    label = np.where(X[:, 0] > 0, "yes", "no")
    net = mk.Sequential([mk.layers.Dense(1, activation="sigmoid")], random_state=0)
    net.fit(X, label, loss="binary_cross_entropy", epochs=2)
    frame = pd.DataFrame({"a": X[:, 0], "b": X[:, 1]})
    estimator = mk.MLPClassifier(preprocessor="auto", max_iter=3, random_state=0)
    estimator.fit(frame.assign(b=np.where(X[:, 1] > 0, "up", "down")), label)
    paths = {
        "net": net.save(folder / "net.mlpk"),
        "estimator": estimator.save(folder / "estimator.mlpk"),
        "numbers": folder / "numbers.csv",
        "text": folder / "text.csv",
        "unknown": folder / "unknown.csv",
        "gap": folder / "gap.csv",
        "binary": folder / "binary.csv",
    }
    frame.assign(label=label).to_csv(paths["numbers"], index=False)
    text = frame.assign(b=np.where(X[:, 1] > 0, "up", "?"), label=label)
    text.to_csv(paths["text"], index=False)
    frame.assign(label=np.where(X[:, 0] > 0, "yes", "maybe")).to_csv(paths["unknown"], index=False)
    frame.assign(label=np.where(X[:, 0] > 1, None, label)).to_csv(paths["gap"], index=False)
    paths["binary"].write_bytes(bytes(range(256)) * 4)
    return {name: str(path) for name, path in paths.items()}


@pytest.mark.parametrize(
    "model, data, extra, code, message",
    [
        ("net", "numbers", [], 0, ""),
        ("estimator", "text", [], 0, ""),  # "?" and text read raw: the model prepares them
        ("net", "text", [], 65, "must be numeric"),
        ("net", "unknown", [], 65, "labels ['maybe'] the model does not know"),
        ("net", "gap", [], 65, "missing value"),
        ("net", "binary", [], 65, "cannot be read"),
        ("net", "numbers", ["--target", "nope"], 2, "no column 'nope'"),
        ("numbers", "numbers", [], 2, "is not a model file"),
        ("net", "numbers", ["--out", "missing/report.html"], 2, "does not exist"),
    ],
)
def test_report_exit_codes_and_messages(files, tmp_path, capsys, model, data, extra, code, message):
    args = ["report", files[model], files[data], "--target", "label"]
    args += ["--out", str(tmp_path / "report.html"), *extra]
    try:
        returned = main(args)
    except SystemExit as stop:  # argparse's usage errors
        returned = stop.code
    err = capsys.readouterr().err
    assert returned == code and message in err and "Traceback" not in err
    assert (tmp_path / "report.html").exists() == (code == 0)
    if code:
        assert err.count("error:") == 1


def test_report_prints_warnings_as_lines_not_tracebacks(files, tmp_path, capsys):
    out = tmp_path / "r.html"
    assert (
        main(["report", files["net"], files["numbers"], "--target", "label", "--out", str(out)])
        == 0
    )
    err = capsys.readouterr().err
    assert all(line.startswith("warning: ") for line in err.splitlines())


def test_report_prints_the_absolute_path_of_the_default_out_file(
    files, tmp_path, monkeypatch, capsys
):
    monkeypatch.chdir(tmp_path)
    assert main(["report", files["net"], files["numbers"], "--target", "label"]) == 0
    printed = capsys.readouterr().out.strip()
    assert printed == str((tmp_path / "report.html").resolve())
