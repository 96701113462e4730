"""``mlpkit evaluate``, ``predict``, ``summary`` and ``report`` as subprocesses on the shipped
machine-failure data: outputs, exit codes, and the files they write or refuse to overwrite."""

import json

import pandas as pd
import pytest


def test_evaluate_finds_the_target_column_and_prints_the_metrics(cli, machines, estimator_file):
    # test.csv also holds "Product ID", which the model does not take: --target says which
    done = cli("evaluate", estimator_file, "test.csv", "--target", "failure", cwd=machines)
    assert done.returncode == 0, done.stderr
    assert "binary classification of 'failure', 500 rows" in done.stdout
    assert "confusion matrix" in done.stdout and "accuracy" in done.stdout
    assert "Traceback" not in done.stderr
    assert all(line.startswith("warning: ") for line in done.stderr.splitlines())


def test_evaluate_json_is_the_evaluation_report(quick, machines, estimator_file):
    done = quick(
        "evaluate", estimator_file, "test.csv", "--target", "failure", "--json", cwd=machines
    )
    found = json.loads(done.stdout)  # stdout holds the JSON document only
    assert found["task"] == "binary" and found["n_samples"] == 500
    assert found["labels"] == ["no", "yes"] and found["target"] == "failure"
    assert 0 <= found["metrics"]["accuracy"] <= 1


def test_evaluate_without_target_guesses_only_when_one_column_is_left(
    quick, machines, estimator_file, tmp_path
):
    ambiguous = quick("evaluate", estimator_file, machines / "test.csv", cwd=tmp_path)
    assert ambiguous.returncode == 2
    assert "['Product ID', 'failure']" in ambiguous.stderr and "--target" in ambiguous.stderr
    pd.read_csv(machines / "test.csv").drop(columns=["Product ID"]).to_csv(
        tmp_path / "labelled.csv", index=False
    )
    guessed = quick("evaluate", estimator_file, "labelled.csv", "--json", cwd=tmp_path)
    assert guessed.returncode == 0 and json.loads(guessed.stdout)["target"] == "failure"


def test_predict_writes_labels_probabilities_and_the_row_ids(
    cli, machines, estimator_file, tmp_path
):
    out = tmp_path / "predictions.csv"
    done = cli("predict", estimator_file, machines / "new.csv", "-o", out, "--id", "Product ID",
               cwd=tmp_path)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == str(out)
    written = pd.read_csv(out)
    assert list(written.columns) == ["Product ID", "prediction", "proba_no", "proba_yes"]
    new = pd.read_csv(machines / "new.csv")
    assert written["Product ID"].tolist() == new["Product ID"].tolist()
    assert set(written["prediction"]) <= {"yes", "no"}
    assert (written["proba_no"] + written["proba_yes"]).round(6).eq(1).all()


def test_predict_parquet_and_stdout_give_the_same_table(quick, machines, estimator_file, tmp_path):
    out = tmp_path / "predictions.parquet"
    assert (
        quick("predict", estimator_file, machines / "new.csv", "-o", out, cwd=tmp_path).returncode
        == 0
    )
    parquet = pd.read_parquet(out)
    assert parquet.columns[0] == "row" and parquet["row"].tolist() == list(range(500))
    shown = quick("predict", estimator_file, machines / "new.csv", "--json", cwd=tmp_path)
    records = json.loads(shown.stdout)
    assert len(records) == 500 and records[0]["prediction"] == parquet["prediction"][0]


def test_predict_never_overwrites_without_force(quick, machines, estimator_file, tmp_path):
    out = tmp_path / "p.csv"
    out.write_text("mine")
    refused = quick("predict", estimator_file, machines / "new.csv", "-o", out, cwd=tmp_path)
    assert refused.returncode == 2 and "--force" in refused.stderr
    assert out.read_text() == "mine"
    forced = quick("predict", estimator_file, machines / "new.csv", "-o", out, "--force",
                 cwd=tmp_path)  # fmt: skip
    assert forced.returncode == 0 and len(pd.read_csv(out)) == 500


@pytest.mark.parametrize(
    "args, code, message",
    [
        (["-o", "p.txt"], 2, "name it .csv or .parquet"),
        (["-o", "missing/p.csv"], 2, "does not exist"),
        (["--id", "nope"], 2, "no column 'nope'"),
        (["--threshold", "2"], 2, "between 0 and 1"),
    ],
)
def test_predict_bad_usage(quick, machines, estimator_file, tmp_path, args, code, message):
    done = quick("predict", estimator_file, machines / "new.csv", *args, cwd=tmp_path)
    assert done.returncode == code and message in done.stderr
    assert "Traceback" not in done.stderr and list(tmp_path.iterdir()) == []


def test_predict_on_a_table_without_the_models_columns_is_bad_data(
    quick, machines, estimator_file, tmp_path
):
    pd.read_csv(machines / "new.csv").drop(columns=["Torque [Nm]"]).to_csv(
        tmp_path / "short.csv", index=False
    )
    done = quick("predict", estimator_file, "short.csv", cwd=tmp_path)
    assert done.returncode == 65 and "lacks the column(s) ['Torque [Nm]']" in done.stderr
    assert "Traceback" not in done.stderr


def test_summary_describes_architecture_preprocessing_and_training(cli, machines, estimator_file):
    text = cli("summary", estimator_file, cwd=machines)
    assert text.returncode == 0
    for part in ("MLPClassifier, binary", "classes: no, yes", "Total parameters",
                 "preprocessing:", "Missing in 'Torque [Nm]'", "training: 5 epochs"):  # fmt: skip
        assert part in text.stdout
    found = json.loads(cli("summary", estimator_file, "--json", cwd=machines).stdout)
    assert found["class"] == "MLPClassifier" and found["classes"] == ["no", "yes"]
    assert "Product ID" not in found["columns"] and found["training"]["epochs"] == 5
    assert found["parameters"]["hidden_layer_sizes"] == [16]


def test_report_refuses_to_overwrite_without_force(cli, quick, machines, estimator_file, tmp_path):
    args = ["report", estimator_file, machines / "test.csv", "--target", "failure"]
    first = cli(*args, "--json", cwd=tmp_path)
    assert first.returncode == 0
    written = tmp_path / "report.html"
    assert json.loads(first.stdout) == {"report": str(written)}
    again = quick(*args, cwd=tmp_path)
    assert again.returncode == 2 and "exists; pass --force" in again.stderr
    assert quick(*args, "--force", cwd=tmp_path).returncode == 0


def test_a_data_file_that_is_not_a_table_is_bad_data(quick, estimator_file, tmp_path):
    (tmp_path / "binary.csv").write_bytes(bytes(range(256)) * 4)
    done = quick("evaluate", estimator_file, "binary.csv", "--target", "x", cwd=tmp_path)
    assert done.returncode == 65 and "cannot be read as a table" in done.stderr
    assert "Traceback" not in done.stderr
