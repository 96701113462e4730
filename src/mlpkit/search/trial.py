"""One trial: a configuration cross-validated on the search's stored folds.

For each fold k, on its training rows only, a fresh model is built from the configuration and
the trial's seed and fitted (its preprocessor, if it has one, is fitted there too, so no
statistic of the held-out rows reaches it); its predictions on the held-out rows fill the
trial's out-of-fold array: class probabilities (n_rows, n_classes) for a classifier, values
(n_rows,) or (n_rows, n_targets) for a regressor. Every score is computed from those stored
predictions by the scikit-learn scorer of the search (``"roc_auc"``, ``"r2"``, ...), so the
per-fold scores, the pooled score and the corrected estimates of the claims are one
computation on one array.
"""

from __future__ import annotations

import inspect
import time
from dataclasses import dataclass, field

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin, clone, is_regressor
from sklearn.metrics import check_scoring
from sklearn.utils.multiclass import type_of_target
from threadpoolctl import threadpool_limits

from .._validation import take_rows
from ..evaluation.models import network_of, scored_model
from ..exceptions import ConfigError, NotFittedError
from .folds import Folds


class Pruned(Exception):
    """Raised by a pruner's ``check`` to stop a trial whose first folds score hopelessly."""


@dataclass(frozen=True)
class Model:
    """How a trial builds its model: a scikit-learn estimator to clone, or a function.

    * an estimator (``MLPClassifier(max_iter=100)``, a Pipeline, ...): ``clone(estimator)
      .set_params(**params)``, with ``random_state`` set to the trial's seed when it has one;
    * a function ``build(**params, random_state=seed)`` returning an unfitted model with
      ``fit(X, y, **fit_params)`` — e.g. an ``mk.Sequential`` with its loss in ``fit_params``.
    """

    estimator: object
    fit_params: dict = field(default_factory=dict)

    def build(self, params: dict, seed: int):
        if callable(self.estimator) and not hasattr(self.estimator, "get_params"):
            return self.estimator(**params, random_state=seed)
        model = clone(self.estimator).set_params(**params)
        if "random_state" in model.get_params():
            model.set_params(random_state=seed)
        return model

    def names(self) -> list[str] | None:
        """The parameters a configuration may set (None: a function takes any keyword)."""
        if hasattr(self.estimator, "get_params"):
            return sorted(self.estimator.get_params())
        takes = inspect.signature(self.estimator).parameters.values()
        if any(p.kind is p.VAR_KEYWORD for p in takes):
            return None
        return sorted(p.name for p in takes if p.name != "random_state")

    def is_classifier(self, y) -> bool:
        """A regressor by its scikit-learn tags; otherwise classes unless y is continuous."""
        if hasattr(self.estimator, "get_params"):
            return not is_regressor(self.estimator)
        return has_classes(y)


def has_classes(y) -> bool:
    """y holds class labels (binary or multi-class), not continuous values."""
    return type_of_target(np.asarray(y)) in ("binary", "multiclass")


@dataclass
class TrialOutcome:
    """What one trial produced (the columns the ledger stores)."""

    fold_scores: list[float]
    oof: np.ndarray
    score: float
    histories: list[dict]
    stop_reasons: list[str | None]
    duration: float
    size: int | None = None


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
        (from the per-row scores when the score is their mean: the same number, faster)."""
        fast = self.row_scores(y_true, np.asarray(predictions)[None])
        if fast is not None:
            per_row, to_score = fast
            return float(to_score(per_row.mean()))
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
        −log p(true class) (clipped at 1e-15) for classes, the squared error for values."""
        y_true = np.asarray(y_true)
        if self.classify:
            index = np.searchsorted(self.classes, y_true)
            p = np.take_along_axis(oof, index[None, :, None], axis=2)[..., 0]
            return -np.log(np.clip(p, 1e-15, 1.0)).T
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


