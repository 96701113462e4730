"""The Preprocessor: leak-free, reversible, reported, and saved with the model."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import mlpkit as mk
from mlpkit.data import Preprocessor

DATASETS = Path(__file__).resolve().parents[2] / "shared" / "datasets"


def housing():
    frame = pd.read_csv(DATASETS / "housing.csv")
    return frame.drop(columns="median_house_value"), frame["median_house_value"]


def small_frame():
    return pd.DataFrame(
        {
            "a": [1.0, np.nan, 3.0, 4.0, np.inf, 6.0],
            "b": [10.0, 20.0, None, 40.0, 50.0, 60.0],
            "colour": ["red", "blue", "red", None, "blue", "red"],
        }
    )


def test_missing_values_raise_by_default_listing_columns_and_counts():
    with pytest.raises(ValueError, match=r"'a': 2, 'b': 1, 'colour': 1.*Choose a strategy"):
        Preprocessor().fit_transform(small_frame())


def test_each_strategy_fills_from_the_training_rows_only():
    train, test = small_frame(), pd.DataFrame({"a": [np.nan], "b": [np.nan], "colour": ["red"]})
    prep = Preprocessor(missing="mean", missing_columns={"colour": "most_frequent"}, scaler=None)
    prep.fit_transform(train)
    X, _ = prep.transform(test)
    a_mean, b_mean = np.mean([1, 3, 4, 6]), np.mean([10, 20, 40, 50, 60])
    np.testing.assert_allclose(X[0, :2], [a_mean, b_mean])
    assert prep.feature_names_out == ["a", "b", "colour=blue", "colour=red"]
    np.testing.assert_array_equal(X[0, 2:], [0, 1])


def test_drop_keeps_x_and_y_aligned_and_predict_refuses_to_drop():
    prep = Preprocessor(missing="drop", scaler=None)
    y = np.arange(6.0)
    X, y_out = prep.fit_transform(small_frame(), y)
    np.testing.assert_array_equal(y_out, [0.0, 5.0])
    np.testing.assert_array_equal(X[:, 0], [1.0, 6.0])
    with pytest.raises(ValueError, match="predictions need every row"):
        prep.transform(small_frame(), allow_drop=False)


def test_previous_value_carries_the_last_observation_forward_across_the_split():
    train = pd.DataFrame({"price": [1.0, np.nan, 3.0]})
    test = pd.DataFrame({"price": [np.nan, 5.0, np.nan]})
    prep = Preprocessor(missing="previous", scaler=None)
    np.testing.assert_array_equal(prep.fit_transform(train)[0].ravel(), [1.0, 1.0, 3.0])
    np.testing.assert_array_equal(prep.transform(test)[0].ravel(), [3.0, 5.0, 5.0])


def test_indicator_columns_mark_where_values_were_missing():
    prep = Preprocessor(
        missing="median",
        add_indicator=True,
        categorical=["colour"],
        missing_columns={"colour": "most_frequent"},
        scaler=None,
    )
    X, _ = prep.fit_transform(small_frame())
    names = prep.feature_names_out
    np.testing.assert_array_equal(X[:, names.index("a_missing")], [0, 1, 0, 0, 1, 0])


def test_statistics_never_see_the_test_rows():
    X, y = housing()
    train, test = X.iloc[:15000], X.iloc[15000:]
    prep = Preprocessor(missing="median", target_scaler="standard")
    prep.fit_transform(train, y.iloc[:15000])
    state = prep.get_state()
    changed = test.assign(median_income=test["median_income"] * 100)
    prep.transform(changed, y.iloc[15000:])
    assert prep.get_state() == state
    income = prep.feature_names_out.index("median_income")
    assert state["state"]["scaler"]["mean"][income] == pytest.approx(train["median_income"].mean())
    fill = state["state"]["missing"]["total_bedrooms"]["fill"]
    assert fill == train["total_bedrooms"].median()


def test_unseen_category_warns_and_encodes_as_zeros():
    prep = Preprocessor(categorical=["colour"], scaler=None)
    prep.fit_transform(pd.DataFrame({"a": [1.0, 2.0], "b": [3.0, 4.0], "colour": ["red", "blue"]}))
    with pytest.warns(UserWarning, match="not seen in fit: \\['green'\\]"):
        X, _ = prep.transform(pd.DataFrame({"a": [1.0], "b": [2.0], "colour": ["green"]}))
    np.testing.assert_array_equal(X[0, 2:], [0, 0])


def test_text_column_without_categorical_is_an_error_naming_it():
    with pytest.raises(TypeError, match="Column 'colour' is not numeric"):
        Preprocessor(categorical=None, missing="drop").fit_transform(small_frame())


def test_housing_csv_to_a_trained_regressor_in_dollars_and_back_from_a_file(tmp_path):
    X, y = housing()
    prep = Preprocessor(missing="median", target_scaler="standard")
    net = mk.Sequential(
        [mk.layers.Dense(32, activation="relu"), mk.layers.Dense(1)],
        random_state=0,
        preprocessor=prep,
    )
    history = net.fit(
        X.iloc[:16000], y.iloc[:16000], loss="mse", epochs=5, batch_size=256, validation_split=0.1
    )
    assert history.history["val_loss"][-1] < 0.5  # in standardised units
    predictions = net.predict(X.iloc[16000:]).ravel()
    error = np.mean(np.abs(predictions - y.iloc[16000:].to_numpy()))
    assert 20_000 < np.mean(predictions) < 500_000 and error < 80_000  # dollars
    report = prep.report()
    assert X["total_bedrooms"].isna().sum() == 207
    train_gaps = prep.get_state()["state"]["missing"]["total_bedrooms"]["missing"]
    assert f"Missing in 'total_bedrooms': {train_gaps} → median" in report
    assert "'ocean_proximity': 5 categories" in report
    loaded = mk.load(net.save(tmp_path / "housing.mlpk"))
    np.testing.assert_array_equal(loaded.predict(X.iloc[16000:]), net.predict(X.iloc[16000:]))
    assert loaded.preprocessor.report() == report


def test_validation_rows_are_held_out_before_the_preprocessor_learns():
    X, y = housing()
    X, y = X.iloc[:2000], y.iloc[:2000]
    prep = Preprocessor(missing="median")
    net = mk.Sequential([mk.layers.Dense(1)], random_state=0, preprocessor=prep)
    net.fit(X, y, loss="mse", epochs=1, validation_split=0.25)
    rows_seen = prep.get_state()["state"]["rows_in"]
    assert rows_seen == 1500
