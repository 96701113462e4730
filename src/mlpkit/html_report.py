"""A self-contained HTML report of a trained network: one file that opens offline in a browser.

:func:`report` scores a network or an estimator (its ``network_``: preprocessor, labels and
target scaling inside) with :func:`mlpkit.evaluation.evaluate` and writes one HTML5 file
holding the configuration (layers, loss, optimizer, preprocessing), a data summary, the metrics,
the evaluation's warnings in a visible box, every relevant picture as an embedded PNG (``data:``
URI) and the training history as a table; classes are named by their labels. The page uses
inline CSS and the system fonts only: nothing is fetched, nothing is linked, and every text is
escaped.

    import mlpkit as mk
    history = net.fit(X_train, y_train, loss="binary_cross_entropy", epochs=50,
                      validation_split=0.2, metrics=["accuracy"])
    mk.report(net, X_test, y_test, "report.html", history=history)
"""

from __future__ import annotations

import base64
import datetime
import html
import io
import json
import os
import tempfile
import warnings
from collections.abc import Callable
from pathlib import Path

import numpy as np

from ._version import __version__
from .evaluation import evaluate, label_text, network_of
from .layers.activations import Activation, activation_name

#: History entries shown after the scores: diagnostics of the optimisation.
_DIAGNOSTICS = ("lr", "grad_norm", "penalty", "time")
#: History entries left out of the table: per-layer and extreme gradient norms (see the picture).
_HIDDEN = ("grad_norm/", "grad_norm_max", "grad_norm_min")
#: Resolution of the embedded pictures (6.4 in wide → 704 px: fits the 960 px page).
_DPI = 110
_TASK_NAMES = {
    "binary": "binary classification",
    "multiclass": "multi-class classification",
    "multilabel": "multi-label classification",
}


def report(model, X_test, y_test, path="report.html", *, history=None, X_train=None, title=None):
    """Write a self-contained HTML report of ``model`` scored on (X_test, y_test).

    Args:
        model: a built ``mk.Sequential``, or a fitted ``MLPClassifier``/``MLPRegressor`` (its
            ``network_``, the whole model with its preprocessor and labels, is reported).
        X_test, y_test: held-out rows, as :func:`~mlpkit.evaluation.evaluate` takes them (a raw
            table when the model has a preprocessor; y in the user's labels). Tables and
            pictures name the classes by their labels.
        path: the HTML file to write (atomically: a temporary file beside it is moved over it).
        history: the ``History`` that ``fit`` returned, or its ``.history`` dict: adds the
            learning curves, the per-layer gradient norms and the history table. Defaults to an
            estimator's ``history_`` (its last fit).
        X_train: the training features, for the row count in the data summary.
        title: the page title. Defaults to "mlpkit report: <task>".

    Returns:
        pathlib.Path: the absolute path of the file written.

    When the loss is in the network's units (``net.loss_units``, e.g. a standardised regression
    target), the configuration, the history table and the learning curves say so; the metrics
    are always in the target's own units.
    """
    net = network_of(model)
    stop_reason = getattr(history, "stop_reason", None)
    if history is None and getattr(model, "history_", None):
        history, stop_reason = model.history_, getattr(model, "stop_reason_", None)
    found = evaluate(model, X_test, y_test).to_dict()
    values, epochs = _history_values(history)
    pictures, failures = _pictures(net, X_test, y_test, found, history)
    title = title or f"mlpkit report: {_TASK_NAMES.get(found['task'], found['task'])}"
    sections = [
        _header(title, found),
        _warnings_box(found["warnings"] + failures),
        _configuration(net, model, found),
        _data_summary(X_test, y_test, X_train, found),
        _metrics(found),
        _figures(pictures),
        _history_table(values, epochs, stop_reason, net.loss_units),
    ]
    return _write_atomically(Path(path), _page(title, "\n".join(s for s in sections if s)))


# -- pictures ------------------------------------------------------------------------------------
def _pictures(net, X, y, found, history) -> tuple[list[tuple[str, str]], list[str]]:
    """``[(caption, data URI)]`` for every picture that applies, and notes on any that failed."""
    pictures, failures = [], []
    for caption, draw in _picture_plan(net, X, y, found, history):
        try:
            pictures.append((caption, _data_uri(draw())))
        except Exception as error:  # one broken picture must not cost the whole report
            note = f"The picture '{caption}' could not be drawn: {type(error).__name__}: {error}"
            warnings.warn(note, RuntimeWarning, stacklevel=3)
            failures.append(note)
    return pictures, failures


