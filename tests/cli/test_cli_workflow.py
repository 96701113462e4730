"""``init-config → check → train → predict → evaluate`` (and ``search``) without writing Python,
on a CSV with a text target and missing values; bad configurations exit 2 (one line per
problem), bad data 65; outputs are never replaced without --force."""

import contextlib
import json
import re
import tomllib

import pandas as pd
import pytest

import mlpkit as mk

QUICK = ["--set", "model.max_iter=5", "--set", "model.hidden_layer_sizes=[16]"]


@pytest.fixture(scope="module")
def trained(cli, machines, tmp_path_factory):
    """A folder where a newcomer ran init-config, then train (with a ledger and the held-out
    rows' predictions), as subprocesses."""
    folder = tmp_path_factory.mktemp("newcomer")
    for name in ("train.csv", "test.csv", "new.csv"):
        (folder / name).write_bytes((machines / name).read_bytes())
    started = cli("init-config", "--data", "train.csv", "--target", "failure", "-o", "run.toml",
                  cwd=folder)  # fmt: skip
    assert started.returncode == 0, started.stderr
    done = cli("train", "run.toml", *QUICK, "--set", "ledger.url=runs.sqlite",
               "--set", "output.predictions=held-out.csv", "--set", 'data.row_id="Product ID"',
               "--json", cwd=folder)  # fmt: skip
    assert done.returncode == 0, done.stderr
    return folder, json.loads(done.stdout), done


def test_init_config_writes_a_starter_that_checks(cli, machines, trained):
    folder, _, _ = trained
    config = tomllib.loads((folder / "run.toml").read_text())
    assert config["data"]["target"] == "failure" and config["data"]["drop"] == ["Product ID"]
    assert config["model"]["kind"] == "classifier" and config["model"]["preprocessor"] == "auto"
    checked = cli("check", "run.toml", "--set", "model.alpha=0.01", cwd=folder)
    assert checked.returncode == 0, checked.stderr
    assert re.search(r'^target = "failure" +# run\.toml:\d+$', checked.stdout, re.M)
    assert re.search(r"^alpha = 0\.01 +# --set$", checked.stdout, re.M)
    assert re.search(r"^cv = 5 +# (default|run\.toml:\d+)$", checked.stdout, re.M)


def test_train_prints_where_everything_went(trained):
    folder, result, done = trained
    results = folder / "results"
    assert result["model"] == str(results / "model.mlpk") and result["task"] == "binary"
    assert result["report"] == str(results / "report.html")
    assert result["rows"] == {"train": 1600, "test": 400} and result["epochs"] == 5
    assert set(result["metrics"]) >= {"accuracy", "f1", "auc"}
    assert result["ledger"] == str(folder / "runs.sqlite") and result["run_id"].startswith("fit-")
    assert "Epoch" not in done.stdout  # no progress where stdout is not a terminal
    assert (results / "report.html").read_text().startswith("<!DOCTYPE html>")
    held_out = pd.read_csv(result["predictions"])
    assert list(held_out.columns) == ["Product ID", "prediction", "proba_no", "proba_yes"]
    assert len(held_out) == 400
    run = next(iter(mk.runs(folder / "runs.sqlite")))
    assert run["run_id"] == result["run_id"] and run["score"] == result["metrics"]["accuracy"]
    assert run["config"]["run"]["data"]["target"] == "failure"


def test_the_trained_model_predicts_and_evaluates_new_files(cli, quick, trained):
    folder, result, _ = trained
    model = result["model"]
    predicted = cli("predict", model, "new.csv", "-o", "predictions.csv", "--id", "Product ID",
                    cwd=folder)  # fmt: skip
    assert predicted.returncode == 0, predicted.stderr
    table = pd.read_csv(folder / "predictions.csv")
    assert table["Product ID"].tolist() == pd.read_csv(folder / "new.csv")["Product ID"].tolist()
    assert set(table["prediction"]) <= {"yes", "no"}
    scored = cli("evaluate", model, "test.csv", "--target", "failure", "--json", cwd=folder)
    assert scored.returncode == 0 and json.loads(scored.stdout)["n_samples"] == 500
    summary = quick("summary", model, cwd=folder)
    assert "MLPClassifier, binary" in summary.stdout and "training: 5 epochs" in summary.stdout


def test_the_saved_model_writes_back_the_configuration_it_was_trained_with(quick, trained):
    folder, result, _ = trained
    from mlpkit.config import config_of

    checked = quick("check", "run.toml", *QUICK, "--json", cwd=folder)
    model = config_of(mk.load(result["model"]))
    configured = json.loads(checked.stdout)["values"]["model"]
    assert {k: model[k] for k in ("hidden_layer_sizes", "max_iter", "alpha")} == {
        k: configured[k] for k in ("hidden_layer_sizes", "max_iter", "alpha")
    }


