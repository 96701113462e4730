"""Quality of the defaults: mlpkit's default estimators against scikit-learn's default MLP.

On a suite of real tabular tasks from ../shared/datasets (binary, multi-class up to 8 classes,
regression; clean and messy: missing values, text columns, hidden zeros, imbalance), every
model is scored on the same folds: 3-fold cross-validation repeated with 2 seeds (stratified
for classification), balanced accuracy or R² on the held-out fold, mean over the 6 folds.

- ``mlpkit``: ``MLPClassifier()`` / ``MLPRegressor()`` with their defaults; ``preprocessor=
  "auto"`` on the tasks whose table has text columns or missing values.
- ``sklearn``: ``sklearn.neural_network.MLPClassifier()`` / ``MLPRegressor()`` with their
  defaults, after the minimal preprocessing they need: median imputation + StandardScaler for
  numbers, most-frequent imputation + one-hot for text (a Pipeline, fitted on the training fold).
- ``grid best``: the best, per task, of a small built-in grid of mlpkit settings (``GRID``),
  scored on the same folds. It is chosen on the test folds, so it is an optimistic reference for
  how much the defaults leave on the table, not a tuned model.

Big files are subsampled to ``MAX_ROWS`` rows (a seeded random subset, stratified for
classification) to keep the run under 10 minutes on 2 cores. The targets of the skewed price
tasks (Ames, Toyota) are log-transformed for both libraries. Run as:

    python benchmarks/bench_quality.py            # the full table
    python benchmarks/bench_quality.py glass pima # only the tasks whose name contains a word
"""

from __future__ import annotations

import datetime
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
from joblib import Parallel, delayed
from sklearn.base import clone
from sklearn.compose import make_column_selector, make_column_transformer
from sklearn.exceptions import ConvergenceWarning
from sklearn.impute import SimpleImputer
from sklearn.metrics import balanced_accuracy_score, r2_score
from sklearn.model_selection import RepeatedKFold, RepeatedStratifiedKFold
from sklearn.neural_network import MLPClassifier, MLPRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

import mlpkit as mk

DATA = Path(__file__).resolve().parents[2] / "shared" / "datasets"
MAX_ROWS = 2000
SPLITS, REPEATS = 3, 2

#: The small built-in grid of mlpkit settings (on top of the defaults).
GRID = {
    "deep": {"hidden_layer_sizes": (128, 64)},
    "alpha 1e-2": {"alpha": 1e-2},
}


def _headerless(name, target, **read):
    frame = pd.read_csv(DATA / name, header=None, **read)
    frame.columns = [f"c{i}" for i in range(frame.shape[1])]
    return frame.drop(columns=f"c{target}"), frame[f"c{target}"]


