"""read_table turns arrays, DataFrames, CSV and Parquet files into named features and a target."""

import doctest
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import mlpkit.datasets
from mlpkit.data import tables as tables_module
from mlpkit.data.tables import Table, read_table

DATA = Path(__file__).resolve().parent / "data"  # small copies: see data/ATTRIBUTION.md


def dataset(name: str) -> Path:
    if name == "ai4i2020.csv":  # ships with the package
        return Path(mlpkit.datasets.__file__).parent / name
    return DATA / name


def test_housing_csv_has_its_rows_and_207_missing_bedrooms():
    table = read_table(dataset("housing.csv"), target="median_house_value")
    assert isinstance(table, Table)
    assert table.X.shape == (5323, 9)  # the subset of tests/data (ATTRIBUTION.md)
    assert table.y.name == "median_house_value" and len(table.y) == 5323
    assert "median_house_value" not in table.feature_names
    assert table.feature_names == list(table.X.columns)
    assert table.X["total_bedrooms"].isna().sum() == 207
    assert int(table.X.isna().sum().sum()) == 207
    assert table.X["ocean_proximity"].nunique() == 5


def test_semicolon_separated_wine_csv_is_sniffed():
    table = read_table(dataset("winequality-red.csv"), target="quality")
    assert table.X.shape == (1599, 11)
    assert table.feature_names[:2] == ["fixed acidity", "volatile acidity"]
    assert sorted(table.y.unique()) == [3, 4, 5, 6, 7, 8]


def test_byte_order_mark_is_stripped_from_the_first_column_name():
    table = read_table(dataset("ai4i2020.csv"), target="Machine failure")
    assert table.feature_names[0] == "UDI"
    assert table.X.shape == (10000, 13)
    assert table.y.sum() == 339


def test_features_select_and_order_the_columns():
    table = read_table(dataset("winequality-red.csv"), target="quality", features=["alcohol", "pH"])
    assert table.feature_names == ["alcohol", "pH"]
    assert table.X.shape == (1599, 2)


def test_parquet_round_trip_keeps_names_values_and_missing_values(tmp_path):
    frame = pd.DataFrame({"a": [1.0, np.nan, 3.0], "b": ["x", "y", "z"], "t": [0, 1, 0]})
    for suffix in (".parquet", ".pq"):
        path = tmp_path / f"table{suffix}"
        frame.to_parquet(path, engine="pyarrow")
        table = read_table(str(path), target="t")
        assert table.feature_names == ["a", "b"]
        pd.testing.assert_frame_equal(table.X, frame[["a", "b"]], check_dtype=False)
        assert table.y.tolist() == [0, 1, 0]


def test_numpy_columns_are_named_x0_onwards_and_the_target_is_a_column_index():
    array = np.array([[1.0, 10.0, 0.0], [2.0, 20.0, 1.0]])
    table = read_table(array, target=-1)
    assert table.feature_names == ["x0", "x1"]
    assert table.y.tolist() == [0.0, 1.0]
    assert read_table(array, target=0).X["x0"].tolist() == [10.0, 20.0]
    named = read_table(array, target=2, features=["height", "weight"])
    assert named.feature_names == ["height", "weight"]
    assert read_table(array).feature_names == ["x0", "x1", "x2"]


def test_numpy_features_must_name_every_feature_column():
    with pytest.raises(ValueError, match="gives 1 names, but the array has 2 feature columns"):
        read_table(np.zeros((2, 3)), target=-1, features=["a"])
    with pytest.raises(ValueError, match="column index"):
        read_table(np.zeros((2, 3)), target="x0")
    with pytest.raises(ValueError, match="2-D"):
        read_table(np.zeros(3))


def test_polars_dataframe_is_read_like_pandas():
    polars = pytest.importorskip("polars", reason="polars is optional and not installed")
    frame = polars.DataFrame({"a": [1.0, None], "b": ["x", "?"], "t": [1, 2]})
    table = read_table(frame, target="t")
    assert table.feature_names == ["a", "b"]
    assert table.X["a"].isna().tolist() == [False, True]
    assert table.X["b"].isna().tolist() == [False, True]


def test_missing_tokens_become_nan_and_numeric_columns_become_numbers(tmp_path):
    path = tmp_path / "tokens.csv"
    path.write_text("a,b,c\n1.5, ? ,red\n?,2,NA\nnull,3, n/a \n4,N/A,blue\n")
    table = read_table(path)
    assert table.X["a"].dtype == np.float64 and table.X["b"].dtype == np.float64
    assert table.X["a"].isna().tolist() == [False, True, True, False]
    assert table.X["b"].isna().tolist() == [True, False, False, True]
    assert table.X["c"].isna().tolist() == [False, True, True, False]
    assert table.X["c"].dropna().tolist() == ["red", "blue"]


def test_user_declared_tokens_replace_the_defaults():
    frame = pd.DataFrame({"a": ["-999", "1", "2"], "b": ["?", "x", "y"]})
    table = read_table(frame, missing_tokens=("-999",))
    assert table.X["a"].tolist()[1:] == [1.0, 2.0] and np.isnan(table.X["a"].iloc[0])
    assert table.X["b"].tolist() == ["?", "x", "y"]


def test_infinities_become_nan_and_are_counted_as_converted():
    frame = pd.DataFrame({"a": [1.0, np.inf, -np.inf], "b": ["1", "inf", "?"], "c": [1, 2, 3]})
    table = read_table(frame)
    assert table.X["a"].isna().tolist() == [False, True, True]
    assert table.X["b"].isna().tolist() == [False, True, True]
    assert table.converted == {"a": 2, "b": 2}


