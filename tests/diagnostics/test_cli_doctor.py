"""``mlpkit doctor`` and ``mlpkit explain`` on a saved model and a CSV: parsed by a parser made
here with cli/diagnostics.register (until cli/__init__.py registers the module)."""

import contextlib
import io
import json

import numpy as np
import pandas as pd
import pytest

import mlpkit as mk
from mlpkit.cli import diagnostics
from mlpkit.cli.conventions import Parser, run


def mlpkit(*argv):
    """(exit code, stdout, stderr) of the command line ``argv``."""
    parser = Parser(prog="mlpkit")
    diagnostics.register(parser.add_subparsers(dest="command", required=True))
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            args = parser.parse_args([str(a) for a in argv])
            code = run(args.handler, args, args.command_parser)
        except SystemExit as stop:
            code = stop.code
    return code, out.getvalue(), err.getvalue()


def on_dead(files, name, *options):
    """``mlpkit <name> dead.mlpk data.csv --target label *options``."""
    return mlpkit(name, files / "dead.mlpk", files / "data.csv", "--target", "label", *options)


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("doctor")
    rng = np.random.default_rng(0)
    X = rng.normal(size=(200, 3))
    y = (X[:, 0] + X[:, 1] > 0).astype(int)
    table = pd.DataFrame({"a": X[:, 0], "b": X[:, 1], "c": X[:, 2], "label": y})
    table.to_csv(folder / "data.csv", index=False)
    dead = mk.Sequential(
        [
            mk.layers.Dense(8, activation="relu", bias_initializer=mk.initializers.Constant(-10.0)),
            mk.layers.Dense(1, activation="sigmoid"),
        ],
        random_state=0,
    )
    dead.fit(X, y, loss="binary_cross_entropy", epochs=1)
    dead.save(folder / "dead.mlpk")
    return folder


def test_doctor_prints_the_verdicts_and_writes_html(files):
    html = files / "doctor.html"
    code, out, err = on_dead(
        files,
        "doctor",
        "--epochs",
        "3",
        "--html",
        html,
    )
    assert code == 0, err
    assert out.startswith("Training doctor: FAIL")
    assert "FAIL  dying_relu: 88% of the units of layer 0:Dense are never active" in out
    assert '<td class="status-fail">FAIL</td>' in html.read_text()


def test_doctor_json_and_strict(files):
    code, out, _ = on_dead(
        files,
        "doctor",
        "--epochs",
        "2",
        "--json",
        "--strict",
    )
    assert code == 1
    found = json.loads(out)
    assert found["status"] == "fail" and found["target"] == "label"
    dying = next(v for v in found["verdicts"] if v["rule"] == "dying_relu")
    assert dying["numbers"]["share"] == 7 / 8


def test_doctor_refuses_an_html_file_that_exists(files):
    (files / "old.html").write_text("keep")
    code, _, err = on_dead(
        files,
        "doctor",
        "--html",
        files / "old.html",
    )
    assert code == 2 and "--force" in err and (files / "old.html").read_text() == "keep"


def test_explain_prints_one_step_of_the_first_rows(files):
    code, out, err = on_dead(
        files,
        "explain",
        "--rows",
        "2",
        "--optimizer",
        "sgd",
        "--learning-rate",
        "0.5",
    )
    assert code == 0, err
    assert out.startswith("One training step on 2 row(s): loss binary_cross_entropy")
    assert "θ ← θ − η·g   (η = 0.5)" in out
    code, out, _ = on_dead(files, "explain", "--json")
    found = json.loads(out)
    assert found["max_check_error"] < 1e-6
    assert np.asarray(found["layers"][0]["z"]["value"]).shape == (2, 8)


def test_explain_writes_markdown_and_html_files(files):
    out_file = files / "step.md"
    code, out, _ = on_dead(
        files,
        "explain",
        "--format",
        "markdown",
        "--out",
        out_file,
    )
    assert code == 0 and out.strip() == str(out_file)
    assert out_file.read_text().startswith("# One training step on 2 row(s)")


def test_bad_usage_and_bad_data_exit_2_and_65(files):
    code, _, err = on_dead(files, "explain", "--loss", "msee")
    assert code == 2 and "Unknown loss 'msee'" in err
    code, _, err = mlpkit("doctor", files / "nothing.mlpk", files / "data.csv")
    assert code == 2 and "no model file" in err
    code, _, err = on_dead(files, "explain", "--rows", "0")
    assert code == 2 and "--rows must be at least 1" in err
    (files / "short.csv").write_text("a,b,label\n1,2,0\n")
    code, _, err = mlpkit("doctor", files / "dead.mlpk", files / "short.csv", "--target", "label")
    assert code == 65 and "takes 3 features" in err
