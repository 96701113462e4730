"""Bad or partial input to the estimators gets mlpkit's words, not numpy's or Python's.

A review found: partial_fit chunks that lack a class, labels mixing text with a missing value,
NaN in a float classification target, a negative random_state, and NaN in X pointing to
another library's models. Each test names what the user did and what they should read.
"""

import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import make_classification

import mlpkit as mk
from mlpkit.targets import Target


@pytest.fixture(autouse=True)
def _quiet():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield


def three_classes(n=300):
    return make_classification(n, 8, n_informative=4, n_classes=3, random_state=0)


def two_classes(n=300):
    return make_classification(n, 8, random_state=0)


def small(**params):
    return mk.MLPClassifier(hidden_layer_sizes=(8,), random_state=0, **params)


# -- 1. partial_fit and warm_start keep the classes of the first call ------------------------
def test_a_later_partial_fit_chunk_may_lack_a_class():
    X, y = three_classes()
    model = small()
    model.partial_fit(X[:100], y[:100], classes=[0, 1, 2])
    without_2 = y != 2
    model.partial_fit(X[without_2][:50], y[without_2][:50])
    np.testing.assert_array_equal(model.classes_, [0, 1, 2])
    assert model.predict_proba(X).shape == (300, 3)
    assert model.n_iter_ == 2


def test_a_later_binary_partial_fit_chunk_may_hold_one_class():
    X, y = two_classes()
    model = small()
    model.partial_fit(X[:100], y[:100], classes=[0, 1])
    ones = y == 1
    model.partial_fit(X[ones][:50], y[ones][:50])
    np.testing.assert_array_equal(model.classes_, [0, 1])
    assert model.predict_proba(X).shape == (300, 2)


def test_text_classes_stay_fixed_over_partial_fit_chunks():
    X, y = three_classes()
    names = np.array(["low", "mid", "high"])[y]
    model = small()
    model.partial_fit(X[:100], names[:100], classes=["high", "low", "mid"])
    only_low = names == "low"
    model.partial_fit(X[only_low], names[only_low])
    np.testing.assert_array_equal(model.classes_, ["high", "low", "mid"])


def test_an_unknown_label_in_a_later_chunk_is_named_with_the_known_classes():
    X, y = two_classes()
    model = small()
    model.partial_fit(X[:100], y[:100], classes=[0, 1])
    chunk = y[:50].copy()
    chunk[3] = 7
    with pytest.raises(ValueError, match=r"\[7\].*classes are \[0, 1\]") as raised:
        model.partial_fit(X[:50], chunk)
    assert "at least 2 classes" not in str(raised.value)
    assert "warm_start=False" not in str(raised.value)


def test_an_unknown_label_in_a_later_multiclass_chunk_is_named():
    X, y = three_classes()
    model = small()
    model.partial_fit(X[:100], y[:100], classes=[0, 1, 2])
    chunk = np.where(y[:50] == 2, 9, y[:50])
    with pytest.raises(ValueError, match=r"\[9\].*classes are \[0, 1, 2\]"):
        model.partial_fit(X[:50], chunk)


def test_a_later_partial_fit_with_other_classes_is_refused_naming_both():
    X, y = three_classes()
    model = small()
    model.partial_fit(X[:100], y[:100], classes=[0, 1, 2])
    model.partial_fit(X[100:200], y[100:200], classes=[0, 1, 2])  # the same: accepted
    with pytest.raises(ValueError, match=r"classes=\[0, 1\].*\[0, 1, 2\]"):
        model.partial_fit(X[:50], y[:50] % 2, classes=[0, 1])


def test_a_warm_start_fit_needs_the_classes_of_the_first_fit_as_scikit_learn():
    X, y = three_classes()
    model = small(warm_start=True, max_iter=3)
    model.fit(X, y)
    without_2 = y != 2
    with pytest.raises(ValueError, match=r"warm_start.*\[0, 1, 2\].*\[0, 1\]") as raised:
        model.fit(X[without_2], y[without_2])
    assert "hidden_layer_sizes" not in str(raised.value)
    model.fit(X, y)  # the same classes: training continues
    np.testing.assert_array_equal(model.classes_, [0, 1, 2])


# -- 2. labels of mixed types ----------------------------------------------------------------
@pytest.mark.parametrize("missing", [np.nan, None])
def test_text_labels_with_a_missing_value_name_the_count_and_the_row(missing):
    X, _ = three_classes(100)
    y = np.array(["a", "b"] * 50, dtype=object)
    y[5] = missing
    with pytest.raises(ValueError, match=r"y has 1 missing value\(s\).*first at row 5"):
        small(max_iter=2).fit(X, y)


def test_text_labels_with_a_missing_value_in_a_series_name_the_row():
    X, _ = three_classes(100)
    y = pd.Series(["a", "b"] * 50, dtype=object)
    y[[7, 9]] = None
    with pytest.raises(ValueError, match=r"y has 2 missing value\(s\).*first at row 7"):
        small(max_iter=2).fit(X, y)


