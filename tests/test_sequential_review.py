"""A review of Sequential's input checks: DataFrame column names, evaluate's metrics, a
learning-rate schedule's values, initializer arguments, sample weights beyond float32 and an
empty network, each refused with words that name the argument at fault."""

import warnings

import numpy as np
import pandas as pd
import pytest

import mlpkit as mk
from mlpkit.exceptions import ConfigError

rng = np.random.default_rng(0)
X = rng.normal(size=(200, 10))
y = X @ rng.normal(size=10) + 0.1 * rng.normal(size=200)


def net():
    return mk.Sequential(
        [mk.layers.Dense(16, activation="relu"), mk.layers.Dense(1)], random_state=0
    )


# -- 1. DataFrame column names ----------------------------------------------------------------
def frame_fit():
    df = pd.DataFrame(X[:, :4], columns=list("abcd"))
    n = net()
    n.fit(df, y, loss="mse", epochs=2)
    return n, df


def test_a_frame_fit_records_its_column_names():
    n, df = frame_fit()
    assert n.feature_names == ["a", "b", "c", "d"]
    assert n.predict(df).shape == (200, 1)
    np.testing.assert_array_equal(n.predict(df), n.predict(df.to_numpy()))  # arrays: by position


def test_reordered_columns_are_refused_naming_the_order():
    n, df = frame_fit()
    with pytest.raises(ValueError, match=r"another order.*X\[net\.feature_names\]"):
        n.predict(df[["d", "c", "b", "a"]])
    with pytest.raises(ValueError, match="another order"):
        n.evaluate(df[["d", "c", "b", "a"]], y)


def test_renamed_columns_are_refused_naming_missing_and_unseen():
    n, df = frame_fit()
    with pytest.raises(ValueError, match=r"missing \['a'\].*not seen in fit \['z'\]"):
        n.predict(df.rename(columns={"a": "z"}))


def test_validation_data_and_later_fits_are_checked_too():
    n, df = frame_fit()
    with pytest.raises(ValueError, match="X_val"):
        n.fit(df, y, validation_data=(df[["b", "a", "c", "d"]], y))
    with pytest.raises(ValueError, match="another order"):
        n.fit(df[["b", "a", "c", "d"]], y)


def test_duplicate_column_names_are_refused_at_fit():
    df = pd.DataFrame(X[:, :4], columns=["a", "b", "a", "c"])
    with pytest.raises(ValueError, match=r"duplicate column names \['a'\]"):
        net().fit(df, y, loss="mse")


def test_a_plain_array_fit_takes_frames_by_position():
    n = net()
    n.fit(X[:, :4], y, loss="mse", epochs=1)
    assert n.feature_names == ["x0", "x1", "x2", "x3"]
    n.predict(pd.DataFrame(X[:, :4], columns=list("wxyz")))


def test_column_names_survive_a_model_file(tmp_path):
    n, df = frame_fit()
    loaded = mk.load(n.save(tmp_path / "m.mlpk"))
    assert loaded.feature_names == ["a", "b", "c", "d"]
    np.testing.assert_array_equal(loaded.predict(df), n.predict(df))
    with pytest.raises(ValueError, match="another order"):
        loaded.predict(df[["d", "c", "b", "a"]])


def test_a_model_file_without_names_still_loads(tmp_path):
    n = net()
    n.fit(X, y, loss="mse", epochs=1)
    document, _ = n.to_document()
    assert "feature_names_in" not in document  # files of arrays are as before
    assert mk.load(n.save(tmp_path / "m.mlpk")).feature_names[0] == "x0"


def test_a_model_file_with_a_wrong_number_of_names_is_refused(tmp_path):
    n, _ = frame_fit()
    document, arrays = n.to_document()
    document["feature_names_in"] = ["a", "b"]
    path = mk.modelfile.write(tmp_path / "m.mlpk", document, arrays, version=mk.__version__)
    with pytest.raises(mk.modelfile.ModelFileError, match="2 input columns for n_features = 4"):
        mk.load(path)


# -- 2. evaluate's metrics ----------------------------------------------------------------------
def test_evaluate_refuses_classification_metrics_on_a_regression():
    n = net()
    n.fit(X, y, loss="mse", epochs=1)
    with pytest.raises(ConfigError, match="evaluate metrics.*score class probabilities"):
        n.evaluate(X, y, metrics=["accuracy"])
    with pytest.raises(ConfigError, match="fit metrics.*score class probabilities"):
        n.fit(X, y, metrics=["auc"])


def test_evaluate_adds_the_asked_metrics_to_the_tasks_as_documented():
    n = net()
    n.fit(X, y, loss="mse", epochs=1)
    scores = n.evaluate(X, y, metrics=["regression_accuracy"])
    assert set(scores) == {"loss", "mse", "rmse", "mae", "r2", "regression_accuracy"}


