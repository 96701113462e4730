"""Bad input fails early, loudly, and says what to do."""

import warnings

import numpy as np
import pytest

import mlpkit as mk


def net(outputs=3, activation="softmax"):
    return mk.Sequential(
        [mk.layers.Dense(4, activation="relu"), mk.layers.Dense(outputs, activation=activation)],
        random_state=0,
    )


X = np.random.default_rng(0).normal(size=(20, 5))
y = np.arange(20) % 3


@pytest.mark.parametrize(
    "bad, where", [(np.nan, "nan at row 3, column 2"), (np.inf, "inf at row 3, column 2")]
)
def test_non_finite_features_are_named_by_row_and_column(bad, where):
    X_bad = X.copy()
    X_bad[3, 2] = bad
    with pytest.raises(ValueError, match=where):
        net().fit(X_bad, y, loss="categorical_cross_entropy")


def test_non_numeric_column_is_named_with_a_sample_value():
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame(X, columns=list("abcde")).assign(c=["x"] * 20)
    with pytest.raises(TypeError, match=r"column 'c' is not numeric \(e\.g\. 'x'\)"):
        net().fit(frame, y, loss="categorical_cross_entropy")


def test_empty_and_one_dimensional_inputs_are_rejected():
    with pytest.raises(ValueError, match="empty"):
        net().fit(np.empty((0, 5)), [], loss="categorical_cross_entropy")
    with pytest.raises(ValueError, match=r"2-D.*reshape\(-1, 1\)"):
        net().fit(X[:, 0], y, loss="categorical_cross_entropy")


def test_predict_with_a_different_feature_count_names_both_numbers():
    model = net()
    model.fit(X, y, loss="categorical_cross_entropy")
    with pytest.raises(ValueError, match="X has 4 features, but the network was built for 5"):
        model.predict(X[:, :4])


def test_labels_that_do_not_fit_the_output_layer_are_rejected():
    with pytest.raises(ValueError, match=r"y has 1 class \[5\].*3 unit.*labels 0\.\.2"):
        net().fit(X, np.full(20, 5), loss="categorical_cross_entropy")
    with pytest.raises(ValueError, match=r"y has shape \(20, 2\) but the output layer has 1"):
        net(1, "linear").fit(X, np.zeros((20, 2)), loss="mse")
    with pytest.raises(ValueError, match="X has 20 rows but y has 19"):
        net(1, "linear").fit(X, np.zeros(19), loss="mse")
    with pytest.raises(ValueError, match=r"y has 1 class \[2\].*one sigmoid unit: two"):
        net(1, "sigmoid").fit(X, np.full(20, 2), loss="binary_cross_entropy")


def test_cross_entropy_without_matching_output_activation_explains_the_fix():
    with pytest.raises(mk.ConfigError, match='activation="softmax"'):
        net(3, "linear").fit(X, y, loss="categorical_cross_entropy")


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"batch_size": 0}, "batch_size must be a positive integer"),
        ({"epochs": -1}, "epochs must be an integer >= 0"),
        ({"loss": "crossentropy"}, "Unknown loss 'crossentropy'"),
        ({"optimizer": "adamm"}, "Unknown optimizer 'adamm'"),
        ({"validation_split": 1.5}, "validation_split must be in"),
    ],
)
def test_bad_fit_arguments_name_the_argument(kwargs, match):
    kwargs = {"loss": "categorical_cross_entropy", **kwargs}
    with pytest.raises(mk.ConfigError, match=match):
        net().fit(X, y, **kwargs)


@pytest.mark.parametrize(
    "make, match",
    [
        (lambda: mk.layers.Dense(0), "units must be a positive integer"),
        (lambda: mk.optim.Adam(learning_rate=-1), "learning_rate must be a positive"),
        (lambda: mk.optim.SGD(momentum=1.5), r"momentum must be in \[0, 1\)"),
        (lambda: mk.optim.SGD(nesterov=True), "nesterov=True needs a momentum"),
        (lambda: mk.Sequential([mk.layers.Dense(1)], dtype="int8"), "dtype must be"),
        (lambda: mk.layers.Dense(2, kernel_initializer="xavier"), "Unknown initializer 'xavier'"),
    ],
)
def test_bad_constructor_arguments_raise_config_errors(make, match):
    with pytest.raises(mk.ConfigError, match=match):
        make()


