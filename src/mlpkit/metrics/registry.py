"""Metrics for ``fit(metrics=[...])``: objects with a ``name`` (the log key) that score
network-format arrays.

A metric is called as ``metric(output, targets) -> float``: ``output`` (n, k) as the network
computes it (probabilities for sigmoid/softmax outputs; values in the target's own units, a
target scaler's output decoded first), ``targets`` (n, k) as the loss prepared them (0/1
columns or one-hot rows; values for regression). The trainer logs each metric on the training
data under ``metric.name`` and on the validation data under ``"val_" + metric.name`` every
epoch, as Keras does.

* A name from :data:`METRICS` ("accuracy", "auc", "log_loss", "precision", "recall", "f1",
  "mse", "rmse", "mae", "r2", "regression_accuracy") is the :class:`NamedMetric` of that name;
* :class:`RegressionAccuracy` takes its tolerance: ``RegressionAccuracy(k=5)`` logs under
  ``"regression_accuracy"`` (like Keras's ``TopKCategoricalAccuracy(k=5)``, the key does not
  change with the argument, so a callback monitoring ``"val_regression_accuracy"`` keeps
  working); pass ``name=`` to log two tolerances side by side.

:func:`check` turns what ``fit`` received into a tuple of metric objects and refuses unknown
names and two metrics with one log key.
"""

from __future__ import annotations

import numpy as np
from sklearn import metrics as skm

from .._checks import check_integer, check_positive
from ..exceptions import ConfigError
from .scores import log_loss, mae, mse, precision_recall_f1, r2, regression_accuracy, rmse


def _is_multiclass(output: np.ndarray, targets: np.ndarray) -> bool:
    """Several outputs whose targets are one-hot rows (softmax); otherwise each column is a
    separate 0/1 (sigmoid) output or a regression target."""
    return output.shape[1] > 1 and bool(np.allclose(targets.sum(axis=1), 1))


def _accuracy_from_network_output(output: np.ndarray, targets: np.ndarray) -> float:
    """Share of rows classified right: the argmax for softmax outputs, p > 0.5 per output for
    sigmoid ones (each output of each row counted)."""
    if not _is_multiclass(output, targets):
        return float(np.mean((output > 0.5) == (targets > 0.5)))
    return float(np.mean(output.argmax(axis=1) == targets.argmax(axis=1)))


def _auc_from_network_output(output: np.ndarray, targets: np.ndarray) -> float:
    """Binary: AUC of the sigmoid probability. Multi-class: one-vs-rest AUC of each class,
    macro-averaged (as ``roc_auc``), over the classes that have both positive and negative
    rows in the targets (others have no AUC); NaN when no class has."""
    positives = targets > 0.5
    aucs = [
        skm.roc_auc_score(positives[:, c], output[:, c])
        for c in range(output.shape[1])
        if 0 < positives[:, c].sum() < len(positives)
    ]
    return float(np.mean(aucs)) if aucs else float("nan")


def _log_loss_from_network_output(output: np.ndarray, targets: np.ndarray) -> float:
    """Binary: the log-loss of p; several sigmoid outputs: the mean over them; softmax: the
    categorical log-loss of the argmax class of each target row."""
    if _is_multiclass(output, targets):
        return log_loss(targets.argmax(axis=1), output, labels=np.arange(output.shape[1]))
    losses = [
        log_loss(targets[:, c] > 0.5, output[:, c], labels=[False, True])
        for c in range(output.shape[1])
    ]
    return float(np.mean(losses))


def _labels_from_network_output(output, targets) -> tuple:
    """(true, predicted, average, labels): class indices, "macro" over the k classes for
    softmax outputs; 0/1 and "binary" (class 1) for one sigmoid output; 0/1 indicator columns
    and "macro" over the k outputs for several sigmoid outputs."""
    every = np.arange(output.shape[1])
    if _is_multiclass(output, targets):
        return targets.argmax(axis=1), output.argmax(axis=1), "macro", every
    true, predicted = (targets > 0.5).astype(int), (output > 0.5).astype(int)
    if output.shape[1] == 1:
        return true.ravel(), predicted.ravel(), "binary", None
    return true, predicted, "macro", every


def _classification_score(name: str):
    def score(output: np.ndarray, targets: np.ndarray) -> float:
        true, predicted, average, labels = _labels_from_network_output(output, targets)
        return precision_recall_f1(true, predicted, average, labels=labels)[name]

    score.__name__ = f"_{name}_from_network_output"
    score.__doc__ = (
        f"{name.capitalize()}: of class 1 for one sigmoid output; macro-averaged over the "
        f"classes (softmax) or the outputs (several sigmoids) otherwise."
    )
    return score


def _regression_score(function):
    def score(output: np.ndarray, targets: np.ndarray) -> float:
        return function(targets, output)

    score.__name__ = f"_{function.__name__}_from_network_output"
    score.__doc__ = f"``{function.__name__}(targets, output)``."
    return score


#: Name → fn(output, targets) -> float, the functions behind the names of ``fit(metrics=...)``.
METRICS = {
    "accuracy": _accuracy_from_network_output,
    "auc": _auc_from_network_output,
    "log_loss": _log_loss_from_network_output,
    "precision": _classification_score("precision"),
    "recall": _classification_score("recall"),
    "f1": _classification_score("f1"),
    "mse": _regression_score(mse),
    "rmse": _regression_score(rmse),
    "mae": _regression_score(mae),
    "r2": _regression_score(r2),
    "regression_accuracy": _regression_score(regression_accuracy),
}


#: Metrics that read class probabilities: meaningless on a regression's values.
CLASSIFICATION_ONLY = frozenset({"accuracy", "auc", "log_loss", "precision", "recall", "f1"})


