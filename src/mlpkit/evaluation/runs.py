"""How much a configuration's test scores move when only the seed (or the split) changes.

:func:`stability` retrains one configuration with several seeds and splits and summarises each
test metric of :func:`~mlpkit.evaluation.evaluate` by its mean, std, min and max.
"""

from __future__ import annotations

import copy

import numpy as np
from sklearn.model_selection import train_test_split

from .._checks import check_fraction, check_integer
from .._validation import take_rows
from ..exceptions import ConfigError
from .models import is_classifier
from .scoring import report_of


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
        task == "auto" and is_classifier(make_network(seeds[0]))
    )
    runs = []
    for index, (train, test) in enumerate(_split_rows(y, splits, test_size, classify)):
        for seed in seeds:
            net = make_network(seed)
            fit_fresh(net, take_rows(X, train), take_rows(y, train), fit_kwargs)
            report = report_of(net, take_rows(X, test), take_rows(y, test), task=task)
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


def fit_fresh(net, X, y, fit_kwargs: dict) -> None:
    """Fit with a deep copy of ``fit_kwargs``: an optimizer or callback object passed once must
    start fresh for every network, not carry its moments or counters from the previous fit."""
    net.fit(X, y, **copy.deepcopy(fit_kwargs))
