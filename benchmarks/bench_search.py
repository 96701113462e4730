"""Search throughput: mlpkit's Search against Optuna driving the same objective.

The objective is the same for both: 3-fold cross-validation (stratified, the same folds) of
``mk.MLPClassifier(max_iter=20)`` over hidden width, learning rate and L2 penalty, scored by
ROC AUC, on 2,000 rows of the phoneme data. Optuna runs ``study.optimize`` with its TPE
sampler in memory (it records nothing but the value); mlpkit runs ``Search(strategy="tpe")``,
which also stores every trial's folds, per-epoch history and out-of-fold predictions in a SQLite
ledger and computes the claims at the end. Printed: trials per minute of each, and their ratio;
then the ledger's overhead: the same search with the ledger in memory against a SQLite file, per
trial and per epoch. The runs are interleaved and the fastest of each kept, so that another load
on the machine does not land on one side only. mlpkit's trials run on one BLAS thread each (its
parallelism is across trials, ``n_workers``); Optuna's objective gets the default threads.

    python benchmarks/bench_search.py [n_trials]
"""

from __future__ import annotations

import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np
import optuna
import pandas as pd
from sklearn.model_selection import StratifiedKFold, cross_val_score

import mlpkit as mk

DATA = Path(__file__).resolve().parents[2] / "shared" / "datasets"


def phoneme(n=2000):
    frame = pd.read_csv(DATA / "phoneme.csv", header=None)
    rows = np.random.default_rng(0).choice(len(frame), n, replace=False)
    frame = frame.iloc[np.sort(rows)]
    return frame.iloc[:, :-1].to_numpy(), frame.iloc[:, -1].to_numpy()


SPACE = {
    "hidden_layer_sizes": mk.search.Choice([(16,), (32,), (64,)]),
    "learning_rate_init": mk.search.LogUniform(1e-3, 3e-2),
    "alpha": mk.search.LogUniform(1e-6, 1e-2),
}


def optuna_run(X, y, n_trials):
    folds = StratifiedKFold(3, shuffle=True, random_state=0)

    def objective(trial):
        model = mk.MLPClassifier(
            max_iter=20,
            hidden_layer_sizes=trial.suggest_categorical("width", [16, 32, 64]),
            learning_rate_init=trial.suggest_float("lr", 1e-3, 3e-2, log=True),
            alpha=trial.suggest_float("alpha", 1e-6, 1e-2, log=True),
            random_state=trial.number,
        )
        return cross_val_score(model, X, y, cv=folds, scoring="roc_auc").mean()

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    study = optuna.create_study(direction="maximize", sampler=optuna.samplers.TPESampler(seed=0))
    start = time.perf_counter()
    study.optimize(objective, n_trials=n_trials)
    return time.perf_counter() - start, study.best_value


def mlpkit_run(X, y, n_trials, ledger):
    search = mk.search.Search(
        mk.MLPClassifier(max_iter=20),
        SPACE,
        strategy="tpe",
        n_trials=n_trials,
        cv=3,
        scoring="roc_auc",
        test_size=None,
        ledger=ledger,
        random_state=0,
    )
    start = time.perf_counter()
    result = search.fit(X, y)
    seconds = time.perf_counter() - start
    epochs = sum(len(f.get("loss", [])) for h in _histories(ledger, result) for f in h)
    return seconds, result, epochs


def _histories(ledger, result):
    if ledger is None:
        return []
    return [t["history"]["folds"] for t in mk.runs(ledger) if t.get("history")]


def main(n_trials: int, repeats: int = 3) -> None:
    warnings.simplefilter("ignore")
    X, y = phoneme()
    print(
        f"mlpkit {mk.__version__}, optuna {optuna.__version__}; {n_trials} trials, 3-fold CV; "
        f"the three runs interleaved {repeats} times, the fastest of each kept"
    )
    times = {"optuna": [], "sqlite": [], "memory": []}
    for _ in range(repeats):
        seconds, best_optuna = optuna_run(X, y, n_trials)
        times["optuna"].append(seconds)
        with tempfile.TemporaryDirectory() as folder:
            path = str(Path(folder) / "runs.sqlite")
            seconds, result, epochs = mlpkit_run(X, y, n_trials, path)
            times["sqlite"].append(seconds)
        times["memory"].append(mlpkit_run(X, y, n_trials, None)[0])
    t_optuna, t_file, t_memory = (min(times[k]) for k in ("optuna", "sqlite", "memory"))
    per_min = lambda seconds: 60 * n_trials / seconds  # noqa: E731
    print(
        f"optuna (TPE, in memory):        {per_min(t_optuna):6.1f} trials/min, best {best_optuna:.4f}"
    )
    print(
        f"mlpkit Search (TPE, SQLite):    {per_min(t_file):6.1f} trials/min, best {result.best_score_:.4f} (corrected {result.corrected_score_:.4f})"
    )
    print(f"mlpkit Search (TPE, in memory): {per_min(t_memory):6.1f} trials/min")
    print(f"ratio mlpkit(SQLite) / optuna trials per minute: {t_optuna / t_file:.2f}")
    overhead = (t_file - t_memory) / n_trials
    print(
        f"ledger overhead (SQLite file vs in memory): {1e3 * overhead:+.1f} ms per trial, "
        f"{1e3 * overhead * n_trials / max(epochs, 1):+.3f} ms per epoch ({epochs} epochs in all)"
    )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 30)