_CAPTIONS = {
    "curves": "Learning curves: loss and metrics per epoch, training against validation.",
    "gradients": "Gradient norm of each layer per epoch (log scale).",
    "scatter": "Predicted against true values on the test rows.",
    "confusion": "Confusion matrix on the test rows (rows: true class; columns: predicted).",
    "roc": "ROC curve on the test rows",
    "gain": "Cumulative gain and lift on the test rows",
    "architecture": "The network's architecture.",
    "boundary": "Decision boundary with the test rows.",
}


def _picture_plan(net, X, y, found, history) -> list[tuple[str, Callable]]:
    """``[(caption, draw)]``: the pictures that apply to this model, task and history."""
    from . import plots

    task, roc, positive = found["task"], found.get("roc"), found.get("positive_class")
    of_positive = "" if positive is None else f" (positive class: {_label(positive)})"
    plan = {}
    if history is not None:
        units = net.loss_units
        plan["curves"] = lambda: plots.learning_curves(history, loss_units=units)
        plan["gradients"] = lambda: plots.gradient_norms(history)
    if task == "regression":
        plan["scatter"] = lambda: _scatter(net, X, y, found)
    elif found.get("confusion_matrix"):
        matrix, labels = found["confusion_matrix"], found["labels"]
        plan["confusion"] = lambda: plots.confusion_matrix(matrix, labels=labels)
    if roc:
        legend = f"model, positive class {_label(positive)}"
        plan["roc"] = lambda: plots.roc_curve(roc["fpr"], roc["tpr"], roc["auc"], label=legend)
    if found.get("gain"):
        plan["gain"] = lambda: _lift_gain(found)
    plan["architecture"] = lambda: plots.architecture(net)
    if task in ("binary", "multiclass") and net.preprocessor is None and net.n_features == 2:
        plan["boundary"] = lambda: plots.decision_boundary(net, X, y)
    return [
        (_CAPTIONS[name] + (f"{of_positive}." if name in ("roc", "gain") else ""), draw)
        for name, draw in plan.items()
    ]


def _lift_gain(found):
    """Gain at every percentile, and the lift (gain / fraction) at the same points."""
    from . import plots

    fraction = np.asarray(found["gain"]["fraction"], dtype=float)
    gain = np.asarray(found["gain"]["gain"], dtype=float)
    lift = np.divide(gain, fraction, out=np.full_like(gain, np.nan), where=fraction > 0)
    return plots.lift_gain(fraction, gain, lift, positive=found.get("positive_class"))


def _scatter(net, X, y, found):
    """Predicted against true values, with the line of perfect predictions."""
    from matplotlib.figure import Figure

    true = np.asarray(y, dtype=float).ravel()
    predicted = np.asarray(net.predict(X), dtype=float).ravel()
    figure = Figure(figsize=(5.6, 4.6), layout="constrained")
    ax = figure.subplots()
    ax.scatter(true, predicted, s=14, alpha=0.6, edgecolor="none", label="test rows")
    low, high = float(min(true.min(), predicted.min())), float(max(true.max(), predicted.max()))
    ax.plot([low, high], [low, high], color="grey", linestyle="--", label="perfect prediction")
    ax.set(xlabel="true value", ylabel="predicted value")
    ax.grid(alpha=0.3)
    ax.legend()
    r2 = found["metrics"].get("r2")
    figure.suptitle("Predicted vs true" + ("" if r2 is None else f" (R² = {r2:.3f})"))
    return figure


