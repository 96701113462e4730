"""Judge a trained network: a task-aware report, stability over seeds and splits, bias and variance.

* :func:`evaluate` scores a network on (X, y) in the user's labels and returns an
  :class:`EvaluationReport` (JSON-serialisable), warning when accuracy is misleading.
* :func:`stability` retrains one configuration with several seeds (and splits) and summarises
  each test metric by its mean, std, min and max.
* :func:`complexity_curve` and :func:`bias_variance` show under- and over-fitting.
"""

from __future__ import annotations

import copy
import dataclasses
import json
import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from sklearn.model_selection import train_test_split

from . import metrics
from ._checks import check_fraction, check_integer, check_positive
from .exceptions import ConfigError, NotFittedError
from .layers.activations import activation_name
from .network import Sequential

TASKS = ("binary", "multiclass", "multilabel", "regression")

#: Accuracy is suspect when it removes less than this share of the majority guess's errors.
PARADOX_MARGIN = 0.1


@dataclass
class EvaluationReport:
    """What :func:`evaluate` found. Classification fields are None for regression, and the
    binary curves (``roc``, ``lift``, ``gain``) are None for other tasks. Classes are named by
    the model's labels (``net.classes_``: strings, booleans, any integers).

    Attributes:
        task: "binary", "multiclass", "multilabel" or "regression".
        n_samples: rows scored.
        metrics: name → value, in the user's units. Binary: accuracy, balanced_accuracy,
            precision, recall, f1 (of the positive class), auc, log_loss. Multi-class: accuracy,
            balanced_accuracy, precision/recall/f1 _macro and _weighted, auc (one-vs-rest,
            macro), log_loss. Multi-label: accuracy (every label of a row right), hamming_loss,
            precision/recall/f1 _micro and _macro, auc (macro over the labels), log_loss (mean
            over the labels). Regression: mse, rmse, mae, r2, regression_accuracy (within
            std(y)/k).
        class_balance: label → share of the rows (multi-label: of the rows carrying it), for
            every class the network can predict.
        labels: the class labels, in the order of the confusion matrix's rows and columns.
        confusion_matrix: counts [true][predicted] (None for multi-label).
        per_class: label → {"precision", "recall", "f1", "support"}.
        positive_class: the class a binary model's probability is of (``classes_[1]``).
        roc: {"fpr", "tpr", "auc"} (binary).
        lift: {"fraction", "lift"}, cumulative lift by decile (binary).
        gain: {"fraction", "gain"}, cumulative gain at every percentile (binary).
        threshold: the probability above which a prediction is the positive class (binary) or
            carries the label (multi-label).
        warnings: findings in words, e.g. the accuracy paradox.
    """

    task: str
    n_samples: int
    metrics: dict[str, float]
    class_balance: dict[Any, float] | None = None
    labels: list | None = None
    confusion_matrix: list[list[int]] | None = None
    per_class: dict[Any, dict[str, float]] | None = None
    positive_class: Any = None
    roc: dict[str, list[float] | float] | None = None
    lift: dict[str, list[float]] | None = None
    gain: dict[str, list[float]] | None = None
    threshold: float | None = None
    warnings: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        """The report as plain JSON types (labels as string keys), equal to
        ``json.loads(report.to_json())``."""
        return _plain(dataclasses.asdict(self))

    def to_json(self, **kwargs) -> str:
        """The report as a JSON string; ``kwargs`` go to ``json.dumps`` (e.g. ``indent=2``)."""
        return json.dumps(self.to_dict(), **kwargs)


def network_of(model):
    """The ``mk.Sequential`` that is ``model``: the network itself, or a fitted
    ``MLPClassifier``/``MLPRegressor``'s ``network_`` (the whole model: its preprocessor,
    labels and target scaling live inside it)."""
    if isinstance(model, Sequential):
        return model
    network = getattr(model, "network_", None)
    if isinstance(network, Sequential):
        return network
    if hasattr(model, "get_params") and hasattr(model, "fit"):
        raise NotFittedError(
            f"This {type(model).__name__} is not fitted yet; call fit(X, y) before evaluating it."
        )
    raise TypeError(
        f"evaluate takes an mk.Sequential, an MLPClassifier or an MLPRegressor; got "
        f"{type(model).__name__}."
    )


