"""Bad input to mk.Sequential (construction, build, fit, predict, evaluate, save) is refused in
mlpkit's words: an exception of a clear type whose message names what is at fault.

Each row of the tables: (case id, call, expected exception, words the message must hold). A
call takes the :class:`Kit` (fresh and fitted networks, data, a folder). An exception of a
type defined by numpy or pandas, or a message without the words, fails the case.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import scipy.sparse
from refusals import assert_refused

import mlpkit as mk


@dataclass
class Kit:
    X: np.ndarray
    y: np.ndarray
    y_values: np.ndarray
    folder: Path

    def net(self, units=1, activation="sigmoid", **kwargs) -> mk.Sequential:
        return mk.Sequential(
            [mk.layers.Dense(4, activation="tanh"), mk.layers.Dense(units, activation=activation)],
            random_state=0,
            **kwargs,
        )

    def fit(self, **kwargs):
        """A fresh classification network fitted with ``kwargs`` (X, y overridable)."""
        X, y = kwargs.pop("X", self.X), kwargs.pop("y", self.y)
        kwargs.setdefault("loss", "binary_cross_entropy")
        return self.net().fit(X, y, epochs=kwargs.pop("epochs", 1), **kwargs)

    def fit_values(self, **kwargs):
        X, y = kwargs.pop("X", self.X), kwargs.pop("y", self.y_values)
        return self.net(activation="linear").fit(X, y, loss="mse", epochs=1, **kwargs)

    def classifier(self) -> mk.Sequential:
        net = self.net()
        net.fit(self.X, self.y, loss="binary_cross_entropy", epochs=1)
        return net

    def regressor(self) -> mk.Sequential:
        net = self.net(activation="linear")
        net.fit(self.X, self.y_values, loss="mse", epochs=1)
        return net


@pytest.fixture
def kit(tmp_path) -> Kit:
    rng = np.random.default_rng(0)
    X = rng.normal(size=(20, 3))
    return Kit(X, (X[:, 0] > 0).astype(int), X[:, 1] * 2.0, tmp_path)


def refused(call, kit, exception, words) -> None:
    assert_refused(lambda: call(kit), exception, words)


def text_rows(n=20):
    return np.array([["a", "b", "c"]] * n)


def with_nan(X, row=3, col=1, value=np.nan):
    X = X.copy()
    X[row, col] = value
    return X


def dense(units):
    return lambda k: mk.layers.Dense(units)


def sequential(layers):
    return lambda k: mk.Sequential(layers)


CONSTRUCTION = [
    ("layer is a number", lambda k: mk.Sequential([42]), TypeError, ["layers", "42"]),
    ("layer is a name", lambda k: mk.Sequential(["dense"]), TypeError, ["layers", "dense"]),
    ("layer is a class", lambda k: mk.Sequential([mk.layers.Dense]), TypeError, ["layers"]),
    ("dense of 0 units", dense(0), mk.ConfigError, ["units", "0"]),
    ("dense of -3 units", dense(-3), mk.ConfigError, ["units", "-3"]),
    ("dense of '4' units", dense("4"), mk.ConfigError, ["units", "'4'"]),
    ("dense of 2.5 units", dense(2.5), mk.ConfigError, ["units", "2.5"]),
    ("dense of True units", dense(True), mk.ConfigError, ["units", "true"]),
    (
        "unknown activation",
        lambda k: mk.layers.Dense(4, activation="relux"),
        mk.ConfigError,
        ["activation", "relux", "relu"],
    ),
    (
        "activation a number",
        lambda k: mk.layers.Dense(4, activation=3),
        mk.ConfigError,
        ["activation", "3"],
    ),
    (
        "unknown initializer",
        lambda k: mk.layers.Dense(4, kernel_initializer="hee"),
        mk.ConfigError,
        ["initializer", "hee"],
    ),
    ("dtype float16", lambda k: k.net(dtype="float16"), mk.ConfigError, ["dtype", "float16"]),
    ("dtype int", lambda k: k.net(dtype="int32"), mk.ConfigError, ["dtype", "int32"]),
    (
        "random_state text",
        lambda k: mk.Sequential([mk.layers.Dense(1)], random_state="seed"),
        TypeError,
        ["random_state", "seed"],
    ),
    (
        "random_state float",
        lambda k: mk.Sequential([mk.layers.Dense(1)], random_state=1.5),
        TypeError,
        ["random_state", "1.5"],
    ),
    (
        "one layer object twice",
        lambda k: (lambda d: mk.Sequential([d, d]))(mk.layers.Dense(2)),
        mk.ConfigError,
        ["already in the network"],
    ),
    (
        "dropout rate 1.5",
        lambda k: mk.layers.Dropout(1.5),
        mk.ConfigError,
        ["rate", "1.5"],
    ),
]

BUILD = [
    ("build 0 features", lambda k: k.net().build(0), mk.ConfigError, ["n_features", "0"]),
    ("build -1 features", lambda k: k.net().build(-1), mk.ConfigError, ["n_features", "-1"]),
    ("build '3' features", lambda k: k.net().build("3"), mk.ConfigError, ["n_features", "'3'"]),
    ("build 2.5 features", lambda k: k.net().build(2.5), mk.ConfigError, ["n_features", "2.5"]),
    ("build True features", lambda k: k.net().build(True), mk.ConfigError, ["n_features"]),
    ("build no layers", lambda k: mk.Sequential([]).build(3), mk.ConfigError, ["no layers"]),
    (
        "rebuild other width",
        lambda k: k.net().build(3).build(4),
        mk.ConfigError,
        ["already built", "3", "4"],
    ),
    (
        "add after build",
        lambda k: k.net().build(3).add(mk.layers.Dense(2)),
        mk.ConfigError,
        ["already built"],
    ),
]

FIT_FEATURES = [
    ("text array", lambda k: k.fit(X=text_rows()), TypeError, ["column 0", "not numeric", "'a'"]),
    (
        "text nested lists",
        lambda k: k.fit(X=text_rows().tolist()),
        TypeError,
        ["column 0", "not numeric"],
    ),
    (
        "bytes array",
        lambda k: k.fit(X=text_rows().astype("S")),
        TypeError,
        ["column 0", "not numeric"],
    ),
    (
        "one text column among numbers",
        lambda k: k.fit(X=np.column_stack([k.X[:, :2], ["x"] * 20])),
        TypeError,
        ["column 2", "not numeric", "'x'"],
    ),
    (
        "text column of a DataFrame",
        lambda k: k.fit(X=pd.DataFrame({"age": k.X[:, 0], "city": ["Oslo"] * 20})),
        TypeError,
        ["'city'", "not numeric", "preprocessor"],
    ),
    (
        "ragged nested lists",
        lambda k: k.fit(X=[[1.0, 2.0, 3.0], [1.0, 2.0]] + [[1.0, 2.0, 3.0]] * 18),
        ValueError,
        ["ragged", "row 1", "2"],
    ),
    (
        "ragged later row",
        lambda k: k.fit(X=[[1.0, 2.0]] * 5 + [[1.0]] + [[1.0, 2.0]] * 14),
        ValueError,
        ["ragged", "row 5"],
    ),
    ("1-D features", lambda k: k.fit(X=k.X[:, 0]), ValueError, ["2-d", "reshape"]),
    ("3-D features", lambda k: k.fit(X=k.X.reshape(20, 3, 1)), ValueError, ["2-d", "(20, 3, 1)"]),
    (
        "scalar features",
        lambda k: k.fit(X=np.float64(3.0), y=[1]),
        ValueError,
        ["x has 0 rows", "y has 1"],
    ),
    ("no rows", lambda k: k.fit(X=np.empty((0, 3)), y=[]), ValueError, ["empty", "(0, 3)"]),
    ("no columns", lambda k: k.fit(X=np.empty((20, 0))), ValueError, ["empty", "(20, 0)"]),
    ("NaN cell", lambda k: k.fit(X=with_nan(k.X)), ValueError, ["nan", "row 3", "column 1"]),
    (
        "NaN cell in a DataFrame",
        lambda k: k.fit(X=pd.DataFrame(with_nan(k.X), columns=["a", "b", "c"])),
        ValueError,
        ["nan", "row 3", "'b'"],
    ),
    (
        "infinite cell",
        lambda k: k.fit(X=with_nan(k.X, 7, 2, np.inf)),
        ValueError,
        ["inf", "row 7", "column 2"],
    ),
    (
        "None cell",
        lambda k: k.fit(X=with_nan(k.X.astype(object), 2, 0, None)),
        ValueError,
        ["nan", "row 2"],
    ),
    (
        "beyond float32",
        lambda k: k.fit(X=with_nan(k.X, 4, 0, 1e300)),
        ValueError,
        ["1e+300", "row 4", "float32"],
    ),
    ("complex", lambda k: k.fit(X=k.X.astype(complex)), TypeError, ["complex"]),
    (
        "dates",
        lambda k: k.fit(X=np.array([["2020-01-01"] * 3] * 20, dtype="datetime64[D]")),
        TypeError,
        ["dates", "numeric"],
    ),
    ("sparse", lambda k: k.fit(X=scipy.sparse.csr_matrix(k.X)), TypeError, ["sparse", "toarray"]),
    ("dict rows", lambda k: k.fit(X=[{"a": 1}] * 20), ValueError, ["2-d"]),
]

FIT_TARGETS = [
    ("fewer labels than rows", lambda k: k.fit(y=k.y[:15]), ValueError, ["20", "15", "rows"]),
    ("more labels than rows", lambda k: k.fit(y=np.r_[k.y, k.y]), ValueError, ["20", "40"]),
    ("text values for mse", lambda k: k.fit_values(y=["a"] * 20), TypeError, ["numeric", "'a'"]),
    (
        "NaN target for mse",
        lambda k: k.fit_values(y=with_nan(k.X, 3, 0)[:, 0]),
        ValueError,
        ["y", "nan"],
    ),
    (
        "3-D target",
        lambda k: k.fit_values(y=np.zeros((20, 1, 1))),
        ValueError,
        ["y", "(20, 1, 1)"],
    ),
    (
        "three labels for one sigmoid",
        lambda k: k.fit(y=np.arange(20) % 3),
        ValueError,
        ["3", "class"],
    ),
    (
        "missing label",
        lambda k: k.fit(y=np.r_[k.y[:19].astype(object), None]),
        ValueError,
        ["missing", "row 19"],
    ),
]

FIT_ARGUMENTS = [
    ("no loss", lambda k: k.net().fit(k.X, k.y), mk.ConfigError, ["loss", "loss="]),
    ("unknown loss", lambda k: k.fit(loss="msee"), mk.ConfigError, ["loss", "msee", "mse"]),
    ("loss a number", lambda k: k.fit(loss=3), mk.ConfigError, ["loss", "3"]),
    (
        "unknown optimizer",
        lambda k: k.fit(optimizer="adamx"),
        mk.ConfigError,
        ["optimizer", "adamx"],
    ),
    ("optimizer a class", lambda k: k.fit(optimizer=mk.optim.Adam), mk.ConfigError, ["optimizer"]),
    ("batch_size 0", lambda k: k.fit(batch_size=0), mk.ConfigError, ["batch_size", "0"]),
    ("batch_size -5", lambda k: k.fit(batch_size=-5), mk.ConfigError, ["batch_size", "-5"]),
    ("batch_size '32'", lambda k: k.fit(batch_size="32"), mk.ConfigError, ["batch_size", "'32'"]),
    ("batch_size 2.5", lambda k: k.fit(batch_size=2.5), mk.ConfigError, ["batch_size", "2.5"]),
    ("epochs -1", lambda k: k.fit(epochs=-1), mk.ConfigError, ["epochs", "-1"]),
    ("epochs '10'", lambda k: k.fit(epochs="10"), mk.ConfigError, ["epochs", "'10'"]),
    ("epochs 1.5", lambda k: k.fit(epochs=1.5), mk.ConfigError, ["epochs", "1.5"]),
    (
        "validation_split '0.2'",
        lambda k: k.fit(validation_split="0.2"),
        mk.ConfigError,
        ["validation_split", "'0.2'"],
    ),
    (
        "validation_split 1.5",
        lambda k: k.fit(validation_split=1.5),
        mk.ConfigError,
        ["validation_split", "1.5"],
    ),
    (
        "validation_split -0.1",
        lambda k: k.fit(validation_split=-0.1),
        mk.ConfigError,
        ["validation_split"],
    ),
    (
        "validation_split 1",
        lambda k: k.fit(validation_split=1.0),
        mk.ConfigError,
        ["validation_split", "1"],
    ),
    (
        "validation_split True",
        lambda k: k.fit(validation_split=True),
        mk.ConfigError,
        ["validation_split", "true"],
    ),
    (
        "validation_split leaving no rows",
        lambda k: k.fit(validation_split=0.01),
        mk.ConfigError,
        ["validation_split", "0 of 20"],
    ),
    (
        "split and data both",
        lambda k: k.fit(validation_split=0.2, validation_data=(k.X, k.y)),
        mk.ConfigError,
        ["validation_data", "validation_split", "not both"],
    ),
    (
        "validation_data not a pair",
        lambda k: k.fit(validation_data=k.X),
        mk.ConfigError,
        ["validation_data", "pair"],
    ),
    (
        "validation_data of three",
        lambda k: k.fit(validation_data=(k.X, k.y, k.y)),
        mk.ConfigError,
        ["validation_data", "pair"],
    ),
    (
        "validation rows mismatch",
        lambda k: k.fit(validation_data=(k.X, k.y[:5])),
        ValueError,
        ["x_val", "y_val", "20", "5"],
    ),
    (
        "validation text",
        lambda k: k.fit(validation_data=(text_rows(), k.y)),
        TypeError,
        ["x_val", "column 0"],
    ),
    (
        "validation width",
        lambda k: k.fit(validation_data=(k.X[:, :2], k.y)),
        ValueError,
        ["x_val", "2 features", "3"],
    ),
    (
        "sample_weight text",
        lambda k: k.fit(sample_weight=["a"] * 20),
        TypeError,
        ["sample_weight", "'a'"],
    ),
    (
        "sample_weight length",
        lambda k: k.fit(sample_weight=np.ones(5)),
        ValueError,
        ["sample_weight", "(5,)", "(20,)"],
    ),
    (
        "sample_weight negative",
        lambda k: k.fit(sample_weight=-np.ones(20)),
        ValueError,
        ["sample_weight", "non-negative"],
    ),
    (
        "sample_weight NaN",
        lambda k: k.fit(sample_weight=np.full(20, np.nan)),
        ValueError,
        ["sample_weight", "finite"],
    ),
    (
        "sample_weight zeros",
        lambda k: k.fit(sample_weight=np.zeros(20)),
        ValueError,
        ["sample_weight", "zero"],
    ),
    (
        "sample_weight 2-D",
        lambda k: k.fit(sample_weight=np.ones((20, 2))),
        ValueError,
        ["sample_weight", "(20, 2)"],
    ),
    ("callbacks [42]", lambda k: k.fit(callbacks=[42]), TypeError, ["callbacks", "42"]),
    (
        "callbacks by name",
        lambda k: k.fit(callbacks=["early_stopping"]),
        TypeError,
        ["callbacks", "'early_stopping'", "EarlyStopping()"],
    ),
    (
        "callback class",
        lambda k: k.fit(callbacks=[mk.callbacks.EarlyStopping]),
        TypeError,
        ["callbacks", "EarlyStopping"],
    ),
    pytest.param(
        "callbacks 42",
        lambda k: k.fit(callbacks=42),
        TypeError,
        ["callbacks", "42"],
    ),
    ("unknown metric", lambda k: k.fit(metrics=["acc"]), mk.ConfigError, ["metric", "acc"]),
    (
        "class metric on values",
        lambda k: k.fit_values(metrics=["accuracy"]),
        mk.ConfigError,
        ["accuracy", "regression"],
    ),
    ("clip_norm -1", lambda k: k.fit(clip_norm=-1), mk.ConfigError, ["clip_norm", "-1"]),
    ("clip_value 0", lambda k: k.fit(clip_value=0), mk.ConfigError, ["clip_value", "0"]),
    ("clip_norm text", lambda k: k.fit(clip_norm="1"), mk.ConfigError, ["clip_norm", "'1'"]),
    (
        "refit on other width",
        lambda k: k.classifier().fit(k.X[:, :2], k.y),
        ValueError,
        ["2 features", "3 features"],
    ),
]


def predict_before_fit(k):
    return k.net().predict(k.X)


PREDICT = [
    ("predict before fit", predict_before_fit, mk.NotFittedError, ["fit", "build"]),
    (
        "predict text",
        lambda k: k.classifier().predict(text_rows(2)),
        TypeError,
        ["column 0", "not numeric", "predicting"],
    ),
    (
        "predict ragged",
        lambda k: k.classifier().predict([[1.0, 2.0, 3.0], [1.0]]),
        ValueError,
        ["ragged", "row 1"],
    ),
    (
        "predict width",
        lambda k: k.classifier().predict(k.X[:, :2]),
        ValueError,
        ["2 features", "3 features"],
    ),
    (
        "predict 1-D",
        lambda k: k.classifier().predict(k.X[0]),
        ValueError,
        ["2-d", "reshape(1, -1)"],
    ),
    ("predict NaN", lambda k: k.classifier().predict(with_nan(k.X)), ValueError, ["nan", "row 3"]),
    ("predict empty", lambda k: k.classifier().predict(np.empty((0, 3))), ValueError, ["empty"]),
    (
        "predict sparse",
        lambda k: k.classifier().predict(scipy.sparse.csr_matrix(k.X)),
        TypeError,
        ["sparse"],
    ),
    (
        "predict_classes on values",
        lambda k: k.regressor().predict_classes(k.X),
        mk.NotFittedError,
        ["classification", "predict"],
    ),
    (
        "evaluate before fit",
        lambda k: k.net().evaluate(k.X, k.y),
        mk.NotFittedError,
        ["fit", "build"],
    ),
    (
        "evaluate rows mismatch",
        lambda k: k.classifier().evaluate(k.X, k.y[:3]),
        ValueError,
        ["20", "3", "rows"],
    ),
    (
        "evaluate unknown label",
        lambda k: k.classifier().evaluate(k.X, np.full(20, 7)),
        ValueError,
        ["7"],
    ),
    (
        "evaluate text features",
        lambda k: k.classifier().evaluate(text_rows(), k.y),
        TypeError,
        ["column 0", "evaluating"],
    ),
    (
        "evaluate unknown metric",
        lambda k: k.classifier().evaluate(k.X, k.y, metrics=["bogus"]),
        mk.ConfigError,
        ["metric", "bogus"],
    ),
    (
        "evaluate unknown loss",
        lambda k: k.classifier().evaluate(k.X, k.y, loss="msee"),
        mk.ConfigError,
        ["loss", "msee"],
    ),
]

SAVE = [
    (
        "save unbuilt",
        lambda k: k.net().save(k.folder / "m.mlpk"),
        mk.NotFittedError,
        ["built", "fit"],
    ),
    (
        "save into a missing folder",
        lambda k: k.classifier().save(k.folder / "nowhere" / "m.mlpk"),
        FileNotFoundError,
        ["nowhere"],
    ),
    pytest.param(
        "save onto a folder",
        lambda k: k.classifier().save(k.folder),
        IsADirectoryError,
        ["folder", "model.mlpk"],
    ),
    (
        "save to a NUL path",
        lambda k: k.classifier().save(str(k.folder / "m\x00.mlpk")),
        ValueError,
        ["nul"],
    ),
    pytest.param(
        "save to a number",
        lambda k: k.classifier().save(42),
        TypeError,
        ["path", "42"],
    ),
]

CASES = CONSTRUCTION + BUILD + FIT_FEATURES + FIT_TARGETS + FIT_ARGUMENTS + PREDICT + SAVE


def as_params(cases):
    """Table rows as pytest params, the case name as the id (a row may be a pytest.param
    already, with an xfail mark naming the file that needs the fix)."""
    params = []
    for case in cases:
        if not hasattr(case, "marks"):  # a plain row (a pytest.param is a named tuple too)
            case = pytest.param(*case)
        name, *rest = case.values
        params.append(pytest.param(*rest, marks=case.marks, id=name))
    return params


@pytest.mark.parametrize("call, exception, words", as_params(CASES))
def test_bad_input_to_a_network_is_refused_in_our_words(kit, call, exception, words):
    refused(call, kit, exception, words)


def test_a_single_callback_not_in_a_list_is_taken_as_a_list_of_one(kit):
    history = kit.fit(callbacks=mk.callbacks.History(), epochs=2)
    assert len(history.history["loss"]) == 2
