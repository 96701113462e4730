"""The Preprocessor: one composition of the data steps, a scikit-learn transformer, JSON state."""

import doctest
import json
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import sklearn
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from sklearn.compose import ColumnTransformer
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.utils.estimator_checks import parametrize_with_checks

import mlpkit as mk
from mlpkit.data import (
    Categorical,
    MissingValues,
    Preprocessor,
    PreviousValueImputer,
    StandardScaler,
    TanhScaler,
    UnknownCategoryWarning,
)
from mlpkit.data import preprocessor as preprocessor_module

DATA = Path(__file__).resolve().parent / "data"  # small copies: see data/ATTRIBUTION.md


def housing():
    frame = pd.read_csv(DATA / "housing.csv")
    return frame.drop(columns="median_house_value"), frame["median_house_value"]


def small_frame():
    return pd.DataFrame(
        {
            "a": [1.0, np.nan, 3.0, 4.0, np.inf, 6.0],
            "b": [10.0, 20.0, None, 40.0, 50.0, 60.0],
            "colour": ["red", "blue", "red", None, "blue", "red"],
        }
    )


# -- the twins' former disagreements, each decided once -------------------------------------------
def test_forward_fill_refuses_a_leading_training_gap_in_every_implementation():
    column = [[np.nan], [2.0], [3.0]]  # the README: forward fill never takes a later value
    for fit in (
        lambda: MissingValues("previous").fit(pd.DataFrame(column, columns=["p"])),
        lambda: PreviousValueImputer().fit(np.array(column)),
        lambda: Preprocessor(missing="previous").fit(pd.DataFrame(column, columns=["p"])),
    ):
        with pytest.raises(ValueError, match="1 missing value.*before its first observation"):
            fit()


def test_forward_fill_continues_from_the_training_period_in_every_implementation():
    train, test = np.array([[1.0], [np.nan], [3.0]]), np.array([[np.nan], [5.0], [np.nan]])
    prep = Preprocessor(missing="previous", scaler=None).fit(train)
    results = [
        MissingValues("previous").fit(train).transform(test),
        PreviousValueImputer().fit(train).transform(test),
        prep.transform(test),
    ]
    for result in results:
        np.testing.assert_array_equal(np.asarray(result, dtype=float).ravel(), [3.0, 5.0, 5.0])
    np.testing.assert_array_equal(prep.transform(train).ravel(), [1.0, 1.0, 3.0])


@pytest.mark.parametrize("strategy", ["mean", "median"])
@pytest.mark.parametrize("colour", [["red", None, "blue"], ["red", "red", "blue"]])
def test_a_text_column_under_mean_or_median_is_one_error_at_fit(strategy, colour):
    frame = pd.DataFrame({"x": [1.0, 2.0, 3.0], "colour": colour})
    message = rf"strategy '{strategy}' on text column 'colour'.*'most_frequent'.*'auto'"
    with pytest.raises(ValueError, match=message):
        MissingValues(strategy).fit(frame)
    with pytest.raises(ValueError, match=message):
        Preprocessor(missing=strategy).fit(frame)


def test_an_unseen_category_is_one_warning_class_and_message():
    train = pd.DataFrame({"a": [1.0, 2.0], "colour": ["red", "blue"]})
    test = pd.DataFrame({"a": [1.0], "colour": ["green"]})
    prep = Preprocessor(scaler=None).fit(train)
    message = r"'colour' has 1 rows with categories not seen in fit: \['green'\]"
    with pytest.warns(UnknownCategoryWarning, match=message):
        X = prep.transform(test)
    with pytest.warns(UnknownCategoryWarning, match=message):
        Categorical().fit(train).transform(test)
    np.testing.assert_array_equal(X, [[1.0, 0.0, 0.0]])