def evaluate(model, X, y, *, task="auto", threshold=0.5, k=10) -> EvaluationReport:
    """Score a trained model on X, y and report what a person needs to judge it.

    Args:
        model: a built ``mk.Sequential``, or a fitted ``MLPClassifier``/``MLPRegressor`` (its
            ``network_`` is scored: the same predictions as the estimator's).
        X: features, shape (n_samples, n_features), or a raw table for a preprocessor. Rows a
            preprocessor drops (missing values under "drop") are left out, with a warning.
        y: truth in the user's labels, as the model learned them (``net.classes_``: strings,
            booleans, any integers), or one-hot rows; a 0/1 matrix (n_samples, n_labels) for
            multi-label; values for regression (in the target's own units).
        task: "auto" (``net.task``), or one of "binary", "multiclass", "multilabel",
            "regression".
        threshold: a binary prediction is the positive class ``classes_[1]`` when its
            probability is > threshold (multi-label: a label is predicted when > threshold).
        k: regression accuracy counts a prediction right within std(y) / k.

    Returns:
        EvaluationReport: ``report.metrics["accuracy"]``, ``report.to_json()``, ...

    Warns:
        UserWarning: for the accuracy paradox (see :func:`paradox_warnings`) and left-out rows.
    """
    report = _report(model, X, y, task, threshold, k)
    if report.warnings:
        warnings.warn(" ".join(report.warnings), UserWarning, stacklevel=2)
    return report


def _report(model, X, y, task, threshold, k) -> EvaluationReport:
    """:func:`evaluate` without emitting its warnings (they stay in ``report.warnings``)."""
    threshold = check_fraction("threshold", threshold, interval="(0, 1)", owner="evaluate")
    net = network_of(model)
    if not net.built:
        raise NotFittedError(
            "This network is not built yet. Call fit(X, y) or build(n_features) first."
        )
    X, y, notes = _scored_rows(net, X, _as_array(y))
    output = np.asarray(net.predict(X), dtype=np.float64)
    task = _resolve_task(net, task)
    if task == "regression":
        check_positive("k", k, owner="evaluate")
        report = _regression_report(output, y, k)
    else:
        classes = _classes(net, task, output.shape[1])
        if task == "multilabel":
            report = _multilabel_report(output, y, classes, threshold)
        else:
            indices = class_indices(y, classes, len(output))
            report = _classification_report(output, indices, task, threshold, classes)
        report.warnings.extend(paradox_warnings(report))
    report.warnings[:0] = notes
    return report


def _as_array(y) -> np.ndarray:
    return np.asarray(y.to_numpy() if hasattr(y, "to_numpy") else y)


def _scored_rows(net, X, y):
    """(X, y, notes): the rows the model's preprocessor keeps (all, without one)."""
    if len(y) != _n_rows(X):
        raise ValueError(f"X has {_n_rows(X)} rows but y has {len(y)}; they must match.")
    if net.preprocessor is None:
        return X, y, []
    kept = np.asarray(net.preprocessor.row_mask(X), dtype=bool)
    if kept.all():
        return X, y, []
    rows = np.flatnonzero(kept)
    note = (
        f"{len(kept) - rows.size:,} of {len(kept):,} rows have missing values in columns the "
        f"preprocessor drops rows for ('drop'); they are left out of the scores."
    )
    return _take(X, rows), y[rows], [note]


def _n_rows(X) -> int:
    return int(X.shape[0]) if hasattr(X, "shape") else len(X)


def _resolve_task(net, task: str) -> str:
    if task == "auto":
        return net.task
    if task not in TASKS:
        raise ConfigError(
            f"evaluate task must be 'auto' or one of {TASKS}; received task={task!r}."
        )
    return task


def _classes(net, task: str, n_outputs: int) -> np.ndarray:
    """The class labels in output-unit order: ``net.classes_``, or the unit indices for a
    network built by hand and never fitted."""
    if net.classes_ is not None:
        return np.asarray(net.classes_)
    return np.arange(2 if task == "binary" else n_outputs)