def outputs_of(model, X, classes: np.ndarray | None) -> np.ndarray:
    """The model's predictions on X as the out-of-fold array stores them: class probabilities
    in ``classes`` order (both columns of a binary task), or float values."""
    if classes is None:
        values = np.asarray(model.predict(X), dtype=np.float64)
        return values
    if hasattr(model, "predict_proba"):
        proba = np.asarray(model.predict_proba(X), dtype=np.float64)
        own = np.asarray(model.classes_)
    else:  # a network: its outputs are the probabilities of its classes_
        scored = scored_model(model)
        proba, own = scored.outputs(X), np.asarray(scored.classes)
        if proba.shape[1] == 1:
            proba = np.hstack([1.0 - proba, proba])
    return _align(proba, own, classes)


def _align(proba: np.ndarray, own: np.ndarray, classes: np.ndarray) -> np.ndarray:
    """Columns reordered to ``classes``; a class this fold never saw gets probability 0."""
    if len(own) == len(classes) and np.array_equal(own, classes):
        return proba
    aligned = np.zeros((len(proba), len(classes)))
    position = {label: i for i, label in enumerate(classes.tolist())}
    for j, label in enumerate(own.tolist()):
        aligned[:, position[label]] = proba[:, j]
    return aligned


def run_trial(
    model: Model,
    params: dict,
    seed: int,
    X,
    y,
    folds: Folds,
    scorer: Scorer,
    pruner=None,
    threads: int | None = 1,
) -> TrialOutcome:
    """Cross-validate one configuration on the stored folds.

    After fold k, ``pruner.check(fold_scores)`` may raise :class:`Pruned` (the outcome so far
    travels with it as ``error.args[0]``). BLAS runs on ``threads`` threads (1 by default: the
    parallelism of a search is across trials, and one thread makes a trial's numbers the same
    whatever the number of workers).
    """
    started = time.perf_counter()
    n = len(y)
    oof = None
    fold_scores, histories, reasons = [], [], []
    with threadpool_limits(limits=threads):
        for k in range(folds.n_splits):
            train, test = folds.rows(k)
            fitted = model.build(params, seed)
            _watch_epochs(fitted, pruner, k)
            try:
                fitted.fit(take_rows(X, train), take_rows(y, train), **model.fit_params)
            except Pruned:
                raise Pruned(_so_far(fold_scores, oof, n, histories, reasons, started)) from None
            predicted = outputs_of(fitted, take_rows(X, test), scorer.classes)
            if oof is None:
                oof = np.full((n, *predicted.shape[1:]), np.nan)
            oof[test] = predicted
            fold_scores.append(scorer(oof, y, test))
            histories.append(_history_of(fitted))
            reasons.append(getattr(fitted, "stop_reason_", None))
            size = size_of(fitted)
            outcome = TrialOutcome(
                fold_scores,
                oof,
                float(np.mean(fold_scores)),
                histories,
                reasons,
                time.perf_counter() - started,
                size,
            )
            if pruner is not None and k + 1 < folds.n_splits:
                pruner.check(fold_scores, outcome)
    return outcome


def _watch_epochs(model, pruner, k: int) -> None:
    """Give an estimator that takes ``callbacks`` the pruner's per-epoch watch of fold k."""
    watch = None if pruner is None else pruner.epoch_callback(k)
    if watch is not None and "callbacks" in getattr(model, "get_params", dict)():
        model.set_params(callbacks=[*(model.get_params()["callbacks"] or []), watch])


def _so_far(fold_scores, oof, n, histories, reasons, started) -> TrialOutcome:
    """The outcome of a trial pruned inside a fold: the folds it finished."""
    score = float(np.mean(fold_scores)) if fold_scores else float("nan")
    oof = np.full(n, np.nan) if oof is None else oof
    return TrialOutcome(
        list(fold_scores), oof, score, histories, reasons, time.perf_counter() - started
    )


def size_of(model) -> int | None:
    """The number of parameters of an mlpkit network or estimator (None for other models)."""
    try:
        return int(sum(network_of(model).parameter_counts()))
    except (TypeError, NotFittedError):
        return None


def _history_of(model) -> dict:
    """The per-epoch history of a fitted mlpkit estimator or network, else {}."""
    history = getattr(model, "history_", None)
    if history is None:
        history = getattr(getattr(model, "history", None), "history", None)
    if not isinstance(history, dict):
        return {}
    return {str(k): [float(v) for v in values] for k, values in history.items()}
