"""Defects a first-contact review met (2026-12-07), each with the test that would have caught it:
a loss paired with the wrong output activation, reading a ledger that is not there, exporting
to PyTorch without it, and the positive class of a binary report."""

import builtins
import warnings

import numpy as np
import pytest

import mlpkit as mk
from mlpkit import loading
from mlpkit.exceptions import ConfigError


def _binary(n=200, seed=0):
    X = np.random.default_rng(seed).normal(size=(n, 4))
    return X, (X[:, 0] > 0).astype(int)


@pytest.mark.parametrize(
    ("output", "loss", "wanted", "found"),
    [
        (
            mk.layers.Dense(1, activation="sigmoid"),
            "categorical_cross_entropy",
            "softmax",
            "sigmoid",
        ),
        (mk.layers.Dense(2, activation="softmax"), "binary_cross_entropy", "sigmoid", "softmax"),
        (mk.layers.Dense(1), "binary_cross_entropy", "sigmoid", "linear"),
    ],
)
def test_a_cross_entropy_on_the_wrong_output_says_which_activation(output, loss, wanted, found):
    """Before: the targets were read against the output first, and the error spoke of y's
    shape or of class labels that do not fit "1 softmax units" of a sigmoid layer."""
    X, y = _binary()
    net = mk.Sequential([mk.layers.Dense(8, activation="relu"), output], random_state=0)
    with pytest.raises(
        ConfigError, match=f'last layer\'s activation is {found}. Use activation="{wanted}"'
    ):
        net.fit(X, y, loss=loss, epochs=1)


def test_reading_a_ledger_that_is_not_there_creates_nothing(tmp_path):
    missing = tmp_path / "typo.sqlite"
    with pytest.raises(FileNotFoundError, match="never creates one"):
        mk.runs(str(missing))
    with pytest.raises(FileNotFoundError, match="typo.sqlite"):
        mk.runs(f"sqlite:///{missing}")
    assert not missing.exists()
    assert len(list(mk.runs())) == 0  # None: an empty ledger in memory


def test_to_torch_without_pytorch_says_how_to_install_it(monkeypatch):
    X, y = _binary()
    net = mk.Sequential([mk.layers.Dense(1, activation="sigmoid")], random_state=0)
    net.fit(X, y, loss="binary_cross_entropy", epochs=1)
    real_import = builtins.__import__

    def no_torch(name, globals=None, locals=None, fromlist=(), level=0):
        if level == 0 and (name == "torch" or name.startswith("torch.")):
            raise ModuleNotFoundError("No module named 'torch'", name="torch")
        return real_import(name, globals, locals, fromlist, level)

    monkeypatch.setattr(builtins, "__import__", no_torch)
    with pytest.raises(ImportError, match="to_torch needs PyTorch.*pip install torch"):
        mk.export.to_torch(net)


