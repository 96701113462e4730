"""User-facing scores of ``(y_true, y_pred)`` (or ``(y_true, scores)``) in the user's labels.

``accuracy``, ``balanced_accuracy``, ``confusion_matrix``, ``precision_recall_f1``,
``roc_curve``, ``roc_auc``, ``log_loss``, ``mse``, ``rmse``, ``mae``, ``r2`` call
``sklearn.metrics``; ``regression_accuracy``, ``cumulative_gain`` and ``lift_curve`` are ours.
"""

from __future__ import annotations

import numpy as np
from sklearn import metrics as skm

from .._checks import check_integer, check_positive
from ..exceptions import ConfigError

# -- user-facing: scikit-learn's ---------------------------------------------------------------


def accuracy(y_true, y_pred) -> float:
    """Share of predictions equal to the truth (``sklearn.metrics.accuracy_score``).

    Args:
        y_true: true labels, shape (n_samples,).
        y_pred: predicted labels, shape (n_samples,).
    """
    return float(skm.accuracy_score(y_true, y_pred))


def balanced_accuracy(y_true, y_pred) -> float:
    """Mean recall over the classes in y_true (``sklearn.metrics.balanced_accuracy_score``):
    0.5 for a binary model that always predicts one class, however rare the other."""
    return float(skm.balanced_accuracy_score(y_true, y_pred))


def confusion_matrix(y_true, y_pred, *, labels=None) -> np.ndarray:
    """Counts C[i, j] of samples of true class ``labels[i]`` predicted as ``labels[j]``.

    ``labels`` defaults to the sorted union of the labels in y_true and y_pred
    (``sklearn.metrics.confusion_matrix``).
    """
    return skm.confusion_matrix(y_true, y_pred, labels=labels)


_AVERAGES = (None, "binary", "micro", "macro", "weighted")


def precision_recall_f1(y_true, y_pred, average=None, *, labels=None, pos_label=1) -> dict:
    """Precision, recall and F1 per class, or averaged over the classes.

    precision = TP / (TP + FP), recall = TP / (TP + FN), F1 = 2·P·R / (P + R), per class; an
    undefined ratio (no predictions of, or no samples of, a class) counts as 0
    (``sklearn.metrics.precision_recall_fscore_support`` with ``zero_division=0``).

    Args:
        y_true: true labels, shape (n_samples,).
        y_pred: predicted labels, shape (n_samples,).
        average: None for one value per class; "macro" (unweighted mean over classes),
            "weighted" (mean weighted by support), "micro" (from the pooled counts) or
            "binary" (the ``pos_label`` class alone).
        labels: the classes to report, in order. Defaults to the sorted union of the labels in
            y_true and y_pred.
        pos_label: the positive class for ``average="binary"``.

    Returns:
        ``{"labels", "precision", "recall", "f1", "support"}`` with arrays (one entry per label)
        when ``average`` is None; otherwise ``{"precision", "recall", "f1", "support"}`` floats,
        ``support`` being the number of samples counted.
    """
    if average not in _AVERAGES:
        raise ConfigError(
            f"precision_recall_f1 average must be one of {_AVERAGES}; received average={average!r}."
        )
    if labels is None and average != "binary" and np.ndim(y_true) == 1:
        labels = np.unique(np.concatenate([y_true, y_pred]))
    precision, recall, f1, support = skm.precision_recall_fscore_support(
        y_true, y_pred, labels=labels, pos_label=pos_label, average=average, zero_division=0
    )
    if average is None:
        return {
            "labels": np.asarray(labels),
            "precision": precision,
            "recall": recall,
            "f1": f1,
            "support": support,
        }
    counted = len(np.ravel(y_true)) if support is None else int(np.sum(support))
    return {
        "precision": float(precision),
        "recall": float(recall),
        "f1": float(f1),
        "support": counted,
    }