def _regression_report(output, y, k) -> EvaluationReport:
    try:
        y = y.astype(np.float64)
    except (TypeError, ValueError):
        raise ValueError(
            "A regression is scored on numeric targets; y holds text. For labels, evaluate a "
            "classifier (a network fitted with a cross-entropy loss)."
        ) from None
    predicted = output.ravel() if y.ndim == 1 and output.shape[1] == 1 else output
    if predicted.shape != y.shape:
        raise ValueError(
            f"y has shape {y.shape} but the network predicts shape {output.shape}; pass y of "
            f"shape (n_samples,) for one output or (n_samples, n_outputs)."
        )
    scores = {
        "mse": metrics.mse(y, predicted),
        "rmse": metrics.rmse(y, predicted),
        "mae": metrics.mae(y, predicted),
        "r2": metrics.r2(y, predicted),
        "regression_accuracy": metrics.regression_accuracy(y, predicted, k=k),
    }
    return EvaluationReport(task="regression", n_samples=len(y), metrics=scores)


def _classification_report(output, y, task, threshold, classes) -> EvaluationReport:
    """The report of a binary or multi-class model; ``y`` holds unit indices 0..k−1."""
    if task == "binary":
        if output.shape[1] not in (1, 2):
            raise ConfigError(
                f"evaluate task='binary' needs one probability column (or two, softmax); the "
                f"network has {output.shape[1]} outputs."
            )
        proba = output[:, -1]
        predicted = (proba > threshold).astype(int)
    else:  # rows of a float32 softmax sum to 1 only within float32 rounding
        proba = output / output.sum(axis=1, keepdims=True)
        predicted = proba.argmax(axis=1)
    units = list(range(len(classes)))
    names = classes.tolist()
    per_class = metrics.precision_recall_f1(y, predicted, labels=units)
    report = EvaluationReport(
        task=task,
        n_samples=len(y),
        metrics=_class_metrics(y, predicted, proba, task, units),
        class_balance={name: float(np.mean(y == j)) for j, name in enumerate(names)},
        labels=names,
        confusion_matrix=metrics.confusion_matrix(y, predicted, labels=units).tolist(),
        per_class=_per_class(per_class, names),
        positive_class=names[1] if task == "binary" else None,
        threshold=threshold if task == "binary" else None,
    )
    if task == "binary" and 0 < y.sum() < len(y):
        _add_binary_curves(report, y, proba)
    return report


def _per_class(scores: dict, names: list) -> dict:
    keys = ("precision", "recall", "f1", "support")
    return {name: {key: float(scores[key][j]) for key in keys} for j, name in enumerate(names)}


def class_indices(y, classes, n_rows: int | None = None) -> np.ndarray:
    """The unit index of each row's label (``classes[index] == label``), from labels or
    one-hot rows; labels match by value (``1``, ``1.0`` and ``True`` are one label).

    Raises:
        ValueError: for a label not in ``classes``, a missing label, or not ``n_rows`` rows.
    """
    y, classes = _as_array(y), np.asarray(classes)
    n_rows = len(y) if n_rows is None else n_rows
    if y.shape[0] != n_rows:
        raise ValueError(f"X has {n_rows} rows but y has {y.shape[0]}; they must match.")
    if y.ndim == 2 and y.shape[1] == len(classes) >= 2 and y.dtype.kind in "biuf":
        return y.argmax(axis=1)  # one-hot rows: the units themselves
    if y.ndim == 2 and y.shape[1] != 1:
        raise ValueError(
            f"y has shape {y.shape}; pass one label per row (n_samples,) or one-hot rows "
            f"(n_samples, {len(classes)})."
        )
    y = y.ravel()
    codes, uniques = pd.factorize(y, use_na_sentinel=False)
    unit = {label: j for j, label in enumerate(classes.tolist())}
    found = np.array([unit.get(_hashable(label), -1) for label in list(uniques)], dtype=np.intp)
    unknown = [_hashable(label) for label, j in zip(list(uniques), found) if j < 0]
    if any(pd.isna(label) for label in unknown):
        raise ValueError(
            f"y has {int(pd.isna(y).sum()):,} missing label(s); drop those rows (from X and y) "
            f"before evaluating."
        )
    if unknown:
        raise ValueError(
            f"y has labels {_show(unknown)} the model does not know; its class labels "
            f"(classes_) are {_show(names_of(classes))}. Pass y in the labels the model was "
            f"trained on."
        )
    return found[codes]


