"""[data] reads the table it names, says which file, line and column is at fault, detects the
task from the target and splits as configured."""

import numpy as np
import pandas as pd
import pytest

from mlpkit.config import ConfigFileError, DataFileError, load_config
from mlpkit.targets import detect_task


def config_for(tmp_path, csv_text: str, data: str = "", name: str = "t.csv"):
    (tmp_path / name).write_text(csv_text)
    path = tmp_path / "run.toml"
    path.write_text(f'[data]\npath = "{name}"\ntarget = "y"\n{data}')
    return load_config(path)


def test_a_missing_target_value_names_the_file_line_and_column(tmp_path):
    config = config_for(tmp_path, "a,y\n1,x\n2,\n3,z\n4,\n")
    with pytest.raises(DataFileError) as caught:
        config.read_data()
    error = caught.value
    assert (error.line, error.column) == (3, "y")
    assert str(error).startswith(
        f"{tmp_path / 't.csv'}:3: column 'y': the target is missing (2 of 4"
    )


def test_a_missing_target_value_in_parquet_names_the_row(tmp_path):
    pd.DataFrame({"a": [1.0, 2.0, 3.0], "y": ["p", None, "q"]}).to_parquet(tmp_path / "t.parquet")
    path = tmp_path / "run.toml"
    path.write_text('[data]\npath = "t.parquet"\ntarget = "y"\n')
    with pytest.raises(DataFileError, match=r"t.parquet: row 1, column 'y': the target is missing"):
        load_config(path).read_data()


def test_a_row_with_too_many_fields_names_its_line(tmp_path):
    config = config_for(tmp_path, "a,b,y\n1,2,3\n4,5,6,7\n", 'separator = ","\n')
    with pytest.raises(DataFileError) as caught:
        config.read_data()
    assert caught.value.line == 3 and "cannot be read as a table" in str(caught.value)


def test_an_empty_file_says_so(tmp_path):
    with pytest.raises(DataFileError, match="the file is empty"):
        config_for(tmp_path, "").read_data()


def test_a_column_the_file_lacks_is_a_configuration_problem_at_its_line(tmp_path):
    config = config_for(tmp_path, "age,income,y\n1,2,3\n", 'features = ["age", "incme"]\n')
    with pytest.raises(ConfigFileError) as caught:
        config.read_data()
    line = str(caught.value)
    assert line.startswith(f'{tmp_path / "run.toml"}:4: data.features[1] = "incme": not a column')
    assert "did you mean 'income'?" in line


def test_a_misspelled_target_suggests_the_column(tmp_path):
    (tmp_path / "t.csv").write_text("a,label\n1,x\n")
    path = tmp_path / "run.toml"
    path.write_text('[data]\npath = "t.csv"\ntarget = "lable"\n')
    with pytest.raises(ConfigFileError, match=r"run.toml:3: data.target = \"lable\".*'label'\?"):
        load_config(path).read_data()


def test_features_drop_and_row_ids_select_the_columns(tmp_path):
    config = config_for(
        tmp_path, "id,a,b,c,y\n1,2,3,4,0\n2,3,4,5,1\n", 'drop = ["c"]\nrow_id = "id"\n'
    )
    X, y, ids = config.read_data(with_ids=True)
    assert list(X.columns) == ["a", "b"] and y.tolist() == [0, 1] and ids.tolist() == [1, 2]


def test_a_headerless_file_takes_names_or_a_column_index(tmp_path):
    (tmp_path / "t.csv").write_text("1,2,a\n3,4,b\n")
    path = tmp_path / "run.toml"
    path.write_text('[data]\npath = "t.csv"\ntarget = 2\nheader = false\n')
    X, y = load_config(path).read_data()
    assert list(X.columns) == ["0", "1"] and y.tolist() == ["a", "b"]
    path.write_text(
        '[data]\npath = "t.csv"\ntarget = "c"\nheader = false\nnames = ["a", "b", "c"]\n'
    )
    X, y = load_config(path).read_data()
    assert list(X.columns) == ["a", "b"] and y.tolist() == ["a", "b"]


def test_missing_tokens_are_read_as_missing(tmp_path):
    X, _ = config_for(tmp_path, "a,y\n1,0\n-,1\n", 'missing = ["-"]\n').read_data()
    assert X["a"].isna().tolist() == [False, True]


@pytest.mark.parametrize(
    "y, task",
    [
        (["yes", "no", "yes"], "classifier"),
        ([True, False, True], "classifier"),
        ([0, 1, 1, 0], "classifier"),
        ([0.0, 1.0, 2.0], "classifier"),
        ([3, 4, 5, 6, 7, 8], "classifier"),
        (list(range(100)), "regressor"),
        ([0.5, 1.25, 2.0], "regressor"),
        (pd.Series([1.5, np.nan, 2.5]), "regressor"),
    ],
)
def test_the_task_is_detected_from_the_target(y, task):
    assert detect_task(pd.Series(y) if isinstance(y, list) else y) == task


def test_the_split_is_stratified_for_classes_and_seeded(tmp_path, table):
    (tmp_path / "run.toml").write_text(
        '[data]\npath = "ai4i.csv"\ntarget = "Machine failure"\ntest_size = 0.25\n'
    )
    config = load_config(tmp_path / "run.toml")
    X, y = config.read_data()
    X_train, X_test, y_train, y_test = config.split(X, y)
    assert len(X_test) == 75 and len(X_train) == 225
    assert abs(y_test.mean() - y.mean()) < 0.02
    assert config.split(X, y)[1].index.equals(X_test.index)


def test_a_time_ordered_split_holds_out_the_last_rows(tmp_path):
    text = "a,y\n" + "".join(f"{i},{i * 0.5}\n" for i in range(10))
    config = config_for(tmp_path, text, "time_ordered = true\ntest_size = 0.3\n")
    X, y = config.read_data()
    _, X_test, _, _ = config.split(X, y)
    assert X_test["a"].tolist() == [7, 8, 9]


def test_a_class_too_rare_to_stratify_is_a_data_error_with_the_fix(tmp_path):
    config = config_for(tmp_path, "a,y\n1,p\n2,p\n3,p\n4,q\n5,p\n")
    X, y = config.read_data()
    with pytest.raises(DataFileError, match="column 'y'.*data.stratify = false"):
        config.split(X, y)