def tasks():
    """(name, kind, X frame, y) for every task; kind is "binary", "multiclass" or "regression"."""
    yield (
        "breast cancer (? gaps)",
        "binary",
        *_headerless("breast_cancer_wisconsin.csv", 9, na_values="?"),
    )
    yield "pima (hidden zeros)", "binary", *_headerless("pima_indians_diabetes.csv", 8)
    yield "sonar (small, wide)", "binary", *_headerless("sonar.csv", 60)
    yield "ionosphere", "binary", *_headerless("ionosphere.csv", 34)
    yield "banknote", "binary", *_headerless("banknote_authentication.csv", 4)
    yield "phoneme", "binary", *_headerless("phoneme.csv", 5)
    mammo = _headerless("mammography.csv", 6)
    yield "mammography (2% positive)", "binary", mammo[0], mammo[1].astype(str)
    telco = pd.read_csv(DATA / "telco_customer_churn.csv").drop(columns="customerID")
    yield "telco churn (text columns)", "binary", telco.drop(columns="Churn"), telco["Churn"]
    yield "wheat seeds (3 classes)", "multiclass", *_headerless("wheat_seeds.csv", 7)
    yield "glass (6 classes)", "multiclass", *_headerless("glass.csv", 9)
    yield "ecoli (8 classes)", "multiclass", *_headerless("ecoli.csv", 7)
    for colour, classes in (("red", 6), ("white", 7)):
        wine = pd.read_csv(DATA / f"winequality-{colour}.csv", sep=";")
        yield (
            f"{colour} wine ({classes} classes)",
            "multiclass",
            wine.drop(columns="quality"),
            wine["quality"],
        )
    yield "airfoil noise", "regression", *_headerless("airfoil_self_noise.tsv", 5, sep="\t")
    names = "mpg cyl disp hp weight acc year origin name".split()
    cars = pd.read_csv(DATA / "auto_mpg.data", sep=r"\s+", header=None, na_values="?", names=names)
    yield "auto mpg (gaps)", "regression", cars.drop(columns=["mpg", "name"]), cars["mpg"]
    energy = pd.read_csv(DATA / "energy_efficiency.csv")
    leaks = ["Y1", "Y2", "Low_Heat_Load", "High_Heat_Load", "Low_Cool_Load", "High_Cool_Load"]
    yield "energy heating load", "regression", energy.drop(columns=leaks), energy["Y1"]
    plant = pd.read_csv(DATA / "combined_cycle_power_plant.csv")
    yield "power plant", "regression", plant.drop(columns="Output"), plant["Output"]
    toyota = pd.read_csv(DATA / "toyota_corolla.csv").drop(columns=["Id", "Model"])
    yield (
        "toyota (text, log price)",
        "regression",
        toyota.drop(columns="Price"),
        np.log(toyota["Price"]),
    )
    ames = pd.read_csv(DATA / "ames_house_prices.csv").drop(columns="Id")
    yield (
        "ames (messy, log price)",
        "regression",
        ames.drop(columns="SalePrice"),
        np.log(ames["SalePrice"]),
    )
    housing = pd.read_csv(DATA / "housing.csv")
    yield (
        "california housing (gaps)",
        "regression",
        housing.drop(columns="median_house_value"),
        housing["median_house_value"],
    )


def subsample(X, y, kind, seed=0):
    if len(y) <= MAX_ROWS:
        return X.reset_index(drop=True), y.reset_index(drop=True)
    rng = np.random.default_rng(seed)
    if kind == "regression":
        rows = np.sort(rng.choice(len(y), MAX_ROWS, replace=False))
    else:  # stratified: the same share of each class
        rows = np.sort(
            np.concatenate(
                [
                    rng.choice(idx, max(1, round(len(idx) * MAX_ROWS / len(y))), replace=False)
                    for idx in (np.flatnonzero(y.to_numpy() == c) for c in np.unique(y))
                ]
            )
        )
    return X.iloc[rows].reset_index(drop=True), y.iloc[rows].reset_index(drop=True)


def is_messy(X) -> bool:
    numeric = all(pd.api.types.is_numeric_dtype(dtype) for dtype in X.dtypes)
    return bool(X.isna().any().any() or not numeric)


def sklearn_model(kind, seed):
    numbers = make_pipeline(SimpleImputer(strategy="median"), StandardScaler())
    text = make_pipeline(
        SimpleImputer(strategy="most_frequent"), OneHotEncoder(handle_unknown="ignore")
    )
    prepare = make_column_transformer(
        (numbers, make_column_selector(dtype_include="number")),
        (text, make_column_selector(dtype_exclude="number")),
    )
    mlp = MLPRegressor if kind == "regression" else MLPClassifier
    return make_pipeline(prepare, mlp(random_state=seed))


def mlpkit_model(kind, seed, messy, **settings):
    mlp = mk.MLPRegressor if kind == "regression" else mk.MLPClassifier
    if messy:
        settings.setdefault("preprocessor", "auto")
    return mlp(random_state=seed, **settings)


