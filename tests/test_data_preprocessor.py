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
    prep = Preprocessor(missing="drop", scaler=None, target_scaler=None)
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


def test_each_target_column_is_scaled_on_its_own_and_keeps_its_shape():
    X = pd.DataFrame({"a": np.arange(6.0)})
    Y = np.c_[np.arange(6.0), np.arange(6.0) * 100 + 5]
    prep = Preprocessor(target_scaler="standard")
    _, Y_scaled = prep.fit_transform(X, Y)
    assert Y_scaled.shape == (6, 2)
    np.testing.assert_allclose(Y_scaled.mean(axis=0), [0, 0], atol=1e-12)
    np.testing.assert_allclose(Y_scaled.std(axis=0), [1, 1])
    np.testing.assert_allclose(prep.inverse_transform_target(Y_scaled), Y)
    one = Preprocessor(target_scaler="minmax").fit(X, np.arange(6.0) * 10)
    assert one.transform(X, np.arange(6.0))[1].shape == (6,)
    np.testing.assert_allclose(one.inverse_transform_target(np.array([0.0, 1.0])), [0.0, 50.0])
    np.testing.assert_allclose(one.inverse_transform_target(np.array([[1.0]])), [[50.0]])
    with pytest.raises(ValueError, match="fitted with 2 column"):
        prep.inverse_transform_target(np.zeros(6))


def test_fills_are_learned_even_when_the_training_rows_have_no_gaps():
    complete = pd.DataFrame({"a": [1.0, 2.0, 10.0], "c": ["x", "y", "y"]})
    gap = pd.DataFrame({"a": [np.nan], "c": [None]})
    prep = Preprocessor(missing="median", missing_columns={"c": "most_frequent"}, scaler=None)
    np.testing.assert_array_equal(prep.fit(complete).transform(gap)[0], [[2.0, 0.0, 1.0]])
    with pytest.raises(ValueError, match="strategy is 'raise'"):
        Preprocessor().fit(complete).transform(gap)
    dropping = Preprocessor(missing="drop").fit(complete)
    assert dropping.transform(gap)[0].shape == (0, 3)


def test_integer_column_labels_survive_saving_and_loading(tmp_path):
    X = np.random.default_rng(0).normal(size=(20, 2))
    net = mk.Sequential([mk.layers.Dense(1)], random_state=0, preprocessor=Preprocessor())
    net.fit(pd.DataFrame(X), X.sum(axis=1), loss="mse", epochs=1)
    loaded = mk.load(net.save(tmp_path / "int_labels.mlpk"))
    expected = net.predict(pd.DataFrame(X))
    np.testing.assert_array_equal(loaded.predict(pd.DataFrame(X)), expected)
    np.testing.assert_array_equal(loaded.predict(pd.DataFrame(X, columns=["0", "1"])), expected)
    np.testing.assert_array_equal(loaded.predict(X), expected)


def test_an_array_must_have_the_fitted_number_of_columns():
    prep = Preprocessor().fit(pd.DataFrame({"a": [1.0, 2.0], "b": [3.0, 5.0]}))
    with pytest.raises(ValueError, match="X has 3 columns but the preprocessor was fitted on 2"):
        prep.transform(np.ones((2, 3)))


def test_integer_and_float_category_codes_are_the_same_category():
    prep = Preprocessor(categorical=["code"], scaler=None)
    prep.fit(pd.DataFrame({"code": [1, 2, 1]}))
    assert prep.feature_names_out == ["code=1", "code=2"]
    X, _ = prep.transform(pd.DataFrame({"code": [2.0, 1.0, np.int64(2)]}))
    np.testing.assert_array_equal(X, [[0, 1], [1, 0], [0, 1]])
    words = Preprocessor(scaler=None).fit(pd.DataFrame({"w": ["a", "b"]}))
    np.testing.assert_array_equal(words.transform(pd.DataFrame({"w": ["b"]}))[0], [[0, 1]])


def test_missing_tokens_become_gaps_and_a_numeric_text_column_becomes_numeric():
    frame = pd.DataFrame({"n": ["1", " ? ", "3", "NA"], "w": ["a", "n/a", "b", "a"]})
    prep = Preprocessor(missing="most_frequent", scaler=None)
    X, _ = prep.fit_transform(frame)
    assert prep.feature_names_out == ["n", "w=a", "w=b"]
    np.testing.assert_array_equal(X[:, 0], [1.0, 1.0, 3.0, 1.0])
    np.testing.assert_array_equal(X[1, 1:], [1.0, 0.0])
    with pytest.raises(ValueError, match=r"'n': 2, 'w': 1"):
        Preprocessor(missing_tokens=("?", "NA", "n/a")).fit(frame)


