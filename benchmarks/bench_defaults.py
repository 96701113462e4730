"""Out-of-the-box quality: mk.MLPClassifier/MLPRegressor() against scikit-learn's defaults.

Both get the raw, unscaled features of real datasets (shared/datasets), the same seeded
train/test split, and no tuning; prints test scores for 3 seeds. Run as:

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python benchmarks/bench_defaults.py
"""

from __future__ import annotations

import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import balanced_accuracy_score
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier, MLPRegressor

import mlpkit as mk

DATA = Path(__file__).resolve().parents[2] / "shared" / "datasets"


def tasks():
    machines = pd.read_csv(DATA / "ai4i2020.csv")
    X = pd.get_dummies(
        machines.drop(
            columns=["UDI", "Product ID", "Machine failure", "TWF", "HDF", "PWF", "OSF", "RNF"]
        ),
        dtype=float,
    )
    yield "machine failure (classification)", X.to_numpy(), machines["Machine failure"], True
    wine = pd.read_csv(DATA / "winequality-white.csv", sep=";")
    yield (
        "white wine quality (7 classes)",
        wine.drop(columns="quality").to_numpy(),
        wine["quality"],
        True,
    )
    housing = pd.read_csv(DATA / "housing.csv").dropna()
    X = pd.get_dummies(housing.drop(columns="median_house_value"), dtype=float).to_numpy()
    yield "California housing (regression)", X, housing["median_house_value"], False


def main() -> None:
    warnings.simplefilter("ignore", ConvergenceWarning)
    print(f"{'task':34s} {'seed':>4s} {'scikit-learn':>14s} {'mlpkit':>10s}   (seconds)")
    for name, X, y, classify in tasks():
        for seed in range(3):
            split = train_test_split(
                X, y, test_size=0.25, random_state=seed, stratify=y if classify else None
            )
            X_train, X_test, y_train, y_test = split
            row = []
            for model in (
                (MLPClassifier(random_state=seed), mk.MLPClassifier(random_state=seed))
                if classify
                else (MLPRegressor(random_state=seed), mk.MLPRegressor(random_state=seed))
            ):
                start = time.perf_counter()
                model.fit(X_train, y_train)
                predicted = model.predict(X_test)
                score = (
                    balanced_accuracy_score(y_test, predicted)
                    if classify
                    else model.score(X_test, y_test)
                )
                row.append((score, time.perf_counter() - start))
            metric = "bal. acc." if classify else "R²"
            print(
                f"{name:34s} {seed:4d} {row[0][0]:10.3f} ({row[0][1]:4.1f}) "
                f"{row[1][0]:6.3f} ({row[1][1]:4.1f})  {metric}"
            )


if __name__ == "__main__":
    np.seterr(all="ignore")
    main()
