"""Search: find a good configuration, record every trial, and report the winner honestly.

``Search(estimator, space, strategy=..., n_trials=..., cv=..., scoring=...).fit(X, y)``:

1. an untouched test split is set aside (``test_size``; stratified for classes, the last rows
   when ``time_ordered``); everything below sees the training rows only;
2. the folds are cut once and stored in the ledger (:mod:`mlpkit.search.folds`);
3. trials are proposed in fixed batches of ``batch_size`` by the strategy, from the results of
   the earlier batches only; trial i's seed is a function of (``random_state``, i); so the
   ledger is the same whether 1 or 8 workers ran it;
4. each batch runs (:mod:`mlpkit.search.execution`); a configuration already tried is recorded
   as a duplicate of it and counted once;
5. the winner (best mean fold score) is refitted on all training rows with its seed and scored
   once on the test split; the claims (:mod:`mlpkit.search.claims`) correct its CV score for
   the selection among all the trials.

The search's identity is a hash of everything that decides its trials (estimator, space,
strategy, seed, folds, scoring, batch size, pruner, data): fitting the same search again with
the same ledger resumes it, repeating no finished trial; a larger ``n_trials`` extends it.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import tempfile
import time

import numpy as np
from sklearn.model_selection import train_test_split

from .._checks import check_fraction, check_integer, check_positive
from .._validation import n_rows, take_rows
from ..exceptions import ConfigError
from ..ledger import fingerprint, open_ledger
from .bounds import check_bounds
from .execution import make_executor
from .folds import Folds, make_folds
from .pruning import make_pruner
from .result import SearchResult
from .scoring import Scorer
from .space import Space
from .strategies.base import Observation
from .strategies.enqueued import Enqueued
from .strategies.registry import make_strategy
from .trial import Model
from .workers import FINISHED, TrialContext, trial_seed


class Search:
    """A hyperparameter search over ``space`` for ``estimator``, every trial in the ledger.

    Args:
        estimator: a scikit-learn estimator (``mk.MLPClassifier(max_iter=100)``, a Pipeline,
            ...) whose parameters the space sets, or a function ``build(**params,
            random_state=seed)`` returning an unfitted model (e.g. an ``mk.Sequential``; its
            ``fit`` gets ``fit_params``).
        space: a :class:`~mlpkit.search.space.Space` or a dict name → distribution or value.
        strategy: "grid", "random", "tpe", "gp" or "genetic".
        n_trials: how many trials (a grid stops at its size).
        cv: the number of folds (stratified for classes).
        scoring: a scikit-learn scorer name or callable; None: accuracy / R².
        random_state: the search seed (folds, test split, proposals, trial seeds).
        ledger: a SQLite file path or a database URL; None keeps it in memory.
        n_workers: worker processes (1: trials run in this process).
        dask: None, True (an embedded LocalCluster of ``n_workers``), a scheduler address or a
            ``distributed.Client``.
        test_size: the share of rows held out for the winner's one test score (None: none).
        time_ordered: folds and test split keep the row order (no shuffling, no future seen).
        pruner: None, "median", "successive_halving" or a pruner (per-fold scores).
        batch_size: trials proposed at a time (part of the search's identity).
        time_budget: seconds the search may take: no trial starts after it, and a trial
            running then stops at its next fold or epoch end (recorded as pruned, with the
            reason), so the search ends about one epoch past the budget.
        fit_params: keyword arguments of each model's ``fit``.
        strategy_options: keyword arguments of the strategy (e.g. ``population_size``).
        stale_after: seconds without a heartbeat after which a running trial is lost.
        points_to_evaluate: configurations to try first, as trials 0, 1, ... in order, each
            in the space's configuration form (``{"alpha": 1e-4,
            "hidden_layer_sizes.depth": 1, "hidden_layer_sizes.width_1": 100}``: the names
            of ``result.trials_``'s ``param.`` columns); the strategy proposes the rest and
            learns from them. Not with ``strategy="grid"``.
    """

    def __init__(
        self,
        estimator,
        space,
        *,
        strategy="random",
        n_trials=20,
        cv=5,
        scoring=None,
        random_state=0,
        ledger=None,
        n_workers=1,
        dask=None,
        test_size=0.2,
        time_ordered=False,
        pruner=None,
        batch_size=8,
        time_budget=None,
        fit_params=None,
        strategy_options=None,
        stale_after=30.0,
        points_to_evaluate=None,
    ):
        self.estimator, self.space, self.strategy = estimator, space, strategy
        self.n_trials, self.cv, self.scoring = n_trials, cv, scoring
        self.random_state, self.ledger, self.n_workers, self.dask = (
            random_state,
            ledger,
            n_workers,
            dask,
        )
        self.test_size, self.time_ordered, self.pruner = test_size, time_ordered, pruner
        self.batch_size, self.time_budget, self.fit_params = batch_size, time_budget, fit_params
        self.strategy_options, self.stale_after = strategy_options, stale_after
        self.points_to_evaluate = points_to_evaluate

    def fit(self, X, y) -> SearchResult:
        """Run (or resume) the search on (X, y) and return its :class:`SearchResult`."""
        started = time.perf_counter()
        seed = check_integer("random_state", self.random_state, low=0, owner="Search")
        model = Model(self.estimator, dict(self.fit_params or {}))
        space = self.space if isinstance(self.space, Space) else Space(self.space)
        _validate_space(space, model)
        check_bounds(space, model, seed)
        strategy = make_strategy(self.strategy, space, seed, **dict(self.strategy_options or {}))
        if self.points_to_evaluate:
            strategy = Enqueued(strategy, self.points_to_evaluate)
        X_train, y_train, X_test, y_test = self._split(X, y, model, seed)
        context, spec = self._context(model, space, X_train, y_train, seed)
        url, temporary = self._ledger_url()
        ledger = open_ledger(url)
        if not ledger.create_search(context.search_id, spec, context.folds.assignment):
            stored = np.asarray(ledger.search_folds(context.search_id))  # a resumed search's
            context.folds = Folds(stored, context.folds.time_ordered)
        self._run(ledger, url, context, strategy, seed, started)
        trials = ledger.trials(context.search_id)
        if temporary is not None:
            temporary.cleanup()
        seconds = time.perf_counter() - started
        return SearchResult(context.search_id, trials, context, X_test, y_test, spec, seconds)

    def _context(self, model, space, X, y, seed) -> tuple[TrialContext, dict]:
        """What every trial needs (folds cut, scorer chosen), and the search's identity."""
        classify = model.is_classifier(y)
        classes = np.unique(np.asarray(y)) if classify else None
        scorer = Scorer(self.scoring, classify=classify, classes=classes)
        folds = make_folds(y, self.cv, classify=classify, time_ordered=self.time_ordered, seed=seed)
        pruner = make_pruner(self.pruner)
        spec = self._spec(model, space, scorer, pruner, fingerprint(X, y), seed)
        search_id = hashlib.sha256(_canonical(spec).encode()).hexdigest()[:16]
        batch_size = check_integer("batch_size", self.batch_size, low=1, owner="Search")
        context = TrialContext(search_id, model, space, X, y, folds, scorer, pruner, batch_size)
        return context, spec

    def _run(self, ledger, url, context, strategy, seed, started) -> None:
        """Propose and run the batches until n_trials (or the grid, or the time budget) ends."""
        n_trials = check_integer("n_trials", self.n_trials, low=1, owner="Search")
        n_workers = check_integer("n_workers", self.n_workers, low=1, owner="Search")
        budget = None
        if self.time_budget is not None:
            budget = check_positive("time_budget", self.time_budget, owner="Search")
        total = n_trials if strategy.n_total is None else min(n_trials, strategy.n_total)
        if budget is not None:  # the trials stop at it too, within about one epoch
            remaining = budget - (time.perf_counter() - started)
            context = dataclasses.replace(context, deadline=time.time() + remaining)
        executor = make_executor(
            ledger, url, context, n_workers=n_workers, dask=self.dask, stale_after=self.stale_after
        )
        try:
            for start in range(0, total, context.batch_size):
                if budget is not None and time.perf_counter() - started > budget:
                    break
                numbers = range(start, min(start + context.batch_size, total))
                self._propose(ledger, context, strategy, numbers, seed)
                executor.run(numbers)
        finally:
            executor.close()

    def _split(self, X, y, model, seed):
        if n_rows(X) != len(y):
            raise ConfigError(
                f"Search.fit X has {n_rows(X)} rows but y has {len(y)}; give one target per row."
            )
        if self.test_size is None:
            return X, y, None, None
        size = check_fraction("test_size", self.test_size, interval="(0, 1)", owner="Search")
        rows = np.arange(len(y))
        classes = np.asarray(y) if model.is_classifier(y) and not self.time_ordered else None
        train, test = train_test_split(
            rows,
            test_size=size,
            shuffle=not self.time_ordered,
            stratify=classes,
            random_state=seed if not self.time_ordered else None,
        )
        return take_rows(X, train), take_rows(y, train), take_rows(X, test), take_rows(y, test)

    def _spec(self, model, space, scorer, pruner, data, seed) -> dict:
        """Everything that decides the search's trials (its identity; n_trials is not)."""
        return {
            "estimator": _describe(model.estimator),
            "fit_params": {k: repr(v) for k, v in sorted(model.fit_params.items())},
            "space": space.to_config(),
            "strategy": self.strategy,
            "strategy_options": {k: repr(v) for k, v in (self.strategy_options or {}).items()},
            "random_state": seed,
            "cv": self.cv,
            "time_ordered": bool(self.time_ordered),
            "test_size": self.test_size,
            "scoring": scorer.name,
            "pruner": None if pruner is None else pruner.get_config(),
            "batch_size": self.batch_size,
            "data": data,
        } | self._enqueued(space)

    def _enqueued(self, space) -> dict:
        """The identity's part for ``points_to_evaluate`` (none without them, so the ids of
        searches that have none stay as they were)."""
        if not self.points_to_evaluate:
            return {}
        return {
            "points_to_evaluate": [json.loads(space.canonical(c)) for c in self.points_to_evaluate]
        }

    def _ledger_url(self):
        """(url, temporary folder or None): workers in other processes need a file."""
        if isinstance(self.ledger, os.PathLike):
            return os.fspath(self.ledger), None
        if self.ledger is not None:
            return self.ledger, None
        if self.n_workers == 1 and self.dask is None:
            return None, None
        folder = tempfile.TemporaryDirectory(prefix="mlpkit-search-")
        return os.path.join(folder.name, "runs.sqlite"), folder

    def _propose(self, ledger, context, strategy, numbers, seed) -> None:
        """Add the batch's trials to the ledger (unless a resumed search has them) and record
        the ones whose configuration was tried before as duplicates."""
        search_id, space = context.search_id, context.space
        known = {t["number"]: t for t in ledger.trials(search_id, columns=_PROPOSING)}
        if all(n in known for n in numbers):
            return
        two = int((self.strategy_options or {}).get("objectives", 1)) == 2
        history = [
            Observation(
                t["number"],
                t["config"],
                t["score"] if t["status"] == "complete" else None,
                t["status"],
                tuple(t["values"]) if two and t.get("values") else None,
            )
            for n, t in sorted(known.items())
            if n < numbers.start and t["status"] in ("complete", "pruned", "failed")
        ]
        configs = strategy.propose(numbers.start, len(numbers), history)
        rows = [
            {
                "number": n,
                "config": config,
                "config_hash": space.hash(config),
                "seed": trial_seed(seed, n),
            }
            for n, config in zip(numbers, configs)
            if n not in known
        ]
        ledger.add_trials(search_id, rows)
        first = {}
        for t in ledger.trials(search_id, columns=("number", "status", "config_hash")):
            original = first.setdefault(t["config_hash"], t["number"])
            if original != t["number"] and t["status"] == "waiting":
                ledger.finish(search_id, t["number"], "driver", "duplicate", duplicate_of=original)


#: What a proposal reads of the earlier trials.
_PROPOSING = ("number", "status", "config", "config_hash", "score", "values")


def _validate_space(space: Space, model: Model) -> None:
    names = model.names()
    if names is not None:
        space.validate(names=names)


def _describe(estimator) -> dict:
    """A JSON-able description of the estimator (its class and parameters), for the identity."""
    if hasattr(estimator, "get_params"):
        kind = type(estimator)
        params = {k: repr(v) for k, v in sorted(estimator.get_params(deep=False).items())}
        return {"class": f"{kind.__module__}.{kind.__qualname__}", "params": params}
    return {"function": f"{estimator.__module__}.{estimator.__qualname__}"}


def _canonical(value) -> str:
    return json.dumps(value, sort_keys=True, default=repr, separators=(",", ":"))


__all__ = ["FINISHED", "Search", "SearchResult"]
