"""Bad input to MLPClassifier and MLPRegressor is refused in mlpkit's words.

Two tables: every hyperparameter given a value of the wrong kind or out of range, refused by
``check_params()`` (without data) and by ``fit`` alike with a ConfigError naming the estimator,
the parameter and the value; and bad data to ``fit``, ``partial_fit`` and ``predict``. A row is
(case id, call or parameters, expected exception, words the message must hold).
"""

from __future__ import annotations

import contextlib
import warnings

import numpy as np
import pandas as pd
import pytest
from refusals import assert_refused

import mlpkit as mk


def refused(call, exception, words) -> None:
    assert_refused(call, exception, words)


#: (parameter, bad value, words beyond the parameter's name): refused for both estimators.
BAD_PARAMETERS = [
    ("hidden_layer_sizes", (0,), ["0"]),
    ("hidden_layer_sizes", (8, -2), ["-2"]),
    ("hidden_layer_sizes", "10", ["'10'"]),
    ("hidden_layer_sizes", (4.5,), ["4.5"]),
    ("hidden_layer_sizes", None, ["none"]),
    ("activation", "relux", ["relux", "relu"]),
    ("activation", 3, ["3"]),
    ("activation", ["relu", "tanh"], ["2 names", "1 hidden"]),
    ("solver", "newton", ["newton", "adam"]),
    ("optimizer", "adamx", ["adamx", "adam"]),
    ("alpha", -1.0, ["-1"]),
    ("alpha", "0.1", ["'0.1'"]),
    ("alpha", float("nan"), ["nan"]),
    ("l1_ratio", 1.5, ["1.5", "[0, 1]"]),
    ("l1", -0.1, ["-0.1"]),
    ("batch_size", 0, ["0"]),
    ("batch_size", "big", ["'big'"]),
    ("learning_rate", "fast", ["fast", "constant"]),
    ("learning_rate_init", 0.0, ["0.0", "positive"]),
    ("learning_rate_init", -1e-3, ["-0.001"]),
    ("learning_rate_init", "1e-3", ["'1e-3'"]),
    ("power_t", -0.5, ["-0.5"]),
    ("max_iter", 0, ["0"]),
    ("max_iter", 10.5, ["10.5"]),
    ("max_iter", "200", ["'200'"]),
    ("shuffle", "yes", ["'yes'", "true or false"]),
    ("random_state", "seed", ["'seed'"]),
    ("random_state", 1.5, ["1.5"]),
    ("tol", -1.0, ["-1"]),
    ("verbose", -1, ["-1"]),
    ("verbose", "loud", ["'loud'"]),
    ("warm_start", "no", ["'no'"]),
    ("momentum", 1.5, ["1.5"]),
    ("momentum", -0.1, ["-0.1"]),
    ("nesterovs_momentum", 1, ["1"]),
    ("beta_1", 1.0, ["1.0", "[0, 1)"]),
    ("beta_1", -0.1, ["-0.1"]),
    ("beta_2", 1.5, ["1.5"]),
    ("epsilon", 0.0, ["0.0"]),
    ("early_stopping", "sometimes", ["'sometimes'", "auto"]),
    ("validation_fraction", 0.0, ["0.0", "(0, 1)"]),
    ("validation_fraction", 1.0, ["1.0"]),
    ("n_iter_no_change", 0, ["0"]),
    ("max_fun", 0, ["0"]),
    ("dropout", 1.0, ["1.0", "[0, 1)"]),
    ("dropout", -0.2, ["-0.2"]),
    ("batch_norm", "on", ["'on'"]),
    ("kernel_initializer", "hee", ["hee"]),
    ("clip_norm", -1.0, ["-1"]),
    ("clip_norm", 0, ["0"]),
    ("lr_schedule", "fast", ["fast"]),
    ("scale_inputs", "yes", ["'yes'"]),
    ("preprocessor", "raw", ["'raw'", "auto"]),
    ("preprocessor", mk.data.Preprocessor(missing="bogus"), ["missing", "bogus"]),
    ("preprocessor", mk.data.Preprocessor(scaler="huge"), ["scaler", "huge"]),
    ("callbacks", [42], ["42", "EarlyStopping()"]),
    ("callbacks", ["early_stopping"], ["'early_stopping'"]),
    ("callbacks", [mk.callbacks.EarlyStopping], ["EarlyStopping"]),
    ("callbacks", 42, ["42", "list"]),
    ("dtype", "float16", ["float16", "float32"]),
    ("dtype", "int", ["'int'"]),
]

