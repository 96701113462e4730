"""Bad files give errors that name the file, the column or the row, and what to do."""

import pandas as pd
import pytest

import mlpkit as mk
from mlpkit.exceptions import ConfigError


def test_missing_file(tmp_path):
    with pytest.raises(mk.data.StreamError, match="nowhere.parquet.*does not exist"):
        mk.data.FileSource(tmp_path / "nowhere.parquet", target="y")


def test_column_not_in_the_file(parquet):
    path, _ = parquet
    with pytest.raises(mk.data.StreamError, match=r"\['price'\].*Its columns: \['a'"):
        mk.data.FileSource(path, target="y", columns=["a", "price"])
    with pytest.raises(mk.data.StreamError, match="target names column"):
        mk.data.FileSource(path, target="label")


def test_folder_with_mixed_schemas(tmp_path):
    pd.DataFrame({"a": [1.0, 2.0], "y": [0, 1]}).to_parquet(tmp_path / "part-0.parquet")
    pd.DataFrame({"a": ["x", "y"], "y": [0, 1]}).to_parquet(tmp_path / "part-1.parquet")
    with pytest.raises(mk.data.StreamError, match="part-1.parquet.*mixes schemas|mixes schemas"):
        mk.data.FileSource(tmp_path, target="y")


def test_folder_with_mixed_formats(tmp_path):
    pd.DataFrame({"a": [1.0], "y": [0]}).to_parquet(tmp_path / "a.parquet")
    pd.DataFrame({"a": [1.0], "y": [0]}).to_csv(tmp_path / "b.csv", index=False)
    with pytest.raises(mk.data.StreamError, match="mixes Parquet and CSV"):
        mk.data.FileSource(tmp_path, target="y")


def test_empty_folder(tmp_path):
    with pytest.raises(mk.data.StreamError, match="holds no .parquet or .csv"):
        mk.data.FileSource(tmp_path, target="y")


def test_csv_with_a_bad_row(tmp_path):
    lines = ["a,b,y"] + [f"{i},{i * 2},{i % 2}" for i in range(3000)]
    lines[2500] = "1,2,3,4"
    path = tmp_path / "bad.csv"
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(mk.data.StreamError, match=r"bad.csv.*Row #2501: Expected 3 columns"):
        source = mk.data.FileSource(path, target="y", chunk_rows=256)
        for _ in source.chunks():
            pass


def test_csv_with_a_bad_value_past_the_first_block(tmp_path):
    """A row past the block pyarrow infers types from fails while streaming: the error names
    the file, the row (found again by Python's csv reader), the column and the bad value."""
    lines = ["a,y"] + [f"{i},{i % 2}" for i in range(200_000)]
    lines[150_000] = "oops,1"
    path = tmp_path / "late.csv"
    path.write_text("\n".join(lines) + "\n")
    source = mk.data.FileSource(path, target="y", chunk_rows=50_000)
    with pytest.raises(
        mk.data.StreamError,
        match=r"late.csv': row 150,000 \(line 150,001\): column 'a' is int64 but holds 'oops'",
    ):
        for _ in source.chunks():
            pass


def test_fit_on_a_path_needs_the_target_name(parquet):
    path, _ = parquet
    net = mk.Sequential([mk.layers.Dense(1)])
    with pytest.raises(ConfigError, match="name of the target column"):
        net.fit(str(path), loss="mse")


def test_a_source_takes_no_y(parquet):
    path, frame = parquet
    net = mk.Sequential([mk.layers.Dense(1)])
    with pytest.raises(ConfigError, match="pass y=None"):
        net.fit(mk.data.FileSource(path, target="y"), frame["y"], loss="mse")


@pytest.mark.parametrize(
    "kwargs", [dict(validation=1.2), dict(validation=0.5, test=0.5), dict(by="random")]
)
def test_bad_holdout(kwargs):
    with pytest.raises(ConfigError, match="Holdout"):
        mk.data.Holdout(**kwargs)
