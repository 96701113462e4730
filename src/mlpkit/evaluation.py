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

import numpy as np
from sklearn.model_selection import train_test_split

from . import metrics
from ._checks import check_fraction, check_integer, check_positive
from .exceptions import ConfigError
from .layers.activations import activation_name

TASKS = ("binary", "multiclass", "regression")

#: Accuracy is suspect when it removes less than this share of the majority guess's errors.
PARADOX_MARGIN = 0.1


@dataclass
class EvaluationReport:
    """What :func:`evaluate` found. Classification fields are None for regression, and the
    binary curves (``roc``, ``lift``, ``gain``) are None for other tasks.

    Attributes:
        task: "binary", "multiclass" or "regression".
        n_samples: rows scored.
        metrics: name → value. Binary: accuracy, balanced_accuracy, precision, recall, f1 (of
            class 1), auc, log_loss. Multi-class: accuracy, balanced_accuracy,
            precision/recall/f1 _macro and _weighted, auc (one-vs-rest, macro), log_loss.
            Regression: mse, rmse, mae, r2, regression_accuracy (within std(y)/k).
        class_balance: label → share of the rows, for every class the network can predict.
        labels: the class labels, in the order of the confusion matrix's rows and columns.
        confusion_matrix: counts [true][predicted].
        per_class: label → {"precision", "recall", "f1", "support"}.
        roc: {"fpr", "tpr", "auc"} (binary).
        lift: {"fraction", "lift"}, cumulative lift by decile (binary).
        gain: {"fraction", "gain"}, cumulative gain at every percentile (binary).
        threshold: the probability above which a binary prediction is class 1.
        warnings: findings in words, e.g. the accuracy paradox.
    """

    task: str
    n_samples: int
    metrics: dict[str, float]
    class_balance: dict[int, float] | None = None
    labels: list[int] | None = None
    confusion_matrix: list[list[int]] | None = None
    per_class: dict[int, dict[str, float]] | None = None
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


def evaluate(model, X, y, *, task="auto", threshold=0.5, k=10) -> EvaluationReport:
    """Score a trained network on X, y and report what a person needs to judge it.

    Args:
        model: a built ``mk.Sequential``; ``model.predict(X)`` gives its predictions (it takes
            raw tables when the model has a preprocessor).
        X: features, shape (n_samples, n_features), or a raw table for a preprocessor.
        y: truth in the user's labels: 0/1 (binary), class indices 0..k−1 or one-hot rows
            (multi-class), values (regression).
        task: "auto" (one sigmoid output: "binary"; softmax: "multiclass"; otherwise
            "regression"), or one of those names.
        threshold: a binary prediction is class 1 when its probability is > threshold.
        k: regression accuracy counts a prediction right within std(y) / k.

    Returns:
        EvaluationReport: ``report.metrics["accuracy"]``, ``report.to_json()``, ...

    Warns:
        UserWarning: for the accuracy paradox (see :func:`paradox_warnings`).
    """
    report = _report(model, X, y, task, threshold, k)
    if report.warnings:
        warnings.warn(" ".join(report.warnings), UserWarning, stacklevel=2)
    return report


def _report(model, X, y, task, threshold, k) -> EvaluationReport:
    """:func:`evaluate` without emitting its warnings (they stay in ``report.warnings``)."""
    threshold = check_fraction("threshold", threshold, interval="(0, 1)", owner="evaluate")
    if hasattr(model, "network_"):  # an MLPClassifier / MLPRegressor: its own labels and units
        output, y, task = _estimator_output(model, X, y, task)
    else:
        output = np.asarray(model.predict(X), dtype=np.float64)  # raises if not built
        task = _resolve_task(model, task, output.shape[1])
    if task == "regression":
        check_positive("k", k, owner="evaluate")
        return _regression_report(output, y, k)
    report = _classification_report(output, y, task, threshold)
    report.warnings.extend(paradox_warnings(report))
    return report


def _estimator_output(model, X, y, task):
    """(output, y, task) for a fitted scikit-learn-style estimator of this package."""
    if not hasattr(model, "predict_proba"):
        output = np.asarray(model.predict(X), dtype=np.float64)
        return output.reshape(output.shape[0], -1), y, "regression" if task == "auto" else task
    if getattr(model, "_multilabel", False):
        raise ValueError(
            "evaluate does not cover multi-label classifiers yet; score each label with mk.metrics."
        )
    proba = np.asarray(model.predict_proba(X), dtype=np.float64)
    y = np.asarray(y)
    unknown = np.setdiff1d(y, model.classes_)
    if unknown.size:
        raise ValueError(
            f"y has labels {unknown[:5].tolist()} the classifier was not trained on "
            f"(classes_ {model.classes_.tolist()})."
        )
    y = np.searchsorted(model.classes_, y)
    binary = proba.shape[1] == 2
    output = proba[:, 1:] if binary else proba
    return output, y, ("binary" if binary else "multiclass") if task == "auto" else task