# -- the steps, through the Preprocessor ----------------------------------------------------------
def test_missing_values_raise_by_default_listing_columns_counts_and_fills():
    with pytest.raises(ValueError, match=r"'a': 2, 'b': 1, 'colour': 1.*'colour': 'most_freq"):
        Preprocessor().fit(small_frame())


def test_each_strategy_fills_from_the_training_rows_only():
    test = pd.DataFrame({"a": [np.nan], "b": [np.nan], "colour": ["red"]})
    prep = Preprocessor(missing="mean", missing_columns={"colour": "most_frequent"}, scaler=None)
    X = prep.fit(small_frame()).transform(test)
    np.testing.assert_allclose(X[0, :2], [np.mean([1, 3, 4, 6]), np.mean([10, 20, 40, 50, 60])])
    assert list(prep.get_feature_names_out()) == ["a", "b", "colour=blue", "colour=red"]
    np.testing.assert_array_equal(X[0, 2:], [0, 1])


def test_auto_fills_numbers_with_the_median_and_text_with_the_most_frequent_value():
    prep = Preprocessor(missing="auto", scaler=None).fit(small_frame())
    X = prep.transform(small_frame())
    np.testing.assert_array_equal(X[:, 0], [1.0, 3.5, 3.0, 4.0, 3.5, 6.0])
    assert X[3, 3] == 1.0  # colour: red, the most frequent
    assert "Missing in 'colour': 1 → most_frequent with 'red'." in prep.report()


def test_drop_removes_rows_and_row_mask_keeps_y_aligned():
    prep = Preprocessor(missing="drop", scaler=None).fit(small_frame())
    y = np.arange(6.0)
    keep = prep.row_mask(small_frame())
    X = prep.transform(small_frame())
    np.testing.assert_array_equal(y[keep], [0.0, 5.0])
    np.testing.assert_array_equal(X[:, 0], [1.0, 6.0])
    assert "Rows dropped for missing values: 4." in prep.report()
    assert prep.row_mask(small_frame().iloc[:1]).tolist() == [True]


def test_fill_statistics_come_from_the_rows_left_after_dropping():
    frame = pd.DataFrame({"a": [np.nan, 1.0, 2.0], "b": [100.0, 1.0, np.nan]})
    prep = Preprocessor(missing_columns={"a": "drop", "b": "mean"}, scaler=None)
    np.testing.assert_array_equal(prep.fit_transform(frame), [[1.0, 1.0], [2.0, 1.0]])


def test_fills_are_learned_even_when_the_training_rows_have_no_gaps():
    complete = pd.DataFrame({"a": [1.0, 2.0, 10.0], "c": ["x", "y", "y"]})
    gap = pd.DataFrame({"a": [np.nan], "c": [None]})
    prep = Preprocessor(missing="auto", scaler=None).fit(complete)
    np.testing.assert_array_equal(prep.transform(gap), [[2.0, 0.0, 1.0]])
    with pytest.raises(ValueError, match="strategy is 'raise'"):
        Preprocessor().fit(complete).transform(gap)
    assert Preprocessor(missing="drop").fit(complete).transform(gap).shape == (0, 3)


def test_indicator_columns_mark_where_values_were_missing():
    prep = Preprocessor(missing="auto", add_indicator=True, categorical=["colour"], scaler=None)
    X = prep.fit_transform(small_frame())
    names = list(prep.get_feature_names_out())
    np.testing.assert_array_equal(X[:, names.index("a_missing")], [0, 1, 0, 0, 1, 0])
    assert prep.numeric_scaling() is None


def test_statistics_never_see_the_test_rows():
    X, _ = housing()
    train, test = X.iloc[:4000], X.iloc[4000:]
    prep = Preprocessor(missing="auto").fit(train)
    state = prep.get_state()
    prep.transform(test.assign(median_income=test["median_income"] * 100))
    assert prep.get_state() == state
    scaler = dict(prep.steps_)["scale"]
    income = list(prep.get_feature_names_out()).index("median_income")
    assert scaler.mean_[income] == pytest.approx(train["median_income"].mean())
    fill = dict(prep.steps_)["missing"].fills_["total_bedrooms"]
    assert fill == train["total_bedrooms"].median()
    report = prep.report()
    assert "Missing in 'total_bedrooms': " in report and "→ median" in report
    assert "'ocean_proximity': 5 categories" in report


