"""Review of the data steps: typos in numeric columns, and overflow inside the preprocessor."""

import warnings
from importlib.resources import files

import numpy as np
import pandas as pd
import pytest

import mlpkit as mk
from mlpkit.data import Preprocessor, TextCleaner

COLUMNS = ["Type", "Air temperature [K]", "Torque [Nm]"]


def machines(n_rows=None):
    table = pd.read_csv(files("mlpkit.datasets") / "ai4i2020.csv")
    return table if n_rows is None else table.head(n_rows)


def with_typo(table, column, row, text):
    X = table[COLUMNS].astype({column: object})
    X.loc[row, column] = text
    return X


# -- 1. a typo in a numeric column ---------------------------------------------------------------
def test_a_typo_in_a_numeric_column_is_an_error_not_one_hot_text():
    table = machines(300)
    X = with_typo(table, "Air temperature [K]", 7, "29B.1")
    expected = r"'Air temperature \[K\]' is numbers but for 1 cell: \['29B.1'\] in row 7\. Fix"
    with pytest.raises(ValueError, match=expected):
        mk.MLPClassifier(preprocessor="auto", max_iter=2).fit(X, table["Machine failure"])


def test_a_typo_in_a_column_of_many_values_is_not_called_an_identifier():
    table = machines()
    X = with_typo(table, "Torque [Nm]", 7, "4O.2")
    with pytest.raises(ValueError) as caught:
        Preprocessor(missing="auto").fit(X)
    message = str(caught.value)
    assert "'Torque [Nm]' is numbers but for 1 cell: ['4O.2'] in row 7" in message
    assert "identifier" not in message and "max_categories" not in message
    assert "categorical=[..., 'Torque [Nm]']" in message  # how to keep it as text


def test_the_fit_and_the_predict_time_messages_share_their_wording():
    table = machines(300)
    prep = Preprocessor().fit(table[COLUMNS])
    with pytest.raises(ValueError, match=r"has text here: \['4O.2'\] in row 7\. Fix or blank"):
        prep.transform(with_typo(table, "Torque [Nm]", 7, "4O.2"))
    with pytest.raises(ValueError, match=r"but for 1 cell: \['4O.2'\] in row 7\. Fix or blank"):
        Preprocessor().fit(with_typo(table, "Torque [Nm]", 7, "4O.2"))


def test_several_typos_are_listed_with_their_rows():
    X = pd.DataFrame({"x": [f"{i}.5" for i in range(400)]})
    X.loc[[3, 9, 250], "x"] = ["1,5", "-", "1,5"]
    with pytest.raises(
        ValueError, match=r"'x' is numbers but for 3 cells: \['1,5', '-'\] in rows 3, 9, 250"
    ):
        TextCleaner().fit(X)


def test_a_declared_text_column_with_a_few_non_numbers_stays_text():
    table = machines(300)
    X = with_typo(table, "Torque [Nm]", 7, "4O.2")
    prep = Preprocessor(categorical=["Type", "Torque [Nm]"], max_categories=None).fit(X)
    assert "Torque [Nm]=4O.2" in prep.get_feature_names_out().tolist()
    X["Torque [Nm]"] = X["Torque [Nm]"].astype("category")
    assert TextCleaner().fit(X).text_columns_ == ["Type", "Torque [Nm]"]


@pytest.mark.parametrize(
    "values",
    [
        ["1", "2", "3+"] * 100,  # numbers and one category that is not a number
        ["A1", "A2", "B1", "7"] * 100,  # codes
        ["02134", "94110", "10001", "3"] * 100,  # zip codes (leading zeros) stay text anyway
        ["02134"] + [str(10000 + i) for i in range(300)] + ["9411O"],  # zip codes and a typo
        [str(i) for i in range(60)] + ["x"],  # too few values to call one a typo
    ],
)
def test_genuine_text_columns_with_numbers_in_them_stay_text(values):
    model = TextCleaner().fit(pd.DataFrame({"c": values}))
    assert model.text_columns_ == ["c"]