@pytest.fixture(scope="module")
def rare_failures():
    """Text labels whose classes_[1] ('ok') is the commoner class."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(400, 3))
    y = np.where(X[:, 0] + 0.3 * rng.normal(size=400) > 1.2, "failure", "ok")
    return mk.MLPClassifier(random_state=0, max_iter=30).fit(X, y), X, y


def test_a_binary_report_scores_the_positive_class_asked_for(rare_failures):
    model, X, y = rare_failures
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        default = mk.evaluate(model, X, y)
    report = mk.evaluate(model, X, y, pos_label="failure")
    assert default.positive_class == "ok" and report.positive_class == "failure"
    failure = report.per_class["failure"]
    assert report.metrics["precision"] == failure["precision"]
    assert report.metrics["recall"] == failure["recall"]
    assert report.metrics["f1"] == failure["f1"]
    assert default.metrics["recall"] == default.per_class["ok"]["recall"]
    assert report.metrics["auc"] == pytest.approx(default.metrics["auc"], abs=1e-12)
    assert report.labels == ["ok", "failure"]  # the positive class last, as classes_[1] is
    counts = np.array(default.confusion_matrix)
    assert report.confusion_matrix == counts[::-1, ::-1].tolist()
    assert report.metrics["accuracy"] == default.metrics["accuracy"]


def test_the_default_positive_class_is_named_when_it_is_the_commoner_one(rare_failures):
    model, X, y = rare_failures
    with pytest.warns(UserWarning, match="pass pos_label='failure' to score class 'failure'"):
        mk.evaluate(model, X, y)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        mk.evaluate(model, X, y, pos_label="ok")  # asked for: no warning


def test_an_unknown_positive_class_is_named(rare_failures):
    model, X, y = rare_failures
    with pytest.raises(ConfigError, match="pos_label='x' is not one of the model's classes"):
        mk.evaluate(model, X, y, pos_label="x")
    X2, y2 = _binary()
    numbers = mk.MLPClassifier(random_state=0, max_iter=5).fit(X2, y2)
    with pytest.raises(ConfigError, match="pos_label=True"):
        mk.evaluate(numbers, X2, y2, pos_label=True)  # True is not the label 1
    assert mk.evaluate(numbers, X2, y2, pos_label=np.int64(0)).positive_class == 0


def test_a_search_whose_every_trial_failed_raises_a_typed_error_with_the_failures():
    """The command line tells bad data (exit 65) from a bug by these, not by parsing words."""
    from mlpkit.exceptions import NoTrialCompletedError

    X, y = _binary(60)
    search = mk.search.Search(
        mk.MLPClassifier(max_iter=2, class_weight={7: 1.0}),  # a class y does not have
        {"alpha": mk.search.LogUniform(1e-6, 1e-1)},
        strategy="random",
        n_trials=2,
        cv=2,
        random_state=0,
    )
    with pytest.raises(NoTrialCompletedError, match="no trial completed") as caught:
        search.fit(X, y)
    assert caught.value.n_trials == 2 and len(caught.value.failures) == 2
    assert all(text.startswith("ValueError: ") for text in caught.value.failures)
    assert isinstance(caught.value, RuntimeError)  # what it was before


@pytest.fixture(scope="module")
def small_model():
    X, y = _binary()
    return mk.MLPClassifier(max_iter=3, random_state=0).fit(X, y), X, y


@pytest.mark.parametrize("how", ["estimator", "network", "keyed"])
def test_saving_over_a_file_needs_overwrite(small_model, tmp_path, how):
    model, _, _ = small_model
    save = {
        "estimator": model.save,
        "network": model.network_.save,
        "keyed": lambda path, **kw: loading.save(model, path, key=b"k", **kw),
    }[how]
    path = tmp_path / "model.mlpk"
    path.write_bytes(b"precious")
    with pytest.raises(FileExistsError, match="model.mlpk exists; pass overwrite=True"):
        save(path)
    assert path.read_bytes() == b"precious"
    assert save(path, overwrite=True) == str(path)
    assert path.read_bytes() != b"precious"
    assert [p.name for p in tmp_path.iterdir()] == ["model.mlpk"]  # no temporary left


def test_a_report_or_a_picture_over_a_file_needs_overwrite(small_model, tmp_path):
    model, X, y = small_model
    page, picture = tmp_path / "mine.html", tmp_path / "roc.png"
    page.write_text("precious")
    picture.write_text("precious")
    with pytest.raises(FileExistsError, match="mine.html exists"):
        mk.report(model, X, y, page)
    with pytest.raises(FileExistsError, match="roc.png exists"):
        mk.plots.roc_curve([0, 1], [0, 1], path=picture)
    assert page.read_text() == "precious" and picture.read_text() == "precious"
    mk.report(model, X, y, page, overwrite=True)
    mk.plots.roc_curve([0, 1], [0, 1], path=picture, overwrite=True)
    assert page.read_text().startswith("<!DOCTYPE html>") and picture.read_bytes()[:4] == b"\x89PNG"


def test_a_file_that_appears_while_writing_is_not_replaced(tmp_path):
    """The check before writing is repeated by the link that puts the new file in place."""
    from mlpkit.modelfile import write_atomically

    path = tmp_path / "out.bin"

    def meanwhile(stream):
        path.write_bytes(b"theirs")  # another process, between our check and our rename
        stream.write(b"ours")

    with pytest.raises(FileExistsError, match="out.bin exists"):
        write_atomically(str(path), meanwhile, overwrite=False)
    assert path.read_bytes() == b"theirs"
    assert [p.name for p in tmp_path.iterdir()] == ["out.bin"]


def test_class_weights_over_partial_fit_chunks_that_lack_a_class():
    """The dict names every class of the model; a chunk may hold only some of them."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(90, 4))
    y = np.repeat([0, 1, 2], 30)
    model = mk.MLPClassifier(class_weight={0: 1.0, 1: 2.0, 2: 3.0}, random_state=0)
    model.partial_fit(X[:60], y[:60], classes=[0, 1, 2])  # the first chunk lacks class 2
    model.partial_fit(X[30:], y[30:])  # a later one lacks class 0
    assert model.classes_.tolist() == [0, 1, 2]
    with pytest.raises(ValueError, match=r"labels \[7\] the model does not know"):
        model.partial_fit(X[:5], np.full(5, 7))


def test_the_doctor_points_at_dead_relus_not_at_what_the_network_already_has():
    """Biases of −10 kill every ReLU: the vanishing-gradient and initialisation advice must
    not recommend ReLU and He initialisation, which the network already uses."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(400, 8))
    y = (X[:, 0] + X[:, 1] > 0).astype(int)
    dead = mk.initializers.Constant(-10.0)
    net = mk.Sequential(
        [
            mk.layers.Dense(16, activation="relu", bias_initializer=dead),
            mk.layers.Dense(16, activation="relu", bias_initializer=dead),
            mk.layers.Dense(1, activation="sigmoid"),
        ],
        random_state=0,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        report = mk.doctor(net, X, y, loss="binary_cross_entropy")
    advice = {v["rule"]: v["advice"] for v in report.to_dict()["verdicts"]}
    for rule in ("vanishing_gradients", "initialization"):
        assert "never active" in advice[rule] and "bias_initializer='zeros'" in advice[rule]
        assert "Try ReLU" not in advice[rule] and "mlpkit's defaults do" not in advice[rule]
