"""The ``mlpkit`` command: ``mlpkit demo`` trains a network on the machine-failure data;
``mlpkit report MODEL.mlpk DATA.csv --target COLUMN`` writes an HTML report of a saved model."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path


def demo(epochs: int, seed: int, report_path: str = "mlpkit-demo-report.html") -> int:
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
    path = mk.report(
        net,
        X_test,
        y_test,
        _unused(report_path),
        history=history,
        X_train=X_train,
        title="mlpkit demo: predicting machine failures (AI4I 2020)",
    )
    print(f"Done in {time.perf_counter() - started:.1f}s. Report: {path}")
    return 0


def _unused(path: str) -> str:
    """``path``, or ``path`` with -2, -3, … before its suffix if a file is already there: the
    demo never overwrites a file."""
    candidate, stem, suffix, number = Path(path), Path(path).stem, Path(path).suffix, 1
    while candidate.exists():
        number += 1
        candidate = candidate.with_name(f"{stem}-{number}{suffix}")
    return str(candidate)


def report(parser: argparse.ArgumentParser, model: str, data: str, target: str, out: str) -> int:
    """Write an HTML report of a saved model scored on a table (CSV or Parquet)."""
    import mlpkit as mk
    from mlpkit.html_report import report as write_report

    try:
        net = mk.load(model)
    except FileNotFoundError:
        parser.error(f"no model file at {model!r}.")
    except ValueError as error:
        parser.error(str(error))
    if not isinstance(net, mk.Sequential):
        parser.error(
            f"{model} holds a {type(net).__name__}; `mlpkit report` covers network files "
            f"(net.save). Score an estimator with mk.evaluate(estimator, X, y) in Python."
        )
    try:
        table = mk.data.read_table(data, target=target)
    except (FileNotFoundError, ValueError) as error:
        parser.error(str(error))
    X = table.X if net.preprocessor is not None else _numeric_features(parser, table, net, data)
    try:
        path = write_report(net, X, table.y.to_numpy(), out, title=f"Report: {model} on {data}")
    except ValueError as error:
        parser.error(str(error))
    print(path)
    return 0


def _numeric_features(parser, table, net, data: str):
    """The feature columns as floats, for a model saved without a preprocessor (a DataFrame, so
    that the report names the features)."""
    text = [name for name in table.feature_names if not _is_numeric(table.X[name])]
    if text:
        parser.error(
            f"{data}: the model has no preprocessor, so every feature column must be numeric; "
            f"{text} are not. Train the model with preprocessor=mk.data.Preprocessor() to use "
            f"raw tables."
        )
    if len(table.feature_names) != net.n_features:
        parser.error(
            f"the model takes {net.n_features} features but {data} has "
            f"{len(table.feature_names)} columns besides the target: {table.feature_names}."
        )
    return table.X.astype(float)


def _is_numeric(column) -> bool:
    import pandas as pd

    return pd.api.types.is_numeric_dtype(column.dtype) or pd.api.types.is_bool_dtype(column.dtype)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="mlpkit", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    demo_parser = commands.add_parser("demo", help=demo.__doc__)
    demo_parser.add_argument(
        "--epochs", type=int, default=300, help="most training epochs (default 300; early stopping)"
    )
    demo_parser.add_argument("--seed", type=int, default=0, help="the one random seed (default 0)")
    demo_parser.add_argument(
        "--report",
        default="mlpkit-demo-report.html",
        help="where to write the HTML report (never overwritten: -2, -3, … is added)",
    )
    report_parser = commands.add_parser("report", help=report.__doc__, description=report.__doc__)
    report_parser.add_argument("model", metavar="MODEL.mlpk", help="a model file (net.save)")
    report_parser.add_argument("data", metavar="DATA.csv", help="a CSV or Parquet table")
    report_parser.add_argument("--target", required=True, help="the target column's name")
    report_parser.add_argument(
        "--out", default="report.html", help="the HTML file to write (default report.html)"
    )
    args = parser.parse_args(argv)
    if args.command == "demo":
        return demo(args.epochs, args.seed, args.report)
    if args.command == "report":
        return report(report_parser, args.model, args.data, args.target, args.out)
    return 2


if __name__ == "__main__":
    sys.exit(main())
