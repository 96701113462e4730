#!/usr/bin/env python
"""Estimator predict latency: ``mk.MLPClassifier`` / ``mk.MLPRegressor`` against scikit-learn's
``MLPClassifier`` / ``MLPRegressor`` of the same hidden layers, fitted on the same rows.

What a scikit-learn user pays per call: input checks, mlpkit's preprocessor (scaling), the
network, the labels. Red wine quality (tests/data/winequality-red.csv, 11 numeric columns;
its quality ≥ 6 as the class) and California housing (tests/data/housing.csv, its 8 numeric
columns, median value as the target). Each peer predicts 1, 64 and 4096 rows given as a NumPy
array and as a DataFrame, in interleaved rounds (``bench_predict.time_rounds``); the table gives
the median and range per call and mlpkit's time as a multiple of scikit-learn's (each
estimator fitted on the array or the frame it then predicts).

Run as ``python benchmarks/bench_estimator_predict.py`` (--rows 1,64,4096 --rounds 7
--seconds 0.2; ``--smoke``: rows 1 and 8, two short rounds, run by the test suite).
"""

from __future__ import annotations

import argparse
import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPClassifier, MLPRegressor

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_predict import median_cells, print_machine, time_rounds  # noqa: E402

import mlpkit as mk  # noqa: E402

DATA = Path(__file__).resolve().parent.parent / "tests" / "data"


def tasks() -> dict:
    """name: (X frame, y, mlpkit estimator class, scikit-learn estimator class)."""
    wine = pd.read_csv(DATA / "winequality-red.csv", sep=None, engine="python")
    housing = pd.read_csv(DATA / "housing.csv").drop(columns="ocean_proximity").dropna()
    return {
        "red wine (classifier)": (
            wine.drop(columns="quality"),
            (wine["quality"] >= 6).to_numpy(int),
            mk.MLPClassifier,
            MLPClassifier,
        ),
        "housing (regressor)": (
            housing.drop(columns="median_house_value"),
            housing["median_house_value"].to_numpy() / 1e5,
            mk.MLPRegressor,
            MLPRegressor,
        ),
    }


def fitted(X, y, ours, theirs, max_iter: int):
    """mlpkit's estimator fitted on the array and on the frame, then scikit-learn's."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        warnings.simplefilter("ignore", UserWarning)  # unscaled inputs for scikit-learn's
        options = {"hidden_layer_sizes": (100,), "max_iter": max_iter, "random_state": 0}
        array = X.to_numpy()
        return (
            ours(**options).fit(array, y),
            ours(**options).fit(X, y),
            theirs(**options).fit(array, y),
            theirs(**options).fit(X, y),
        )


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", default="1,64,4096")
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--seconds", type=float, default=0.2)
    parser.add_argument("--smoke", action="store_true")
    args = parser.parse_args(argv)
    if args.smoke:
        args.rows, args.rounds, args.seconds = "1,8", 2, 0.002
    print_machine()
    ratios = {}
    for name, (X, y, ours, theirs) in tasks().items():
        mine, framed, peer, peer_framed = fitted(X, y, ours, theirs, 2 if args.smoke else 50)
        rng = np.random.default_rng(0)
        for rows in [int(r) for r in args.rows.split(",")]:
            frame = X.iloc[rng.integers(0, len(X), rows)].reset_index(drop=True)
            array = frame.to_numpy()
            functions = {
                "mlpkit array": (mine, array),
                "sklearn array": (peer, array),
                "mlpkit frame": (framed, frame),
                "sklearn frame": (peer_framed, frame),
            }
            calls = {k: (lambda _, m=m, d=d: m.predict(d)) for k, (m, d) in functions.items()}
            times = time_rounds(calls, None, args.rounds, args.seconds)
            medians, cells = median_cells(times, "µs")
            ratio = medians["mlpkit array"] / medians["sklearn array"]
            framed_ratio = medians["mlpkit frame"] / medians["sklearn frame"]
            ratios[(name, rows)] = ratio
            print(
                f"{name:22s} {rows:5d} rows: {cells}; mlpkit ÷ sklearn: array {ratio:.2f}, "
                f"frame {framed_ratio:.2f}"
            )
    return 0 if all(r > 0 for r in ratios.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
