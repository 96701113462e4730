"""The ``mlpkit`` command: ``mlpkit demo`` trains a network on the machine-failure data."""

from __future__ import annotations

import argparse
import sys
import time


def demo(epochs: int, seed: int) -> int:
    """Predict milling-machine failures (AI4I 2020) with an 8-64-32-1 network."""
    from sklearn.metrics import accuracy_score, precision_score, recall_score
    from sklearn.model_selection import train_test_split
    from sklearn.preprocessing import StandardScaler

    import mlpkit as mk
    from mlpkit.datasets import load_machine_failure

    started = time.perf_counter()
    X, y, names = load_machine_failure()
    print(
        f"AI4I 2020 predictive maintenance: {X.shape[0]:,} machines, {X.shape[1]} features, "
        f"{y.mean():.2%} failures (failure-mode columns dropped: they leak the label)."
    )
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=0.2, stratify=y, random_state=seed
    )
    X_train, X_val, y_train, y_val = train_test_split(
        X_train, y_train, test_size=0.125, stratify=y_train, random_state=seed
    )
    scaler = StandardScaler().fit(X_train)  # statistics from the training rows only
    X_train, X_val, X_test = (scaler.transform(a) for a in (X_train, X_val, X_test))
    print(
        f"Split (stratified): {len(y_train):,} train, {len(y_val):,} validation, "
        f"{len(y_test):,} test; standardised with training statistics."
    )

    net = mk.Sequential(
        [
            mk.layers.Dense(64, activation="relu"),
            mk.layers.Dense(32, activation="relu"),
            mk.layers.Dense(1, activation="sigmoid"),
        ],
        random_state=seed,
    )
    stop = mk.callbacks.EarlyStopping(monitor="val_loss", patience=25, restore_best_weights=True)
    history = net.fit(
        X_train,
        y_train,
        loss="binary_cross_entropy",
        optimizer=mk.optim.Adam(learning_rate=1e-3),
        batch_size=32,
        epochs=epochs,
        validation_data=(X_val, y_val),
        callbacks=[stop],
        verbose=1,
    )
    print(net.summary())
    predicted = (net.predict(X_test).ravel() > 0.5).astype(int)
    print(f"Stopped: {history.stop_reason}.")
    print(
        f"Test accuracy:               {accuracy_score(y_test, predicted):.4f} "
        f"(always predicting 'no failure' would score {1 - y_test.mean():.4f})"
    )
    print(f"Precision of failure class:  {precision_score(y_test, predicted, zero_division=0):.4f}")
    print(f"Recall of failure class:     {recall_score(y_test, predicted, zero_division=0):.4f}")
    print(f"Done in {time.perf_counter() - started:.1f}s.")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="mlpkit", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    demo_parser = commands.add_parser("demo", help=demo.__doc__)
    demo_parser.add_argument(
        "--epochs", type=int, default=300, help="most training epochs (default 300; early stopping)"
    )
    demo_parser.add_argument("--seed", type=int, default=0, help="the one random seed (default 0)")
    args = parser.parse_args(argv)
    if args.command == "demo":
        return demo(args.epochs, args.seed)
    return 2


if __name__ == "__main__":
    sys.exit(main())