def test_the_typo_rule_at_its_bounds():
    from mlpkit.data.cleaning import numeric_typos

    def typos(n_numbers, bad):
        return numeric_typos(pd.Series([str(i) for i in range(n_numbers)] + bad, dtype=object))

    assert typos(99, ["x"]).tolist() == ["x"]  # 1 of 100: 1 %
    assert typos(98, ["x"]).empty  # 1 of 99: above 1 %
    assert typos(1000, ["a", "b", "c", "d", "e"]).tolist() == ["a", "b", "c", "d", "e"]
    assert typos(1000, ["a", "b", "c", "d", "e", "f"]).empty  # more than a handful
    assert typos(1000, []).empty and typos(0, ["x"]).empty


def test_identifier_columns_keep_their_report():
    X = pd.DataFrame({"zip": ["02134", "02139", "10001", "02134"], "n": [1.0, 2.0, 3.0, 4.0]})
    with pytest.warns(mk.data.IdentifierColumnWarning, match="'zip'.*leading zeros"):
        prep = Preprocessor().fit(X)
    assert "Identifier-like column 'zip'" in prep.report()


def test_a_streamed_fit_refuses_the_same_typo():
    X = with_typo(machines(300), "Torque [Nm]", 7, "4O.2")
    parts = (X.iloc[start : start + 100] for start in range(0, 300, 100))
    with pytest.raises(
        ValueError, match=r"'Torque \[Nm\]' is numbers but for 1 cell: \['4O.2'\] in row 7"
    ):
        Preprocessor().fit_stream(parts)


# -- 2. overflow inside the preprocessor ---------------------------------------------------------
def huge(table, value=4e201, rows=(5,)):
    X = table[COLUMNS].copy()
    X.loc[list(rows), "Torque [Nm]"] = value
    return X


@pytest.mark.parametrize("scaler", ["standard", "tanh"])
def test_overflow_in_the_statistics_at_fit_names_the_column_value_and_row(scaler):
    X = huge(machines(300))
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # and no RuntimeWarning from numpy on the way
        with pytest.raises(ValueError) as caught:
            Preprocessor(scaler=scaler).fit(X)
    message = str(caught.value)
    assert "'Torque [Nm]'" in message and "[4e+201] in row 5" in message
    assert "rescale" in message and "typo" in message
    assert "give the network a preprocessor" not in message


def test_a_range_that_overflows_in_minmax_is_named():
    X = huge(machines(300), 1e308, rows=(5,))
    X.loc[6, "Torque [Nm]"] = -1e308
    with pytest.raises(ValueError, match=r"'Torque \[Nm\]' \(\[1e\+308, -1e\+308\] in rows 5, 6\)"):
        Preprocessor(scaler="minmax").fit(X)


def test_the_model_reports_the_preprocessor_overflow_not_the_networks_check(tmp_path):
    table = machines(300).copy()
    table["Torque [Nm]"] = table["Torque [Nm]"].astype(float)
    table.loc[5, "Torque [Nm]"] = 4e201
    table.to_csv(tmp_path / "machines.csv", index=False)
    read = pd.read_csv(tmp_path / "machines.csv")
    with pytest.raises(ValueError, match=r"'Torque \[Nm\]' \(\[4e\+201\] in row 5\)") as caught:
        mk.MLPClassifier(preprocessor="auto", max_iter=2).fit(
            read[COLUMNS], read["Machine failure"]
        )
    assert "give the network a preprocessor" not in str(caught.value)


def test_finite_values_that_overflow_at_transform_are_named():
    table = machines(300)
    prep = Preprocessor().fit(table[COLUMNS])
    with pytest.raises(ValueError) as caught:
        prep.transform(huge(table, 4e201, rows=(5, 9)))
    message = str(caught.value)
    assert "'Torque [Nm]'" in message and "'Torque [Nm]' ([4e+201] in rows 5, 9)" in message
    assert "rescale" in message


def test_without_a_scaler_a_value_beyond_float32_is_named():
    with pytest.raises(ValueError, match=r"'Torque \[Nm\]' \(\[1e\+40\] in row 5\)"):
        Preprocessor(scaler=None).fit(huge(machines(300), 1e40))


def test_partial_fit_that_overflows_is_named():
    table = machines(300)
    prep = Preprocessor().fit(table[COLUMNS])
    with pytest.raises(ValueError, match=r"'Torque \[Nm\]' \(\[4e\+201\] in row 5\)"):
        prep.partial_fit(huge(table))


def test_large_but_safe_values_pass():
    X = huge(machines(300), 1e30, rows=(5,))
    out = Preprocessor().fit_transform(X)
    assert np.isfinite(out).all()
