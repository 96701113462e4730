"""One trial: a configuration cross-validated on the search's stored folds.

For each fold k, on its training rows only, a fresh model is built from the configuration and
the trial's seed and fitted (its preprocessor, if it has one, is fitted there too, so no
statistic of the held-out rows reaches it); its predictions on the held-out rows fill the
trial's out-of-fold array: class probabilities (n_rows, n_classes) for a classifier, values
(n_rows,) or (n_rows, n_targets) for a regressor. Every score is computed from those stored
predictions by the search's :class:`~mlpkit.search.scoring.Scorer`, so the per-fold scores,
the pooled score and the corrected estimates of the claims are one computation on one array.
"""

from __future__ import annotations

import inspect
import time
from dataclasses import dataclass, field

import numpy as np
from sklearn.base import clone, is_regressor
from threadpoolctl import threadpool_limits

from .._validation import take_rows
from ..evaluation.models import network_of
from ..exceptions import NotFittedError
from ..network import Sequential
from ..outputs import outputs_of
from ..targets import detect_task
from ..training.callbacks import Callback
from .folds import Folds
from .scoring import Scorer


class Pruned(Exception):
    """Raised by a pruner's ``check`` to stop a trial whose first folds score hopelessly."""


class OutOfTime(Pruned):
    """Raised when the search's time budget ends inside a trial: the trial stops where it is
    (between folds, or at the end of an epoch of a fit that takes callbacks) and is recorded
    as pruned, with the reason, so a budget is kept to about one epoch."""

    REASON = "the search's time budget ran out during this trial"


class Deadline(Callback):
    """Stop a fit at the first epoch end past ``deadline`` (``time.time()`` seconds)."""

    def __init__(self, deadline: float) -> None:
        self.deadline = deadline

    def on_epoch_end(self, epoch, logs) -> None:
        if time.time() > self.deadline:
            raise OutOfTime(None)


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
    """y holds class labels (binary or multi-class), not values: the rule of
    :func:`~mlpkit.targets.detect_task`."""
    return detect_task(y) == "classifier"


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
    deadline: float | None = None,
) -> TrialOutcome:
    """Cross-validate one configuration on the stored folds.

    After fold k, ``pruner.check(fold_scores)`` may raise :class:`Pruned` (the outcome so far
    travels with it as ``error.args[0]``). Past ``deadline`` (``time.time()`` seconds: the
    search's time budget) the trial raises :class:`OutOfTime`, a Pruned, before its next fold
    or at the next epoch end of a fit that takes callbacks. BLAS runs on ``threads`` threads
    (1 by default: the parallelism of a search is across trials, and one thread makes a
    trial's numbers the same whatever the number of workers).
    """
    started = time.perf_counter()
    n = len(y)
    oof = None
    fold_scores, histories, reasons = [], [], []
    with threadpool_limits(limits=threads):
        for k in range(folds.n_splits):
            train, test = folds.rows(k)
            if deadline is not None and time.time() > deadline:
                reasons.append(OutOfTime.REASON)
                raise OutOfTime(_so_far(fold_scores, oof, n, histories, reasons, started))
            fitted = model.build(params, seed)
            extra = _watch_epochs(fitted, model.fit_params, pruner, k, deadline)
            try:
                fit_params = {**model.fit_params, **extra}
                fitted.fit(take_rows(X, train), take_rows(y, train), **fit_params)
            except Pruned as pruned:
                kind = type(pruned)
                if kind is OutOfTime:
                    reasons.append(OutOfTime.REASON)
                raise kind(_so_far(fold_scores, oof, n, histories, reasons, started)) from None
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


def _watch_epochs(model, fit_params: dict, pruner, k: int, deadline: float | None) -> dict:
    """Give the fit of fold k the pruner's per-epoch watch and the deadline's: through the
    ``callbacks`` parameter of an estimator that has one (nothing more to pass to ``fit``),
    or as ``fit(callbacks=...)`` of an ``mk.Sequential``; returns the extra fit keywords."""
    watches = [] if pruner is None else [pruner.epoch_callback(k)]
    watches = [w for w in watches if w is not None]
    if deadline is not None:
        watches.append(Deadline(deadline))
    if not watches:
        return {}
    if "callbacks" in getattr(model, "get_params", dict)():
        model.set_params(callbacks=[*(model.get_params()["callbacks"] or []), *watches])
        return {}
    if isinstance(model, Sequential):
        return {"callbacks": [*(fit_params.get("callbacks") or []), *watches]}
    return {}


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