def test_train_never_overwrites_without_force(quick, trained):
    folder, result, _ = trained
    before = (folder / "results" / "model.mlpk").stat().st_mtime_ns
    refused = quick("train", "run.toml", *QUICK, cwd=folder)
    assert refused.returncode == 2 and "exists; pass --force" in refused.stderr
    assert (folder / "results" / "model.mlpk").stat().st_mtime_ns == before
    assert "reading" not in refused.stderr  # refused before the data was read
    forced = quick("train", "run.toml", *QUICK, "--force", "--quiet", cwd=folder)
    assert forced.returncode == 0 and forced.stderr == ""
    assert forced.stdout.splitlines()[2].startswith("baseline:    always predicting")
    assert forced.stdout.splitlines()[3].startswith("model:")


# -- bad configurations: exit 2, one line per problem, before any data is read ----------------
BAD = [
    ("model.optimiser=adam", "model.optimiser: unknown key; did you mean 'optimizer'?"),
    ("model.alpha=-1", "model.alpha = -1"),
    ("model.hidden_layer_sizes=[0]", "model.hidden_layer_sizes"),
    ("model.activation=relux", "model.activation"),
    ("model.solver=newton", "model.solver"),
    ("model.max_iter=0", "model.max_iter"),
    ("model.kind=clasifier", "model.kind"),
    ("model.dropout=1.5", "model.dropout"),
    ("model.learning_rate_init=fast", "model.learning_rate_init"),
    ("modle.alpha=1", "modle"),
    ("data.test_size=1.5", "data.test_size"),
    ("data.header=maybe", "data.header"),
    ("data.target=[1, 2]", "data.target"),
    ("data.stratfy=true", "data.stratfy"),
    ("evaluation.threshold=0", "evaluation.threshold"),
    ("evaluation.metrics=['acuracy']", "evaluation.metrics"),
    ("search.strategy=annealing", "search.strategy"),
    ("search.cv=1", "search.cv"),
    ("search.scoring=roc", "search.scoring"),
    ("search.workers=0", "search.workers"),
    ("ledger.url=ftp://host/runs", "ledger.url"),
    ("output.force=sometimes", "output.force"),
]


@pytest.mark.parametrize("override, message", BAD, ids=[b[0] for b in BAD])
def test_a_bad_configuration_exits_2_with_one_line(quick, trained, override, message):
    folder, _, _ = trained
    for command in ("check", "train"):
        done = quick(command, "run.toml", "--set", override, cwd=folder)
        assert done.returncode == 2, done.stdout + done.stderr
        lines = done.stderr.splitlines()
        assert lines == [f"mlpkit {command}: error: --set {override}: {lines[0].split(': ', 3)[3]}"]
        assert message in lines[0] and "Traceback" not in done.stderr