def test_a_float_classifier_target_with_nan_names_the_count_and_the_row():
    X, y = three_classes(100)
    y = y.astype(float)
    y[42] = np.nan
    with pytest.raises(ValueError, match=r"y has 1 missing value\(s\).*first at row 42"):
        small(max_iter=2).fit(X, y)


def test_evaluating_text_labels_against_an_integer_model_names_them():
    X, y = three_classes(100)
    model = small(max_iter=2).fit(X, y)
    text = pd.Series(["a", "b"] * 50, dtype=object)
    with pytest.raises(ValueError, match=r"\['a', 'b'\] the model does not know.*\[0, 1, 2\]"):
        mk.evaluate(model, X, text)


def test_a_target_encodes_labels_of_another_type_into_a_clear_error():
    target = Target("softmax").fit(np.array(["x", "y", "z"]), 3)
    with pytest.raises(ValueError, match=r"\[1, 2\] the model does not know.*\['x', 'y', 'z'\]"):
        target.encode(np.array([1, 2, 1], dtype=object))
    mixed = np.array(["x", 3, "q"], dtype=object)
    with pytest.raises(ValueError, match=r"the model does not know.*\['x', 'y', 'z'\]"):
        target.encode(mixed)


# -- 3. NaN in a float classification target -------------------------------------------------
@pytest.mark.parametrize(
    ("units", "activation", "loss", "labels"),
    [
        (3, "softmax", "categorical_cross_entropy", np.arange(99) % 2),
        (3, "softmax", "categorical_cross_entropy", np.arange(99) % 3),
        (1, "sigmoid", "binary_cross_entropy", np.arange(99) % 2),
        (1, "sigmoid", "binary_cross_entropy", np.arange(99) % 2 + 3.0),
    ],
)
def test_nan_in_a_classification_target_is_a_missing_value_not_a_class(
    units, activation, loss, labels
):
    X, _ = three_classes(100)
    net = mk.Sequential(
        [mk.layers.Dense(8, "relu"), mk.layers.Dense(units, activation)], random_state=0
    )
    y = np.r_[labels, np.nan]
    with pytest.raises(ValueError, match=r"y has 1 missing value\(s\).*first at row 99") as raised:
        net.fit(X, y, loss=loss, epochs=1, verbose=0)
    assert "nan]" not in str(raised.value)


def test_nan_in_the_truth_of_an_evaluation_is_a_missing_value():
    target = Target("softmax").fit(np.arange(30) % 3, 3)
    with pytest.raises(ValueError, match=r"y has 1 missing value\(s\).*first at row 1"):
        target.encode(np.array([0.0, np.nan, 2.0]))


# -- 4. random_state -------------------------------------------------------------------------
@pytest.mark.parametrize("value", [-1, 1.5, "0"])
def test_check_params_refuses_a_random_state_numpy_cannot_seed(value):
    model = mk.MLPClassifier(random_state=value)
    with pytest.raises(mk.ConfigError, match=r"random_state.*None.*int.*RandomState.*Generator"):
        model.check_params()
    with pytest.raises(mk.ConfigError, match=rf"random_state={value!r}"):
        model.fit(*two_classes(60))


@pytest.mark.parametrize(
    "value", [None, 0, 2**32 - 1, np.int64(7), np.random.RandomState(0), np.random.default_rng(0)]
)
def test_check_params_accepts_what_seeds_a_network(value):
    mk.MLPRegressor(random_state=value).check_params()


# -- 5. NaN in X -----------------------------------------------------------------------------
def test_nan_in_x_names_row_and_column_and_points_to_preprocessor_auto():
    X, y = three_classes(100)
    X[4, 2] = np.nan
    with pytest.raises(ValueError, match=r"row 4, column 2") as raised:
        small(max_iter=2).fit(X, y)
    message = str(raised.value)
    assert "MLPClassifier(preprocessor='auto')" in message
    assert "HistGradientBoosting" not in message


def test_nan_in_a_dataframe_names_the_column_for_the_regressor():
    X, y = three_classes(100)
    frame = pd.DataFrame(X, columns=[f"f{i}" for i in range(8)])
    frame.loc[6, "f3"] = np.nan
    with pytest.raises(
        ValueError, match=r"row 6, column 'f3'.*MLPRegressor\(preprocessor='auto'\)"
    ):
        mk.MLPRegressor(hidden_layer_sizes=(4,), max_iter=2).fit(frame, y.astype(float))


def test_nan_in_x_at_predict_names_row_and_column():
    X, y = three_classes(100)
    model = small(max_iter=2).fit(X, y)
    X[8, 1] = np.nan
    with pytest.raises(ValueError, match=r"row 8, column 1.*preprocessor='auto'") as raised:
        model.predict(X)
    assert "HistGradientBoosting" not in str(raised.value)


def test_infinity_in_x_names_row_and_column():
    X, y = three_classes(100)
    X[3, 5] = np.inf
    with pytest.raises(ValueError, match=r"inf at row 3, column 5"):
        small(max_iter=2).fit(X, y)
