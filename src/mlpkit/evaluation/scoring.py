"""The typed report of one model on one data set: :func:`evaluate` and :class:`EvaluationReport`.

:func:`evaluate` scores a model (see :mod:`mlpkit.evaluation.models`) on (X, y) in the user's
labels and returns an :class:`EvaluationReport` (JSON-serialisable): the metrics of its task,
the class balance, the confusion matrix, per-class scores, ROC, lift and gain, and warnings when
accuracy is misleading (:func:`paradox_warnings`).
"""

from __future__ import annotations

import dataclasses
import json
import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .. import metrics
from .._checks import check_fraction, check_positive
from ..exceptions import ConfigError, NotFittedError
from .models import (
    as_array,
    classes_of,
    label_text,
    names_of,
    resolve_task,
    scored_model,
    scored_rows,
    target_of,
    unit_indices,
)

#: Accuracy is suspect when it removes less than this share of the majority guess's errors.
PARADOX_MARGIN = 0.1

#: The scores an :class:`EvaluationReport` can hold (``metrics``), each of some tasks only;
#: precision, recall and f1 also as ``_macro``/``_weighted``/``_micro`` forms.
REPORT_METRICS = (
    "accuracy",
    "balanced_accuracy",
    "precision",
    "recall",
    "f1",
    "auc",
    "log_loss",
    "hamming_loss",
    "mse",
    "rmse",
    "mae",
    "r2",
    "regression_accuracy",
)


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
        confusion_ratios: the whole table of confusion-matrix ratios
            (:func:`mlpkit.metrics.confusion_ratios`): ``{"per_class": {label: {"tp", "fp",
            "fn", "tn", "tpr", "tnr", "ppv", "npv", "fpr", "fnr", "fdr", "for", "lr_plus",
            "lr_minus", "dor", "mcc", "informedness", "markedness", "threat_score",
            "fowlkes_mallows", "prevalence", "prevalence_threshold", "accuracy",
            "balanced_accuracy", "f1"}}, "macro": {ratio: value}}``. Each class is judged
            one-vs-rest (a binary task: both classes; multi-label: each label's own yes/no);
            "macro" is each ratio's unweighted mean over the classes where it is defined. A
            ratio with a zero denominator is NaN here and null in ``to_dict``/``to_json``.
        positive_class: the class a binary report's precision, recall, f1, ROC, lift and gain
            are of: ``pos_label``, by default ``classes_[1]`` (the class the model's
            probability is of).
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
    confusion_ratios: dict[str, dict] | None = None
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


def evaluate(model, X, y, *, task="auto", threshold=0.5, k=10, pos_label=None) -> EvaluationReport:
    """Score a trained model on X, y and report what a person needs to judge it.

    Args:
        model: a built ``mk.Sequential``; a fitted ``MLPClassifier``/``MLPRegressor`` (its
            ``network_`` is scored: the same predictions as the estimator's); or a fitted
            scikit-learn ``Pipeline`` ending in one (its own ``predict_proba``/``predict`` is
            scored, the classes are its ``classes_``); or an ``Ensemble`` (its weighted mean
            ``predict_proba``/``predict``).
        X: features, shape (n_samples, n_features), or a raw table for a preprocessor. Rows a
            preprocessor drops (missing values under "drop") are left out, with a warning.
        y: truth in the user's labels, as the model learned them (``net.classes_``: strings,
            booleans, any integers), or one-hot rows; a 0/1 matrix (n_samples, n_labels) for
            multi-label; values for regression (in the target's own units).
        task: "auto" (``net.task``), or one of "binary", "multiclass", "multilabel",
            "regression".
        threshold: a binary prediction is the positive class when its probability is
            > threshold (multi-label: a label is predicted when > threshold).
        k: regression accuracy counts a prediction right within std(y) / k.
        pos_label: the positive class of a binary report, one of the model's two labels
            (None: ``classes_[1]``, as the model's probability is of it). When it is left
            unset, the labels are not 0/1 and ``classes_[1]`` is the commoner class of y, the
            report warns that its precision, recall and f1 are of that class and names the
            other.

    Returns:
        EvaluationReport: ``report.metrics["accuracy"]``, ``report.to_json()``, ...

    Warns:
        UserWarning: for the accuracy paradox (see :func:`paradox_warnings`) and left-out rows.
    """
    report = report_of(model, X, y, task=task, threshold=threshold, k=k, pos_label=pos_label)
    if report.warnings:
        warnings.warn(" ".join(report.warnings), UserWarning, stacklevel=2)
    return report


def report_of(model, X, y, *, task="auto", threshold=0.5, k=10, pos_label=None) -> EvaluationReport:
    """:func:`evaluate` without emitting its warnings (they stay in ``report.warnings``)."""
    threshold = check_fraction("threshold", threshold, interval="(0, 1)", owner="evaluate")
    scored = scored_model(model)
    if not scored.network.built:
        raise NotFittedError(
            "This network is not built yet. Call fit(X, y) or build(n_features) first."
        )
    X, y, notes = scored_rows(scored, X, as_array(y))
    output = scored.outputs(X)
    task = resolve_task(scored.network, task)
    if task == "regression":
        check_positive("k", k, owner="evaluate")
        report = _regression_report(output, y, k)
    else:
        classes = classes_of(scored, task, output.shape[1])
        if task == "multilabel":
            report = _multilabel_report(output, y, classes, threshold)
        else:
            indices = unit_indices(target_of(scored.network, classes, task), y)
            if task == "binary" and positive_unit(classes, pos_label) == 0:
                output, indices, classes = 1 - output[:, -1:], 1 - indices, classes[::-1]
            report = _classification_report(output, indices, task, threshold, classes)
            report.warnings.extend(one_class_warnings(indices, classes))
            if task == "binary" and pos_label is None:
                report.warnings.extend(positive_class_warnings(report))
        report.warnings.extend(paradox_warnings(report))
    report.warnings[:0] = notes
    return report


def _regression_report(output, y, k) -> EvaluationReport:
    try:
        y = y.astype(np.float64)
    except (TypeError, ValueError):
        raise ValueError(
            "A regression is scored on numeric targets; y holds text. For labels, evaluate a "
            "classifier (a network fitted with a cross-entropy loss)."
        ) from None
    if not np.isfinite(y).all():
        row = int(np.argwhere(~np.isfinite(y))[0][0])
        raise ValueError(
            f"y holds {y.reshape(len(y), -1)[row].tolist()} at row {row} "
            f"({int((~np.isfinite(y)).sum())} missing or infinite values in all); a regression "
            f"is scored on known targets: drop those rows from X and y first."
        )
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
    names = names_of(classes)
    per_class = metrics.precision_recall_f1(y, predicted, labels=units)
    report = EvaluationReport(
        task=task,
        n_samples=len(y),
        metrics=_class_metrics(y, predicted, proba, task, units),
        class_balance={name: float(np.mean(y == j)) for j, name in enumerate(names)},
        labels=names,
        confusion_matrix=metrics.confusion_matrix(y, predicted, labels=units).tolist(),
        per_class=_per_class(per_class, names),
        confusion_ratios=_ratios(y, predicted, units, names),
        positive_class=names[1] if task == "binary" else None,
        threshold=threshold if task == "binary" else None,
    )
    if task == "binary" and 0 < y.sum() < len(y):
        _add_binary_curves(report, y, proba)
    return report


def positive_unit(classes, pos_label) -> int:
    """The output unit of a binary report's positive class: 1 (``classes[1]``, the class the
    model's probability is of) unless ``pos_label`` names ``classes[0]``."""
    if pos_label is None:
        return 1
    wanted = pos_label.item() if isinstance(pos_label, np.generic) else pos_label
    names = names_of(classes)
    for unit, name in enumerate(names):  # True is not the label 1
        if name == wanted and isinstance(name, bool) == isinstance(wanted, bool):
            return unit
    raise ConfigError(
        f"evaluate pos_label={pos_label!r} is not one of the model's classes "
        f"({', '.join(label_text(name) for name in names)}); pass one of them."
    )


def positive_class_warnings(report: EvaluationReport) -> list[str]:
    """The default positive class in words when its labels are not 0/1 (so ``classes_[1]``
    is whichever sorts last, e.g. "ok" after "failure") and it is the commoner class of y: a
    binary report's precision, recall and f1 are then of the class that is easy to find."""
    positive = report.positive_class
    other = next(name for name in report.labels if name != positive)
    share = report.class_balance[positive]
    if share <= 0.5 or {positive, other} == {0, 1}:  # True == 1: booleans are 0/1 too
        return []
    return [
        f"precision, recall and f1 are of class {label_text(positive)} (classes_[1], share "
        f"{share:.3f}), the commoner one; pass pos_label={other!r} to score class "
        f"{label_text(other)}."
    ]


def _per_class(scores: dict, names: list) -> dict:
    keys = ("precision", "recall", "f1", "support")
    return {name: {key: float(scores[key][j]) for key in keys} for j, name in enumerate(names)}


def _ratios(y, predicted, units: list, names: list) -> dict:
    """:func:`mlpkit.metrics.confusion_ratios` of unit indices (or 0/1 columns), with the
    classes named by their labels."""
    found = metrics.confusion_ratios(y, predicted, labels=units)
    per_class = dict(zip(names, found["per_class"].values()))
    return {"per_class": per_class, "macro": found["macro"]}


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
        confusion_ratios=_ratios(truth, predicted, units, names),
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


def one_class_warnings(indices: np.ndarray, classes) -> list[str]:
    """A y of a single class, in words: the scores of the other classes mean nothing."""
    present = np.unique(indices)
    if present.size > 1:
        return []
    label = label_text(names_of(classes)[int(present[0])])
    return [
        f"y holds one class only ({label}, all {len(indices):,} rows): precision, recall and f1 "
        f"of the classes it lacks are 0 by convention, not measured, and the AUC is undefined "
        f"(left out). Score on rows of every class, e.g. a stratified split."
    ]


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


def _plain(value):
    """Nested dicts/lists of plain Python types for ``json.dumps``: string keys, floats, ints,
    booleans, and None for NaN and infinity. Not :func:`mlpkit.data.state.plain`, which keeps
    key types (model-file documents pair them) and NaN: a report's JSON is for people and other
    tools, whose JSON has no NaN and whose object keys are text."""
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