def test_predict_before_fit_says_how_to_fix_it():
    with pytest.raises(mk.NotFittedError, match="Call fit"):
        net().predict(X)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_numpy_scalars_are_accepted_wherever_numbers_are_as_in_a_grid_search():
    values = np.logspace(-3, -1, 3, dtype=np.float32)
    for value in values:
        mk.layers.Dropout(value)
        mk.layers.BatchNorm(momentum=value)
        mk.regularizers.ElasticNet(alpha=value, l1_ratio=np.float64(0.5))
        mk.optim.Adam(learning_rate=value, clip_norm=np.float64(1.0))
        mk.losses.Huber(delta=value)
        mk.callbacks.EarlyStopping(patience=np.int64(3), min_delta=value)
        mk.Perceptron(learning_rate=value, max_iter=np.int64(5)).fit(X[:, :2], y % 2)
    mk.layers.Dense(np.int64(4))
    with pytest.raises(mk.ConfigError, match="rate must be in"):
        mk.layers.Dropout(True)


def test_inputs_that_are_not_plain_arrays_get_errors_that_say_what_to_do():
    import scipy.sparse

    pd = pytest.importorskip("pandas")
    with pytest.raises(TypeError, match=r"sparse matrix.*toarray"):
        net().fit(scipy.sparse.csr_matrix(X), y, loss="categorical_cross_entropy")
    huge = X.copy()
    huge[2, 1] = 1e300
    with pytest.raises(
        ValueError, match=r"1e\+300 at row 2, column 1, beyond the range of float32"
    ):
        net().fit(huge, y, loss="categorical_cross_entropy")
    frame = pd.DataFrame(X, columns=list("abcde"))
    frame["b"] = pd.array([1, None] + [2] * 18, dtype="Int64")
    with pytest.raises(ValueError, match="contains nan at row 1, column 'b'"):
        net().fit(frame, y, loss="categorical_cross_entropy")


def test_boolean_and_object_labels_are_read_as_numbers():
    model = net(2)
    model.fit(X, (y == 1), loss="categorical_cross_entropy")
    model.fit(X, (y % 2).astype(object), loss="categorical_cross_entropy")


def test_nan_at_predict_time_says_before_predicting():
    model = net(1, "linear")
    model.fit(X, X[:, 0], loss="mse")
    bad = X.copy()
    bad[3, 1] = np.nan
    with pytest.raises(ValueError, match="before predicting.*preprocessor"):
        model.predict(bad)
    with pytest.raises(ValueError, match="before training"):
        net(1, "linear").fit(bad, X[:, 0], loss="mse")


def test_inputs_whose_scales_differ_by_orders_of_magnitude_get_a_warning_that_says_how():
    import pandas as pd

    wide = pd.DataFrame({"rooms": X[:, 0], "income": X[:, 1] * 1e5})
    with pytest.warns(UserWarning, match=r"'rooms'.*'income'.*Preprocessor\(\)"):
        net(1, "linear").fit(wide, X[:, 0], loss="mse")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        net(1, "linear").fit(X, X[:, 0], loss="mse")
        scaled = mk.Sequential([mk.layers.Dense(1)], preprocessor=mk.data.Preprocessor())
        scaled.fit(wide, X[:, 0], loss="mse")


def test_classification_metrics_on_a_regression_output_are_an_error():
    with pytest.raises(mk.ConfigError, match=r"\['accuracy', 'auc'\].*values.*regression metrics"):
        net(1, "linear").fit(X, X[:, 0], loss="mse", metrics=["accuracy", "auc", "rmse"])
    sigmoid = net(1, "sigmoid")
    sigmoid.fit(X, (X[:, 0] > 0) * 1, loss="mse", metrics=["accuracy"])  # old-style, allowed
