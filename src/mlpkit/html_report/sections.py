"""The sections of the report page: header, warnings, configuration, data, metrics, pictures
and the training history. Each takes what :func:`~mlpkit.evaluation.evaluate` found (as a dict)
and the model, and returns an HTML fragment."""

from __future__ import annotations

import datetime

import numpy as np
from sklearn.pipeline import Pipeline

from .._version import __version__
from ..layers.activations import Activation, activation_name
from .markup import describe, escape, format_number, html_table, key_values, label_cell

#: History entries shown after the scores: diagnostics of the optimisation.
_DIAGNOSTICS = ("lr", "grad_norm", "penalty", "time")
#: History entries left out of the table: per-layer and extreme gradient norms (see the picture).
_HIDDEN = ("grad_norm/", "grad_norm_max", "grad_norm_min")
TASK_NAMES = {
    "binary": "binary classification",
    "multiclass": "multi-class classification",
    "multilabel": "multi-label classification",
}


def header(title: str, found: dict) -> str:
    """The title and what was scored, when, by which version."""
    task = TASK_NAMES.get(found["task"], found["task"])
    when = datetime.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z")
    return (
        f'<h1>{escape(title)}</h1>\n<p class="subtitle">{escape(task.capitalize())} scored on '
        f"{found['n_samples']:,} test rows · written {escape(when)} by mlpkit "
        f"{escape(__version__)}</p>"
    )


def warnings_box(notes: list[str]) -> str:
    """The evaluation's warnings in a visible box (nothing without any)."""
    if not notes:
        return ""
    items = "".join(f"<li>{escape(note)}</li>" for note in notes)
    return f'<section class="warnings" role="alert"><h2>Warnings</h2><ul>{items}</ul></section>'


def configuration(net, model, found: dict) -> str:
    """The layers, the model's settings and what its preprocessing learned."""
    parts = ["<section><h2>Configuration</h2>", _layers_table(net)]
    rows = [("Input features", f"{net.n_features:,}"), ("Parameter type", net.dtype.name)]
    if model is not net:
        rows.insert(0, ("Model", _model_text(model)))
    if found.get("labels") is not None:
        rows.append(("Classes (output order)", ", ".join(label_cell(c) for c in found["labels"])))
    for label, part in (("Loss", net.loss), ("Optimizer", net.optimizer)):
        rows.append((label, describe(part.get_config()) if part is not None else "not set"))
    if net.loss is not None:
        rows.append(("Loss units", net.loss_units or "the target's own units"))
    if net.regularizer is not None:
        rows.append(("Regularizer", describe(net.regularizer.get_config())))
    rows.append(("Epochs trained", f"{net.epochs_trained:,}"))
    parts.append(key_values(rows))
    learned = [_preprocessing(step) for step in (*_pipeline_steps(model), net.preprocessor)]
    learned = "\n\n".join(text for text in learned if text)
    if learned:
        parts.append(f"<h3>Preprocessing</h3>\n<pre>{escape(learned)}</pre>")
    return "\n".join(parts) + "</section>"


def _model_text(model) -> str:
    if not isinstance(model, Pipeline):
        return f"{type(model).__name__} (its network_ is reported)"
    steps = " → ".join(f"{name} ({type(step).__name__})" for name, step in model.steps)
    return f"Pipeline: {steps}; the final step's network_ is reported"


def _pipeline_steps(model) -> list:
    """The steps of a Pipeline before its final one (none for any other model)."""
    return [step for _, step in model.steps[:-1]] if isinstance(model, Pipeline) else []


def _preprocessing(preprocessor) -> str | None:
    """What a fitted preprocessor learned, in words (None without one, for a transformer that
    has no ``report()``, or before its fit)."""
    if not hasattr(preprocessor, "report"):
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
    return html_table(head, rows, numeric={0, 2, 4}, caption="Layers, input to output")


def data_summary(X, y, X_train, found) -> str:
    """Row and column counts, feature names, and the class balance or the target's range."""
    n_columns = np.shape(X)[1] if np.ndim(X) == 2 else 1
    rows = [("Test rows", f"{found['n_samples']:,}"), ("Feature columns", f"{n_columns:,}")]
    if X_train is not None:
        rows.insert(0, ("Training rows", f"{len(X_train):,}"))
    names = getattr(X, "columns", None)
    if names is not None:
        rows.append(("Feature names", ", ".join(str(name) for name in names)))
    parts = ["<section><h2>Data</h2>", key_values(rows)]
    if found.get("class_balance"):
        parts.append(_balance_table(found))
    else:
        parts.append(_target_range(y))
    return "\n".join(parts) + "</section>"


def _balance_table(found: dict) -> str:
    n = found["n_samples"]
    rows = [
        [label_cell(label), f"{round(share * n):,}", f"{share:.2%}"]
        for label, share in zip(found["labels"], found["class_balance"].values())
    ]
    caption = "Class balance"
    if found["task"] == "multilabel":
        caption = "Label balance (rows carrying each label)"
    return html_table(["Class", "Rows", "Share"], rows, numeric={1, 2}, caption=caption)


def _target_range(y) -> str:
    y = np.asarray(y, dtype=float).ravel()
    rows = [
        [
            format_number(y.min()),
            format_number(y.max()),
            format_number(y.mean()),
            format_number(y.std()),
            format_number(np.median(y)),
        ]
    ]
    head = ["Minimum", "Maximum", "Mean", "Std", "Median"]
    return html_table(head, rows, numeric={0, 1, 2, 3, 4}, caption="Target range")


