"""``mlpkit train CONFIG``: read, split, fit, evaluate on the held-out rows, save the model,
write the report (and the test rows' predictions), record the run, say where everything went.

Every output path is checked before the data is read, so a run never trains for nothing, and
its folders are made only once there is something to write, so a failed run leaves none behind;
data the model cannot take (a ValueError or TypeError while reading, splitting or fitting) is
bad data, exit 65, and a setting found invalid there stays exit 2. The ledger record
(``[ledger] url``) is the plain-fit record of ``mk.callbacks.Ledger`` with the held-out score
and the whole resolved configuration (``config.run``) added.
"""

from __future__ import annotations

import re
import time
import warnings

from .conventions import (
    OK,
    USAGE,
    CommandError,
    as_bad_data,
    output_folder,
    output_path,
    planned_folder,
)
from .describe import number
from .outputs import save_model, write_report, write_table


def train(args, console) -> int:
    from mlpkit.config import load_config

    started = time.perf_counter()
    config = load_config(args.config, args.set)
    out = config.output
    force = args.force or out.force
    paths = planned_outputs(out, force)
    fitted, history, recorder, X_train, X_test, y_test, ids, n_train, epochs = as_bad_data(
        lambda: prepared_and_fitted(config, console), f"cannot train on {config.data_path}"
    )
    evaluation = config.values["evaluation"]
    scores = held_out(fitted, X_test, y_test, evaluation)
    for warning in scores.warnings:
        console.warning(warning)
    shown = shown_metrics(scores.metrics, evaluation["metrics"])
    for path in paths.values():  # made now, once there is something to write in them
        if path is not None:
            output_folder(path.parent)
    written = {"model": str(save_model(fitted, paths["model"], force=force))}
    title = f"mlpkit train {config.path}: {type(fitted).__name__}"
    with warnings.catch_warnings():  # the report's evaluation warns what was said above
        if scores.warnings:
            said = " ".join(scores.warnings)
            warnings.filterwarnings("ignore", message=re.escape(said) + "$")
        report = write_report(fitted, X_test, y_test.to_numpy(), paths["report"], force=force,
                              history=history, X_train=X_train, title=title)  # fmt: skip
    written["report"] = str(report)
    written["predictions"] = None
    if paths["predictions"] is not None:
        written["predictions"] = str(
            held_out_predictions(fitted, X_test, ids, paths, evaluation, force)
        )
    run_id = None
    if recorder is not None:
        run_id = recorder.finish(score=next(iter(shown.values()), None), run=config.values)
    result = {
        "config": str(config.path),
        **written,
        "ledger": config.ledger_url,
        "run_id": run_id,
        "task": scores.task,
        "rows": {"train": n_train, "test": len(y_test)},
        "epochs": epochs,
        "stop_reason": stop_reason_of(fitted, history),
        "metrics": shown,
        "baseline": majority_baseline(y_test, scores.task),
        "seconds": round(time.perf_counter() - started, 3),
    }
    console.emit(result, train_text(result))
    return OK


def prepared_and_fitted(config, console):
    """Read, split and fit (in memory, or streamed with ``[data] streaming``);
    ``(model, history, recorder, X_train or None, X_test, y_test, ids, n_train, epochs)``."""
    if config.values["data"]["streaming"]:
        console.note(f"streaming {config.data_path}")
        fitted, history, recorder, X_test, y_test, ids, n_train, epochs = fit_streamed(
            config, console
        )
        return fitted, history, recorder, None, X_test, y_test, ids, n_train, epochs
    console.note(f"reading {config.data_path}")
    X, y, ids = config.read_data(with_ids=True)
    X_train, X_test, y_train, y_test = config.split(X, y)
    model = config.build_model(y)
    n_train = len(y_train)
    console.note(f"training {type(model).__name__} on {n_train:,} rows")
    fitted, history, recorder = fit(config, model, X_train, y_train, console)
    return fitted, history, recorder, X_train, X_test, y_test, ids, n_train, epochs_of(fitted)


def planned_outputs(out, force: bool) -> dict:
    """The model, report and predictions paths, refused now (before any work) when they exist
    and may not be replaced, or when their folders cannot be made (they are made only when
    the run has something to write, so a failed run leaves no empty folder)."""
    planned_folder(out.dir)
    paths = {"model": out.model, "report": out.report, "predictions": out.predictions}
    for what, path in paths.items():
        if path is not None:
            planned_folder(path.parent)
        if path is not None and path.exists() and not force:
            output_path(path, force=False, what=f"{what} file")
    return paths


