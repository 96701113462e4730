"""Bad input to mk.load, mk.evaluate and mk.report is refused in mlpkit's words: an exception
of a clear type whose message names the file, the model, the argument or the labels at fault.

A row: (case id, call, expected exception, words the message must hold). A call takes the
:class:`Kit` (fitted models, data, a folder). Rows whose fix lies in a file this suite's owner
does not own are strict xfails naming that file and the change it needs.
"""

from __future__ import annotations

import os
import warnings
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
from refusals import assert_refused
from sklearn.linear_model import LogisticRegression

import mlpkit as mk


@dataclass
class Kit:
    X: np.ndarray
    y: np.ndarray
    classifier: mk.MLPClassifier
    regressor: mk.MLPRegressor
    folder: Path

    def write(self, name: str, content: bytes) -> Path:
        path = self.folder / name
        path.write_bytes(content)
        return path

    def saved(self) -> Path:
        return Path(self.classifier.save(self.folder / "good.mlpk"))


@pytest.fixture(scope="module")
def models():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(20, 3))
    y = (X[:, 0] > 0).astype(int)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        classifier = mk.MLPClassifier(hidden_layer_sizes=(3,), max_iter=3, random_state=0)
        regressor = mk.MLPRegressor(hidden_layer_sizes=(3,), max_iter=3, random_state=0)
        return X, y, classifier.fit(X, y), regressor.fit(X, X[:, 1])


@pytest.fixture
def kit(models, tmp_path) -> Kit:
    return Kit(*models, tmp_path)


def refused(call, kit, exception, words) -> None:
    assert_refused(lambda: call(kit), exception, words, quiet=True)


def needs(path: str, change: str):
    return pytest.mark.xfail(strict=True, reason=f"{path}: {change}")


