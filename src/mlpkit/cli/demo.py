"""``mlpkit demo``: predict milling-machine failures (AI4I 2020, shipped with mlpkit) with a
network, print what it learned and write its HTML report to one file, rewritten on each run."""

from __future__ import annotations

import time

from .conventions import OK, command
from .outputs import write_report

#: Where ``mlpkit demo`` writes its report unless told otherwise: one file, overwritten each run.
DEMO_REPORT = "mlpkit-demo-report.html"


def register(commands) -> None:
    example = "mlpkit demo --epochs 50 --report demo.html"
    parser = command(
        commands,
        "demo",
        "train a network on the shipped machine-failure data",
        demo.__doc__,
        example,
        json=False,
        quiet=False,
    )
    parser.add_argument(
        "--epochs", type=int, default=300, help="most training epochs (default 300; early stopping)"
    )
    parser.add_argument("--seed", type=int, default=0, help="the one random seed (default 0)")
    parser.add_argument(
        "--report",
        default=DEMO_REPORT,
        help=f"the HTML report to write, rewritten on each run (default {DEMO_REPORT})",
    )
    parser.set_defaults(handler=lambda args, console: demo(args.epochs, args.seed, args.report))


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
    path = write_report(
        net,
        X_test,
        y_test,
        report_path,
        force=True,  # the demo's one file, rewritten on each run
        history=history,
        X_train=X_train,
        title="mlpkit demo: predicting machine failures (AI4I 2020)",
    )
    print(f"Done in {time.perf_counter() - started:.1f}s. Report: {path} (rewritten on each run)")
    return OK