def fit(config, model, X_train, y_train, console):
    """Fit ``model`` with a progress bar on a terminal only and the ledger recorder when a
    ledger is configured; ``(model, history or None, recorder or None)``."""
    from mlpkit.network import Sequential

    from .recorder import RunRecorder

    url = config.ledger_url
    recorder = RunRecorder(url, X_train, y_train) if url is not None else None
    verbose = 1 if console.progress else 0
    if isinstance(model, Sequential):
        params = config.fit_params()
        params["verbose"] = verbose
        params["callbacks"] = [*params.get("callbacks", []), *([recorder] if recorder else [])]
        try:
            history = model.fit(X_train, y_train, **params)
        finally:
            record_failure(recorder)
        return model, history, recorder
    configured = model.get_params()
    extra = [recorder] if recorder is not None else []
    model.set_params(verbose=verbose, callbacks=[*(configured["callbacks"] or []), *extra])
    try:
        model.fit(X_train, y_train)
    finally:
        record_failure(recorder)
        # the model file holds the configured parameters, not the command line's
        model.set_params(verbose=configured["verbose"], callbacks=configured["callbacks"])
    return model, None, recorder


def fit_streamed(config, console):
    """``[data] streaming = true``: fit an ``mk.Sequential`` on the file read chunk by chunk,
    the test rows (``test_size``, :func:`mlpkit.config.data.stream_holdout`) set apart before
    anything is learned and then read into memory for the report;
    ``(model, history, recorder, X_test, y_test, ids, n_train, epochs)``; an estimator
    trains by :func:`partial_fit_passes` (its epochs are passes over the file)."""
    import pandas as pd

    from mlpkit.config import data as data_io
    from mlpkit.data.streaming.holdout import TEST
    from mlpkit.network import Sequential
    from mlpkit.training.streamed import raw_chunks

    data = config.values["data"]
    if config.ledger_url is not None:
        raise CommandError(
            "a streamed run (data.streaming = true) is not recorded in a ledger yet; remove "
            "[ledger] url, or train in memory.",
            USAGE,
        )
    source = config.stream_source()
    model = config.build_model(data_io.sample_target(source))
    console.note(
        f"training {type(model).__name__} on {data['path']} in chunks of "
        f"{data['chunk_rows']:,} rows"
    )
    if isinstance(model, Sequential):
        params = config.fit_params()
        holdout = data_io.stream_holdout(data, float(params.pop("validation_split", 0.0) or 0.0))
        params["verbose"] = 1 if console.progress else 0
        history = model.fit(source, validation_split=holdout, **params)
        n_train, epochs = history.n_rows, epochs_of(model)
    else:
        holdout = data_io.stream_holdout(data)
        history, (n_train, epochs) = None, partial_fit_passes(model, source, holdout, console)
    test = [frame.set_axis(rows) for rows, frame in raw_chunks(source, holdout, TEST)]
    if not test:
        raise CommandError("the streamed file left no test rows; raise data.test_size.", USAGE)
    frame = pd.concat(test)
    ids = frame[data["row_id"]] if data["row_id"] else None
    X_test, y_test = frame[source.columns], frame[source.target[0]]
    return model, history, None, X_test, y_test, ids, n_train, epochs


def partial_fit_passes(model, source, holdout, console) -> tuple[int, int]:
    """Train an estimator on the streamed training rows the way scikit-learn trains out of
    core: one ``partial_fit`` per chunk, a pass over the file per epoch, up to ``max_iter``
    passes. A pass's loss is the row-weighted mean of its chunks' epoch losses; training stops,
    as ``fit`` does without validation, once the pass loss has failed to fall by ``tol`` for
    ``n_iter_no_change`` passes in a row (``early_stopping`` is not used: the validation rows
    of a stream would be a second holdout). The estimator's ``stop_reason_`` says which ended
    it. Returns ``(training rows, passes)``."""
    import numpy as np

    from mlpkit.training.streamed import feature_chunks

    classes = None
    if hasattr(model, "predict_proba"):  # a classifier names every class on its first call
        found = [np.unique(target, axis=0 if target.ndim == 2 else None)
                 for _, target in feature_chunks(source, holdout)]  # fmt: skip
        classes = np.unique(np.concatenate(found), axis=0 if found[0].ndim == 2 else None)
    best, bad, reason = np.inf, 0, None
    for done in range(1, model.max_iter + 1):
        total, n_train = 0.0, 0
        for features, target in feature_chunks(source, holdout):
            model.partial_fit(features, target, classes=classes)
            total += model.loss_curve_[-1] * len(target)
            n_train += len(target)
        loss = total / max(n_train, 1)
        console.note(f"pass {done}: loss {loss:.6g}")
        bad = bad + 1 if loss > best - model.tol else 0
        best = min(best, loss)
        if bad >= model.n_iter_no_change:
            reason = (
                f"the training loss did not fall by tol={model.tol:g} for "
                f"{model.n_iter_no_change} passes (pass {done})"
            )
            break
    model.stop_reason_ = reason or f"max_iter: {model.max_iter} passes over the file"
    return n_train, done