def test_a_text_column_with_too_many_values_is_an_error_naming_it():
    frame = pd.DataFrame({"id": [f"row{i}" for i in range(51)], "x": np.arange(51.0)})
    with pytest.raises(ValueError, match=r"'id' has 51 distinct values.*drop it.*max_categories"):
        Preprocessor().fit(frame)
    assert len(Preprocessor(max_categories=51).fit(frame).feature_names_out) == 52


def test_forward_fill_never_takes_a_later_value_for_leading_training_gaps():
    prices = {"p": [np.nan, 10.0, 11.0, 12.0, 99.0]}
    with pytest.raises(ValueError, match=r"'p' has 1 missing value.*'p': 'drop'"):
        Preprocessor(missing="previous").fit_transform(prices)
    prep = Preprocessor(missing="previous", scaler=None)
    X, _ = prep.fit_transform({"p": [10.0, np.nan, 12.0, 99.0]})
    np.testing.assert_array_equal(X.ravel(), [10.0, 10.0, 12.0, 99.0])
    np.testing.assert_array_equal(prep.transform({"p": [np.nan, 1.0]})[0].ravel(), [99.0, 1.0])


def test_mean_on_a_text_column_is_an_error_suggesting_most_frequent():
    frame = pd.DataFrame({"x": [1.0, 2.0, 3.0], "colour": ["red", None, "blue"]})
    with pytest.raises(ValueError, match="'colour' is text.*'most_frequent'"):
        Preprocessor(missing="mean").fit(frame)
    prep = Preprocessor(missing="median").fit(frame.fillna("red"))  # no gaps: fine until one
    with pytest.raises(ValueError, match="'colour' is text.*'most_frequent'"):
        prep.transform(frame)


def test_fill_statistics_come_from_the_rows_left_after_dropping():
    frame = pd.DataFrame({"a": [np.nan, 1.0, 2.0], "b": [100.0, 1.0, np.nan]})
    prep = Preprocessor(missing_columns={"a": "drop", "b": "mean"}, scaler=None)
    X, _ = prep.fit_transform(frame)
    np.testing.assert_array_equal(X, [[1.0, 1.0], [2.0, 1.0]])


def test_regression_targets_are_scaled_by_default_and_class_labels_are_not():
    X = pd.DataFrame({"a": np.arange(4.0)})
    assert np.std(Preprocessor().fit_transform(X, [1.0, 2.0, 3.0, 10.0])[1]) == pytest.approx(1)
    for labels in ([0, 1, 2, 1], [True, False, True, True], ["a", "b", "a", "b"], [0.0, 1, 1, 0]):
        prep = Preprocessor()
        assert list(prep.fit_transform(X, np.array(labels))[1]) == labels
        assert "target scaling: none" in prep.report()


def test_networks_with_the_default_preprocessor_classify_labels_and_predict_in_user_units():
    rng = np.random.default_rng(0)
    X = pd.DataFrame(rng.normal(size=(100, 2)), columns=["a", "b"])
    labels = (X["a"] > 0).astype(int) + (X["b"] > 0).astype(int)
    classifier = mk.Sequential(
        [mk.layers.Dense(3, activation="softmax")], random_state=0, preprocessor=Preprocessor()
    )
    classifier.fit(
        X, labels, loss="categorical_cross_entropy", epochs=20, optimizer=mk.optim.Adam(0.05)
    )
    assert classifier.evaluate(X, labels)["accuracy"] > 0.7  # a linear model's ceiling: 0.78
    assert classifier.predict(X).shape == (100, 3)
    y = 1000 + 500 * X["a"]
    regressor = mk.Sequential([mk.layers.Dense(1)], random_state=0, preprocessor=Preprocessor())
    regressor.fit(X, y, loss="mse", epochs=40, batch_size=20, optimizer=mk.optim.Adam(0.05))
    np.testing.assert_allclose(regressor.predict(X).ravel(), y, atol=1.0)


def test_missing_targets_are_an_error_naming_the_count():
    X = pd.DataFrame({"a": np.arange(6.0)})
    y = np.array([1.0, np.nan, 2.0, np.nan, np.inf, 3.0])
    with pytest.raises(ValueError, match="y has 3 missing values.*drop those rows"):
        Preprocessor().fit(X, y)
    prep = Preprocessor().fit(X, np.arange(6.0))
    with pytest.raises(ValueError, match="y has 1 missing values"):
        prep.transform(X, np.array([1, 2, None, 4, 5, 6], dtype=object))