def test_text_column_without_categorical_is_an_error_naming_it():
    with pytest.raises(TypeError, match="'colour' is not numeric"):
        Preprocessor(categorical=None, missing="drop").fit(small_frame())


def test_integer_and_float_category_codes_are_the_same_category():
    prep = Preprocessor(categorical=["code"], scaler=None).fit(pd.DataFrame({"code": [1, 2, 1]}))
    assert list(prep.get_feature_names_out()) == ["code=1", "code=2"]
    X = prep.transform(pd.DataFrame({"code": [2.0, 1.0, np.int64(2)]}))
    np.testing.assert_array_equal(X, [[0, 1], [1, 0], [0, 1]])


def test_missing_tokens_become_gaps_and_a_numeric_text_column_becomes_numeric():
    frame = pd.DataFrame({"n": ["1", " ? ", "3", "NA"], "w": ["a", "n/a", "b", "a"]})
    prep = Preprocessor(missing="most_frequent", scaler=None)
    X = prep.fit_transform(frame)
    assert list(prep.get_feature_names_out()) == ["n", "w=a", "w=b"]
    np.testing.assert_array_equal(X[:, 0], [1.0, 1.0, 3.0, 1.0])
    np.testing.assert_array_equal(X[1, 1:], [1.0, 0.0])
    with pytest.raises(ValueError, match=r"'n': 2, 'w': 1"):
        Preprocessor(missing_tokens=("?", "NA", "n/a")).fit(frame)


def test_a_text_column_with_too_many_values_is_an_error_naming_it():
    frame = pd.DataFrame({"id": [f"row{i}" for i in range(51)], "x": np.arange(51.0)})
    with pytest.raises(ValueError, match=r"'id' has 51 distinct values.*max_categories"):
        Preprocessor().fit(frame)
    assert len(Preprocessor(max_categories=51).fit(frame).get_feature_names_out()) == 52


def test_constant_columns_and_duplicate_rows_are_reported():
    frame = pd.DataFrame({"a": [1.0, 1.0, 2.0], "same": [7.0, 7.0, 7.0]})
    report = Preprocessor().fit(frame).report()
    assert "Constant columns (carry no information): ['same']." in report
    assert "Duplicate rows: 1." in report and "Feature scaling: standard" in report


# -- columns: string labels, arrays by position ---------------------------------------------------
def test_integer_labels_are_matched_as_text_and_arrays_by_position():
    X = np.random.default_rng(0).normal(size=(20, 2))
    prep = Preprocessor().fit(pd.DataFrame(X))
    assert list(prep.feature_names_in_) == ["0", "1"]
    expected = prep.transform(pd.DataFrame(X))
    np.testing.assert_array_equal(prep.transform(pd.DataFrame(X, columns=["0", "1"])), expected)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        np.testing.assert_array_equal(prep.transform(X), expected)
    with pytest.raises(ValueError, match="X has 3 features, but Preprocessor is expecting 2"):
        prep.transform(np.ones((2, 3)))


def test_get_feature_names_out_renames_from_the_input_features():
    X = np.array([[1.0, "a"], [np.nan, "b"]], dtype=object)
    prep = Preprocessor(missing="auto", add_indicator=True).fit(X)
    assert list(prep.get_feature_names_out()) == ["x0", "x1=a", "x1=b", "x0_missing"]
    renamed = prep.get_feature_names_out(["size", "kind"])
    assert list(renamed) == ["size", "kind=a", "kind=b", "size_missing"]