def record_failure(recorder) -> None:
    """A fit that raised is recorded as failed (its pending record says so)."""
    if recorder is not None and recorder.pending is not None:
        if recorder.pending.get("status") == "failed":
            recorder.finish()


def held_out(model, X_test, y_test, evaluation):
    """The evaluation report of the held-out rows."""
    from mlpkit.evaluation import report_of

    return as_bad_data(
        lambda: report_of(
            model, X_test, y_test.to_numpy(), threshold=evaluation["threshold"], k=evaluation["k"]
        ),
        "the held-out rows cannot be scored",
    )


def shown_metrics(metrics: dict, names: list[str]) -> dict:
    """The metrics ``[evaluation] metrics`` names (with their ``_macro``/``_weighted`` forms),
    in that order; all of them when it names none."""
    if not names:
        return dict(metrics)
    shown = {}
    for name in names:
        shown.update({k: v for k, v in metrics.items() if k == name or k.startswith(name + "_")})
    return shown


def held_out_predictions(model, X_test, ids, paths, evaluation, force: bool):
    """The held-out rows' predictions (``[output] predictions``), with ``data.row_id``."""
    from mlpkit.evaluation import network_of

    from .inputs import Inputs
    from .predictions import predictions_frame

    frame = X_test.copy()
    id_columns = []
    if ids is not None:
        frame[str(ids.name)] = ids.loc[X_test.index]
        id_columns = [str(ids.name)]
    found = Inputs(model, network_of(model), X_test, None, frame, None)
    table = predictions_frame(found, id_columns, evaluation["threshold"], "the held-out rows")
    if ids is None:
        table["row"] = X_test.index.to_numpy()  # the row in the data file, from 0
    return write_table(table, paths["predictions"], force=force)


def majority_baseline(y_test, task: str) -> dict | None:
    """What always predicting the commonest held-out class scores (classification only):
    ``{"class": label, "accuracy": share}``; the yardstick an accuracy must beat."""
    if task == "regression":
        return None
    shares = y_test.value_counts(normalize=True)
    label = shares.index[0]
    label = label.item() if hasattr(label, "item") else label  # a numpy scalar, as Python's
    return {"class": label, "accuracy": float(shares.iloc[0])}


def epochs_of(model) -> int | None:
    return getattr(model, "n_iter_", None) or getattr(model, "epochs_trained", None)


def stop_reason_of(model, history) -> str | None:
    if history is not None:
        return history.stop_reason
    return getattr(model, "stop_reason_", None)


def baseline_text(baseline: dict | None) -> list[str]:
    if baseline is None:
        return []
    return [
        f"baseline:    always predicting {baseline['class']!r} scores accuracy "
        f"{number(baseline['accuracy'])}"
    ]


def train_text(result: dict) -> str:
    """Where everything went, and the held-out scores."""
    lines = [
        f"trained on {result['rows']['train']:,} rows in {result['seconds']:.1f}s: "
        f"{result['epochs']} epochs ({result['stop_reason']})",
        f"held-out ({result['rows']['test']:,} rows, {result['task']}): "
        + ", ".join(f"{name} {number(value)}" for name, value in result["metrics"].items()),
        *baseline_text(result["baseline"]),
        f"model:       {result['model']}",
        f"report:      {result['report']}",
    ]
    if result["predictions"]:
        lines.append(f"predictions: {result['predictions']}")
    if result["run_id"]:
        lines.append(f"ledger:      {result['ledger']} (run {result['run_id']})")
    return "\n".join(lines)
