"""Categorical one-hot encodes text columns with readable names; describe_table reports quality."""

import doctest
import json
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.utils.estimator_checks import parametrize_with_checks

import mlpkit.datasets
from mlpkit.data import encoding as encoding_module
from mlpkit.data.encoding import Categorical, UnknownCategoryWarning, describe_table
from mlpkit.data.tables import read_table

DATA = Path(__file__).resolve().parent / "data"  # small copies: see data/ATTRIBUTION.md
AI4I = Path(mlpkit.datasets.__file__).parent / "ai4i2020.csv"  # ships with the package
OCEAN = ["<1H OCEAN", "INLAND", "ISLAND", "NEAR BAY", "NEAR OCEAN"]


@pytest.fixture(scope="module")
def housing():
    return read_table(DATA / "housing.csv", target="median_house_value").X


def test_housing_ocean_proximity_becomes_five_one_hot_columns(housing):
    model = Categorical().fit(housing)
    out = model.transform(housing)
    encoded = [f"ocean_proximity={level}" for level in OCEAN]
    assert [c for c in out.columns if c.startswith("ocean_proximity")] == encoded
    assert out.shape == (5323, 8 + 5)
    assert (out[encoded].sum(axis=1) == 1.0).all()
    assert out["ocean_proximity=ISLAND"].sum() == 5
    pd.testing.assert_frame_equal(out[housing.columns[:8]], housing[housing.columns[:8]])
    assert model.report_ == {"ocean_proximity": {"categories": OCEAN, "detected": True}}
    assert list(model.get_feature_names_out()) == list(out.columns)


def test_an_unseen_category_warns_naming_column_and_value_and_encodes_as_zeros(housing):
    model = Categorical().fit(housing[housing["ocean_proximity"] != "ISLAND"])
    with pytest.warns(UnknownCategoryWarning, match=r"'ocean_proximity' has 5 rows.*'ISLAND'"):
        out = model.transform(housing)
    island = (housing["ocean_proximity"] == "ISLAND").to_numpy()
    encoded = [c for c in out.columns if c.startswith("ocean_proximity=")]
    assert len(encoded) == 4
    assert (out.loc[island, encoded] == 0.0).all().all()


def test_known_categories_do_not_warn():
    X = pd.DataFrame({"color": ["red", "blue", "red"]})
    model = Categorical().fit(X)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        model.transform(X.iloc[:2])


def test_non_numeric_column_with_columns_none_raises_naming_column_and_sample(housing):
    with pytest.raises(TypeError, match=r"'ocean_proximity' is not numeric \(e\.g\. 'NEAR BAY'\)"):
        Categorical(columns=None).fit(housing)
    with pytest.raises(TypeError, match=r"columns=\['ocean_proximity'\]"):
        Categorical(columns=None).fit(housing)


def test_an_undeclared_text_column_is_refused_when_columns_are_listed():
    X = pd.DataFrame({"a": ["x", "y"], "b": ["u", "v"], "n": [1.0, 2.0]})
    with pytest.raises(TypeError, match=r"'b' is not numeric.*columns=\['a', 'b'\]"):
        Categorical(columns=["a"]).fit(X)


def test_listed_numeric_codes_are_encoded_and_other_columns_pass_through():
    X = pd.DataFrame({"code": [3, 1, 3], "size": [0.5, 1.5, 2.5]})
    out = Categorical(columns=["code"]).fit_transform(X)
    assert list(out.columns) == ["code=1", "code=3", "size"]
    assert out["code=3"].tolist() == [1.0, 0.0, 1.0]
    assert out["size"].tolist() == [0.5, 1.5, 2.5]


def test_bool_and_category_dtypes_are_detected():
    X = pd.DataFrame(
        {"flag": [True, False], "kind": pd.Categorical(["a", "b"]), "n": [1, 2]},
    )
    out = Categorical().fit_transform(X)
    assert list(out.columns) == ["flag=False", "flag=True", "kind=a", "kind=b", "n"]


def test_a_datetime_column_is_not_treated_as_a_category():
    X = pd.DataFrame({"day": pd.to_datetime(["2020-01-01", "2020-01-02"]), "n": [1, 2]})
    with pytest.raises(TypeError, match="'day' is not numeric"):
        Categorical().fit(X)


