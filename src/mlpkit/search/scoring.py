"""Scores of stored predictions: a scikit-learn scorer, answered from the out-of-fold array.

A search scores every trial from its stored out-of-fold predictions, never by re-predicting:
:class:`Scorer` hands scikit-learn's scorer (``"accuracy"``, ``"roc_auc"``, ``"r2"``, any name
or callable) a stand-in estimator whose ``predict_proba`` / ``predict`` look the predictions up
by row number. The claims score the same predictions thousands of times (bootstrap samples,
permutations, blocks), where scikit-learn's per-call checks cost milliseconds; so for the
common scores :meth:`Scorer.of` computes the same number directly — accuracy, log-loss, MSE,
MAE and R² from per-row scores, binary ROC AUC from ranks (the Mann–Whitney statistic),
balanced accuracy from per-class recalls — each tested equal to scikit-learn's.
"""

from __future__ import annotations

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin
from sklearn.metrics import check_scoring

from .._validation import take_rows
from ..exceptions import ConfigError


class _Classifier(ClassifierMixin, BaseEstimator):
    """Stored class probabilities, answered by row number: X is a column of row indices."""

    def __init__(self, outputs=None, classes=None):
        self.outputs = outputs
        self.classes = classes

    @property
    def classes_(self):
        return self.classes

    def fit(self, X, y):  # never called: the scorer only predicts; here for the tags
        return self

    def predict_proba(self, X):
        return self.outputs[np.asarray(X, dtype=np.int64).ravel()]

    def predict(self, X):
        return self.classes[self.predict_proba(X).argmax(axis=1)]


class _Regressor(RegressorMixin, BaseEstimator):
    """Stored predicted values, answered by row number: X is a column of row indices."""

    def __init__(self, outputs=None):
        self.outputs = outputs

    def fit(self, X, y):  # never called: the scorer only predicts; here for the tags
        return self

    def predict(self, X):
        return self.outputs[np.asarray(X, dtype=np.int64).ravel()]


class Scorer:
    """A scikit-learn scorer applied to stored out-of-fold predictions (larger is better).

    ``scoring`` is a scorer name (``"accuracy"``, ``"roc_auc"``, ``"neg_log_loss"``, ``"r2"``,
    ...), a callable ``scorer(estimator, X, y)``, or None (accuracy / R², the estimators'
    ``score``).
    """

    def __init__(self, scoring, *, classify: bool, classes=None):
        self.name = scoring if isinstance(scoring, str) else getattr(scoring, "__name__", "score")
        if scoring is None:
            self.name = "accuracy" if classify else "r2"
            scoring = self.name
        try:
            template = _Classifier() if classify else _Regressor()
            self._scorer = check_scoring(template, scoring=scoring)
        except ValueError as error:
            raise ConfigError(
                f"Search scoring={scoring!r} is not a scikit-learn scorer: {error}"
            ) from None
        self.classify, self.classes = classify, classes

    def __call__(self, oof: np.ndarray, y, rows: np.ndarray) -> float:
        """The score of the predictions ``oof[rows]`` against ``y[rows]``."""
        frozen = _Classifier(oof, self.classes) if self.classify else _Regressor(oof)
        return float(self._scorer(frozen, rows.reshape(-1, 1), take_rows(y, rows)))

    def of(self, y_true, predictions: np.ndarray) -> float:
        """The score of whole arrays: ``predictions[i]`` is the prediction of ``y_true[i]``
        (computed directly for the common scores: the same number as the scorer's, faster)."""
        predictions = np.asarray(predictions)
        fast = self.row_scores(y_true, predictions[None])
        if fast is not None:
            per_row, to_score = fast
            return float(to_score(per_row.mean()))
        if self.classify and self.name in _CLASS_SCORES:
            index = np.searchsorted(self.classes, np.asarray(y_true))
            return _CLASS_SCORES[self.name](index, predictions)
        return self(predictions, y_true, np.arange(len(predictions)))

    def row_scores(self, y_true, oof: np.ndarray):
        """(R, to_score) when the score is a function of the mean of a per-row score, else None.

        R is (n_trials, n_rows) and ``to_score(mean of R's row over some rows)`` is the score
        on those rows: accuracy = mean 1[ŷᵢ = yᵢ]; −log-loss = mean log p(yᵢ); −MSE, −MAE;
        R² = 1 − MSE / var(y), taking var(y) of all rows for that of the sample's."""
        y_true = np.asarray(y_true)
        if self.classify and self.name == "accuracy":
            index = np.searchsorted(self.classes, y_true)
            return (oof.argmax(axis=2) == index[None]).astype(np.float64), _same
        if self.classify and self.name == "neg_log_loss":
            return -self.row_losses(y_true, oof).T, _same
        if self.classify or self.name not in _MEAN_ERRORS:
            return None
        errors = (oof - y_true[None].astype(np.float64)).reshape(len(oof), len(y_true), -1)
        power, to_score = _MEAN_ERRORS[self.name]
        return -(np.abs(errors) ** power).mean(axis=2), to_score(y_true)

    def row_losses(self, y_true, oof: np.ndarray) -> np.ndarray:
        """(n_rows, n_trials) per-row losses of stored predictions (n_trials, n_rows, ...):
        −log p(true class) for classes (p clipped to [ε, 1 − ε], ε the float64 epsilon, as
        scikit-learn's log_loss does), the squared error for values."""
        y_true = np.asarray(y_true)
        if self.classify:
            index = np.searchsorted(self.classes, y_true)
            p = np.take_along_axis(oof, index[None, :, None], axis=2)[..., 0]
            eps = np.finfo(np.float64).eps  # scikit-learn's log_loss clips there too
            return -np.log(np.clip(p, eps, 1.0 - eps)).T
        errors = oof - y_true[None].astype(np.float64)
        return (errors**2).reshape(len(oof), len(y_true), -1).mean(axis=2).T