#: Combinations and parameters of one estimator: (id, estimator, words).
BAD_SETTINGS = [
    (
        "lbfgs with dropout",
        mk.MLPClassifier(solver="lbfgs", dropout=0.2),
        ["lbfgs", "dropout=0.2"],
    ),
    (
        "lbfgs with an optimizer",
        mk.MLPClassifier(solver="lbfgs", optimizer="adam"),
        ["lbfgs", "optimizer"],
    ),
    (
        "solver and optimizer differ",
        mk.MLPClassifier(solver="sgd", optimizer="rmsprop"),
        ["solver='sgd'", "optimizer='rmsprop'"],
    ),
    (
        "one activation per layer, too few",
        mk.MLPClassifier(hidden_layer_sizes=(4, 4, 4), activation=["relu"]),
        ["activation", "1 names", "3 hidden"],
    ),
    ("class_weight a list", mk.MLPClassifier(class_weight=[1, 2]), ["class_weight", "[1, 2]"]),
    (
        "class_weight negative",
        mk.MLPClassifier(class_weight={0: -1.0}),
        ["class_weight", "-1"],
    ),
    ("class_weight a name", mk.MLPClassifier(class_weight="even"), ["class_weight", "'even'"]),
    ("classification loss", mk.MLPRegressor(loss="binary_cross_entropy"), ["loss", "mse"]),
    ("unknown loss", mk.MLPRegressor(loss="msee"), ["loss", "msee"]),
    ("scale_target text", mk.MLPRegressor(scale_target="yes"), ["scale_target", "'yes'"]),
]


def parameter_cases():
    cases = []
    for cls in (mk.MLPClassifier, mk.MLPRegressor):
        for name, value, words in BAD_PARAMETERS:
            case_id = f"{cls.__name__}-{name}={value!r}"[:80]
            cases.append(pytest.param(cls, name, value, words, id=case_id))
    return cases


@pytest.mark.parametrize("cls, name, value, words", parameter_cases())
def test_check_params_names_the_parameter_its_value_and_what_is_allowed(cls, name, value, words):
    estimator = cls(**{name: value})
    refused(estimator.check_params, mk.ConfigError, [name, *words])


@pytest.mark.parametrize(
    "estimator, words", [c[1:] for c in BAD_SETTINGS], ids=[c[0] for c in BAD_SETTINGS]
)
def test_contradicting_settings_are_refused_without_data(estimator, words):
    refused(estimator.check_params, mk.ConfigError, words)


@pytest.mark.parametrize("name, value, words", [c for c in BAD_PARAMETERS[::6]])
def test_fit_refuses_the_same_parameters_before_reading_the_data(name, value, words):
    X, y = np.zeros((6, 2)), [0, 1] * 3
    refused(lambda: mk.MLPClassifier(**{name: value}).fit(X, y), mk.ConfigError, [name, *words])


def test_good_parameters_pass_check_params():
    mk.MLPClassifier(
        hidden_layer_sizes=np.array([3, 4]),
        activation=["relu", "tanh"],
        random_state=np.random.RandomState(0),
        optimizer={"name": "sgd", "momentum": 0.5},
        lr_schedule={"name": "cosine_decay", "initial_learning_rate": 0.1, "decay_steps": 10},
        callbacks=[mk.callbacks.EarlyStopping()],
        class_weight={0: 1.0, 1: 2.0},
        preprocessor=mk.data.Preprocessor(missing="median"),
        dtype=np.float32,
        verbose=True,
        early_stopping=np.True_,
    ).check_params()
    mk.MLPRegressor(loss="huber", hidden_layer_sizes=5).check_params()


X = np.random.default_rng(0).normal(size=(30, 3))
Y = (X[:, 0] > 0).astype(int)
TEXT = np.array([["a", "b", "c"]] * 30)


def classifier(**kwargs):
    return mk.MLPClassifier(hidden_layer_sizes=(4,), max_iter=3, random_state=0, **kwargs)


def regressor(**kwargs):
    return mk.MLPRegressor(hidden_layer_sizes=(4,), max_iter=3, random_state=0, **kwargs)


