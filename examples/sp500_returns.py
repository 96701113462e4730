"""S&P 500: predict the next day's log-return from past returns, volatility and moving-average
gaps, with a time-ordered split (the test set is the latest period; nothing sees the future).

    python examples/sp500_returns.py [path/to/sp500.csv] [--epochs N]
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd

import mlpkit as mk

# the repository's copy (Date and Adj.Close of every day, see tests/data/ATTRIBUTION.md)
DEFAULT = Path(__file__).resolve().parents[1] / "tests" / "data" / "sp500_daily_1950_2018.csv"


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("csv", nargs="?", default=DEFAULT)
    parser.add_argument("--epochs", type=int, default=30)
    args = parser.parse_args(argv)

    prices = pd.read_csv(args.csv, parse_dates=["Date"], index_col="Date")["Adj.Close"]
    X, y = mk.data.returns_features(prices, lags=(1, 2, 3, 5, 10), horizon=1)
    X_train, X_val, X_test, y_train, y_val, y_test = mk.data.time_ordered_split(
        X,
        y,
        fractions=(0.7, 0.15, 0.15),
        gap=20,  # no rolling window spans two parts
    )
    print(
        f"train {X_train.index[0]:%Y-%m-%d}…{X_train.index[-1]:%Y-%m-%d}, "
        f"test {X_test.index[0]:%Y-%m-%d}…{X_test.index[-1]:%Y-%m-%d}"
    )
    prep = mk.data.Preprocessor(scaler="standard")
    net = mk.Sequential(
        [mk.layers.Dense(32, activation="tanh"), mk.layers.Dropout(0.2), mk.layers.Dense(1)],
        random_state=0,
        preprocessor=prep,
        target_scaler="standard",
    )
    stop = mk.callbacks.EarlyStopping(patience=5, restore_best_weights=True)
    net.fit(
        X_train,
        y_train,
        loss="huber",
        optimizer=mk.optim.Adam(1e-3),
        epochs=args.epochs,
        batch_size=256,
        validation_data=(X_val, y_val),
        callbacks=[stop],
    )
    predicted = net.predict(X_test).ravel()
    actual = y_test.to_numpy()
    scores = {
        "direction accuracy": float(np.mean(np.sign(predicted) == np.sign(actual))),
        "always-up accuracy": float(np.mean(actual > 0)),
        "correlation": float(np.corrcoef(predicted, actual)[0, 1]),
    }
    for name, value in scores.items():
        print(f"{name:20s} {value:.4f}")
    return scores


if __name__ == "__main__":
    main()