# -- 3. a callable learning rate ----------------------------------------------------------------
@pytest.mark.parametrize(
    "schedule, shown",
    [(lambda s: -0.1, "-0.1"), (lambda s: "x", "'x'"), (lambda s: None, "None")],
)
def test_a_schedules_bad_value_is_refused_naming_the_step(schedule, shown):
    with pytest.raises(
        ConfigError,
        match=rf"learning_rate\(0\) must be a non-negative number; "
        rf"received learning_rate\(0\)={shown}",
    ):
        net().fit(X, y, loss="mse", optimizer=mk.optim.SGD(schedule))


def test_a_schedule_may_reach_zero_and_return_numpy_numbers():
    net().fit(X, y, loss="mse", optimizer=mk.optim.SGD(lambda s: 0.0), epochs=1)
    net().fit(X, y, loss="mse", optimizer=mk.optim.SGD(lambda s: np.float32(0.01)), epochs=1)
    net().fit(X, y, loss="mse", optimizer=mk.optim.SGD(lambda s: np.array(0.01)), epochs=1)


# -- 4. initializer arguments -------------------------------------------------------------------
@pytest.mark.parametrize(
    "make, words",
    [
        (lambda: mk.initializers.RandomNormal(stddev=-1), "RandomNormal stddev"),
        (lambda: mk.initializers.RandomNormal(mean=float("nan")), "RandomNormal mean"),
        (lambda: mk.initializers.RandomUniform(minval=1, maxval=0), "minval <= maxval"),
        (lambda: mk.initializers.RandomUniform(maxval=float("inf")), "RandomUniform maxval"),
        (lambda: mk.initializers.VarianceScaling(scale=-1), "VarianceScaling scale"),
        (lambda: mk.initializers.Orthogonal(gain=-1), "Orthogonal gain"),
        (lambda: mk.initializers.Constant(float("nan")), "Constant value"),
        (lambda: mk.initializers.Constant(1e39), "Constant value"),
        (lambda: mk.initializers.Constant("a"), "Constant value"),
        (lambda: mk.initializers.get({"name": "random_normal", "stddev": -1}), "stddev"),
    ],
)
def test_initializer_arguments_are_checked_at_construction(make, words):
    with pytest.raises(ConfigError, match=words):
        make()


def test_good_initializer_arguments_still_work():
    out = np.empty((3, 4), dtype=np.float32)
    for init in (
        mk.initializers.RandomNormal(mean=1, stddev=0),
        mk.initializers.RandomUniform(minval=-1, maxval=1),
        mk.initializers.VarianceScaling(scale=2.0),
        mk.initializers.Orthogonal(gain=0.5),
        mk.initializers.Constant(np.float32(3)),
    ):
        init(out, np.random.default_rng(0))
        assert np.isfinite(out).all()
        assert mk.initializers.get(init.get_config()).get_config() == init.get_config()


# -- 5. sample weights beyond float32 -----------------------------------------------------------
@pytest.mark.parametrize("weights", [np.r_[1e39, np.ones(199)], np.full(200, 1e300)])
def test_sample_weights_beyond_float32_are_refused(weights):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(ValueError, match="sample_weight .*beyond the range of float32"):
            net().fit(X, y, loss="mse", sample_weight=weights)


def test_sample_weights_whose_sum_overflows_float32_are_refused():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(ValueError, match="sample_weight sums to .*beyond the range of float32"):
            net().fit(X, y, loss="mse", sample_weight=np.full(200, 1e37))


def test_weights_near_float32s_max_train_as_their_ratios_do():
    y_large = 100 * y  # each weight × row loss overflows float32; the weighted mean does not
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        large = net()
        large.fit(X, y_large, loss="mse", epochs=2, sample_weight=np.full(200, 1e36))
    ones = net()
    ones.fit(X, y_large, loss="mse", epochs=2, sample_weight=np.ones(200))
    np.testing.assert_allclose(large.params, ones.params, rtol=1e-4, atol=1e-6)


def test_large_weights_fit_in_float64():
    n = mk.Sequential([mk.layers.Dense(1)], random_state=0, dtype="float64")
    n.fit(X, y, loss="mse", sample_weight=np.r_[1e39, np.ones(199)], epochs=1)


# -- 6. an empty network ------------------------------------------------------------------------
@pytest.mark.parametrize(
    "call",
    [
        lambda n: n.fit(X, y, loss="mse"),
        lambda n: n.predict(X),
        lambda n: n.evaluate(X, y, loss="mse"),
        lambda n: n.build(10),
    ],
)
def test_an_empty_network_says_it_has_no_layers(call):
    with pytest.raises(ConfigError, match="The network has no layers"):
        call(mk.Sequential([]))
