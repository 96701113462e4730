"""A search in one line: a built-in space and budget for the estimators.

``mk.search.auto(X, y, time_budget=120)`` searches ``MLPClassifier`` (classes) or
``MLPRegressor`` (values) over :data:`CLASSIFICATION_SPACE` or :data:`REGRESSION_SPACE` (each
:data:`AUTO_SPACE` and one entry more) with TPE, 3-fold cross-validation and median pruning,
the raw table prepared inside each fold as ``preprocessor="auto"`` does (missing cells filled,
text one-hot encoded, numbers scaled), and returns the
:class:`~mlpkit.search.result.SearchResult`: the refitted winner with its honest claims.
The space is the one a practitioner tunes first on tabular data — depth and width, the
learning rate, the L2 penalty, dropout and the batch size — with the ranges that won on the
quality suite of benchmarks/bench_auto.py (read the table in benchmarks/README.md). For values
it also searches the scaling of the numeric inputs (:data:`REGRESSION_SPACE`): the z-score, or
its tanh, z ↦ tanh(z), which bounds the long tails of skewed columns. Measured at the defaults
on the quality suite (benchmarks/bench_quality.py's folds), tanh raised the R² of the two
messy price tables (Ames 0.762 → 0.868, Toyota 0.722 → 0.789) and lowered airfoil's (0.736 →
0.686) and California's (0.712 → 0.678), so it is searched, not chosen; for classes it scored
lower on 9 of 13 tasks (mammography 0.777 → 0.711), so their space leaves it out. For classes
the space searches the class weights instead (:data:`CLASSIFICATION_SPACE`): none, or
``"balanced"`` (each row weighted n / (k · n_class), scikit-learn's rule), which raises the
balanced accuracy of the skewed tables and which the search leaves where the score does not
reward it (on the 13 classification tasks of bench_auto.py, 5 splits: red wine 0.327 → 0.430,
mammography 0.765 → 0.892, telco 0.675 → 0.728). The estimators keep scikit-learn's unweighted
default, whose probabilities follow the data's class shares. Trial 0 is
the estimator's defaults (``points_to_evaluate``), so a search whose budget allows only a few
slow trials still has a good one to choose. After the search, ensemble selection averages
the best few trials (``result.ensemble_``, :mod:`mlpkit.search.ensemble`).
"""

from __future__ import annotations

from ..data import Preprocessor
from ..estimators import MLPClassifier, MLPRegressor
from ..exceptions import ConfigError
from .search import Search
from .space import Choice, IntUniform, Layers, LogUniform
from .trial import has_classes

#: The built-in space of :func:`auto`.
AUTO_SPACE = {
    "hidden_layer_sizes": Layers(depth=IntUniform(1, 3), width=IntUniform(16, 256, log=True)),
    "learning_rate_init": LogUniform(3e-4, 3e-2),
    "alpha": LogUniform(1e-6, 1e-1),
    "dropout": Choice([0.0, 0.1, 0.3]),
    "batch_size": Choice(["auto", 32, 64, 128, 256]),
}

#: :data:`AUTO_SPACE` with the class weights, for classes.
CLASSIFICATION_SPACE = AUTO_SPACE | {"class_weight": Choice([None, "balanced"])}

#: :data:`AUTO_SPACE` with the scaling of the numeric inputs, for values.
REGRESSION_SPACE = AUTO_SPACE | {"preprocessor__scaler": Choice(["standard", "tanh"])}


def auto(
    X,
    y,
    *,
    task="auto",
    time_budget=None,
    n_trials=None,
    scoring=None,
    cv=3,
    random_state=0,
    ledger=None,
    n_workers=1,
    test_size=0.2,
    max_iter=200,
    ensemble=25,
):
    """Search the built-in space for the task of y; return the SearchResult.

    Args:
        task: "classification", "regression" or "auto" (classes for text, boolean or category
            labels and for at most 20 distinct whole numbers; see ``targets.detect_task``).
        time_budget: seconds the search may take (see ``Search``: trials stop at it too).
        n_trials: the number of trials (default 40; with only ``time_budget``, up to 1,000).
        scoring, cv, random_state, ledger, n_workers, test_size: as :class:`Search`.
        max_iter: the epochs of each fit (each stops earlier on its own rule).
        ensemble: the steps of ensemble selection over the complete trials
            (``SearchResult.ensemble``; 0 or None: none). The result's ``ensemble_`` is then
            the model to predict with, ``best_estimator_`` the single winner. Its members are
            refitted after the search, outside ``time_budget``, as the winner is.
    """
    estimator = _estimator(task, y, max_iter)
    space = REGRESSION_SPACE if isinstance(estimator, MLPRegressor) else CLASSIFICATION_SPACE
    if n_trials is None:
        n_trials = 40 if time_budget is None else 1000
    result = Search(
        estimator,
        space,
        points_to_evaluate=[defaults_config(estimator, space)],
        strategy="tpe",
        n_trials=n_trials,
        cv=cv,
        scoring=scoring,
        random_state=random_state,
        ledger=ledger,
        n_workers=n_workers,
        pruner="median",
        time_budget=time_budget,
        test_size=test_size,
    ).fit(X, y)
    if ensemble:
        result.ensemble(ensemble)
    return result


def defaults_config(estimator, space: dict) -> dict:
    """The configuration of ``space`` (:data:`CLASSIFICATION_SPACE` or
    :data:`REGRESSION_SPACE`) that is ``estimator``'s own parameters (its defaults), so the
    search is never worse than them by more than its CV's noise."""
    params = estimator.get_params()
    widths = tuple(params["hidden_layer_sizes"])
    config = {"hidden_layer_sizes.depth": len(widths)}
    config |= {f"hidden_layer_sizes.width_{k}": w for k, w in enumerate(widths, 1)}
    return config | {name: params[name] for name in space if name != "hidden_layer_sizes"}


def _estimator(task, y, max_iter):
    if task == "auto":
        task = "classification" if has_classes(y) else "regression"
    if task not in ("classification", "regression"):
        raise ConfigError(
            f"auto task must be 'classification', 'regression' or 'auto'; received {task!r}."
        )
    kind = MLPClassifier if task == "classification" else MLPRegressor
    return kind(max_iter=max_iter, preprocessor=Preprocessor(missing="auto"))