def test_an_identifier_column_exceeds_max_categories():
    X = read_table(AI4I, target="Machine failure").X
    with pytest.raises(ValueError, match=r"'Product ID' has 10000 distinct values.*identifier"):
        Categorical().fit(X)
    out = Categorical().fit_transform(X.drop(columns=["UDI", "Product ID"]))
    assert [c for c in out.columns if c.startswith("Type=")] == ["Type=H", "Type=L", "Type=M"]


def test_missing_values_in_a_categorical_column_must_be_filled_first():
    X = pd.DataFrame({"color": ["red", None, "blue"]})
    with pytest.raises(ValueError, match=r"'color' has 1 missing values.*most_frequent"):
        Categorical().fit(X)


def test_unknown_listed_column_lists_the_available_columns():
    with pytest.raises(ValueError, match=r"'zz', which is not a column.*\['a'\]"):
        Categorical(columns=["zz"]).fit(pd.DataFrame({"a": ["x"]}))


def test_arrays_come_back_as_arrays():
    X = np.array([["a", 1.0], ["b", 2.0]], dtype=object)
    out = Categorical().fit_transform(X)
    np.testing.assert_array_equal(out.astype(float), [[1.0, 0.0, 1.0], [0.0, 1.0, 2.0]])


def test_the_callers_frame_is_not_modified():
    X = pd.DataFrame({"color": ["red", "blue"], "n": [1.0, 2.0]})
    before = X.copy()
    Categorical().fit_transform(X)
    pd.testing.assert_frame_equal(X, before)


def test_describe_table_reports_constant_columns_and_duplicate_rows():
    X = pd.DataFrame({"a": [1, 1, 2, 1], "same": [7, 7, 7, 7], "empty": [np.nan] * 4})
    assert describe_table(X) == {
        "n_rows": 4,
        "n_columns": 3,
        "constant_columns": ["same", "empty"],
        "duplicate_rows": 2,
    }


def test_describe_table_finds_no_problem_in_housing(housing):
    report = describe_table(housing)
    assert report["constant_columns"] == [] and report["duplicate_rows"] == 0


@parametrize_with_checks([Categorical(), Categorical(columns=None)])
def test_sklearn_contract(estimator, check):
    check(estimator)


def test_docstring_examples_run():
    assert doctest.testmod(encoding_module).failed == 0


def test_integer_float_and_numpy_codes_are_one_category():
    model = Categorical(columns=["code"]).fit(pd.DataFrame({"code": [1, 2, 1]}))
    assert list(model.get_feature_names_out()) == ["code=1", "code=2"]
    out = model.transform(pd.DataFrame({"code": [2.0, 1.0, np.int64(2)]}))
    np.testing.assert_array_equal(out.to_numpy(), [[0, 1], [1, 0], [0, 1]])
    words = Categorical().fit(pd.DataFrame({"w": ["a", "1"]}))
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # 1.0 meets the text category "1"
        out = words.transform(pd.DataFrame({"w": [1.0, "a"]}, dtype=object))
    np.testing.assert_array_equal(out.to_numpy(), [[1, 0], [0, 1]])


def test_state_through_json_gives_the_same_transform_and_warning():
    X = pd.DataFrame({"n": [1.0, 2.0, 3.0], "colour": ["red", "blue", "red"], "code": [1, 2, 2]})
    model = Categorical(columns=["colour", "code"]).fit(X)
    restored = Categorical.from_state(json.loads(json.dumps(model.get_state())))
    pd.testing.assert_frame_equal(restored.transform(X), model.transform(X))
    assert restored.report_ == model.report_
    with pytest.warns(UnknownCategoryWarning, match="'colour' has 1 rows.*'green'"):
        restored.transform(X.assign(colour=["green", "red", "red"]))
    empty = Categorical.from_state(Categorical().fit(X[["n"]]).get_state())
    pd.testing.assert_frame_equal(empty.transform(X[["n"]]), X[["n"]])


def test_category_keys_are_made_once_per_distinct_value(monkeypatch):
    calls = []
    key = encoding_module.category_key
    monkeypatch.setattr(encoding_module, "category_key", lambda v, t: calls.append(v) or key(v, t))
    frame = pd.DataFrame({"size": np.tile(["S", "M", "L"], 3_000), "n": np.arange(9_000)})
    step = encoding_module.Categorical("auto").fit(frame)
    encoded = step.transform(frame)
    assert len(calls) == 6  # 3 in fit, 3 in transform: not 9,000 each
    assert encoded.shape == (9_000, 4) and (encoded.filter(like="size").sum(axis=1) == 1).all()