def roc_curve(y_true, scores, *, pos_label=None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """False- and true-positive rates as the threshold falls: ``(fpr, tpr, thresholds)``
    (``sklearn.metrics.roc_curve``; ``thresholds[0]`` is +inf, where nothing is positive)."""
    return skm.roc_curve(y_true, scores, pos_label=pos_label)


def roc_auc(y_true, scores, *, average="macro", labels=None) -> float:
    """Area under the ROC curve (``sklearn.metrics.roc_auc_score``).

    Binary: ``scores`` (n_samples,) for the positive class (or (n_samples, 2) probabilities,
    of which the second column is used). Multi-class: ``scores``
    (n_samples, n_classes) probabilities; one-vs-rest AUC of each class, averaged ("macro" or
    "weighted" by support).
    """
    scores = np.asarray(scores)
    if scores.ndim == 2 and scores.shape[1] == 2:  # predict_proba of a binary model
        scores = scores[:, 1]
    if scores.ndim == 2 and scores.shape[1] > 1:
        return float(
            skm.roc_auc_score(y_true, scores, average=average, multi_class="ovr", labels=labels)
        )
    return float(skm.roc_auc_score(y_true, scores.ravel()))


def log_loss(y_true, proba, *, labels=None) -> float:
    """Mean negative log-likelihood −mean(ln p(true class)) (``sklearn.metrics.log_loss``).

    ``proba`` is (n_samples,) for the positive class of a binary task, or (n_samples,
    n_classes); probabilities are clipped to [eps, 1 − eps], eps of their dtype.
    """
    return float(skm.log_loss(y_true, proba, labels=labels))


def mse(y_true, y_pred) -> float:
    """Mean squared error (``sklearn.metrics.mean_squared_error``)."""
    return float(skm.mean_squared_error(y_true, y_pred))


def rmse(y_true, y_pred) -> float:
    """Root mean squared error (``sklearn.metrics.root_mean_squared_error``; for several
    outputs, the mean of their RMSEs)."""
    return float(skm.root_mean_squared_error(y_true, y_pred))


def mae(y_true, y_pred) -> float:
    """Mean absolute error (``sklearn.metrics.mean_absolute_error``)."""
    return float(skm.mean_absolute_error(y_true, y_pred))


def r2(y_true, y_pred) -> float:
    """Coefficient of determination R² = 1 − SS_res / SS_tot (``sklearn.metrics.r2_score``)."""
    return float(skm.r2_score(y_true, y_pred))


# -- user-facing: ours -------------------------------------------------------------------------


def regression_accuracy(y_true, y_pred, *, k=10, atol=None, rtol=None, batch_size=None) -> float:
    """Share of predictions within a tolerance of the truth.

    Prediction i is right when |ŷᵢ − yᵢ| ≤ tolᵢ, where tolᵢ is the largest of the tolerances
    given (so a prediction within *any* of them counts):

    * ``k``: std(y_true) / k, std the population standard deviation (ddof=0) of the targets,
      per output column; None leaves this tolerance out. With ``batch_size`` = b, the std is
      instead that of each batch of b consecutive rows (rows 0..b−1, b..2b−1, ..., the last
      batch shorter): tolᵢ = std(y_batch(i)) / k, the per-batch variant (below);
    * ``atol``: an absolute tolerance, in the target's units;
    * ``rtol``: a relative one, rtol · |yᵢ|.

    Args:
        y_true: targets, shape (n_samples,) or (n_samples, n_outputs).
        y_pred: predictions, the same shape (or (n_samples, 1) for 1-D targets).
        k: divisor of the target's standard deviation; defaults to 10. Pass ``k=None`` to judge
            by ``atol``/``rtol`` alone.
        atol: absolute tolerance (≥ 0), or None.
        rtol: relative tolerance (≥ 0), or None.
        batch_size: None (default) for the std of all of y_true; a whole number b ≥ 1 for the
            per-batch std of b consecutive rows.

    The per-batch variant is what a Keras metric written as
    ``mean(|ŷ − y| <= std(y_batch) / k)`` reports: Keras evaluates it on each batch and averages
    the batch values weighted by their size, which is this share with ``batch_size`` equal to
    the batch size, over the rows in the order the batches held them. It differs from the
    default because a batch's spread is not the data's: a batch's std is smaller on average
    (E[std²] = (b−1)/b · σ² for random rows, far smaller for sorted or time-ordered rows), so the
    tolerance shrinks and varies with the batch size and the row order, and a one-row batch
    has std 0 (right only when exact). Use it to reproduce such a number; use the default to
    judge a model.

    Returns:
        The share of right predictions (over every output of every sample), in [0, 1].

    Example:
        y = [0, 10, 20] has std 8.165, so with k=10 the tolerance is 0.8165:
        ``regression_accuracy([0, 10, 20], [0.5, 11, 20])`` is 2/3.
    """
    if k is None and atol is None and rtol is None:
        raise ConfigError(
            "regression_accuracy needs a tolerance; received k=None, atol=None, rtol=None. "
            "Pass k (tolerance std(y_true)/k), atol or rtol."
        )
    y_true, y_pred = _same_shape(y_true, y_pred)
    tolerance = np.zeros_like(y_true)
    if k is not None:
        tolerance = np.maximum(tolerance, _spread(y_true, batch_size) / check_positive("k", k))
    if atol is not None:
        tolerance = np.maximum(tolerance, check_positive("atol", atol, allow_zero=True))
    if rtol is not None:
        rtol = check_positive("rtol", rtol, allow_zero=True)
        tolerance = np.maximum(tolerance, rtol * np.abs(y_true))
    return float(np.mean(np.abs(y_pred - y_true) <= tolerance))


def _spread(y: np.ndarray, batch_size) -> np.ndarray:
    """std(y) per column (ddof=0), broadcastable to y; or, with ``batch_size`` b, each row's
    batch's std: rows [j·b, (j+1)·b) share the std of those rows."""
    if batch_size is None:
        return y.std(axis=0)
    batch_size = check_integer("batch_size", batch_size, low=1, owner="regression_accuracy")
    spread = np.empty_like(y)
    for start in range(0, len(y), batch_size):
        spread[start : start + batch_size] = y[start : start + batch_size].std(axis=0)
    return spread


def cumulative_gain(y_true, scores, *, pos_label=1) -> tuple[np.ndarray, np.ndarray]:
    """The cumulative-gain curve: the share of all positives found in the top-scored rows.

    Sort the n rows by score, highest first (tied rows share their positives). After the top
    i rows, fraction(i) = i / n and gain(i) = (positives among the top i) / (all positives).
    A random ordering gives gain ≈ fraction (the diagonal); a perfect one reaches 1 at the
    positive rate.

    Args:
        y_true: labels, shape (n_samples,); ``pos_label`` marks the positives.
        scores: the model's score for the positive class (higher = more likely positive).

    Returns:
        ``(fraction, gain)``, each of n + 1 points from (0, 0) to (1, 1).
    """
    hits = _hits_by_score(y_true, scores, pos_label)
    found = np.concatenate([[0], np.cumsum(hits)])
    return np.arange(hits.size + 1) / hits.size, found / found[-1]


def lift_curve(y_true, scores, n_bins=10, *, pos_label=1) -> tuple[np.ndarray, np.ndarray]:
    """The cumulative lift: how many times more positives the top rows hold than random ones.

    Rows sorted by score, highest first, are cut into ``n_bins`` groups of (nearly) equal size
    (deciles for 10). Through group b: fraction_b = rows so far / n, gain_b = positives so far /
    all positives, and lift_b = gain_b / fraction_b. The last lift is always 1; a model that
    ranks no better than chance stays near 1 throughout.

    Args:
        y_true: labels, shape (n_samples,); ``pos_label`` marks the positives.
        scores: the model's score for the positive class.
        n_bins: number of groups (≤ n_samples).

    Returns:
        ``(fraction, lift)``, each of ``n_bins`` points.
    """
    hits = _hits_by_score(y_true, scores, pos_label)
    n_bins = check_integer("n_bins", n_bins, low=1, owner="lift_curve")
    if n_bins > hits.size:
        raise ConfigError(
            f"lift_curve n_bins must be at most the number of samples ({hits.size}); "
            f"received n_bins={n_bins}."
        )
    ends = np.array([part[-1] + 1 for part in np.array_split(np.arange(hits.size), n_bins)])
    fraction = ends / hits.size
    gain = np.cumsum(hits)[ends - 1] / hits.sum()
    return fraction, gain / fraction


def _hits_by_score(y_true, scores, pos_label) -> np.ndarray:
    """1 for each positive row, in order of decreasing score; rows with tied scores share
    their hits equally (each gets the group's positive rate), so the curves do not depend on
    the order of the rows, as the ROC curve does not."""
    y_true, scores = np.ravel(y_true), np.ravel(np.asarray(scores, dtype=float))
    if y_true.shape != scores.shape:
        raise ValueError(
            f"y_true has {y_true.size} values but scores has {scores.size}; they must match."
        )
    order = np.argsort(-scores, kind="stable")
    hits, ranked = (y_true == pos_label).astype(float)[order], scores[order]
    starts = np.flatnonzero(np.r_[True, ranked[1:] != ranked[:-1]])
    sizes = np.diff(np.r_[starts, ranked.size])
    hits = np.repeat(np.add.reduceat(hits, starts) / sizes, sizes)
    if not hits.any():
        raise ValueError(f"y_true has no positives (pos_label={pos_label!r}); gain is undefined.")
    return hits


def _same_shape(y_true, y_pred) -> tuple[np.ndarray, np.ndarray]:
    y_true = np.asarray(y_true, dtype=float)
    y_pred = np.asarray(y_pred, dtype=float)
    if y_true.ndim == 1 and y_pred.ndim == 2 and y_pred.shape[1] == 1:
        y_pred = y_pred.ravel()
    if y_true.shape != y_pred.shape:
        raise ValueError(
            f"y_true has shape {y_true.shape} but y_pred has shape {y_pred.shape}; they must match."
        )
    return y_true, y_pred