def _hashable(label):
    return label.item() if isinstance(label, np.generic) else label


def names_of(classes) -> list:
    """The class labels as plain Python values (for messages, tables and pictures)."""
    return [_hashable(label) for label in np.asarray(classes).tolist()]


def _show(labels: list) -> str:
    return repr(list(labels[:10])) + (" …" if len(labels) > 10 else "")


def _multilabel_report(output, y, classes, threshold) -> EvaluationReport:
    """The report of several sigmoid outputs, each a yes/no label; ``y`` a 0/1 matrix."""
    if y.ndim != 2 or y.shape != output.shape:
        raise ValueError(
            f"A multi-label model is scored on a 0/1 matrix y of shape (n_samples, "
            f"{output.shape[1]}), one column per label; got y of shape {y.shape}."
        )
    try:
        truth = y.astype(np.float64)
    except (TypeError, ValueError):
        truth = np.full(y.shape, np.nan)
    if not np.isin(truth, (0, 1)).all():
        raise ValueError("A multi-label y holds 0/1 (or True/False) in each label's column.")
    truth, predicted = truth.astype(int), (output > threshold).astype(int)
    units, names = list(range(output.shape[1])), names_of(classes)
    scores = {
        "accuracy": metrics.accuracy(truth, predicted),
        "hamming_loss": float(np.mean(truth != predicted)),
    }
    for average in ("micro", "macro"):
        summary = metrics.precision_recall_f1(truth, predicted, average, labels=units)
        scores.update({f"{key}_{average}": summary[key] for key in ("precision", "recall", "f1")})
    auc = metrics.METRICS["auc"](output, truth)
    if not np.isnan(auc):
        scores["auc"] = auc
    scores["log_loss"] = float(
        np.mean([metrics.log_loss(truth[:, j], output[:, j], labels=[0, 1]) for j in units])
    )
    return EvaluationReport(
        task="multilabel",
        n_samples=len(truth),
        metrics=scores,
        class_balance={name: float(truth[:, j].mean()) for j, name in enumerate(names)},
        labels=names,
        per_class=_per_class(metrics.precision_recall_f1(truth, predicted, labels=units), names),
        threshold=threshold,
    )


def _class_metrics(y, predicted, proba, task, labels) -> dict[str, float]:
    scores = {
        "accuracy": metrics.accuracy(y, predicted),
        "balanced_accuracy": metrics.balanced_accuracy(y, predicted),
    }
    averages = ("binary",) if task == "binary" else ("macro", "weighted")
    for average in averages:
        summary = metrics.precision_recall_f1(y, predicted, average, labels=labels)
        suffix = "" if average == "binary" else f"_{average}"
        scores.update({f"{key}{suffix}": summary[key] for key in ("precision", "recall", "f1")})
    if task == "binary":
        auc = metrics.roc_auc(y, proba) if 0 < y.sum() < len(y) else float("nan")
    else:  # one-vs-rest over the classes present (see metrics.METRICS["auc"])
        auc = metrics.METRICS["auc"](proba, np.eye(len(labels))[y])
    if not np.isnan(auc):  # undefined when y holds one class only
        scores["auc"] = auc
    scores["log_loss"] = metrics.log_loss(y, proba, labels=labels)
    return scores


def _add_binary_curves(report: EvaluationReport, y, proba) -> None:
    fpr, tpr, _ = metrics.roc_curve(y, proba)
    report.roc = {"fpr": fpr.tolist(), "tpr": tpr.tolist(), "auc": metrics.roc_auc(y, proba)}
    fraction, lift = metrics.lift_curve(y, proba, n_bins=min(10, len(y)))
    report.lift = {"fraction": fraction.tolist(), "lift": lift.tolist()}
    fraction, gain = metrics.cumulative_gain(y, proba)
    rows = np.round(np.linspace(0, len(y), min(100, len(y)) + 1)).astype(int)
    report.gain = {"fraction": fraction[rows].tolist(), "gain": gain[rows].tolist()}


