"""The HTML report: one valid, self-contained file with the metrics, pictures and history."""

import base64
import re
import warnings

import html5lib
import numpy as np
import pandas as pd
import pytest
import sklearn.metrics as skm

import mlpkit as mk
from mlpkit.cli import main
from mlpkit.datasets import load_machine_failure
from mlpkit.html_report import report

PNG = re.compile(r'<img src="data:image/png;base64,([A-Za-z0-9+/=]+)"')


def _trained(X, y, layers, loss, metrics=("accuracy",)):
    net = mk.Sequential(layers, random_state=0)
    history = net.fit(
        X,
        y,
        loss=loss,
        optimizer=mk.optim.Adam(learning_rate=0.05),
        epochs=4,
        validation_split=0.2,
        metrics=list(metrics),
    )
    return net, history


@pytest.fixture(scope="module")
def binary():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(160, 2))
    y = (X[:, 0] + X[:, 1] > 0).astype(int)
    layers = [mk.layers.Dense(6, activation="tanh"), mk.layers.Dense(1, activation="sigmoid")]
    return (X, y, *_trained(X, y, layers, "binary_cross_entropy"))


@pytest.fixture(scope="module")
def multiclass():
    rng = np.random.default_rng(1)
    y = rng.integers(0, 3, size=150)
    X = rng.normal(size=(150, 4)) + np.eye(3, 4)[y] * 3
    layers = [mk.layers.Dense(8, activation="relu"), mk.layers.Dense(3, activation="softmax")]
    return (X, y, *_trained(X, y, layers, "categorical_cross_entropy"))


@pytest.fixture(scope="module")
def regression():
    rng = np.random.default_rng(2)
    X = rng.normal(size=(150, 3))
    y = X @ np.array([1.0, -2.0, 0.5]) + 0.1 * rng.normal(size=150)
    layers = [mk.layers.Dense(8, activation="tanh"), mk.layers.Dense(1)]
    return (X, y, *_trained(X, y, layers, "mse", metrics=["mae"]))


def _write(case, tmp_path, name="report.html"):
    X, y, net, history = case
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # a 4-epoch model may trip the paradox
        return report(net, X, y, tmp_path / name, history=history, X_train=X)


def _check_self_contained_html(text, n_pictures):
    html5lib.HTMLParser(strict=True).parse(text)  # raises on any HTML5 parse error
    assert "http://" not in text and "https://" not in text
    assert not re.search(r'\b(?:src|href)="(?!data:)', text), "a link to a file or a page"
    images = PNG.findall(text)
    assert len(images) == text.count("<img ") == text.count("<figcaption>") == n_pictures
    for image in images:
        assert base64.b64decode(image).startswith(b"\x89PNG\r\n\x1a\n")


@pytest.mark.parametrize(
    "case, n_pictures, captions",
    [
        ("binary", 7, ["Confusion matrix", "ROC curve", "lift", "architecture", "Decision"]),
        ("multiclass", 4, ["Learning curves", "Gradient norm", "Confusion matrix"]),
        ("regression", 4, ["Predicted against true", "architecture"]),
    ],
)
def test_report_is_valid_self_contained_html_with_every_picture_embedded(
    case, n_pictures, captions, request, tmp_path
):
    path = _write(request.getfixturevalue(case), tmp_path)
    assert path == (tmp_path / "report.html").resolve() and path.is_file()
    text = path.read_text(encoding="utf-8")
    _check_self_contained_html(text, n_pictures)
    for caption in captions:
        assert caption in text
    assert list(tmp_path.iterdir()) == [path]  # the temporary file is gone


@pytest.mark.parametrize(
    "case, metrics, summary",
    [
        ("binary", ["accuracy", "precision", "recall", "auc", "log loss"], "Class balance"),
        ("multiclass", ["accuracy", "f1 macro", "f1 weighted"], "Per class"),
        ("regression", ["rmse", "r2", "regression accuracy"], "Target range"),
    ],
)
def test_report_shows_configuration_data_metrics_and_history_table(
    case, metrics, summary, request, tmp_path
):
    text = _write(request.getfixturevalue(case), tmp_path).read_text(encoding="utf-8")
    for heading in ("Configuration", "Data", "Metrics", "Pictures", "Training history"):
        assert f"<h2>{heading}</h2>" in text
    assert "adam (learning_rate=0.05" in text and "Total" in text and summary in text
    for name in metrics:
        assert f"<td>{name}</td>" in text
    assert '<th scope="col">val_loss</th>' in text and "<td>4</td>" in text  # epoch 4's row
    assert "grad_norm/" not in text  # per-layer norms are drawn, not tabled


