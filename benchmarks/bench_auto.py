"""The auto search against gradient boosting: ``mk.search.auto`` vs ``HistGradientBoosting*``.

On the tasks of the quality suite (``bench_quality.tasks()``, files over 2,000 rows subsampled
as there), each task is split once 80/20 (stratified for classes, seed 0). On the 80 %:
``HistGradientBoostingClassifier()`` / ``Regressor()`` with their defaults (text columns as
pandas categories, which they take natively), and ``mk.search.auto(X, y, time_budget=B,
test_size=None)`` (TPE over the built-in space, 3-fold CV, median pruning, raw table through
``preprocessor="auto"``, then ensemble selection over the complete trials). HGB and auto's
model (``result.ensemble_``) are scored once on the 20 %: balanced accuracy or R²; the search's
single winner (``best_estimator_``) beside them, and for classes also HGB with
``class_weight="balanced"`` (the auto space searches class weights; HGB's default has none), a
reference only: the gap is to HGB's defaults, as issue 11 asks. Printed: the table, the gap
(mlpkit − HGB), the trials and ensemble members, and each side's wall time (mlpkit's includes
the refits).

    python benchmarks/bench_auto.py [budget_seconds] [task words...]
    python benchmarks/bench_auto.py 30 --seeds 5 [task words...]

With ``--seeds S`` every task is split S times (seeds 0 … S − 1) and searched once per split;
the table then gives the mean scores and the mean gap with its standard error over the splits,
and a task counts as within 1 % when its mean gap is. On the small tasks one test row moves
balanced accuracy by 0.01–0.03, so a single split cannot tell a 1 % gap from luck.
"""

from __future__ import annotations

import datetime
import sys
import time
import warnings

import numpy as np
import pandas as pd
from bench_quality import subsample, tasks
from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor
from sklearn.metrics import balanced_accuracy_score, r2_score
from sklearn.model_selection import train_test_split

import mlpkit as mk


def as_categories(X: pd.DataFrame) -> pd.DataFrame:
    X = X.copy()
    for column in X.columns:
        if not pd.api.types.is_numeric_dtype(X[column]):
            X[column] = X[column].astype("category")
    return X


def run(name, kind, X, y, budget, seed=0):
    X, y = subsample(X, y, kind)
    classify = kind != "regression"
    X_tr, X_te, y_tr, y_te = train_test_split(
        X, y, test_size=0.2, random_state=seed, stratify=y if classify else None
    )
    metric = balanced_accuracy_score if classify else r2_score
    hgb = (HistGradientBoostingClassifier if classify else HistGradientBoostingRegressor)(
        random_state=0, categorical_features="from_dtype"
    )
    start = time.perf_counter()
    hgb.fit(as_categories(X_tr), y_tr)
    s_hgb = time.perf_counter() - start
    score_hgb = metric(y_te, hgb.predict(as_categories(X_te)))
    score_weighted = np.nan
    if classify:
        weighted = HistGradientBoostingClassifier(
            random_state=0, categorical_features="from_dtype", class_weight="balanced"
        ).fit(as_categories(X_tr), y_tr)
        score_weighted = metric(y_te, weighted.predict(as_categories(X_te)))
    start = time.perf_counter()
    result = mk.search.auto(
        X_tr,
        y_tr,
        time_budget=budget,
        test_size=None,
        scoring="balanced_accuracy" if classify else "r2",
    )
    s_mk = time.perf_counter() - start
    score_mk = metric(y_te, result.ensemble_.predict(X_te))
    score_winner = metric(y_te, result.best_estimator_.predict(X_te))
    n = sum(result.n_trials_.values())
    members = len(result.ensemble_.members)
    return score_mk, score_winner, score_hgb, s_mk, s_hgb, n, members, score_weighted


def main(budget, words, seeds=1):
    warnings.simplefilter("ignore")
    np.seterr(all="ignore")
    print(
        f"mlpkit {mk.__version__} auto search vs HistGradientBoosting, "
        f"{datetime.date.today().isoformat()}; budget {budget:.0f} s per task"
        + (f", {seeds} splits per task (means; Δ ± its standard error)" if seeds > 1 else "")
        + "\n"
    )
    spread = " ± se" if seeds > 1 else ""
    print(
        f"| task | metric | mlpkit auto | HGB default | Δ{spread} | winner alone | trials "
        "| members | s mlpkit | s HGB | HGB balanced |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    gaps, within_1pc = [], []
    for name, kind, X, y in tasks():
        if words and not any(w.lower() in name.lower() for w in words):
            continue
        runs = np.array([run(name, kind, X, y, budget, seed) for seed in range(seeds)])
        mk_score, winner, hgb_score, s_mk, s_hgb, n, members, weighted = runs.mean(axis=0)
        gap = runs[:, 0] - runs[:, 2]
        gaps.append(gap.mean())
        within_1pc.append(mk_score >= hgb_score - 0.01 * abs(hgb_score))
        metric = "R²" if kind == "regression" else "bal. acc."
        error = f" ± {gap.std(ddof=1) / np.sqrt(seeds):.3f}" if seeds > 1 else ""
        print(
            f"| {name} | {metric} | {mk_score:.3f} | {hgb_score:.3f} | "
            f"{gap.mean():+.3f}{error} | {winner:.3f} | {n:.0f} | {members:.0f} | {s_mk:.0f} | "
            f"{s_hgb:.1f} | {'—' if np.isnan(weighted) else f'{weighted:.3f}'} |",
            flush=True,
        )
    within = sum(ok for ok in within_1pc)
    print(
        f"\nwithin 1 % of HGB (or above) on {within} of {len(gaps)} tasks; "
        f"mean Δ {np.mean(gaps):+.4f}"
    )


if __name__ == "__main__":
    args = sys.argv[1:]
    n_seeds = 1
    if "--seeds" in args:
        at = args.index("--seeds")
        n_seeds = int(args[at + 1])
        del args[at : at + 2]
    main(float(args[0]) if args else 60.0, args[1:], n_seeds)