def paradox_warnings(report: EvaluationReport) -> list[str]:
    """The accuracy paradox, in words: accuracy that a constant guess nearly matches.

    Two findings, for a binary or multi-class report (classes named by their labels):

    * accuracy ≤ m + PARADOX_MARGIN · (1 − m), m the majority class's share: the model avoids
      fewer than a tenth of the errors of always predicting the majority class;
    * recall 0 for a class other than the majority one that occurs in y: the model never
      finds it.
    """
    balance = report.class_balance
    if not balance or report.task not in ("binary", "multiclass"):
        return []
    majority = max(balance, key=balance.get)
    share, accuracy = balance[majority], report.metrics["accuracy"]
    found = []
    if accuracy <= share + PARADOX_MARGIN * (1 - share):
        found.append(
            f"accuracy {accuracy:.3f} is no better than always predicting class "
            f"{label_text(majority)} (majority share {share:.3f}): the accuracy paradox; judge "
            f"the model by recall, precision, F1 or balanced accuracy instead."
        )
    for label, scores in report.per_class.items():
        if label != majority and scores["support"] > 0 and scores["recall"] == 0:
            found.append(
                f"recall of class {label_text(label)} is 0.000 ({int(scores['support'])} rows, "
                f"share {balance[label]:.3f}): the model never finds this minority class."
            )
    return found


def label_text(label) -> str:
    """A class label in a sentence: text quoted (``'>50K'``), numbers and booleans as they are
    (``1``, not ``1.0``)."""
    if isinstance(label, str):
        return repr(label)
    if isinstance(label, (float, np.floating)) and float(label).is_integer():
        return str(int(label))
    return str(label)


def _plain(value):
    """Nested dicts/lists of plain Python types: string keys, floats, ints (NaN → None)."""
    if isinstance(value, dict):
        return {str(key): _plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple, np.ndarray)):
        return [_plain(item) for item in value]
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return None if not np.isfinite(value) else float(value)
    return value


# -- across runs -------------------------------------------------------------------------------


def stability(
    make_network,
    X,
    y,
    *,
    seeds=(0, 1, 2, 3, 4),
    fit_kwargs=None,
    splits=None,
    test_size=0.2,
    task="auto",
) -> dict:
    """Train one configuration several times and summarise how much its test metrics move.

    Two sources of variation, chosen independently:

    * ``seeds``: each run builds its network with ``make_network(seed)``, which should pass
      ``random_state=seed`` (initial weights, shuffling, dropout);
    * ``splits``: None keeps one train/test split for every run (``train_test_split`` with
      ``random_state=0``), so only the seed varies; an int N makes N splits
      (``random_state=0..N−1``); or pass ``(train_rows, test_rows)`` pairs, e.g.
      ``StratifiedKFold(5).split(X, y)``. Splits are stratified for classifiers.

    Every seed runs on every split: ``len(seeds) × n_splits`` fits. ``seeds=(0,)`` with
    ``splits=5`` varies the data alone.

    Args:
        make_network: ``seed -> mk.Sequential``, a new unfitted network each call.
        X, y: all the data (arrays, or raw tables for networks with a preprocessor).
        seeds: the networks' seeds.
        fit_kwargs: keyword arguments for ``net.fit`` (``loss`` at least), e.g.
            ``{"loss": "mse", "epochs": 20}``; deep-copied for every fit, so an optimizer
            object starts fresh each time.
        splits: None, a number of splits, or an iterable of (train, test) row-index pairs.
        test_size: the share of rows held out by ``train_test_split``.
        task: passed to :func:`evaluate`.

    Returns:
        ``{"runs": [{"seed", "split", "metrics", "warnings"}, ...], "summary": {metric:
        {"mean", "std", "min", "max"}}}``, std the sample standard deviation (ddof=1; 0 for one
        run), over the runs where the metric is defined.
    """
    seeds = _check_seeds(seeds)
    fit_kwargs = dict(fit_kwargs or {})
    classify = task in ("binary", "multiclass") or (
        task == "auto" and _is_classifier(make_network(seeds[0]))
    )
    runs = []
    for index, (train, test) in enumerate(_split_rows(y, splits, test_size, classify)):
        for seed in seeds:
            net = make_network(seed)
            _fit(net, _take(X, train), _take(y, train), fit_kwargs)
            report = _report(net, _take(X, test), _take(y, test), task, 0.5, 10)
            runs.append(
                {
                    "seed": seed,
                    "split": index,
                    "metrics": report.metrics,
                    "warnings": report.warnings,
                }
            )
    return {"runs": runs, "summary": _summarise([run["metrics"] for run in runs])}


