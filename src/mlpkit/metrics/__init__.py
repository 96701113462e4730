"""Scores of a model's predictions: scikit-learn's where it has them, ours where it has none.

* :mod:`.scores`: user-facing functions of ``(y_true, y_pred)`` (or ``(y_true, scores)``) in
  the user's labels: ``accuracy``, ``balanced_accuracy``, ``confusion_matrix``,
  ``precision_recall_f1``, ``roc_curve``, ``roc_auc``, ``log_loss``, ``mse``, ``rmse``,
  ``mae``, ``r2`` (``sklearn.metrics``), and ours: ``regression_accuracy`` (within std(y)/k,
  or per batch), ``cumulative_gain``, ``lift_curve``.
* :mod:`.confusion`: the whole table of confusion-matrix ratios (TPR … DOR, MCC, informedness,
  markedness, threat score, Fowlkes–Mallows, prevalence, balanced accuracy), per class
  one-vs-rest and macro-averaged: :func:`confusion_ratios`.
* :mod:`.registry`: the metrics of ``fit(metrics=[...])``: names (:data:`METRICS`) and metric
  objects with a ``name`` (the log key), e.g. :class:`RegressionAccuracy` ``(k=5)``;
  :func:`check`.
"""

from .confusion import COUNTS, RATIOS, confusion_ratios, one_vs_rest_counts, ratios_from_counts
from .registry import (
    CLASSIFICATION_ONLY,
    METRICS,
    Metric,
    NamedMetric,
    RegressionAccuracy,
    check,
    get,
)
from .scores import (
    accuracy,
    balanced_accuracy,
    confusion_matrix,
    cumulative_gain,
    lift_curve,
    log_loss,
    mae,
    mse,
    precision_recall_f1,
    r2,
    regression_accuracy,
    rmse,
    roc_auc,
    roc_curve,
)

__all__ = [
    "CLASSIFICATION_ONLY",
    "COUNTS",
    "METRICS",
    "RATIOS",
    "Metric",
    "NamedMetric",
    "RegressionAccuracy",
    "accuracy",
    "balanced_accuracy",
    "check",
    "confusion_matrix",
    "confusion_ratios",
    "cumulative_gain",
    "get",
    "lift_curve",
    "log_loss",
    "mae",
    "mse",
    "one_vs_rest_counts",
    "precision_recall_f1",
    "r2",
    "ratios_from_counts",
    "regression_accuracy",
    "rmse",
    "roc_auc",
    "roc_curve",
]