def test_report_history_table_pairs_each_metric_with_its_validation_twin(binary, tmp_path):
    text = _write(binary, tmp_path).read_text(encoding="utf-8")
    head = re.findall(r'<th scope="col">([^<]+)</th>', text.split("Training history")[-1])
    assert head[:5] == ["Epoch", "loss", "val_loss", "accuracy", "val_accuracy"]


def test_report_warns_of_the_accuracy_paradox_for_an_always_no_failure_model(tmp_path):
    X, y, _ = load_machine_failure()
    net = mk.Sequential([mk.layers.Dense(1, activation="sigmoid")], random_state=0)
    net.build(8)
    net.layers[0].W[...] = 0
    net.layers[0].b[...] = -10
    with pytest.warns(UserWarning, match="accuracy paradox"):
        path = report(net, X, y, tmp_path / "paradox.html", title="Always 'no failure'")
    text = path.read_text(encoding="utf-8")
    _check_self_contained_html(text, 4)  # confusion matrix, ROC, gain and lift, architecture
    box = re.search(r'<section class="warnings".*?</section>', text, re.S)
    assert box and "accuracy paradox" in box.group() and "never finds" in box.group()
    assert "<title>Always &#x27;no failure&#x27;</title>" in text  # escaped
    assert "Training history" not in text and "not set" in text  # never fitted


def test_report_takes_the_history_dict_as_well_as_the_history(binary, tmp_path):
    X, y, net, history = binary
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        path = report(net, X, y, tmp_path / "dict.html", history=history.history)
    assert "<td>4</td>" in path.read_text(encoding="utf-8")


def test_report_of_a_model_with_a_preprocessor_shows_what_it_learned(tmp_path):
    rng = np.random.default_rng(3)
    table = pd.DataFrame({"size": rng.normal(size=120), "colour": rng.choice(["red", "blue"], 120)})
    y = (table["size"] > 0).astype(int)
    net = mk.Sequential(
        [mk.layers.Dense(1, activation="sigmoid")],
        random_state=0,
        preprocessor=mk.data.Preprocessor(),
    )
    net.fit(table, y, loss="binary_cross_entropy", epochs=2)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        text = report(net, table, y, tmp_path / "prep.html").read_text(encoding="utf-8")
    _check_self_contained_html(text, 4)
    assert "<h3>Preprocessing</h3>" in text and "Preprocessor fitted on 120 rows" in text
    assert "size, colour" in text


def test_report_refuses_a_folder_that_does_not_exist(binary, tmp_path):
    X, y, net, _ = binary
    with pytest.raises(FileNotFoundError, match="does not exist"):
        report(net, X, y, tmp_path / "missing" / "report.html")


@pytest.fixture
def saved(binary, tmp_path):
    X, y, net, _ = binary
    model = tmp_path / "model.mlpk"
    net.save(model)
    data = tmp_path / "test.csv"
    pd.DataFrame({"x1": X[:, 0], "x2": X[:, 1], "label": y}).to_csv(data, index=False)
    return str(model), str(data)


def test_cli_report_writes_a_report_from_a_model_file_and_a_csv(saved, tmp_path, capsys):
    model, data = saved
    out = tmp_path / "cli.html"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        assert main(["report", model, data, "--target", "label", "--out", str(out)]) == 0
    assert capsys.readouterr().out.strip() == str(out.resolve())
    text = out.read_text(encoding="utf-8")
    _check_self_contained_html(text, 5)  # no history: no learning curves, no gradient norms
    assert "Report: " in text and "x1, x2" in text