def _data_uri(figure) -> str:
    """The figure as a base64 PNG ``data:`` URI (no metadata: no software name or link)."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=_DPI, metadata={"Software": None})
    if getattr(figure.canvas, "manager", None) is not None:  # made through pyplot: free it
        import matplotlib.pyplot as plt

        plt.close(figure)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


# -- sections ------------------------------------------------------------------------------------
def _header(title: str, found: dict) -> str:
    task = _TASK_NAMES.get(found["task"], found["task"])
    when = datetime.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z")
    return (
        f'<h1>{_e(title)}</h1>\n<p class="subtitle">{_e(task.capitalize())} scored on '
        f"{found['n_samples']:,} test rows · written {_e(when)} by mlpkit {_e(__version__)}</p>"
    )


def _warnings_box(notes: list[str]) -> str:
    if not notes:
        return ""
    items = "".join(f"<li>{_e(note)}</li>" for note in notes)
    return f'<section class="warnings" role="alert"><h2>Warnings</h2><ul>{items}</ul></section>'


def _configuration(net, model, found: dict) -> str:
    parts = ["<section><h2>Configuration</h2>", _layers_table(net)]
    rows = [("Input features", f"{net.n_features:,}"), ("Parameter type", net.dtype.name)]
    if model is not net:
        rows.insert(0, ("Model", f"{type(model).__name__} (its network_ is reported)"))
    if found.get("labels") is not None:
        rows.append(("Classes (output order)", ", ".join(_label(c) for c in found["labels"])))
    for label, part in (("Loss", net.loss), ("Optimizer", net.optimizer)):
        rows.append((label, _describe(part.get_config()) if part is not None else "not set"))
    if net.loss is not None:
        rows.append(("Loss units", net.loss_units or "the target's own units"))
    if net.regularizer is not None:
        rows.append(("Regularizer", _describe(net.regularizer.get_config())))
    rows.append(("Epochs trained", f"{net.epochs_trained:,}"))
    parts.append(_key_values(rows))
    learned = _preprocessing(net.preprocessor)
    if learned:
        parts.append(f"<h3>Preprocessing</h3>\n<pre>{_e(learned)}</pre>")
    return "\n".join(parts) + "</section>"


def _preprocessing(preprocessor) -> str | None:
    """What a fitted preprocessor learned, in words (None without one or before its fit)."""
    if preprocessor is None:
        return None
    try:
        return preprocessor.report()
    except (ValueError, AttributeError):  # NotFittedError is both
        return None


def _layers_table(net) -> str:
    counts = net.parameter_counts()
    rows = []
    for index, layer in enumerate(net.layers):
        activation = layer if isinstance(layer, Activation) else getattr(layer, "activation", None)
        rows.append(
            [
                str(index),
                layer.name,
                f"{net.widths[index + 1]:,}",
                activation_name(activation) if activation is not None else "–",
                f"{counts[index]:,}",
            ]
        )
    rows.append(["", "Total", "", "", f"{sum(counts):,}"])
    head = ["#", "Layer", "Output width", "Activation", "Parameters"]
    return _table(head, rows, numeric={0, 2, 4}, caption="Layers, input to output")


def _data_summary(X, y, X_train, found) -> str:
    n_columns = np.shape(X)[1] if np.ndim(X) == 2 else 1
    rows = [("Test rows", f"{found['n_samples']:,}"), ("Feature columns", f"{n_columns:,}")]
    if X_train is not None:
        rows.insert(0, ("Training rows", f"{len(X_train):,}"))
    names = getattr(X, "columns", None)
    if names is not None:
        rows.append(("Feature names", ", ".join(str(name) for name in names)))
    parts = ["<section><h2>Data</h2>", _key_values(rows)]
    if found.get("class_balance"):
        parts.append(_balance_table(found))
    else:
        parts.append(_target_range(y))
    return "\n".join(parts) + "</section>"


def _balance_table(found: dict) -> str:
    n = found["n_samples"]
    rows = [
        [_label(label), f"{round(share * n):,}", f"{share:.2%}"]
        for label, share in zip(found["labels"], found["class_balance"].values())
    ]
    caption = "Class balance"
    if found["task"] == "multilabel":
        caption = "Label balance (rows carrying each label)"
    return _table(["Class", "Rows", "Share"], rows, numeric={1, 2}, caption=caption)


def _target_range(y) -> str:
    y = np.asarray(y, dtype=float).ravel()
    rows = [
        [
            _number(y.min()),
            _number(y.max()),
            _number(y.mean()),
            _number(y.std()),
            _number(np.median(y)),
        ]
    ]
    head = ["Minimum", "Maximum", "Mean", "Std", "Median"]
    return _table(head, rows, numeric={0, 1, 2, 3, 4}, caption="Target range")


def _metrics(found: dict) -> str:
    rows = [[name.replace("_", " "), _number(value)] for name, value in found["metrics"].items()]
    caption = "Test metrics"
    if found["task"] == "binary":
        positive = _label(found["positive_class"])
        caption += (
            f" (positive class {positive}: predicted when its probability > "
            f"{found['threshold']:g}; precision, recall and F1 are of class {positive})"
        )
    elif found["task"] == "multilabel":
        caption += f" (a label is predicted when its probability > {found['threshold']:g})"
    elif found["task"] == "regression":
        caption += " (in the target's own units)"
    parts = ["<section><h2>Metrics</h2>", _table(["Metric", "Value"], rows, {1}, caption)]
    if found.get("per_class"):
        rows = [
            [_label(label)]
            + [_number(scores[key]) for key in ("precision", "recall", "f1")]
            + [f"{int(scores['support']):,}"]
            for label, scores in zip(found["labels"], found["per_class"].values())
        ]
        head = ["Class", "Precision", "Recall", "F1", "Support"]
        parts.append(_table(head, rows, {1, 2, 3, 4}, "Per class"))
    return "\n".join(parts) + "</section>"


def _label(label) -> str:
    """A class label in a table or caption: as the user wrote it (``>50K``, ``True``, ``3``)."""
    return label if isinstance(label, str) else label_text(label)


def _figures(pictures: list[tuple[str, str]]) -> str:
    if not pictures:
        return ""
    items = [
        f'<figure><img src="{uri}" alt="{_e(caption)}"><figcaption>Figure {number}. '
        f"{_e(caption)}</figcaption></figure>"
        for number, (caption, uri) in enumerate(pictures, start=1)
    ]
    return "<section><h2>Pictures</h2>\n" + "\n".join(items) + "</section>"


def _history_values(history) -> tuple[dict, list[int] | None]:
    """``{name: per-epoch values}`` and the 0-based epoch indices (nothing without a history)."""
    if history is None:
        return {}, None
    from .plots.training import history_dict

    return history_dict(history)


def _history_columns(values: dict) -> list[str]:
    """loss, val_loss, each metric beside its val_ twin, then the diagnostics; no per-layer
    gradient norms (they are in their picture)."""
    keys = [key for key in values if not key.startswith(_HIDDEN)]
    scores = [key for key in keys if key not in _DIAGNOSTICS]
    bases = list(dict.fromkeys(key.removeprefix("val_") for key in scores))
    bases.sort(key=lambda base: base != "loss")
    ordered = [key for base in bases for key in (base, f"val_{base}") if key in values]
    return ordered + [key for key in _DIAGNOSTICS if key in values]


def _history_table(
    values: dict, epochs: list[int] | None, stop_reason: str | None, loss_units: str | None
) -> str:
    columns = _history_columns(values)
    if not columns:
        return ""
    n = max(len(values[key]) for key in columns)
    numbers = [e + 1 for e in epochs] if epochs and len(epochs) == n else range(1, n + 1)
    rows = [
        [str(number)]
        + [_history_cell(key, values[key][i]) if i < len(values[key]) else "" for key in columns]
        for i, number in enumerate(numbers)
    ]
    head = ["Epoch", *("time (s)" if key == "time" else key for key in columns)]
    caption = None
    if loss_units and any(key in values for key in ("loss", "val_loss")):
        caption = f"loss and val_loss in {loss_units}; the metrics in the target's own units"
    table = _table(head, rows, numeric=set(range(len(columns) + 1)), caption=caption)
    summary = f"{n:,} epochs" + (f"; stopped: {stop_reason}" if stop_reason else "")
    opened = " open" if n <= 30 else ""
    return (
        f"<section><h2>Training history</h2><details{opened}><summary>{_e(summary)}</summary>"
        f'<div class="scroll history">{table}</div></details></section>'
    )


def _history_cell(key: str, value) -> str:
    if key == "time" and value is not None:
        return f"{float(value):.3f}"
    if key == "lr" and value is not None:
        return f"{float(value):.4g}"
    return _number(value)


# -- HTML pieces ---------------------------------------------------------------------------------
def _e(text) -> str:
    return html.escape(str(text), quote=True)


def _number(value) -> str:
    if value is None:
        return "n/a"
    value = float(value)
    if not np.isfinite(value):
        return "n/a" if np.isnan(value) else str(value)
    return f"{value:.3e}" if 0 < abs(value) < 1e-3 or abs(value) >= 1e6 else f"{value:.4f}"


def _describe(config: dict) -> str:
    """``adam (learning_rate=0.001, beta_1=0.9)``: the name, then the arguments that are set."""
    config = dict(config)
    name = config.pop("name", "")
    arguments = ", ".join(
        f"{key}={json.dumps(value) if isinstance(value, (dict, list)) else value}"
        for key, value in config.items()
        if value is not None
    )
    return f"{name} ({arguments})" if arguments else str(name)


def _key_values(rows) -> str:
    body = "".join(f'<tr><th scope="row">{_e(k)}</th><td>{_e(v)}</td></tr>' for k, v in rows)
    return f'<table class="keys"><tbody>{body}</tbody></table>'


def _table(head, rows, numeric=frozenset(), caption=None) -> str:
    """A table; the cells of the ``numeric`` column indices are right-aligned."""
    cap = f"<caption>{_e(caption)}</caption>" if caption else ""
    th = "".join(f'<th scope="col">{_e(cell)}</th>' for cell in head)
    cells = ('<td class="num">' if j in numeric else "<td>" for j in range(len(head)))
    opening = list(cells)
    body = "".join(
        "<tr>" + "".join(f"{opening[j]}{_e(cell)}</td>" for j, cell in enumerate(row)) + "</tr>"
        for row in rows
    )
    return f"<table>{cap}<thead><tr>{th}</tr></thead><tbody>{body}</tbody></table>"


_CSS = """
body { margin: 0; background: #eef0f3; color: #1d2330;
  font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial,
  sans-serif; }