# -- a scikit-learn transformer -------------------------------------------------------------------
def test_inside_a_pipeline_from_a_raw_frame():
    X, y = housing()
    model = make_pipeline(Preprocessor(missing="auto"), LinearRegression()).fit(X, y)
    assert model.score(X, y) > 0.5
    labels = (y > y.median()).map({True: "high", False: "low"})
    classifier = make_pipeline(Preprocessor(missing="auto"), LogisticRegression(max_iter=500))
    assert classifier.fit(X, labels).score(X, labels) > 0.7


def test_inside_a_column_transformer_with_pandas_output():
    X = small_frame().assign(extra=np.arange(6.0))
    columns = ColumnTransformer(
        [("prep", Preprocessor(missing="auto", scaler=None), ["a", "colour"])],
        remainder="passthrough",
    ).set_output(transform="pandas")
    out = columns.fit_transform(X)
    assert list(out.columns) == [
        "prep__a",
        "prep__colour=blue",
        "prep__colour=red",
        "remainder__b",
        "remainder__extra",
    ]
    np.testing.assert_array_equal(out["prep__a"], [1.0, 3.5, 3.0, 4.0, 3.5, 6.0])


def test_set_output_pandas_names_the_columns_and_keeps_the_kept_rows_index():
    frame = small_frame().set_axis([10, 11, 12, 13, 14, 15])
    prep = Preprocessor(missing="auto", scaler=None).set_output(transform="pandas")
    out = prep.fit_transform(frame)
    assert list(out.columns) == ["a", "b", "colour=blue", "colour=red"]
    assert out.index.tolist() == frame.index.tolist()
    dropping = Preprocessor(missing="drop").set_output(transform="pandas").fit(frame)
    assert dropping.transform(frame).index.tolist() == [10, 15]
    np.testing.assert_array_equal(
        dropping.set_output(transform="default").transform(frame),
        dropping.set_output(transform="pandas").transform(frame).to_numpy(),
    )


def test_the_global_pandas_output_config_changes_no_value():
    # sklearn.set_config(transform_output="pandas") must not reach the steps' own transformers
    # (the one-hot encoder, the scaler): the Preprocessor alone decides what it returns
    frame, y = small_frame(), np.array(["no", "yes", "no", "yes", "no", "yes"])
    expected = Preprocessor(missing="auto").fit_transform(frame)
    with sklearn.config_context(transform_output="pandas"):
        prep = Preprocessor(missing="auto").fit(frame)
        loaded = Preprocessor.from_state(prep.get_state())
        outputs = [prep.transform(frame), Preprocessor(missing="auto").fit_transform(frame)]
        outputs.append(loaded.transform(frame))
        encoded = Categorical().fit_transform(frame[["colour"]].fillna("red"))
        model = mk.MLPClassifier((4,), max_iter=3, preprocessor="auto", random_state=0)
        predicted = model.fit(frame, y).predict(frame)
    for out in outputs:
        assert isinstance(out, pd.DataFrame)
        assert list(out.columns) == ["a", "b", "colour=blue", "colour=red"]
        np.testing.assert_allclose(out.to_numpy(), expected)
    assert list(encoded.columns) == ["colour=blue", "colour=red"]
    assert set(predicted) <= {"no", "yes"}


def test_drop_inside_a_pipeline_says_to_fill_or_drop_the_rows_before():
    X, y = housing()  # 207 of the 5323 rows have no total_bedrooms
    pipeline = make_pipeline(Preprocessor(missing="drop"), LogisticRegression())
    message = r"(?s){}: .*dropped 207 of the 5,323 rows.*Pipeline.*fill strategy.*row_mask"
    with pytest.raises(ValueError, match=message.format("Preprocessor")):
        pipeline.fit(X, y > y.median())
    with pytest.raises(ValueError, match=message.format("MissingValues")):
        make_pipeline(MissingValues("drop"), Categorical()).fit(X, y)
    prep = Preprocessor(missing="drop")  # without y, fit_transform drops rows and row_mask aligns
    assert len(prep.fit_transform(X)) == len(y[prep.row_mask(X)]) == 5323 - 207
    assert "row_mask" in Preprocessor.__doc__ and "row_mask" in MissingValues.__doc__


