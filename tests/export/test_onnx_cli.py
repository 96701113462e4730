"""``mlpkit export onnx MODEL OUT``, through a parser built with the command's ``register``
(as ``mlpkit.cli`` builds its own)."""

import json

import numpy as np
import pytest
from onnx_helpers import run_onnx, wine

import mlpkit as mk
from mlpkit.cli import export
from mlpkit.cli.conventions import Parser, run


def mlpkit(*argv) -> int:
    parser = Parser(prog="mlpkit")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    export.register(commands)
    try:
        args = parser.parse_args([str(arg) for arg in argv])
        return run(args.handler, args, args.command_parser)
    except SystemExit as stop:
        return stop.code


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    X, y = wine(150)
    clf = mk.MLPClassifier(hidden_layer_sizes=(6,), random_state=0, max_iter=10)
    clf.set_params(preprocessor="auto").fit(X, y)
    return clf.save(tmp_path_factory.mktemp("models") / "wine.mlpk"), X, clf


def test_a_saved_model_becomes_an_onnx_file_and_the_check_is_printed(saved, tmp_path, capsys):
    path, X, clf = saved
    out = tmp_path / "wine.onnx"
    assert mlpkit("export", "onnx", path, out, "--dtype", "float32") == 0
    printed = capsys.readouterr().out
    assert "MLPClassifier as ONNX (opset 18, float32)" in printed
    assert "max |difference|" in printed and "outputs probabilities, label" in printed
    served = run_onnx(out, X.astype(np.float32).astype(np.float64))
    rows = X.astype(np.float32).astype(np.float64)
    np.testing.assert_allclose(served["probabilities"], clf.predict_proba(rows), atol=1e-5)


def test_json_and_force(saved, tmp_path, capsys):
    path, _, _ = saved
    out = tmp_path / "wine.onnx"
    out.write_bytes(b"keep me")
    assert mlpkit("export", "onnx", path, out) == 2
    assert "exists; pass --force" in capsys.readouterr().err
    assert out.read_bytes() == b"keep me"
    assert mlpkit("export", "onnx", path, out, "--force", "--json") == 0
    document = json.loads(capsys.readouterr().out)
    assert document["dtype"] == "float64" and document["max_abs_difference"] <= 1e-9
    assert document["inputs"] == ["X"]


def test_no_model_file_and_a_folder_as_out_are_bad_usage(saved, tmp_path, capsys):
    path, _, _ = saved
    assert mlpkit("export", "onnx", tmp_path / "none.mlpk", tmp_path / "m.onnx") == 2
    assert "no model file" in capsys.readouterr().err
    assert mlpkit("export", "onnx", path, tmp_path) == 2
    assert "it is a folder" in capsys.readouterr().err


def test_a_model_that_cannot_be_exported_fails_and_writes_nothing(tmp_path, capsys):
    X = np.random.default_rng(0).normal(size=(30, 2))
    net = mk.Sequential(
        [mk.layers.Dense(1)], random_state=0, preprocessor=mk.data.Preprocessor(missing="previous")
    )
    net.fit(X, X[:, 0], loss="mse", epochs=1)
    model = net.save(tmp_path / "forward.mlpk")
    assert mlpkit("export", "onnx", model, tmp_path / "m.onnx") == 1
    err = capsys.readouterr().err
    assert "mlpkit export onnx: error:" in err and "was not exported" in err and "'previous'" in err
    assert not (tmp_path / "m.onnx").exists()


def test_help_shows_an_example(capsys):
    assert mlpkit("export", "onnx", "--help") == 0
    assert "mlpkit export onnx results/model.mlpk model.onnx" in capsys.readouterr().out
