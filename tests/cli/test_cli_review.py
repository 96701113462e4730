"""A reviewer's findings on ``mlpkit train``, ``search`` and ``demo``: plain bad data exits 65
with an ``error:`` line naming the column (not exit 1, "failed:"), while a configuration
error found during the fit stays exit 2; a failed run leaves no output folder behind; and
``mlpkit demo`` never replaces a run file the user edited, unless ``--force``.

The tables are 120 rows of the AI4I 2020 data shipped with mlpkit (the data ``init-config
--example`` configures), each spoiled in one way."""

from importlib.resources import files

import numpy as np
import pandas as pd
import pytest

from mlpkit.cli.workflow import example_config

LEAKS = ["UDI", "TWF", "HDF", "PWF", "OSF", "RNF"]
TARGET = "Machine failure"


def machines() -> pd.DataFrame:
    """100 working and 20 failing machines of the shipped table, shuffled, leaks dropped."""
    frame = pd.read_csv(files("mlpkit.datasets") / "ai4i2020.csv", encoding="utf-8-sig")
    frame = frame.drop(columns=LEAKS)
    rows = pd.concat([frame[frame[TARGET] == 0].head(100), frame[frame[TARGET] == 1].head(20)])
    return rows.sample(frac=1, random_state=0).reset_index(drop=True)


def one_class(frame):
    return frame.assign(**{TARGET: 0})


def empty_column(frame):
    return frame.assign(**{"Torque [Nm]": np.nan})


def huge_value(frame):
    frame = frame.copy()
    frame.loc[0, "Torque [Nm]"] = 4e201  # finite, but its square overflows
    return frame


def identifier(frame):
    return frame  # "Product ID" (M14860, L47181, ...) is kept as a feature: one value a row


SPOILED = [
    # (case, how the table is spoiled, keep Product ID as a feature, words of the error line)
    ("one class", one_class, False, "at least 2 classes"),
    ("an empty column", empty_column, False, "'Torque [Nm]'"),
    ("an identifier column", identifier, True, "'Product ID'"),
    ("a huge value", huge_value, False, "row 0"),
]


def write_run(folder, frame, *, keep_ids: bool = False, extra: str = "") -> str:
    """``run.toml`` (and ``table.csv``) in ``folder``: a quick classifier on ``frame``."""
    frame.to_csv(folder / "table.csv", index=False)
    row_id = "" if keep_ids else 'row_id = "Product ID"\n'
    (folder / "run.toml").write_text(
        f'[data]\npath = "table.csv"\ntarget = "{TARGET}"\n{row_id}'
        f'[model]\nkind = "classifier"\nhidden_layer_sizes = [4]\nmax_iter = 2\n'
        f'preprocessor = "auto"\n{extra}'
        f'[output]\ndir = "results"\n'
    )
    return "run.toml"


def error_lines(done, command: str = "train") -> list[str]:
    assert "Traceback" not in done.stderr and "failed:" not in done.stderr, done.stderr
    return [line for line in done.stderr.splitlines() if line.startswith(f"mlpkit {command}: ")]


# -- 1. bad data is exit 65, a configuration error during the fit stays exit 2 ---------------------
@pytest.mark.parametrize(
    "spoil, keep_ids, words", [c[1:] for c in SPOILED], ids=[c[0] for c in SPOILED]
)
def test_train_on_bad_data_exits_65_naming_the_problem(quick, tmp_path, spoil, keep_ids, words):
    run = write_run(tmp_path, spoil(machines()), keep_ids=keep_ids)
    done = quick("train", run, cwd=tmp_path)
    assert done.returncode == 65, done.stderr
    lines = error_lines(done)
    assert lines and lines[-1].startswith("mlpkit train: error: "), done.stderr
    assert words in lines[-1], lines[-1]


def test_a_configuration_error_found_during_the_fit_stays_exit_2(quick, tmp_path):
    twice = '[{name = "Checkpoint", directory = "a"}, {name = "Checkpoint", directory = "b"}]'
    run = write_run(tmp_path, machines(), extra=f"callbacks = {twice}\n")
    done = quick("train", run, cwd=tmp_path)
    assert done.returncode == 2, done.stderr
    assert "error: A fit takes one checkpoint folder" in error_lines(done)[-1]


def test_search_on_bad_data_exits_65_naming_the_problem(quick, tmp_path):
    space = "[search]\nn_trials = 2\ncv = 2\n[search.space]\nalpha = {log_uniform = [1e-6, 1e-2]}\n"
    run = write_run(tmp_path, empty_column(machines()))
    (tmp_path / run).write_text((tmp_path / run).read_text() + space)
    done = quick("search", run, cwd=tmp_path)
    assert done.returncode == 65, done.stderr
    lines = error_lines(done, "search")
    assert lines[-1].startswith("mlpkit search: error: ") and "'Torque [Nm]'" in lines[-1]


# -- 3. a failed run leaves no output folder behind ----------------------------------------------
def test_a_failed_train_leaves_no_output_folder(quick, tmp_path):
    run = write_run(tmp_path, one_class(machines()))
    assert quick("train", run, cwd=tmp_path).returncode == 65
    assert not (tmp_path / "results").exists()
    nested = quick("train", run, "--set", 'output.dir="a/b/results"', cwd=tmp_path)
    assert nested.returncode == 65 and not (tmp_path / "a").exists()


def test_a_failed_train_keeps_a_folder_that_was_there(quick, tmp_path):
    (tmp_path / "results").mkdir()
    run = write_run(tmp_path, one_class(machines()))
    assert quick("train", run, cwd=tmp_path).returncode == 65
    assert (tmp_path / "results").is_dir()
    done = quick("train", write_run(tmp_path, machines()), cwd=tmp_path)  # and then trains
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "results" / "model.mlpk").is_file()


# -- 2. mlpkit demo keeps an edited run file ------------------------------------------------------
def test_demo_refuses_to_replace_an_edited_run_file(quick, tmp_path):
    folder = tmp_path / "mlpkit-demo"
    folder.mkdir()
    edited = example_config().replace("max_iter = 200", "max_iter = 7")
    (folder / "run.toml").write_text(edited)
    done = quick("demo", "--epochs", "1", cwd=tmp_path)
    assert done.returncode == 2, done.stderr
    assert (folder / "run.toml").read_text() == edited  # the user's edits are kept
    assert sorted(p.name for p in folder.iterdir()) == ["run.toml"]  # and nothing trained
    message = " ".join(error_lines(done, "demo"))
    assert "edited" in message and "mlpkit-demo/run.toml" in message
    assert "mlpkit train mlpkit-demo/run.toml --force" in message
    assert "mlpkit demo --force" in message


def test_demo_force_brings_back_the_shipped_run_file(quick, tmp_path):
    folder = tmp_path / "mlpkit-demo"
    folder.mkdir()
    (folder / "run.toml").write_text("# my own run\n")
    done = quick("demo", "--force", "--epochs", "1", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert (folder / "run.toml").read_text() == example_config()
    again = quick("demo", "--epochs", "1", cwd=tmp_path)  # unchanged: the demo runs again
    assert again.returncode == 0, again.stderr
    assert (folder / "results" / "model.mlpk").is_file()