@pytest.mark.parametrize(
    "prep",
    [
        Preprocessor(missing="auto", add_indicator=True),
        Preprocessor(
            missing="median",
            missing_columns={"colour": "constant"},
            scaler="minmax",
            fill_value={"colour": "none"},
            feature_range=(-1, 1),
        ),
        Preprocessor(missing="drop", scaler="tanh", tanh_k=0.5, categorical=["colour"]),
        Preprocessor(missing="previous", missing_columns={"colour": "auto"}, scaler=None),
    ],
)
def test_state_through_json_gives_the_identical_transform(prep):
    train = small_frame().iloc[[0, 2, 3, 5, 1, 4]].reset_index(drop=True)
    prep.fit(train)
    restored = Preprocessor.from_state(json.loads(json.dumps(prep.get_state())))
    assert restored.get_params() == prep.get_params()
    np.testing.assert_array_equal(restored.transform(small_frame()), prep.transform(small_frame()))
    np.testing.assert_array_equal(restored.row_mask(small_frame()), prep.row_mask(small_frame()))
    assert restored.report() == prep.report()
    assert list(restored.get_feature_names_out()) == list(prep.get_feature_names_out())


def test_a_state_of_the_old_format_is_refused_clearly():
    with pytest.raises(ValueError, match="older mlpkit.*refit"):
        Preprocessor.from_state({"config": {}, "state": {}})


@settings(max_examples=30, deadline=None)
@given(
    hnp.arrays(
        float, st.tuples(st.integers(2, 12), st.integers(1, 3)), elements=st.floats(-1e3, 1e3)
    ),
    st.sampled_from(["standard", "minmax", "tanh", None]),
)
def test_state_round_trip_holds_for_any_numeric_table(values, scaler):
    values[1::3, 0] = np.nan  # gaps, never in the first row
    prep = Preprocessor(missing="previous", scaler=scaler).fit(values)
    restored = Preprocessor.from_state(json.loads(json.dumps(prep.get_state())))
    np.testing.assert_array_equal(restored.transform(values), prep.transform(values))


def test_partial_fit_updates_the_scalers_running_statistics_only():
    X = housing()[0].drop(columns="ocean_proximity")
    first, second = X.iloc[:2000], X.iloc[2000:4000]
    for scaler in ("standard", "tanh", "minmax"):
        prep = Preprocessor(missing="auto", scaler=scaler).partial_fit(first)
        fills = dict(dict(prep.steps_)["missing"].fills_)
        prep.partial_fit(second)
        assert dict(prep.steps_)["missing"].fills_ == fills  # learned on the first call
        assert dict(prep.steps_)["scale"].n_samples_seen_ == 4000
    whole = Preprocessor(missing="auto", scaler="standard").fit(first)
    encoded = whole.set_params(scaler=None).fit(first).transform(pd.concat([first, second]))
    prep = Preprocessor(missing="auto").partial_fit(first).partial_fit(second)
    np.testing.assert_allclose(dict(prep.steps_)["scale"].mean_, encoded.mean(axis=0))


def test_numeric_scaling_is_the_scaler_when_columns_map_one_to_one():
    numeric = Preprocessor(missing="median", scaler="tanh").fit(small_frame()[["a", "b"]])
    assert isinstance(numeric.numeric_scaling(), TanhScaler)
    assert Preprocessor(missing="auto").fit(small_frame()).numeric_scaling() is None
    assert (
        Preprocessor(missing="median", scaler=None).fit(small_frame()[["a"]]).numeric_scaling()
        is None
    )
    plain = Preprocessor().fit(pd.DataFrame({"a": [1.0, 3.0]}))
    assert isinstance(plain.numeric_scaling(), StandardScaler)