def _resolve_task(model, task: str, n_outputs: int) -> str:
    if task != "auto":
        if task not in TASKS:
            raise ConfigError(
                f"evaluate task must be 'auto' or one of {TASKS}; received task={task!r}."
            )
        return task
    output = model.output_activation
    name = activation_name(output) if output is not None else "linear"
    if name == "softmax":
        return "multiclass"
    if name == "sigmoid":
        if n_outputs == 1:
            return "binary"
        raise ConfigError(
            f"evaluate cannot tell the task of a network with {n_outputs} sigmoid outputs "
            f"(multi-label is not supported); pass task='regression' to score them as values."
        )
    return "regression"


def _regression_report(output, y, k) -> EvaluationReport:
    y = np.asarray(y, dtype=np.float64)
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


def _classification_report(output, y, task, threshold) -> EvaluationReport:
    n_classes = 2 if task == "binary" else output.shape[1]
    y = _class_labels(y, n_classes, len(output))
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
    labels = list(range(n_classes))
    per_class = metrics.precision_recall_f1(y, predicted, labels=labels)
    report = EvaluationReport(
        task=task,
        n_samples=len(y),
        metrics=_class_metrics(y, predicted, proba, task, labels),
        class_balance={c: float(np.mean(y == c)) for c in labels},
        labels=labels,
        confusion_matrix=metrics.confusion_matrix(y, predicted, labels=labels).tolist(),
        per_class={
            c: {key: float(per_class[key][i]) for key in ("precision", "recall", "f1", "support")}
            for i, c in enumerate(labels)
        },
        threshold=threshold if task == "binary" else None,
    )
    if task == "binary" and 0 < y.sum() < len(y):
        _add_binary_curves(report, y, proba)
    return report


def _class_labels(y, n_classes: int, n_rows: int) -> np.ndarray:
    """Integer labels 0..n_classes−1 from labels or one-hot rows, checked."""
    y = np.asarray(y)
    if y.dtype == bool:
        y = y.astype(np.int64)
    if y.ndim == 2 and y.shape[1] == n_classes >= 2:
        y = y.argmax(axis=1)
    y = y.ravel()
    if y.shape[0] != n_rows:
        raise ValueError(f"X has {n_rows} rows but y has {y.shape[0]}; they must match.")
    as_int = y.astype(np.int64) if np.issubdtype(y.dtype, np.number) else None
    if as_int is None or np.any(as_int != y) or as_int.min() < 0 or as_int.max() >= n_classes:
        raise ValueError(
            f"evaluate needs class labels 0..{n_classes - 1} for this network (0/1 for binary); "
            f"found {np.unique(y)[:10].tolist()}. Encode the classes as integers first."
        )
    return as_int


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

    Two findings, for a classification report:

    * accuracy ≤ m + PARADOX_MARGIN · (1 − m), m the majority class's share: the model avoids
      fewer than a tenth of the errors of always predicting the majority class;
    * recall 0 for a class other than the majority one that occurs in y: the model never
      finds it.
    """
    balance = report.class_balance
    if not balance:
        return []
    majority = max(balance, key=balance.get)
    share, accuracy = balance[majority], report.metrics["accuracy"]
    found = []
    if accuracy <= share + PARADOX_MARGIN * (1 - share):
        found.append(
            f"accuracy {accuracy:.3f} is no better than always predicting class {majority} "
            f"(majority share {share:.3f}): the accuracy paradox; judge the model by recall, "
            f"precision, F1 or balanced accuracy instead."
        )
    for label, scores in report.per_class.items():
        if label != majority and scores["support"] > 0 and scores["recall"] == 0:
            found.append(
                f"recall of class {label} is 0.000 ({int(scores['support'])} rows, share "
                f"{balance[label]:.3f}): the model never finds this minority class."
            )
    return found


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
        ``{"complexity", "train_error", "val_error", "n_params"}``, lists aligned by position.
    """
    complexities = list(complexities)
    if not complexities:
        raise ConfigError("complexity_curve complexities must not be empty; received [].")
    fit_kwargs = dict(fit_kwargs or {})
    curve = {"complexity": complexities, "train_error": [], "val_error": [], "n_params": []}
    for complexity in complexities:
        net = make_network(complexity)
        _fit(net, X_train, y_train, fit_kwargs)
        curve["train_error"].append(float(net.evaluate(X_train, y_train)["loss"]))
        curve["val_error"].append(float(net.evaluate(X_val, y_val)["loss"]))
        curve["n_params"].append(int(net.params.size))
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