def test_problems_in_the_file_name_its_lines(quick, tmp_path):
    (tmp_path / "d.csv").write_text("x,y\n1,2\n")
    (tmp_path / "run.toml").write_text(
        '[data]\npath = "d.csv"\ntarget = "y"\n\n[model]\nalpha = -1\noptimiser = "adam"\n'
    )
    done = quick("check", "run.toml", cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr.splitlines() == [
        line
        for line in done.stderr.splitlines()
        if line.startswith("mlpkit check: error: run.toml:")
    ]
    assert len(done.stderr.splitlines()) == 2 and "run.toml:6: model.alpha = -1" in done.stderr


def test_a_configuration_file_that_is_not_there_or_not_toml(quick, tmp_path):
    missing = quick("train", "nope.toml", cwd=tmp_path)
    assert missing.returncode == 2 and "nope.toml: no such file" in missing.stderr
    (tmp_path / "broken.toml").write_text("[data\npath = 1\n")
    broken = quick("check", "broken.toml", cwd=tmp_path)
    assert broken.returncode == 2 and "TOML syntax error" in broken.stderr


# -- bad data: exit 65 --------------------------------------------------------------------------
def test_bad_data_exits_65_naming_the_file(cli, quick, machines, tmp_path):
    frame = pd.read_csv(machines / "train.csv")
    frame.loc[7, "failure"] = None
    frame.to_csv(tmp_path / "gaps.csv", index=False)
    config = (
        '[data]\npath = "{}"\ntarget = "failure"\ndrop = ["Product ID"]\n[model]\nmax_iter = 2\n'
    )
    (tmp_path / "gaps.toml").write_text(config.format("gaps.csv"))
    gaps = cli("train", "gaps.toml", cwd=tmp_path)
    assert gaps.returncode == 65 and "gaps.csv" in gaps.stderr and "Traceback" not in gaps.stderr
    assert "target is missing" in gaps.stderr
    (tmp_path / "absent.toml").write_text(config.format("absent.csv"))
    absent = quick("train", "absent.toml", cwd=tmp_path)  # a path the file gives: its problem
    assert absent.returncode == 2 and "absent.toml:2: data.path" in absent.stderr
    (tmp_path / "binary.csv").write_bytes(bytes(range(256)) * 8)
    (tmp_path / "binary.toml").write_text(config.format("binary.csv"))
    assert quick("train", "binary.toml", cwd=tmp_path).returncode == 65


# -- search ---------------------------------------------------------------------------------------
def test_search_prints_the_report_and_resumes_from_its_ledger(cli, quick, trained):
    folder, _, _ = trained
    text = (
        (folder / "run.toml")
        .read_text()
        .replace("[search.space]\n", "[search.space]\nalpha = {log_uniform = [1e-6, 1e-2]}\n")
    )
    (folder / "search.toml").write_text(text)
    args = ["search.toml", "--trials", "3", "--set", "search.cv=2", *QUICK]
    args += ["--set", "ledger.url=search.sqlite"]
    no_ledger = quick("search", "search.toml", "--resume", cwd=folder)
    assert no_ledger.returncode == 2 and "set [ledger] url" in no_ledger.stderr
    not_yet = quick("search", *args, "--resume", cwd=folder)
    assert not_yet.returncode == 2 and "no ledger at" in not_yet.stderr
    first = cli("search", *args, cwd=folder)
    assert first.returncode == 0, first.stderr
    assert first.stdout.startswith("Search ") and "selection-corrected" in first.stdout
    again = quick("search", *args, "--resume", "--json", "-o", "best.mlpk", cwd=folder)
    found = json.loads(again.stdout)
    assert found["resumed"] and found["n_trials"]["complete"] == 3
    assert first.stdout.startswith(f"Search {found['search_id']}: ")
    assert mk.load(folder / "best.mlpk").get_params()["alpha"] == found["best_params"]["alpha"]
    assert quick("search", *args, "--trials", "0", cwd=folder).returncode == 2


# -- the shipped configuration and an explicit network -------------------------------------------
def test_the_shipped_example_configuration_trains(quick, tmp_path):
    written = quick("init-config", "--example", "-o", "run.toml", cwd=tmp_path)
    assert written.returncode == 0, written.stderr
    done = quick("train", "run.toml", "--set", "model.max_iter=2", "--json", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["rows"] == {"train": 8000, "test": 2000}
    assert set(result["metrics"]) == {"accuracy", "precision", "recall", "f1", "auc"}
    held_out = pd.read_csv(result["predictions"])
    assert held_out.columns[0] == "Product ID" and len(held_out) == 2000


def test_an_explicit_network_trains_from_layers_and_training(quick, machines, tmp_path):
    (tmp_path / "net.toml").write_text(
        f'[data]\npath = "{machines / "train.csv"}"\ntarget = "failure"\n'
        'drop = ["Product ID"]\n\n[model]\nlayers = [{class = "Dense", units = 8, activation = '
        '"relu"}, {class = "Dense", units = 1, activation = "sigmoid"}]\npreprocessor = "auto"\n'
        "random_state = 0\n\n[training]\nepochs = 3\nvalidation_split = 0.1\n"
    )
    done = quick("train", "net.toml", "--json", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["epochs"] == 3 and isinstance(mk.load(result["model"]), mk.Sequential)


def test_train_shows_a_progress_bar_on_a_terminal_only(trained):
    """stdout a pseudo-terminal of 100 columns: tqdm's bar per epoch; a pipe: none (above)."""
    import fcntl
    import os
    import pty
    import struct
    import subprocess
    import sys
    import termios

    folder, _, _ = trained
    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 100, 0, 0))
    command = [sys.executable, "-m", "mlpkit", "train", "run.toml", *QUICK, "--force"]
    environment = {k: v for k, v in os.environ.items() if k != "CI"}
    child = subprocess.Popen(command, cwd=folder, stdout=follower, stderr=subprocess.DEVNULL,
                             env=environment)  # fmt: skip
    os.close(follower)
    shown = b""
    with contextlib.suppress(OSError):  # EIO once the child has exited and all is read
        while chunk := os.read(leader, 65536):  # read as it comes: a full pty would block it
            shown += chunk
    os.close(leader)
    assert child.wait(timeout=600) == 0, shown[-2000:]
    text = shown.decode("utf-8", "replace")
    assert re.search(r"Epoch 5/5: +100%\|.*\| \d+/\d+ ", text), text[-2000:]
    assert "held-out (400 rows, binary)" in text