def test_parameters_are_checked_in_fit_the_scikit_learn_way():
    prep = Preprocessor(missing="average")  # constructing only stores
    with pytest.raises(ValueError, match="'missing' parameter of Preprocessor must be"):
        prep.fit(small_frame())
    with pytest.raises(ValueError, match="'scaler' parameter of Preprocessor must be"):
        Preprocessor(scaler="robust").fit(small_frame())


@parametrize_with_checks(
    [
        Preprocessor(),
        Preprocessor(missing="auto", scaler="tanh"),
        Preprocessor(missing="median", add_indicator=True, scaler="minmax"),
        Preprocessor(scaler=None, categorical=None),
    ]
)
def test_sklearn_contract(estimator, check):
    check(estimator)


def test_docstring_examples_run():
    assert doctest.testmod(preprocessor_module).failed == 0


def identifier_table():
    return pd.DataFrame(
        {
            "zip": ["02134", "02139", "10001", "02134"],
            "id": ["M14860", "L47181", "M14862", "H29424"],
            "size": [1.0, 2.0, 3.0, 4.0],
        }
    )


def test_identifier_like_text_columns_are_named_in_the_report_and_warned_about():
    from mlpkit.data import IdentifierColumnWarning

    with pytest.warns(IdentifierColumnWarning) as caught:
        prep = Preprocessor().fit(identifier_table())
    messages = [str(w.message) for w in caught]
    assert any("'zip'" in m and "leading zeros" in m and "drop it" in m for m in messages)
    assert any("'id'" in m and "declare it categorical" in m for m in messages)
    report = prep.report()
    assert "Identifier-like column 'zip'" in report and "Identifier-like column 'id'" in report
    assert "zip=02134" in prep.get_feature_names_out().tolist()  # text, never 2134.0


def test_a_declared_identifier_is_reported_without_a_warning():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        prep = Preprocessor(categorical=["zip", "id"]).fit(identifier_table())
    assert "'zip' (digit strings with leading zeros, e.g. '02134'), declared" in prep.report()


def test_an_identifier_read_as_numbers_is_warned_about():
    from mlpkit.data import IdentifierColumnWarning

    X = pd.DataFrame({"account": [str(50_000 + 7 * i) for i in range(30)], "x": range(30)})
    with pytest.warns(IdentifierColumnWarning, match="'account'.*read as numbers"):
        Preprocessor().fit(X)


def test_extra_columns_at_transform_warn_and_are_ignored_missing_ones_are_an_error():
    from mlpkit.data import ExtraColumnsWarning

    X = pd.DataFrame({"a": [1.0, 2.0, 3.0], "b": ["x", "y", "x"]})
    prep = Preprocessor().fit(X)
    with pytest.warns(ExtraColumnsWarning, match=r"\['target', 'note'\]"):
        out = prep.transform(X.assign(target=[0, 1, 0], note=["p", "q", "r"]))
    np.testing.assert_array_equal(out, prep.transform(X))
    with pytest.warns(ExtraColumnsWarning, match="'target'"):
        assert prep.row_mask(X.assign(target=[0, 1, 0])).all()
    with pytest.raises(ValueError, match="missing:\n- b"):
        prep.transform(X[["a"]].assign(target=[0, 1, 0]))


def numbers_table(rows=300, seed=0):
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame(rng.normal(3, 40, size=(rows, 4)), columns=["a", "b", "c", "d"])
    frame["d"] = rng.integers(-5, 5, size=rows)
    return frame