class Metric:
    """The protocol of a ``fit`` metric: ``name`` (str, the log key) and ``__call__(output,
    targets) -> float`` on network-format arrays (see the module). Subclass it, or pass any
    object with both."""

    name: str

    def __call__(self, output: np.ndarray, targets: np.ndarray) -> float:
        raise NotImplementedError

    def get_config(self) -> dict:
        """The arguments that rebuild the metric: ``type(m)(**m.get_config())``."""
        return {"name": self.name}

    def __eq__(self, other) -> bool:
        return type(other) is type(self) and other.get_config() == self.get_config()

    def __hash__(self) -> int:
        return hash((type(self).__name__, self.name))

    def __repr__(self) -> str:
        arguments = ", ".join(f"{key}={value!r}" for key, value in self.get_config().items())
        return f"{type(self).__name__}({arguments})"


class NamedMetric(Metric):
    """The metric :data:`METRICS` ``[name]``, logged under ``name``.

    Args:
        name: a key of :data:`METRICS`.
    """

    def __init__(self, name: str) -> None:
        if name not in METRICS:
            raise ConfigError(
                f"Unknown metric {name!r} in fit(metrics=...). Available: {', '.join(METRICS)}, "
                f"or a metric object such as mk.metrics.RegressionAccuracy(k=5). Curves and "
                f"tables (confusion matrix, ROC, lift) come from mk.evaluate(net, X, y)."
            )
        self.name = name

    def __call__(self, output, targets) -> float:
        return METRICS[self.name](output, targets)


class RegressionAccuracy(Metric):
    """Share of predictions within a tolerance of the truth, with the tolerance chosen here
    (see :func:`~mlpkit.metrics.regression_accuracy` for the formula).

    Args:
        k: the tolerance is std(y) / k (std with ddof=0, per output column). Defaults to 10,
            the tolerance of the name "regression_accuracy". None leaves it out.
        atol: an absolute tolerance in the target's units, or None.
        rtol: a relative tolerance rtol · |y|, or None.
        batch_size: None (default): std over all the rows scored (the epoch's training rows, or
            the validation rows). A whole number b: the seed's per-batch variant, the std of
            each run of b consecutive rows. The training outputs are scored in the order the
            epoch's batches saw them, so with b equal to ``fit``'s ``batch_size`` the runs are
            the training mini-batches (a Keras metric written with ``K.std(y_true)``); the
            validation rows are in their given order. Smaller batches, smaller tolerances.
        name: the log key; defaults to "regression_accuracy" whatever the tolerance (as Keras
            metric names do not carry their arguments). Give another to log two at once.

    Example:
        ``net.fit(X, y, loss="mse", metrics=["rmse", mk.metrics.RegressionAccuracy(k=5)])``
        logs ``rmse``, ``regression_accuracy``, and with validation data ``val_rmse`` and
        ``val_regression_accuracy``.
    """

    def __init__(
        self, k=10, *, atol=None, rtol=None, batch_size=None, name="regression_accuracy"
    ) -> None:
        owner = "RegressionAccuracy"
        if k is None and atol is None and rtol is None:
            raise ConfigError(
                "RegressionAccuracy needs a tolerance; received k=None, atol=None, rtol=None. "
                "Pass k (tolerance std(y)/k), atol or rtol."
            )
        self.k = None if k is None else check_positive("k", k, owner=owner)
        self.atol = None if atol is None else check_positive("atol", atol, allow_zero=True)
        self.rtol = None if rtol is None else check_positive("rtol", rtol, allow_zero=True)
        if batch_size is not None:
            batch_size = check_integer("batch_size", batch_size, low=1, owner=owner)
        self.batch_size = batch_size
        if not isinstance(name, str) or not name:
            raise ConfigError(f"RegressionAccuracy name must be a non-empty string; got {name!r}.")
        self.name = name

    def __call__(self, output, targets) -> float:
        return regression_accuracy(
            targets,
            output,
            k=self.k,
            atol=self.atol,
            rtol=self.rtol,
            batch_size=self.batch_size,
        )

    def get_config(self) -> dict:
        return {
            "k": self.k,
            "atol": self.atol,
            "rtol": self.rtol,
            "batch_size": self.batch_size,
            "name": self.name,
        }


def get(metric) -> Metric:
    """The metric object of a name (a :class:`NamedMetric`) or of an object that already is
    one (anything with a string ``name`` that can be called)."""
    if isinstance(metric, str):
        return NamedMetric(metric)
    if callable(metric) and isinstance(getattr(metric, "name", None), str):
        return metric
    raise ConfigError(
        f"fit metrics takes names ({', '.join(METRICS)}) or metric objects with a name and "
        f"__call__(output, targets), e.g. mk.metrics.RegressionAccuracy(k=5); got {metric!r}."
    )


def check(metrics) -> tuple[Metric, ...]:
    """The metrics of ``fit(metrics=...)`` (a name, an object, or a list of them) as a tuple
    of metric objects, each with a distinct ``name``.

    Raises:
        ConfigError: an unknown name, an object that is not a metric, or two metrics with one
            log key (give one of them another ``name=``).
    """
    single = isinstance(metrics, str) or isinstance(metrics, Metric)
    found = tuple(get(metric) for metric in ((metrics,) if single else tuple(metrics or ())))
    names = [metric.name for metric in found]
    twice = sorted({name for name in names if names.count(name) > 1})
    if twice:
        raise ConfigError(
            f"fit metrics log two metrics under the same key {twice}; give one of them "
            f"another name, e.g. RegressionAccuracy(k=5, name='regression_accuracy@5')."
        )
    return found