def _check_seeds(seeds) -> list:
    seeds = list(seeds)
    if not seeds:
        raise ConfigError("stability seeds must hold at least one seed; received seeds=().")
    return seeds


def _is_classifier(net) -> bool:
    output = net.output_activation
    return output is not None and activation_name(output) in ("sigmoid", "softmax")


def _split_rows(y, splits, test_size, classify):
    """(train, test) row indices for each split."""
    if splits is not None and not isinstance(splits, int):
        return [(np.asarray(train), np.asarray(test)) for train, test in splits]
    n_splits = 1 if splits is None else check_integer("splits", splits, low=1, owner="stability")
    check_fraction("test_size", test_size, interval="(0, 1)", owner="stability")
    labels = np.asarray(y)
    labels = labels.argmax(axis=1) if labels.ndim == 2 and labels.shape[1] > 1 else labels
    rows = np.arange(len(labels))
    return [
        train_test_split(
            rows, test_size=test_size, random_state=j, stratify=labels if classify else None
        )
        for j in range(n_splits)
    ]


def _summarise(runs: list[dict[str, float]]) -> dict[str, dict[str, float]]:
    names = list(dict.fromkeys(name for run in runs for name in run))
    summary = {}
    for name in names:
        values = np.array([run[name] for run in runs if name in run], dtype=float)
        summary[name] = {
            "mean": float(values.mean()),
            "std": float(values.std(ddof=1)) if values.size > 1 else 0.0,
            "min": float(values.min()),
            "max": float(values.max()),
        }
    return summary


def _fit(net, X, y, fit_kwargs: dict) -> None:
    """Fit with a deep copy of ``fit_kwargs``: an optimizer or callback object passed once must
    start fresh for every network, not carry its moments or counters from the previous fit."""
    net.fit(X, y, **copy.deepcopy(fit_kwargs))


def _take(data, rows):
    """Rows of an array, a DataFrame or a Series, by position."""
    return data.iloc[rows] if hasattr(data, "iloc") else np.asarray(data)[rows]


# -- bias and variance -------------------------------------------------------------------------


def complexity_curve(
    make_network, X_train, y_train, X_val, y_val, *, complexities, fit_kwargs=None
) -> dict:
    """Training and validation error as the network grows: under- and over-fitting in a picture.

    For each c in ``complexities``, ``make_network(c)`` builds a network of that complexity
    (hidden units, depth, ...), which is fitted on the training data; its error on each side is
    the loss ``net.evaluate`` reports (inference mode: no dropout). Training error falls as
    capacity grows; validation error falls, then rises once the network over-fits.

    Args:
        make_network: ``complexity -> mk.Sequential``, a new unfitted network each call.
        X_train, y_train: the data to fit.
        X_val, y_val: held-out data.
        complexities: the values to try, in order.
        fit_kwargs: keyword arguments for ``net.fit`` (``loss`` at least), deep-copied for
            every fit.

    Returns:
        ``{"complexity", "train_error", "val_error", "n_params", "loss_units"}``, lists aligned
        by position; ``loss_units`` is ``net.loss_units`` (the errors' units when the loss is in
        scaled target units, e.g. "standardised target units"; None when in the target's own).
    """
    complexities = list(complexities)
    if not complexities:
        raise ConfigError("complexity_curve complexities must not be empty; received [].")
    fit_kwargs = dict(fit_kwargs or {})
    curve = {"complexity": complexities, "train_error": [], "val_error": [], "n_params": []}
    curve["loss_units"] = None
    for complexity in complexities:
        net = make_network(complexity)
        _fit(net, X_train, y_train, fit_kwargs)
        curve["train_error"].append(float(net.evaluate(X_train, y_train)["loss"]))
        curve["val_error"].append(float(net.evaluate(X_val, y_val)["loss"]))
        curve["n_params"].append(int(net.params.size))
        curve["loss_units"] = net.loss_units
    return curve