def metrics_section(found: dict) -> str:
    """The test metrics, and the per-class scores of a classification."""
    rows = [
        [name.replace("_", " "), format_number(value)] for name, value in found["metrics"].items()
    ]
    caption = "Test metrics"
    if found["task"] == "binary":
        positive = label_cell(found["positive_class"])
        caption += (
            f" (positive class {positive}: predicted when its probability > "
            f"{found['threshold']:g}; precision, recall and F1 are of class {positive})"
        )
    elif found["task"] == "multilabel":
        caption += f" (a label is predicted when its probability > {found['threshold']:g})"
    elif found["task"] == "regression":
        caption += " (in the target's own units)"
    parts = ["<section><h2>Metrics</h2>", html_table(["Metric", "Value"], rows, {1}, caption)]
    if found.get("per_class"):
        rows = [
            [label_cell(label)]
            + [format_number(scores[key]) for key in ("precision", "recall", "f1")]
            + [f"{int(scores['support']):,}"]
            for label, scores in zip(found["labels"], found["per_class"].values())
        ]
        head = ["Class", "Precision", "Recall", "F1", "Support"]
        parts.append(html_table(head, rows, {1, 2, 3, 4}, "Per class"))
    if found.get("confusion_ratios"):
        parts.append(confusion_ratios_table(found["labels"], found["confusion_ratios"]))
    return "\n".join(parts) + "</section>"


#: Row headings of the confusion-ratio table, by key (see mlpkit.metrics.confusion).
RATIO_NAMES = {
    "tp": "True positives (TP)",
    "fp": "False positives (FP)",
    "fn": "False negatives (FN)",
    "tn": "True negatives (TN)",
    "tpr": "TPR, recall, sensitivity = TP / P",
    "tnr": "TNR, specificity = TN / N",
    "ppv": "PPV, precision = TP / (TP + FP)",
    "npv": "NPV = TN / (TN + FN)",
    "fpr": "FPR, fall-out = FP / N",
    "fnr": "FNR, miss rate = FN / P",
    "fdr": "FDR = FP / (TP + FP)",
    "for": "FOR, false omission rate = FN / (TN + FN)",
    "lr_plus": "LR+ = TPR / FPR",
    "lr_minus": "LR− = FNR / TNR",
    "dor": "DOR, diagnostic odds ratio = LR+ / LR−",
    "mcc": "MCC, Matthews correlation",
    "informedness": "Informedness = TPR + TNR − 1",
    "markedness": "Markedness = PPV + NPV − 1",
    "threat_score": "Threat score, CSI = TP / (TP + FN + FP)",
    "fowlkes_mallows": "Fowlkes–Mallows = √(PPV · TPR)",
    "prevalence": "Prevalence = P / n",
    "prevalence_threshold": "Prevalence threshold",
    "accuracy": "Accuracy = (TP + TN) / n",
    "balanced_accuracy": "Balanced accuracy = (TPR + TNR) / 2",
    "f1": "F1 = 2·TP / (2·TP + FP + FN)",
}


def confusion_ratios_table(labels: list, ratios: dict) -> str:
    """The confusion-matrix ratios: one row per count or ratio, one column per class
    (one-vs-rest) and the macro average; n/a where a ratio divides by zero."""
    per_class = list(ratios["per_class"].values())
    head = ["", *(label_cell(label) for label in labels), "Macro"]
    rows = []
    for key, title in RATIO_NAMES.items():
        if key in ("tp", "fp", "fn", "tn"):
            rows.append([title, *(f"{int(scores[key]):,}" for scores in per_class), ""])
        else:
            values = [scores[key] for scores in per_class] + [ratios["macro"][key]]
            rows.append([title, *(format_number(value) for value in values)])
    caption = (
        "Confusion-matrix ratios (each class against the rest; macro: the mean over the "
        "classes where a ratio is defined; n/a: division by zero)"
    )
    table = html_table(head, rows, set(range(1, len(head))), caption)
    return f'<div class="scroll">{table}</div>'


def figures(pictures: list[tuple[str, str]]) -> str:
    """The pictures, numbered, each with its caption."""
    if not pictures:
        return ""
    items = [
        f'<figure><img src="{uri}" alt="{escape(caption)}"><figcaption>Figure {number}. '
        f"{escape(caption)}</figcaption></figure>"
        for number, (caption, uri) in enumerate(pictures, start=1)
    ]
    return "<section><h2>Pictures</h2>\n" + "\n".join(items) + "</section>"


def history_values(history) -> tuple[dict, list[int] | None]:
    """``{name: per-epoch values}`` and the 0-based epoch indices (nothing without a history)."""
    if history is None:
        return {}, None
    from ..plots.training import history_dict

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


def history_table(
    values: dict, epochs: list[int] | None, stop_reason: str | None, loss_units: str | None
) -> str:
    """The training history, one row per epoch (folded away beyond 30 epochs)."""
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
    table = html_table(head, rows, numeric=set(range(len(columns) + 1)), caption=caption)
    summary = f"{n:,} epochs" + (f"; stopped: {stop_reason}" if stop_reason else "")
    opened = " open" if n <= 30 else ""
    return (
        f"<section><h2>Training history</h2><details{opened}><summary>{escape(summary)}</summary>"
        f'<div class="scroll history">{table}</div></details></section>'
    )


def _history_cell(key: str, value) -> str:
    if key == "time" and value is not None:
        return f"{float(value):.3f}"
    if key == "lr" and value is not None:
        return f"{float(value):.4g}"
    return format_number(value)
