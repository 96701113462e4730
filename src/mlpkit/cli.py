"""The ``mlpkit`` command: ``mlpkit demo`` trains a network on the machine-failure data;
``mlpkit report MODEL.mlpk DATA.csv --target COLUMN`` writes an HTML report of a saved model
(a network or an estimator file; a raw table when the model has a preprocessor) and prints its
absolute path (``--out`` defaults to report.html in the working directory).

Exit codes: 0 done, 1 failure (e.g. a file could not be written), 2 bad usage (unknown option,
no such model file or column), 65 bad data (the table cannot be scored by this model). Errors are
one line on standard error, never a traceback.
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings
from pathlib import Path

#: Exit codes (sysexits.h for bad data).
OK, FAILURE, USAGE, BAD_DATA = 0, 1, 2, 65
#: Where ``mlpkit demo`` writes its report unless told otherwise: one file, overwritten each run.
DEMO_REPORT = "mlpkit-demo-report.html"


class CommandError(Exception):
    """An error to report in one line and exit with ``code``."""

    def __init__(self, message: str, code: int = FAILURE) -> None:
        super().__init__(message)
        self.code = code


def demo(epochs: int, seed: int, report_path: str = DEMO_REPORT) -> int:
    """Predict milling-machine failures (AI4I 2020) with an 8-64-32-1 network and write an HTML
    report to one file (default mlpkit-demo-report.html, overwritten on each run)."""
    import pandas as pd
    from sklearn.metrics import accuracy_score, precision_score, recall_score
    from sklearn.model_selection import train_test_split

    import mlpkit as mk
    from mlpkit.datasets import load_machine_failure

    started = time.perf_counter()
    X, y, names = load_machine_failure()
    print(
        f"AI4I 2020 predictive maintenance: {X.shape[0]:,} machines, {X.shape[1]} features, "
        f"{y.mean():.2%} failures (failure-mode columns dropped: they leak the label)."
    )
    X = pd.DataFrame(X, columns=names)
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=0.2, stratify=y, random_state=seed
    )
    X_train, X_val, y_train, y_val = train_test_split(
        X_train, y_train, test_size=0.125, stratify=y_train, random_state=seed
    )
    print(
        f"Split (stratified): {len(y_train):,} train, {len(y_val):,} validation, "
        f"{len(y_test):,} test; the model standardises with training statistics."
    )

    net = mk.Sequential(
        [
            mk.layers.Dense(64, activation="relu"),
            mk.layers.Dense(32, activation="relu"),
            mk.layers.Dense(1, activation="sigmoid"),
        ],
        random_state=seed,
        preprocessor=mk.data.Preprocessor(),  # fitted on the training rows, inside the model
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
    predicted = net.predict_classes(X_test)
    print(f"Stopped: {history.stop_reason}.")
    print(
        f"Test accuracy:               {accuracy_score(y_test, predicted):.4f} "
        f"(always predicting 'no failure' would score {1 - y_test.mean():.4f})"
    )
    print(f"Precision of failure class:  {precision_score(y_test, predicted, zero_division=0):.4f}")
    print(f"Recall of failure class:     {recall_score(y_test, predicted, zero_division=0):.4f}")
    path = _write(
        mk.report,
        net,
        X_test,
        y_test,
        report_path,
        history=history,
        X_train=X_train,
        title="mlpkit demo: predicting machine failures (AI4I 2020)",
    )
    print(f"Done in {time.perf_counter() - started:.1f}s. Report: {path} (rewritten on each run)")
    return OK


def report(model: str, data: str, target: str, out: str) -> int:
    """Write an HTML report of a saved model (network or estimator) scored on a table (CSV or
    Parquet)."""
    from mlpkit.evaluation import network_of
    from mlpkit.html_report import report as write_report

    saved = _load(model)
    net = network_of(saved)
    table = _read(data, target)
    X = table.X if net.preprocessor is not None else _numeric_features(table, saved, net, data)
    y = table.y
    if y.isna().any():
        raise CommandError(
            f"{data}: the target column {target!r} has {int(y.isna().sum()):,} missing value(s) "
            f"(first at row {int(y.isna().to_numpy().argmax())}); drop those rows first.",
            BAD_DATA,
        )
    title = f"Report: {model} on {data}"
    path = _write(write_report, saved, X, y.to_numpy(), out, title=title)
    print(Path(path).resolve())  # absolute, also for the default out in the working directory
    return OK


def _load(model: str):
    import mlpkit as mk

    if not Path(model).is_file():
        raise CommandError(f"no model file at {model!r}.", USAGE)
    try:
        return mk.load(model)
    except ValueError as error:
        raise CommandError(f"{model} is not a model file mlpkit can read: {error}", USAGE) from None


def _read(data: str, target: str):
    """The table with its target column; a missing file or column is bad usage, a file that
    cannot be parsed is bad data."""
    import mlpkit as mk

    if not Path(data).is_file():
        raise CommandError(f"no data file at {data!r}.", USAGE)
    try:
        table = mk.data.read_table(data)
    except (ValueError, UnicodeDecodeError, ImportError) as error:
        raise CommandError(f"{data} cannot be read as a table: {error}", BAD_DATA) from None
    if target not in table.feature_names:
        raise CommandError(
            f"{data} has no column {target!r}; its columns are {table.feature_names}.", USAGE
        )
    return mk.data.read_table(table.X, target=target)


def _numeric_features(table, saved, net, data: str):
    """The feature columns as floats, for a model saved without a preprocessor (a DataFrame, so
    that the report names the features), in the order of the estimator's ``feature_names_in_``
    when it was fitted on a table."""
    X = table.X
    trained_on = getattr(saved, "feature_names_in_", None)
    if trained_on is not None and set(map(str, trained_on)) <= set(X.columns):
        X = X[[str(name) for name in trained_on]]
    text = [name for name in X.columns if not _is_numeric(X[name])]
    if text:
        raise CommandError(
            f"{data}: the model has no preprocessor, so every feature column must be numeric; "
            f"{text} are not. Train the model with a preprocessor (preprocessor="
            f"mk.data.Preprocessor(), or preprocessor='auto' for an estimator) to use raw tables.",
            BAD_DATA,
        )
    if X.shape[1] != net.n_features:
        raise CommandError(
            f"the model takes {net.n_features} features but {data} has {X.shape[1]} columns "
            f"besides the target: {list(X.columns)}.",
            BAD_DATA,
        )
    gaps = [name for name in X.columns if X[name].isna().any()]
    if gaps:
        raise CommandError(
            f"{data}: the columns {gaps} have missing values, and the model has no preprocessor "
            f"to fill them; fill or drop them first, or train the model with a preprocessor.",
            BAD_DATA,
        )
    return X.astype(float)


def _is_numeric(column) -> bool:
    import pandas as pd

    return pd.api.types.is_numeric_dtype(column.dtype) or pd.api.types.is_bool_dtype(column.dtype)


def _write(write_report, model, X, y, out, **kwargs):
    """Write the report: its warnings go to standard error as one line each; a folder that does
    not exist is bad usage, data the model cannot score is bad data, a failed write a failure."""
    if not Path(out).resolve().parent.is_dir():
        raise CommandError(
            f"cannot write {out!r}: the folder {str(Path(out).resolve().parent)!r} does not exist.",
            USAGE,
        )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            path = write_report(model, X, y, out, **kwargs)
        except (ValueError, TypeError) as error:
            raise CommandError(
                f"the data cannot be scored by this model: {error}", BAD_DATA
            ) from None
        except OSError as error:
            raise CommandError(f"cannot write {out!r}: {error}", FAILURE) from None
    for warning in dict.fromkeys(str(w.message) for w in caught):
        print(f"warning: {warning}", file=sys.stderr)
    return path


def main(argv: list[str] | None = None) -> int:
    """Run the ``mlpkit`` command; returns the exit code (argparse exits 2 on bad options)."""
    parser = argparse.ArgumentParser(prog="mlpkit", description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    demo_parser = commands.add_parser("demo", help=demo.__doc__, description=demo.__doc__)
    demo_parser.add_argument(
        "--epochs", type=int, default=300, help="most training epochs (default 300; early stopping)"
    )
    demo_parser.add_argument("--seed", type=int, default=0, help="the one random seed (default 0)")
    demo_parser.add_argument(
        "--report",
        default=DEMO_REPORT,
        help=f"the HTML report to write, rewritten on each run (default {DEMO_REPORT})",
    )
    report_parser = commands.add_parser("report", help=report.__doc__, description=report.__doc__)
    report_parser.add_argument(
        "model", metavar="MODEL.mlpk", help="a model file (net.save or estimator.save)"
    )
    report_parser.add_argument("data", metavar="DATA.csv", help="a CSV or Parquet table")
    report_parser.add_argument("--target", required=True, help="the target column's name")
    report_parser.add_argument(
        "--out",
        default="report.html",
        help="the HTML file to write (default report.html in the working directory); its "
        "absolute path is printed",
    )
    args = parser.parse_args(argv)
    chosen = {"demo": demo_parser, "report": report_parser}[args.command]
    try:
        if args.command == "demo":
            return demo(args.epochs, args.seed, args.report)
        return report(args.model, args.data, args.target, args.out)
    except CommandError as error:
        if error.code == USAGE:
            chosen.error(str(error))  # prints the usage line too; exits 2
        print(f"{chosen.prog}: error: {error}", file=sys.stderr)
        return error.code
    except Exception as error:  # a bug or an unforeseen failure: one line, no traceback
        print(f"{chosen.prog}: failed: {type(error).__name__}: {error}", file=sys.stderr)
        return FAILURE


if __name__ == "__main__":
    sys.exit(main())
