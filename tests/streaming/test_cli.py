"""``mlpkit train`` with ``[data] streaming = true``: the file is read in chunks, the test rows
set apart by a row rule, the model saved and scored on them."""

import json

import numpy as np
import pandas as pd
import pytest

from mlpkit.cli import main
from mlpkit.config import load_config

RUN = """[data]
path = "big.parquet"
target = "y"
row_id = "id"
streaming = true
chunk_rows = 700
{extra}
[model]
layers = [
  {{class = "Dense", units = 8, activation = "relu"}},
  {{class = "Dense", units = 1, activation = "sigmoid"}},
]

[training]
epochs = 2

[output]
predictions = "test-predictions.csv"
"""


@pytest.fixture
def folder(tmp_path):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(3000, 3))
    frame = pd.DataFrame(X, columns=["a", "b", "c"])
    frame["y"] = np.where(X[:, 0] > 0, "yes", "no")
    frame["id"] = np.arange(3000) * 7
    frame.to_parquet(tmp_path / "big.parquet", row_group_size=500)
    return tmp_path


def test_streamed_train_holds_out_by_row_id_and_scores(folder, capsys):
    (folder / "run.toml").write_text(RUN.format(extra=""))
    assert main(["train", str(folder / "run.toml"), "--force"]) == 0
    out = capsys.readouterr().out
    assert "held-out (" in out and "accuracy" in out
    predictions = pd.read_csv(folder / "results" / "test-predictions.csv")
    frame = pd.read_parquet(folder / "big.parquet")
    held = frame.set_index("id").loc[predictions["id"]]
    assert 400 < len(predictions) < 800  # test_size 0.2 of 3000, by the hash of the id
    assert (held.index.to_numpy() == predictions["id"].to_numpy()).all()


def test_time_ordered_stream_holds_out_the_last_rows(folder, capsys):
    (folder / "run.toml").write_text(RUN.format(extra="time_ordered = true\n"))
    assert main(["train", str(folder / "run.toml"), "--force"]) == 0
    predictions = pd.read_csv(folder / "results" / "test-predictions.csv")
    assert predictions["id"].min() == 2400 * 7 and len(predictions) == 600


def test_chunk_rows_is_checked_like_every_key(folder):
    (folder / "run.toml").write_text(RUN.format(extra="").replace("700", "0"))
    with pytest.raises(Exception, match="chunk_rows"):
        load_config(folder / "run.toml")


def test_a_column_not_in_the_file_is_named_at_its_line(folder, capsys):
    text = RUN.format(extra='features = ["a", "price"]\n')
    (folder / "run.toml").write_text(text)
    with pytest.raises(SystemExit) as stopped:
        main(["train", str(folder / "run.toml"), "--force"])
    assert stopped.value.code == 2
    assert 'run.toml:7: data.features[1] = "price": not a column of big.parquet' in (
        capsys.readouterr().err
    )


ESTIMATOR = """[data]
path = "big.parquet"
target = "y"
row_id = "id"
streaming = true
chunk_rows = 700

[model]
hidden_layer_sizes = [8]
max_iter = {max_iter}
n_iter_no_change = 2
learning_rate_init = 0.03
random_state = 0

[output]
predictions = "test-predictions.csv"
"""


def test_an_estimator_streams_by_partial_fit_passes_over_the_training_rows(folder, capsys):
    (folder / "run.toml").write_text(ESTIMATOR.format(max_iter=3))
    assert main(["train", str(folder / "run.toml"), "--force", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["epochs"] == 3 and "max_iter: 3 passes" in result["stop_reason"]
    assert result["metrics"]["accuracy"] > 0.9  # the label is the sign of column a
    assert result["rows"]["train"] + result["rows"]["test"] == 3000
    predictions = pd.read_csv(folder / "results" / "test-predictions.csv")
    assert len(predictions) == result["rows"]["test"]


def test_a_streamed_estimator_stops_when_the_pass_loss_stalls(folder, capsys):
    (folder / "run.toml").write_text(ESTIMATOR.format(max_iter=500).replace("= 2\n", "= 1\n"))
    assert main(["train", str(folder / "run.toml"), "--force", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["epochs"] < 500 and "did not fall by tol" in result["stop_reason"]
