"""Results in words: an evaluation's metrics and tables, a model's summary.

Each ``*_text`` is what a person reads on a terminal; :func:`summary_of` is the data behind the
summary, also printed as JSON by ``--json``.
"""

from __future__ import annotations

import math

#: Log keys that are diagnostics, not part of a training history's summary.
DIAGNOSTICS = ("lr", "time", "penalty")


def number(value) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    if isinstance(value, float):
        return (
            f"{value:.4g}" if abs(value) >= 1e4 or (value and abs(value) < 1e-3) else f"{value:.4f}"
        )
    return str(value)


def table(rows: list[list], indent: str = "  ", *, right: bool = True) -> list[str]:
    """Rows of cells as aligned text lines: the first column left-aligned, the others
    right-aligned (numbers) or, with ``right=False``, left-aligned."""
    cells = [[str(cell) for cell in row] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(cells[0]))]
    lines = []
    for row in cells:
        rest = [c.rjust(w) if right else c.ljust(w) for c, w in zip(row[1:], widths[1:])]
        parts = [row[0].ljust(widths[0]), *rest]
        lines.append(indent + "  ".join(parts).rstrip())
    return lines


def evaluation_text(report, *, model: str, data: str, target: str | None) -> str:
    """An :class:`~mlpkit.EvaluationReport` for reading: metrics, confusion matrix, classes."""
    from mlpkit.html_report.sections import TASK_NAMES

    of = f" of {target!r}" if target else ""
    task = TASK_NAMES.get(report.task, report.task)
    lines = [f"{model} on {data}: {task}{of}, {report.n_samples:,} rows"]
    lines += table([[name, number(value)] for name, value in report.metrics.items()])
    if report.confusion_matrix is not None:
        labels = [str(label) for label in report.labels]
        lines.append("confusion matrix (rows: truth, columns: predicted):")
        counts = [[label, *row] for label, row in zip(labels, report.confusion_matrix)]
        lines += table([["", *labels], *counts])
    if report.per_class:
        lines.append("per class:")
        header = ["", "precision", "recall", "f1", "support"]
        rows = [
            [str(label), *(number(s[k]) for k in header[1:4]), int(s["support"])]
            for label, s in report.per_class.items()
        ]
        lines += table([header, *rows])
    return "\n".join(lines)


def summary_of(model, path: str) -> dict:
    """The model file's description: kind, task, columns, architecture, parameters,
    preprocessing and training history (plain JSON types)."""
    from mlpkit.evaluation import names_of, network_of

    from .inputs import model_columns

    net = network_of(model)
    classes = net.classes_
    described = {
        "model": path,
        "class": type(model).__name__,
        "task": net.task,
        "classes": None if classes is None else [str(c) for c in names_of(classes)],
        "columns": model_columns(model),
        "n_features": net.n_features,
        "n_parameters": int(net.params.size),
        "layers": net.get_config()["layers"],
        "loss": None if net.loss is None else net.loss.get_config(),
        "optimizer": None if net.optimizer is None else net.optimizer.get_config(),
        "parameters": changed_parameters(model),
        "preprocessing": preprocessing(net),
        "training": training(model, net),
    }
    return described


def changed_parameters(model) -> dict:
    """An estimator's parameters that differ from their defaults (a network: none)."""
    if not hasattr(model, "get_params"):
        return {}
    defaults = type(model)().get_params()
    return {
        name: value
        for name, value in model.get_params().items()
        if repr(value) != repr(defaults.get(name))
    }


def preprocessing(net) -> list[str] | None:
    """The preprocessor's report, one line per finding (None without one)."""
    if net.preprocessor is None or not hasattr(net.preprocessor, "report"):
        return None
    try:
        return net.preprocessor.report().splitlines()
    except Exception:  # an unfitted preprocessor has nothing to say
        return None


def training(model, net) -> dict:
    """Epochs, stop reason and the last value of each logged quantity."""
    history = getattr(model, "history_", None) or {}
    last = {
        name: values[-1]
        for name, values in history.items()
        if values and name not in DIAGNOSTICS and not name.startswith("grad_norm")
    }
    return {
        "epochs": getattr(model, "n_iter_", None) or net.epochs_trained,
        "stop_reason": getattr(model, "stop_reason_", None),
        "last": last,
    }


def summary_text(model, described: dict) -> str:
    """:func:`summary_of` for reading, with the network's layer table."""
    from mlpkit.evaluation import network_of

    lines = [f"{described['model']}: {described['class']}, {described['task']}"]
    if described["classes"] is not None:
        lines.append(f"classes: {', '.join(described['classes'])}")
    if described["columns"] is not None:
        lines.append(f"input columns: {', '.join(described['columns'])}")
    lines.append(network_of(model).summary())
    if described["parameters"]:
        lines.append("parameters (other than the defaults):")
        lines += [f"  {name} = {value!r}" for name, value in described["parameters"].items()]
    if described["loss"] is not None:
        lines.append(f"loss: {described['loss'].get('name')}")
    if described["optimizer"] is not None:
        settings = ", ".join(f"{k}={v}" for k, v in described["optimizer"].items() if k != "name")
        lines.append(f"optimizer: {described['optimizer'].get('name')} ({settings})")
    if described["preprocessing"]:
        lines.append("preprocessing:")
        lines += [f"  {line}" for line in described["preprocessing"]]
    trained = described["training"]
    lines.append(f"training: {trained['epochs']} epochs")
    if trained["stop_reason"]:
        lines[-1] += f"; stopped: {trained['stop_reason']}"
    lines += [f"  last {name}: {number(value)}" for name, value in trained["last"].items()]
    return "\n".join(lines)