@contextlib.contextmanager
def quiet():
    """Training warnings (too few epochs, unscaled inputs) are not what these cases test."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield


def fitted(model):
    with quiet():
        return model.fit(X, Y if isinstance(model, mk.MLPClassifier) else X[:, 1])


DATA = [
    (
        "text features",
        lambda: classifier().fit(TEXT, Y),
        ValueError,
        ["column 0", "not numeric", "'a'", "preprocessor='auto'"],
    ),
    (
        "text column of a DataFrame",
        lambda: classifier().fit(pd.DataFrame({"x": X[:, 0], "town": ["Oslo"] * 30}), Y),
        ValueError,
        ["'town'", "'oslo'"],
    ),
    (
        "ragged rows",
        lambda: classifier().fit([[1.0, 2.0], [1.0]] * 15, Y),
        ValueError,
        ["ragged", "row 1"],
    ),
    ("1-D features", lambda: classifier().fit(X[:, 0], Y), ValueError, ["2d", "reshape"]),
    (
        "NaN features",
        lambda: regressor().fit(np.where(X > 1, np.nan, X), X[:, 0]),
        ValueError,
        ["nan", "preprocessor='auto') fills missing"],
    ),
    ("rows mismatch", lambda: classifier().fit(X, Y[:10]), ValueError, ["30", "10"]),
    ("y None", lambda: classifier().fit(X, None), ValueError, ["y", "none"]),
    ("y 3-D", lambda: regressor().fit(X, np.zeros((30, 1, 1))), ValueError, ["y", "(30, 1, 1)"]),
    ("one class", lambda: classifier().fit(X, np.ones(30)), ValueError, ["2 classes", "1 class"]),
    (
        "continuous labels",
        lambda: classifier().fit(X, X[:, 0]),
        ValueError,
        ["unknown label type", "continuous"],
    ),
    ("text targets", lambda: regressor().fit(X, ["a"] * 30), TypeError, ["numeric", "'a'"]),
    (
        "text sample_weight",
        lambda: classifier().fit(X, Y, sample_weight=["w"] * 30),
        TypeError,
        ["sample_weight", "'w'"],
    ),
    (
        "short sample_weight",
        lambda: classifier().fit(X, Y, sample_weight=np.ones(3)),
        ValueError,
        ["sample_weight", "(3,)", "(30,)"],
    ),
    (
        "negative sample_weight",
        lambda: regressor().fit(X, X[:, 0], sample_weight=-np.ones(30)),
        ValueError,
        ["sample_weight", "non-negative"],
    ),
    (
        "class_weight of unknown class",
        lambda: classifier(class_weight={0: 1, 5: 2}).fit(X, Y),
        ValueError,
        ["class_weight", "5", "classes: 0, 1"],
    ),
    (
        "partial_fit without classes",
        lambda: classifier().partial_fit(X, Y),
        ValueError,
        ["classes", "partial_fit"],
    ),
    (
        "partial_fit with lbfgs",
        lambda: mk.MLPRegressor(solver="lbfgs").partial_fit(X, X[:, 0]),
        mk.ConfigError,
        ["partial_fit", "lbfgs"],
    ),
    ("predict before fit", lambda: classifier().predict(X), mk.NotFittedError, ["fit"]),
    (
        "predict_proba before fit",
        lambda: classifier().predict_proba(X),
        mk.NotFittedError,
        ["fit"],
    ),
    (
        "predict other width",
        lambda: fitted(classifier()).predict(X[:, :2]),
        ValueError,
        ["2 features", "3 features"],
    ),
    (
        "predict text",
        lambda: fitted(regressor()).predict(TEXT[:2]),
        ValueError,
        ["column 0", "not numeric"],
    ),
    (
        "predict ragged",
        lambda: fitted(regressor()).predict([[1.0, 2.0, 3.0], [1.0]]),
        ValueError,
        ["ragged", "row 1"],
    ),
    (
        "predict missing column",
        lambda: fitted(classifier(preprocessor="auto")).predict(
            pd.DataFrame(X[:, :2], columns=["0", "1"])
        ),
        ValueError,
        ["2"],
    ),
    (
        "warm start with new layers",
        lambda: fitted(classifier(warm_start=True)).set_params(hidden_layer_sizes=(5,)).fit(X, Y),
        mk.ConfigError,
        ["warm_start", "hidden_layer_sizes"],
    ),
    (
        "save before fit",
        lambda: classifier().save("never.mlpk"),
        mk.NotFittedError,
        ["fit"],
    ),
]


@pytest.mark.parametrize("call, exception, words", [c[1:] for c in DATA], ids=[c[0] for c in DATA])
def test_bad_data_to_an_estimator_is_refused_in_our_words(call, exception, words):
    with quiet():
        refused(call, exception, words)