def truncated(kit):
    content = kit.saved().read_bytes()
    return mk.load(kit.write("half.mlpk", content[: len(content) // 2]))


def foreign_zip(kit):
    path = kit.folder / "z.mlpk"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("a.txt", "x")
    return mk.load(path)


LOAD = [
    (
        "missing file",
        lambda k: mk.load(k.folder / "nothing.mlpk"),
        FileNotFoundError,
        ["nothing.mlpk"],
    ),
    ("empty file", lambda k: mk.load(k.write("e.mlpk", b"")), ValueError, ["e.mlpk", "model file"]),
    (
        "text file",
        lambda k: mk.load(k.write("t.mlpk", b"hello")),
        ValueError,
        ["t.mlpk", "model file"],
    ),
    (
        "random bytes",
        lambda k: mk.load(k.write("r.mlpk", os.urandom(300))),
        ValueError,
        ["r.mlpk", "model file"],
    ),
    (
        "a CSV",
        lambda k: mk.load(k.write("t.csv", b"a,b\n1,2\n")),
        ValueError,
        ["t.csv", "model file"],
    ),
    ("truncated", truncated, ValueError, ["half.mlpk"]),
    ("a zip of other things", foreign_zip, ValueError, ["z.mlpk", "a.txt"]),
    pytest.param(
        "a folder",
        lambda k: mk.load(k.folder),
        IsADirectoryError,
        ["folder", "model file"],
    ),
    pytest.param(
        "NUL byte in the path",
        lambda k: mk.load("a\x00b.mlpk"),
        ValueError,
        ["nul", "path"],
    ),
    pytest.param(
        "path a number",
        lambda k: mk.load(42),
        TypeError,
        ["mk.load", "42"],
    ),
    pytest.param(
        "path None",
        lambda k: mk.load(None),
        TypeError,
        ["mk.load", "none"],
    ),
]


def unfitted(_):
    return mk.MLPClassifier()


EVALUATE = [
    (
        "a model file's path",
        lambda k: mk.evaluate(str(k.saved()), k.X, k.y),
        TypeError,
        ["good.mlpk", "mk.load"],
    ),
    (
        "a pathlib path",
        lambda k: mk.evaluate(k.saved(), k.X, k.y),
        TypeError,
        ["good.mlpk", "mk.load"],
    ),
    ("None", lambda k: mk.evaluate(None, k.X, k.y), TypeError, ["evaluate takes", "nonetype"]),
    (
        "another library's model",
        lambda k: mk.evaluate(LogisticRegression().fit(k.X, k.y), k.X, k.y),
        TypeError,
        ["logisticregression"],
    ),
    (
        "unfitted estimator",
        lambda k: mk.evaluate(unfitted(k), k.X, k.y),
        mk.NotFittedError,
        ["mlpclassifier", "fit"],
    ),
    (
        "unbuilt network",
        lambda k: mk.evaluate(mk.Sequential([mk.layers.Dense(1)]), k.X, k.y),
        mk.NotFittedError,
        ["built", "fit"],
    ),
    ("rows mismatch", lambda k: mk.evaluate(k.classifier, k.X, k.y[:5]), ValueError, ["20", "5"]),
    (
        "unknown label",
        lambda k: mk.evaluate(k.classifier, k.X, np.full(20, 7)),
        ValueError,
        ["[7]", "classes", "[0, 1]"],
    ),
    (
        "text labels for number classes",
        lambda k: mk.evaluate(k.classifier, k.X, ["a"] * 20),
        ValueError,
        ["'a'", "[0, 1]"],
    ),
    (
        "probabilities as labels",
        lambda k: mk.evaluate(k.classifier, k.X, np.full(20, 0.3)),
        ValueError,
        ["probabilities", "label"],
    ),
    (
        "one-hot of the wrong width",
        lambda k: mk.evaluate(k.classifier, k.X, np.zeros((20, 5))),
        ValueError,
        ["(20, 5)", "(n_samples, 2)"],
    ),
    (
        "unknown task",
        lambda k: mk.evaluate(k.classifier, k.X, k.y, task="bogus"),
        mk.ConfigError,
        ["task", "bogus"],
    ),
    (
        "threshold 1.5",
        lambda k: mk.evaluate(k.classifier, k.X, k.y, threshold=1.5),
        mk.ConfigError,
        ["threshold", "1.5"],
    ),
    (
        "threshold text",
        lambda k: mk.evaluate(k.classifier, k.X, k.y, threshold="0.5"),
        mk.ConfigError,
        ["threshold", "'0.5'"],
    ),
    (
        "threshold 0",
        lambda k: mk.evaluate(k.classifier, k.X, k.y, threshold=0),
        mk.ConfigError,
        ["threshold", "(0, 1)"],
    ),
    ("k 0", lambda k: mk.evaluate(k.regressor, k.X, k.X[:, 1], k=0), mk.ConfigError, ["k", "0"]),
    (
        "k text",
        lambda k: mk.evaluate(k.regressor, k.X, k.X[:, 1], k="10"),
        mk.ConfigError,
        ["k", "'10'"],
    ),
    (
        "text targets for a regression",
        lambda k: mk.evaluate(k.regressor, k.X, ["a"] * 20),
        ValueError,
        ["numeric", "text"],
    ),
    (
        "missing targets for a regression",
        lambda k: mk.evaluate(k.regressor, k.X, np.r_[k.X[:19, 1], np.nan]),
        ValueError,
        ["nan", "row 19"],
    ),
    (
        "targets of the wrong shape",
        lambda k: mk.evaluate(k.regressor, k.X, np.zeros((20, 3))),
        ValueError,
        ["(20, 3)", "(20, 1)"],
    ),
    (
        "multilabel task of one output",
        lambda k: mk.evaluate(k.regressor, k.X, k.y, task="multilabel"),
        ValueError,
        ["multi-label", "(20,)"],
    ),
    (
        "features of the wrong width",
        lambda k: mk.evaluate(k.classifier, k.X[:, :2], k.y),
        ValueError,
        ["2 features", "3 features"],
    ),
    (
        "text features",
        lambda k: mk.evaluate(k.classifier, np.array([["a"] * 3] * 20), k.y),
        ValueError,
        ["column", "'a'"],
    ),
]

REPORT = [
    (
        "into a missing folder",
        lambda k: mk.report(k.classifier, k.X, k.y, k.folder / "nowhere" / "r.html"),
        FileNotFoundError,
        ["nowhere", "does not exist"],
    ),
    (
        "a model file's path",
        lambda k: mk.report(str(k.saved()), k.X, k.y, k.folder / "r.html"),
        TypeError,
        ["good.mlpk", "mk.load"],
    ),
    (
        "unfitted estimator",
        lambda k: mk.report(unfitted(k), k.X, k.y, k.folder / "r.html"),
        mk.NotFittedError,
        ["fit"],
    ),
    (
        "rows mismatch",
        lambda k: mk.report(k.classifier, k.X, k.y[:4], k.folder / "r.html"),
        ValueError,
        ["20", "4"],
    ),
    (
        "history a number",
        lambda k: mk.report(k.classifier, k.X, k.y, k.folder / "r.html", history=42),
        TypeError,
        ["history", "int"],
    ),
    (
        "unknown labels",
        lambda k: mk.report(k.classifier, k.X, np.full(20, 9), k.folder / "r.html"),
        ValueError,
        ["[9]"],
    ),
    pytest.param(
        "onto a folder",
        lambda k: mk.report(k.classifier, k.X, k.y, k.folder),
        IsADirectoryError,
        ["folder", "report.html"],
    ),
    pytest.param(
        "NUL byte in the path",
        lambda k: mk.report(k.classifier, k.X, k.y, str(k.folder / "r\x00.html")),
        ValueError,
        ["nul", "path"],
    ),
    pytest.param(
        "X_train a number",
        lambda k: mk.report(k.classifier, k.X, k.y, k.folder / "r.html", X_train=42),
        TypeError,
        ["x_train", "42"],
    ),
]

CASES = LOAD + EVALUATE + REPORT


def as_params(cases):
    params = []
    for case in cases:
        if not hasattr(case, "marks"):
            case = pytest.param(*case)
        name, *rest = case.values
        params.append(pytest.param(*rest, marks=case.marks, id=name))
    return params


@pytest.mark.parametrize("call, exception, words", as_params(CASES))
def test_bad_models_and_arguments_are_refused_in_our_words(kit, call, exception, words):
    refused(call, kit, exception, words)


@pytest.mark.parametrize("label", [0, 1])
def test_a_y_of_one_class_is_named_in_the_evaluation(kit, label):
    with pytest.warns(UserWarning, match=f"y holds one class only \\({label}, all 20 rows\\)"):
        report = mk.evaluate(kit.classifier, kit.X, np.full(20, label))
    assert "undefined" in report.warnings[0] or any("one class" in w for w in report.warnings)
    assert "auc" not in report.metrics
