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


def test_demo_is_train_on_the_shipped_run_file_and_rewrites_only_its_folder(
    capsys, tmp_path, monkeypatch
):
    monkeypatch.chdir(tmp_path)
    for run in (1, 2):  # the second run replaces the first's files, keeps its ledger run
        assert main(["demo", "--epochs", "3", "--seed", "1"]) == 0
        captured = capsys.readouterr()
        assert [p.name for p in tmp_path.iterdir()] == ["mlpkit-demo"]  # nothing else written
        folder = tmp_path / "mlpkit-demo"
        results = folder / "results"
        assert sorted(p.name for p in results.iterdir()) == [
            "model.mlpk",
            "report.html",
            "test-predictions.csv",
        ]
        assert (results / "report.html").read_text().startswith("<!DOCTYPE html>")
        for line in ("held-out (2,000 rows, binary): accuracy", "baseline:    always predicting 0"):
            assert line in captured.out
        assert f"model:       {results / 'model.mlpk'}" in captured.out
        assert "mlpkit train mlpkit-demo/run.toml --force" in captured.err
        assert len(mk.runs(str(folder / "runs.sqlite"))) == run
    # the demo's run file is the shipped one, and training it again gives the same model
    assert "[model]" in (folder / "run.toml").read_text()
    shown = pd.read_csv(results / "test-predictions.csv")
    args = ["train", str(folder / "run.toml"), "--force", "--set", "model.max_iter=3"]
    assert main(args + ["--set", "data.random_state=1", "--set", "model.random_state=1"]) == 0
    pd.testing.assert_frame_equal(pd.read_csv(results / "test-predictions.csv"), shown)


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