@pytest.mark.parametrize(
    "which, message",
    [
        ("target", "label_typo"),
        ("model", "is not"),
        ("missing", "no model file"),
    ],
)
def test_cli_report_exits_2_with_a_clear_message_on_bad_input(saved, which, message, capsys):
    model, data = saved
    args = {
        "target": [model, data, "--target", "label_typo"],
        "model": [data, data, "--target", "label"],
        "missing": [model + ".nope", data, "--target", "label"],
    }[which]
    with pytest.raises(SystemExit) as stop:
        main(["report", *args])
    assert stop.value.code == 2
    assert message in capsys.readouterr().err


def html_tables(text) -> dict:
    """Every table of the page by its caption ("" for the key-value tables): [[cell, ...]]."""
    document = html5lib.parse(text, namespaceHTMLElements=False)
    tables = {}
    for table in document.iter("table"):
        caption = table.find("caption")
        name = "".join(caption.itertext()) if caption is not None else ""
        rows = [["".join(cell.itertext()) for cell in row] for row in table.iter("tr")]
        tables.setdefault(name, []).extend(rows)
    return tables


def table(tables: dict, starts: str) -> list[list[str]]:
    (rows,) = [rows for name, rows in tables.items() if name.startswith(starts)]
    return rows


def raw_frame(n=240, seed=0):
    """A raw table as it comes from a CSV: a text column with "?" and missing numbers, and a
    text target of three classes."""
    rng = np.random.default_rng(seed)
    size = rng.normal(size=n)
    frame = pd.DataFrame(
        {
            "size": size + 0.1 * rng.normal(size=n),
            "colour": rng.choice(["red", "green", "blue"], n).astype(object),
            "noise": rng.normal(size=n),
        }
    )
    frame.loc[::17, "size"] = np.nan
    frame.loc[::13, "colour"] = "?"
    target = np.where(size > 0.5, "large", np.where(size < -0.5, "small", "medium"))
    return frame, pd.Series(target, name="kind")


def income_frame(n=300, seed=1):
    """A binary text target whose labels need escaping in HTML: "<=50K" and ">50K"."""
    rng = np.random.default_rng(seed)
    hours = rng.uniform(10, 60, size=n)
    job = rng.choice(["State-gov", "Private", "Self-emp"], n).astype(object)
    frame = pd.DataFrame({"hours": hours, "job": job})
    frame.loc[::11, "hours"] = np.nan
    frame.loc[::7, "job"] = "?"
    return frame, np.where(hours > 40, ">50K", "<=50K")


def _assert_classes_named(text, names, n_pictures=None):
    if n_pictures is not None:
        _check_self_contained_html(text, n_pictures)
    else:
        html5lib.HTMLParser(strict=True).parse(text)
    tables = html_tables(text)
    assert [row[0] for row in table(tables, "Per class")[1:]] == names
    assert [row[0] for row in table(tables, "Class balance")[1:]] == names
    settings = dict(row for row in tables[""] if len(row) == 2)
    assert settings["Classes (output order)"] == ", ".join(names)
    assert "class 0" not in text and "class 1 when" not in text
    return tables