main { max-width: 960px; margin: 0 auto; padding: 28px 32px 56px; background: #fff;
  box-sizing: border-box; min-height: 100vh; }
h1 { font-size: 1.75rem; margin: 0 0 0.2em; }
h2 { font-size: 1.25rem; margin: 1.8em 0 0.6em; padding-bottom: 0.25em;
  border-bottom: 1px solid #dde1e7; }
h3 { font-size: 1.05rem; margin: 1.2em 0 0.4em; }
.subtitle { margin: 0; color: #5b6473; }
table { border-collapse: collapse; margin: 0.4em 0 1.2em; font-variant-numeric: tabular-nums; }
caption { caption-side: top; text-align: left; font-weight: 600; padding-bottom: 0.3em;
  white-space: nowrap; }
th, td { border: 1px solid #dde1e7; padding: 4px 12px; text-align: left; }
thead th, table.keys th { background: #f3f5f8; font-weight: 600; }
td.num { text-align: right; white-space: nowrap; }
.history table { font-size: 13px; }
.history th, .history td { padding: 2px 8px; }
.warnings { margin: 1.4em 0; padding: 0.2em 1.2em 0.4em; background: #fff7e6;
  border: 1px solid #f0c36d; border-left: 6px solid #d98e04; border-radius: 4px; }
.warnings h2 { margin: 0.5em 0 0.2em; border: 0; color: #8a5a00; }
.warnings li { margin: 0.3em 0; }
figure { margin: 1.6em 0; text-align: center; }
figure img { max-width: 100%; height: auto; border: 1px solid #e4e7ec; }
figcaption { margin-top: 0.4em; color: #5b6473; font-size: 0.92rem; }
pre { padding: 0.8em 1em; overflow-x: auto; background: #f6f7f9; border: 1px solid #e4e7ec;
  border-radius: 4px; font: 13px/1.45 ui-monospace, Menlo, Consolas, monospace; }
details summary { cursor: pointer; margin-bottom: 0.5em; }
.scroll { overflow-x: auto; }
"""


def _page(title: str, body: str) -> str:
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{_e(title)}</title>\n<style>{_CSS}</style>\n</head>\n"
        f"<body>\n<main>\n{body}\n</main>\n</body>\n</html>\n"
    )


def _write_atomically(path: Path, text: str) -> Path:
    """Write ``text`` to a temporary file beside ``path`` and move it over ``path``."""
    path = path.resolve()
    if not path.parent.is_dir():
        raise FileNotFoundError(
            f"report cannot write {str(path)!r}: the folder {str(path.parent)!r} does not exist."
        )
    handle, temporary = tempfile.mkstemp(prefix=".mlpkit-", suffix=".tmp", dir=path.parent)
    umask = os.umask(0)
    os.umask(umask)
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as stream:
            stream.write(text)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, 0o666 & ~umask)  # as an ordinary new file, not mkstemp's 0600
        os.replace(temporary, path)
    except BaseException:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise
    return path