def score_fold(kind, model, X, y, train, test) -> tuple[float, float]:
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fitted = clone(model).fit(X.iloc[train], y.iloc[train])
        predicted = fitted.predict(X.iloc[test])
    truth = y.iloc[test]
    if kind == "regression":
        score = r2_score(truth, predicted)
    else:
        score = balanced_accuracy_score(truth, predicted)
    return score, time.perf_counter() - start


def models_for(kind, seed, messy):
    yield "mlpkit", mlpkit_model(kind, seed, messy)
    yield "sklearn", sklearn_model(kind, seed)
    for name, settings in GRID.items():
        yield f"grid:{name}", mlpkit_model(kind, seed, messy, **settings)


def run_task(name, kind, X, y, n_jobs=2):
    X, y = subsample(X, y, kind)
    messy = is_messy(X)
    cv = (RepeatedKFold if kind == "regression" else RepeatedStratifiedKFold)(
        n_splits=SPLITS, n_repeats=REPEATS, random_state=0
    )
    jobs = []
    for fold, (train, test) in enumerate(cv.split(X, y if kind != "regression" else None)):
        for model_name, model in models_for(kind, fold // SPLITS, messy):
            jobs.append((model_name, delayed(score_fold)(kind, model, X, y, train, test)))
    results = Parallel(n_jobs=n_jobs)(job for _, job in jobs)
    scores: dict[str, list] = {}
    for (model_name, _), result in zip(jobs, results):
        scores.setdefault(model_name, []).append(result)
    mean = {k: float(np.mean([s for s, _ in v])) for k, v in scores.items()}
    seconds = {k: float(np.mean([t for _, t in v])) for k, v in scores.items()}
    best = max((k for k in mean if k.startswith("grid:") or k == "mlpkit"), key=mean.get)
    return {
        "task": name,
        "rows": len(y),
        "metric": "R²" if kind == "regression" else "bal. acc.",
        "mlpkit": mean["mlpkit"],
        "sklearn": mean["sklearn"],
        "grid": mean[best],
        "grid_setting": best.removeprefix("grid:"),
        "s_mlpkit": seconds["mlpkit"],
        "s_sklearn": seconds["sklearn"],
    }


def main(words) -> None:
    warnings.simplefilter("ignore", ConvergenceWarning)
    warnings.simplefilter("ignore", UserWarning)  # ecoli's 2-row classes in 3 folds
    started = time.perf_counter()
    print(f"mlpkit {mk.__version__} quality benchmark, {datetime.date.today().isoformat()}")
    print(
        f"{SPLITS}-fold CV x {REPEATS} seeds; bal. acc. / R² on held-out folds; "
        f"at most {MAX_ROWS} rows per task\n"
    )
    header = (
        "| task | rows | metric | mlpkit default | sklearn default | Δ | best of grid (setting) "
        "| s/fit mlpkit | s/fit sklearn |"
    )
    print(header)
    print("|" + "---|" * 9)
    wins = 0
    rows = []
    for name, kind, X, y in tasks():
        if words and not any(w.lower() in name.lower() for w in words):
            continue
        r = run_task(name, kind, X, y)
        rows.append(r)
        wins += r["mlpkit"] > r["sklearn"]
        print(
            f"| {r['task']} | {r['rows']} | {r['metric']} | {r['mlpkit']:.3f} | "
            f"{r['sklearn']:.3f} | {r['mlpkit'] - r['sklearn']:+.3f} | {r['grid']:.3f} "
            f"({r['grid_setting']}) | {r['s_mlpkit']:.2f} | {r['s_sklearn']:.2f} |",
            flush=True,
        )
    print(
        f"\nmlpkit's defaults beat scikit-learn's on {wins} of {len(rows)} tasks; "
        f"mean Δ {np.mean([r['mlpkit'] - r['sklearn'] for r in rows]):+.4f}; "
        f"{time.perf_counter() - started:.0f} s"
    )


if __name__ == "__main__":
    np.seterr(all="ignore")
    main(sys.argv[1:])