def _same(mean: float) -> float:
    return mean


def _r2_of(y_true):
    variance = float(np.var(np.asarray(y_true, dtype=np.float64), axis=0).mean())
    return lambda mean: 1.0 + mean / variance if variance > 0 else float("nan")


#: Error scores that are a mean over rows: name -> (power of |error|, to_score(y) factory).
_MEAN_ERRORS = {
    "neg_mean_squared_error": (2, lambda y: _same),
    "neg_mean_absolute_error": (1, lambda y: _same),
    "r2": (2, _r2_of),
}


def roc_auc(index: np.ndarray, proba: np.ndarray) -> float:
    """Binary ROC AUC = (Σ ranks of the positives − n₁(n₁+1)/2) / (n₁ n₀), ranks of p(class 1)
    with ties averaged (Mann & Whitney 1947); NaN with one class only."""
    if proba.shape[1] != 2:
        raise ConfigError(
            f"scoring='roc_auc' is for two classes; these predictions have {proba.shape[1]}. "
            f"Use 'roc_auc_ovr' for several."
        )
    positive = index == 1
    n1 = int(positive.sum())
    n0 = len(index) - n1
    if n1 == 0 or n0 == 0:
        return float("nan")
    ranks = average_ranks(proba[:, 1])
    return float((ranks[positive].sum() - n1 * (n1 + 1) / 2) / (n1 * n0))


def average_ranks(values: np.ndarray) -> np.ndarray:
    """Ranks 1..n of ``values`` (n,), ties given the mean of their ranks (as
    ``scipy.stats.rankdata``, without its per-call overhead: the claims rank thousands of
    bootstrap samples)."""
    order = np.argsort(values, kind="stable")
    ordered = values[order]
    first = np.r_[True, ordered[1:] != ordered[:-1]]
    starts = np.flatnonzero(first)
    ends = np.r_[starts[1:], len(values)]
    ranks = np.empty(len(values))
    ranks[order] = ((starts + ends + 1) / 2)[np.cumsum(first) - 1]
    return ranks


def balanced_accuracy(index: np.ndarray, proba: np.ndarray) -> float:
    """The mean over the classes present of their recall, the predicted class being the
    argmax."""
    correct = proba.argmax(axis=1) == index
    counts = np.bincount(index, minlength=proba.shape[1])
    hits = np.bincount(index, weights=correct, minlength=proba.shape[1])
    present = counts > 0
    return float(np.mean(hits[present] / counts[present]))


#: Class scores computed directly: name -> f(true class index, probabilities).
_CLASS_SCORES = {"roc_auc": roc_auc, "balanced_accuracy": balanced_accuracy}