def test_separators_tab_and_pipe_are_sniffed_and_sep_can_be_given(tmp_path):
    for sep in ("\t", "|", ";"):
        path = tmp_path / "data.txt"
        path.write_text(sep.join(["a", "b", "y"]) + "\n" + sep.join(["1", "2", "3"]) + "\n")
        assert read_table(path, target="y").feature_names == ["a", "b"]
        assert read_table(path, target="y", sep=sep).X.shape == (1, 2)


def test_unknown_target_or_feature_lists_the_available_columns():
    frame = pd.DataFrame({"a": [1], "b": [2]})
    with pytest.raises(ValueError, match=r"target names 'price'.*\['a', 'b'\]"):
        read_table(frame, target="price")
    with pytest.raises(ValueError, match=r"features names 'c'.*\['a', 'b'\]"):
        read_table(frame, features=["a", "c"])


def test_target_listed_among_features_is_refused():
    frame = pd.DataFrame({"a": [1], "b": [2]})
    with pytest.raises(ValueError, match="'b' is also listed in features"):
        read_table(frame, target="b", features=["a", "b"])


def test_missing_file_raises_file_not_found_naming_it(tmp_path):
    path = tmp_path / "nowhere.csv"
    with pytest.raises(FileNotFoundError, match="nowhere.csv"):
        read_table(path)


def test_unsupported_source_raises_type_error():
    with pytest.raises(TypeError, match="got list"):
        read_table([[1, 2], [3, 4]])


def test_the_callers_dataframe_is_not_modified():
    frame = pd.DataFrame({"a": [1.0, np.inf], "b": ["?", "x"], "t": [0, 1]})
    before = frame.copy()
    table = read_table(frame, target="t")
    table.X.iloc[0, 0] = 99.0
    pd.testing.assert_frame_equal(frame, before)


def test_docstring_examples_run():
    assert doctest.testmod(tables_module).failed == 0


ADULT_STYLE = (
    "39, State-gov, 77516, Bachelors, 13, Never-married, Adm-clerical, Not-in-family, White, "
    "Male, 2174, 0, 40, United-States, <=50K\n"
    "50, Self-emp-not-inc, 83311, Bachelors, 13, Married-civ-spouse, Exec-managerial, Husband, "
    "White, Male, 0, 0, 13, United-States, <=50K\n"
    "38, Private, 215646, HS-grad, 9, Divorced, Handlers-cleaners, Not-in-family, White, Male, "
    "0, 0, 40, ?, >50K\n"
    "\n"
)
ADULT_NAMES = [
    "age", "workclass", "fnlwgt", "education", "education-num", "marital-status",
    "occupation", "relationship", "race", "sex", "capital-gain", "capital-loss",
    "hours-per-week", "native-country", "income",
]  # fmt: skip


def test_a_header_less_comma_space_file_in_adult_data_style(tmp_path):
    path = tmp_path / "adult.data"
    path.write_text(ADULT_STYLE)
    table = read_table(path, header=None, names=ADULT_NAMES, target="income")
    assert table.feature_names == ADULT_NAMES[:-1] and table.X.shape == (3, 14)
    assert table.y.tolist() == ["<=50K", "<=50K", ">50K"]
    assert table.X["workclass"].tolist() == ["State-gov", "Self-emp-not-inc", "Private"]
    assert table.X["age"].tolist() == [39, 50, 38]
    assert table.X["native-country"].isna().tolist() == [False, False, True]
    assert table.converted == {"native-country": 1}
    unnamed = read_table(path, header=None)
    assert unnamed.feature_names[:2] == ["0", "1"] and unnamed.X["1"][0] == "State-gov"


def test_a_comma_space_header_gives_names_without_leading_spaces(tmp_path):
    path = tmp_path / "spaced.csv"
    path.write_text("age, workclass, income\n39, State-gov, <=50K\n50, Private, >50K\n")
    table = read_table(path, target="income")
    assert table.feature_names == ["age", "workclass"]
    assert table.X["workclass"].tolist() == ["State-gov", "Private"]


def test_zip_codes_with_leading_zeros_stay_text_in_files_and_frames(tmp_path):
    path = tmp_path / "zips.csv"
    path.write_text("zip,n,y\n02134,1,0\n10001,?,1\n")
    table = read_table(path, target="y")
    assert table.X["zip"].tolist() == ["02134", "10001"]
    assert table.X["n"].tolist()[0] == 1.0 and table.X["n"].isna()[1]
    frame = pd.DataFrame({"zip": ["02134", "NA"], "n": ["1", "?"]})
    again = read_table(frame)
    assert again.X["zip"].tolist()[0] == "02134" and again.X["n"].dtype == np.float64


def test_read_table_and_text_cleaner_share_one_implementation():
    from mlpkit.data import cleaning

    assert tables_module.token_mask is cleaning.token_mask
    assert tables_module.MISSING_TOKENS is cleaning.MISSING_TOKENS
    frame = pd.DataFrame({"n": ["1", " ? ", None], "w": ["a", "NA", "b"], "z": ["007", "1", "?"]})
    read = read_table(frame).X
    cleaned = cleaning.TextCleaner().fit_transform(frame)
    pd.testing.assert_frame_equal(read, cleaned, check_dtype=False)