def bias_variance(
    make_network,
    X_train,
    y_train,
    X_test,
    y_test,
    *,
    n_bootstrap=20,
    fit_kwargs=None,
    noise=None,
    random_state=0,
) -> dict:
    """Split a regression network's expected squared error into bias², variance and noise.

    Network i (``make_network(i)``, i = 0..n_bootstrap−1) is fitted on a bootstrap resample of
    the training rows (n rows drawn with replacement) and predicts X_test: ŷᵢ(x). With
    ȳ(x) = meanᵢ ŷᵢ(x) and means over the test points x (and outputs):

        expected_error = mean_x meanᵢ (ŷᵢ(x) − y(x))²
                       = mean_x (ȳ(x) − y(x))²  +  mean_x varᵢ ŷᵢ(x)
                       =      bias² + noise      +     variance

    since y = f(x) + ε and E[ε²] = σ². With ``noise`` (σ², if known) bias² = mean_x (ȳ − y)² − σ²
    (an estimate: slightly negative values can occur when the model is nearly unbiased);
    without it, bias² includes the noise, ``noise`` is None and ``note`` says so.

    Args:
        make_network: ``seed -> mk.Sequential`` with a regression (non-sigmoid/softmax) output.
        X_train, y_train: the data resampled.
        X_test, y_test: the points the decomposition is measured at.
        n_bootstrap: resamples (≥ 2); each is one fit.
        fit_kwargs: keyword arguments for ``net.fit`` (``loss`` at least), deep-copied for
            every fit.
        noise: the variance σ² of the target noise, when known.
        random_state: seed of the resampling.

    Returns:
        ``{"bias2", "variance", "noise", "expected_error", "n_bootstrap", "note"}``.
    """
    n_bootstrap = check_integer("n_bootstrap", n_bootstrap, low=2, owner="bias_variance")
    if noise is not None:
        noise = check_positive("noise", noise, allow_zero=True, owner="bias_variance")
    predictions = _bootstrap_predictions(
        make_network, X_train, y_train, X_test, n_bootstrap, dict(fit_kwargs or {}), random_state
    )
    y = np.asarray(y_test, dtype=np.float64).reshape(predictions.shape[1], -1)
    biased = float(np.mean((predictions.mean(axis=0) - y) ** 2))
    note = (
        f"bias2 is net of the given noise variance {noise:g}."
        if noise is not None
        else "noise unknown: bias2 includes the noise variance (pass noise=sigma**2 to split it)."
    )
    return {
        "bias2": biased - (noise or 0.0),
        "variance": float(np.mean(predictions.var(axis=0))),
        "noise": noise,
        "expected_error": float(np.mean((predictions - y) ** 2)),
        "n_bootstrap": n_bootstrap,
        "note": note,
    }


def _bootstrap_predictions(make_network, X, y, X_test, n_bootstrap, fit_kwargs, random_state):
    """Predictions of X_test, shape (n_bootstrap, n_test, n_outputs)."""
    rng = np.random.default_rng(random_state)
    n_rows, predictions = len(y), []
    for index in range(n_bootstrap):
        net = make_network(index)
        if _is_classifier(net):
            raise ConfigError(
                "bias_variance decomposes the squared error of a regression network; this one "
                "ends in a sigmoid/softmax layer. Use a linear output."
            )
        rows = rng.integers(0, n_rows, size=n_rows)
        _fit(net, _take(X, rows), _take(y, rows), fit_kwargs)
        predictions.append(np.asarray(net.predict(X_test), dtype=np.float64))
    return np.stack(predictions)
