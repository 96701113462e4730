"""California housing: from the raw CSV (207 missing values, a text column) to a trained
regressor whose predictions come back in dollars.

    python examples/housing.py [path/to/housing.csv] [--epochs N]
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

import mlpkit as mk

# the repository's copy (a documented subset of the California housing data, see
# tests/data/ATTRIBUTION.md); pass the full file as the first argument to use it instead
DEFAULT = Path(__file__).resolve().parents[1] / "tests" / "data" / "housing.csv"


def main(argv=None) -> float:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("csv", nargs="?", default=DEFAULT)
    parser.add_argument("--epochs", type=int, default=100)
    args = parser.parse_args(argv)

    table = mk.data.read_table(args.csv, target="median_house_value")
    X_train, X_val, X_test, y_train, y_val, y_test = mk.data.train_val_test_split(
        table.X, table.y, fractions=(0.7, 0.15, 0.15), random_state=0
    )
    prep = mk.data.Preprocessor(missing="auto")  # median bedrooms, one-hot ocean_proximity
    net = mk.Sequential(
        [
            mk.layers.Dense(64, activation="relu"),
            mk.layers.Dense(64, activation="relu"),
            mk.layers.Dense(1),
        ],
        random_state=0,
        preprocessor=prep,  # fitted on the training rows by the first fit
        target_scaler="standard",  # dollars inside the model: predict answers in dollars
    )
    stop = mk.callbacks.EarlyStopping(patience=10, restore_best_weights=True)
    net.fit(
        X_train,
        y_train,
        loss="mse",
        optimizer=mk.optim.Adam(1e-3),
        epochs=args.epochs,
        batch_size=64,
        validation_data=(X_val, y_val),
        callbacks=[stop],
    )
    print(prep.report())
    predicted = net.predict(X_test).ravel()  # dollars
    mae = float(np.mean(np.abs(predicted - y_test.to_numpy())))
    print(f"Test mean absolute error: ${mae:,.0f} (median house value ${y_test.median():,.0f})")
    return mae


if __name__ == "__main__":
    main()