def test_report_of_a_text_target_through_a_sequential_with_a_preprocessor(tmp_path):
    frame, kind = raw_frame()
    net = mk.Sequential(
        [mk.layers.Dense(8, activation="relu"), mk.layers.Dense(3, activation="softmax")],
        random_state=0,
        preprocessor=mk.data.Preprocessor(missing="auto"),
    )
    history = net.fit(
        frame,
        kind,
        loss="categorical_cross_entropy",
        optimizer=mk.optim.Adam(0.05),
        epochs=15,
        validation_split=0.25,
        metrics=["accuracy"],
    )
    assert net.classes_.tolist() == ["large", "medium", "small"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        path = report(net, frame, kind, tmp_path / "kinds.html", history=history)
    text = path.read_text(encoding="utf-8")
    # learning curves, gradient norms, confusion matrix, architecture
    _assert_classes_named(text, ["large", "medium", "small"], n_pictures=4)
    assert "<h3>Preprocessing</h3>" in text and "colour" in text
    found = mk.evaluate(net, frame, kind)
    assert found.labels == ["large", "medium", "small"]
    assert set(found.per_class) == set(found.class_balance) == {"large", "medium", "small"}
    assert found.metrics["accuracy"] == pytest.approx(np.mean(net.predict_classes(frame) == kind))


def test_report_of_a_text_target_through_an_estimator_with_preprocessor_auto(tmp_path):
    frame, income = income_frame()
    estimator = mk.MLPClassifier(
        hidden_layer_sizes=(8,), preprocessor="auto", max_iter=40, random_state=0
    ).fit(frame, income)
    assert estimator.classes_.tolist() == ["<=50K", ">50K"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        path = mk.report(estimator, frame, income, tmp_path / "income.html")
    text = path.read_text(encoding="utf-8")
    # history_ by default: curves and gradients; confusion, ROC, gain/lift, architecture
    tables = _assert_classes_named(text, ["<=50K", ">50K"], n_pictures=6)
    assert "positive class: &gt;50K" in text  # ROC and gain captions
    (caption,) = [name for name in tables if name.startswith("Test metrics")]
    assert "positive class >50K" in caption and "of class >50K" in caption
    settings = dict(row for row in tables[""] if len(row) == 2)
    assert settings["Model"].startswith("MLPClassifier")
    proba = estimator.predict_proba(frame)[:, 1]
    auc = dict(row for row in table(tables, "Test metrics")[1:])["auc"]
    assert float(auc) == pytest.approx(skm.roc_auc_score(income == ">50K", proba), abs=1e-4)


def test_a_scaled_regression_agrees_on_units_in_history_evaluate_and_report(tmp_path):
    rng = np.random.default_rng(4)
    frame = pd.DataFrame({"rooms": rng.uniform(1, 8, 300), "area": rng.choice(["N", "S"], 300)})
    price = 50_000 + 20_000 * frame["rooms"] + np.where(frame["area"] == "N", 30_000, 0)
    price = price + rng.normal(scale=5_000, size=300)
    train, val = slice(0, 240), slice(240, 300)
    net = mk.Sequential(
        [mk.layers.Dense(8, activation="tanh"), mk.layers.Dense(1)],
        random_state=0,
        preprocessor=mk.data.Preprocessor(),
    )
    history = net.fit(
        frame[train],
        price[train],
        loss="mse",
        optimizer=mk.optim.Adam(0.02),
        epochs=30,
        validation_data=(frame[val], price[val]),
        metrics=["rmse"],
    )
    assert net.loss_units == "standardised target units"
    found = mk.evaluate(net, frame[val], price[val])
    # metrics in dollars, in the History and in mk.evaluate alike
    assert found.metrics["rmse"] == pytest.approx(history.history["val_rmse"][-1], rel=1e-4)
    assert found.metrics["rmse"] > 1_000
    # the loss in standardised units: the mse over the target's variance
    scale = float(net.target.scaler_.scale_[0])
    assert history.history["val_loss"][-1] == pytest.approx(
        found.metrics["mse"] / scale**2, rel=1e-3
    )
    path = report(net, frame[val], price[val], tmp_path / "price.html", history=history)
    text = path.read_text(encoding="utf-8")
    _check_self_contained_html(text, 4)
    tables = html_tables(text)
    settings = dict(row for row in tables[""] if len(row) == 2)
    assert settings["Loss units"] == "standardised target units"
    history_caption = [name for name in tables if name.startswith("loss and val_loss in")]
    assert history_caption == [
        "loss and val_loss in standardised target units; the metrics in the target's own units"
    ]
    metrics_rows = table(tables, "Test metrics (in the target's own units)")
    assert float(dict(metrics_rows[1:])["rmse"]) == pytest.approx(found.metrics["rmse"], rel=1e-4)


def test_report_and_the_cli_take_an_estimator_file_with_a_raw_csv(tmp_path, capsys):
    frame, income = income_frame()
    estimator = mk.MLPClassifier(preprocessor="auto", max_iter=20, random_state=0)
    model = estimator.fit(frame, income).save(tmp_path / "income.mlpk")
    loaded = mk.load(model)
    assert isinstance(loaded, mk.MLPClassifier)
    data = tmp_path / "income.csv"
    frame.assign(income=income).to_csv(data, index=False)  # "?" and empty cells as written
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        from_object = mk.report(loaded, frame, income, tmp_path / "object.html")
    _assert_classes_named(from_object.read_text(encoding="utf-8"), ["<=50K", ">50K"])
    out = tmp_path / "cli.html"
    assert main(["report", str(model), str(data), "--target", "income", "--out", str(out)]) == 0
    captured = capsys.readouterr()
    assert captured.out.strip() == str(out.resolve()) and "Traceback" not in captured.err
    text = out.read_text(encoding="utf-8")
    _assert_classes_named(text, ["<=50K", ">50K"], n_pictures=6)  # the file keeps history_
    assert "hours, job" in text and "MLPClassifier" in text


# -- a scikit-learn Pipeline ----------------------------------------------------------------------


def test_report_of_a_text_target_through_a_pipeline_with_a_preprocessor(tmp_path):
    from sklearn.pipeline import Pipeline

    frame, kind = raw_frame()
    pipeline = Pipeline(
        [
            ("prepare", mk.data.Preprocessor(missing="auto")),
            ("mlp", mk.MLPClassifier(hidden_layer_sizes=(8,), max_iter=40, random_state=0)),
        ]
    ).fit(frame, kind)
    assert pipeline.classes_.tolist() == ["large", "medium", "small"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        path = mk.report(pipeline, frame, kind, tmp_path / "pipeline.html")
        found = mk.evaluate(pipeline, frame, kind)
    text = path.read_text(encoding="utf-8")
    # the final step's history_: curves and gradients; confusion matrix; architecture
    tables = _assert_classes_named(text, ["large", "medium", "small"], n_pictures=4)
    settings = dict(row for row in tables[""] if len(row) == 2)
    assert settings["Model"].startswith("Pipeline: prepare (Preprocessor) → mlp (MLPClassifier)")
    assert "<h3>Preprocessing</h3>" in text and "colour" in text  # the Preprocessor step's report
    assert found.labels == ["large", "medium", "small"]
    # the pipeline's own predictions are scored
    assert found.metrics["accuracy"] == pytest.approx(np.mean(pipeline.predict(frame) == kind))
    proba = pipeline.predict_proba(frame)
    assert found.metrics["log_loss"] == pytest.approx(skm.log_loss(kind, proba), rel=1e-5)
    layers = table(tables, "Layers")
    assert layers[-1][-1] == f"{pipeline[-1].network_.params.size:,}"  # the final step's network


def test_report_writes_report_html_in_the_working_directory_by_default(
    binary, tmp_path, monkeypatch
):
    X, y, net, _ = binary
    monkeypatch.chdir(tmp_path)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        path = mk.report(net, X, y)
    assert path.is_absolute() and path == (tmp_path / "report.html").resolve()
    assert [p.name for p in tmp_path.iterdir()] == ["report.html"]  # no temporary file left
    assert path.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


def test_report_tables_the_confusion_ratios_of_each_class(multiclass, tmp_path):
    text = _write(multiclass, tmp_path).read_text(encoding="utf-8")
    section = text.split("Confusion-matrix ratios")[1].split("</table>")[0]
    for title in (
        "TPR, recall",
        "LR+",
        "DOR",
        "MCC",
        "Informedness",
        "Markedness",
        "Threat score",
        "Fowlkes",
        "Prevalence",
        "Balanced accuracy",
        "FOR",
    ):
        assert title in section, title
    head = re.findall(r'<th scope="col">([^<]*)</th>', section)
    assert head == ["", "0", "1", "2", "Macro"]


def test_report_writes_n_a_for_a_ratio_that_divides_by_zero(tmp_path):
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(40, 2)), np.r_[np.zeros(30, int), np.ones(10, int)]
    net = mk.Sequential([mk.layers.Dense(1, activation="sigmoid")], random_state=0).build(2)
    net.layers[0].W[...] = 0
    net.layers[0].b[...] = -10  # never predicts class 1
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        text = report(net, X, y, tmp_path / "never.html").read_text(encoding="utf-8")
    row = text.split("PPV, precision")[1].split("</tr>")[0]
    assert "n/a" in row