@pytest.mark.parametrize("scaler", ["standard", "minmax", "tanh", None])
def test_numbers_skip_the_table_steps_and_give_their_bits(scaler, monkeypatch):
    """An array (or a table of number columns in the fitted order) without gaps goes straight to
    the scaler; the features are those of every step, bit for bit."""
    frame = numbers_table()
    prep = Preprocessor(scaler=scaler).fit(frame)
    later = numbers_table(50, seed=1)
    slow = prep.transform(later.astype(object))  # object cells: every step runs
    calls = []
    encode = Preprocessor._encode
    monkeypatch.setattr(Preprocessor, "_encode", lambda self, f: calls.append(1) or encode(self, f))
    for X in (later, later.to_numpy(), later.to_numpy(np.float32), later[["d"]].to_numpy()):
        if X.shape[1] != 4:
            with pytest.raises(ValueError, match="1 features, but Preprocessor is expecting 4"):
                prep.transform(X)
            continue
        got = prep.transform(X)
        assert calls == []
        single = getattr(X, "dtype", None) == np.float32
        expected = prep.transform(X.astype(object)) if single else slow
        np.testing.assert_array_equal(got, expected)
        assert prep.row_mask(X).all() and len(prep.row_mask(X)) == 50


def test_anything_but_plain_numbers_still_takes_the_steps():
    frame = numbers_table()
    prep = Preprocessor(missing="mean").fit(frame)
    gap = frame.to_numpy().copy()
    gap[3, 1] = np.nan
    filled = prep.transform(gap)  # the gap is filled, not passed on
    assert np.isfinite(filled).all()
    np.testing.assert_array_equal(filled, prep.transform(gap.astype(object)))
    with pytest.warns(mk.data.preprocessor.ExtraColumnsWarning, match="'target'"):
        prep.transform(frame.assign(target=1.0))
    with pytest.raises(ValueError, match="feature names"):
        prep.transform(frame[["b", "a", "c", "d"]])
    huge = frame.to_numpy().copy()
    huge[7, 0] = 1e300
    with pytest.raises(ValueError, match="column 'a'"):
        prep.transform(huge)
    framed = Preprocessor().set_output(transform="pandas").fit(frame)
    assert list(framed.transform(frame.to_numpy()).columns) == ["a", "b", "c", "d"]
    coded = Preprocessor().fit(frame.assign(e=["x", "y", "z"] * 100))
    assert coded.transform(frame.assign(e="x").to_numpy(dtype=object)).shape == (300, 7)


def test_a_fit_prepares_its_training_rows_in_one_pass(monkeypatch):
    # the fit's own pass through the steps gives the training inputs (no second transform),
    # the same values as fit(X).transform(X); each trial of a search on a raw table pays it
    from mlpkit.data.cleaning import TextCleaner

    calls = []
    transform = TextCleaner.transform
    monkeypatch.setattr(TextCleaner, "transform", lambda s, X: calls.append(1) or transform(s, X))
    table = pd.DataFrame({"size": ["S", "M", "L", "?"] * 30, "n": np.arange(120.0)})
    y = np.arange(120.0) % 7
    model = mk.MLPRegressor(max_iter=2, random_state=0, preprocessor="auto").fit(table, y)
    assert len(calls) == 1
    prep = mk.data.Preprocessor(missing="auto")
    weights = np.linspace(0.5, 2.0, 120)
    once = prep.fit_transform(table, sample_weight=weights)
    assert np.array_equal(
        once,
        mk.data.Preprocessor(missing="auto").fit(table, sample_weight=weights).transform(table),
    )
    assert np.isfinite(model.predict(table)).all()


def test_a_preprocessor_of_ones_own_needs_only_fit_transform_and_row_mask():
    class Center(sklearn.base.BaseEstimator):
        def fit(self, X, y=None):
            self.mean_ = X.mean(axis=0)
            return self

        def transform(self, X):
            return X - self.mean_

        def row_mask(self, X):
            return np.ones(len(X), dtype=bool)

    X = np.random.default_rng(0).normal(3.0, 1.0, size=(20, 2))
    net = mk.Sequential([mk.layers.Dense(1)], random_state=0, preprocessor=Center())
    net.fit(X, X[:, 0], loss="mse", epochs=1, verbose=0)  # no fit_transform asked of it
    assert np.isfinite(net.predict(X)).all()
