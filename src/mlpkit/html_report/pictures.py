"""The report's pictures: each one drawn by :mod:`mlpkit.plots` and embedded as a PNG ``data:``
URI; a picture that fails is left out with a note, never the whole report."""

from __future__ import annotations

import base64
import io
import warnings
from collections.abc import Callable

import numpy as np
from sklearn.pipeline import Pipeline

from ..evaluation.models import as_array, scored_rows
from .markup import label_cell

#: Resolution of the embedded pictures (6.4 in wide → 704 px: fits the 960 px page).
_DPI = 110


def draw_pictures(scored, X, y, found, history) -> tuple[list[tuple[str, str]], list[str]]:
    """``[(caption, data URI)]`` for every picture that applies to the scored model
    (:class:`~mlpkit.evaluation.ScoredModel`), and notes on any that failed."""
    pictures, failures = [], []
    for caption, draw in _picture_plan(scored, X, y, found, history):
        try:
            pictures.append((caption, data_uri(draw())))
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


def _picture_plan(scored, X, y, found, history) -> list[tuple[str, Callable]]:
    """``[(caption, draw)]``: the pictures that apply to this model, task and history. The
    decision boundary is drawn for a network on its own two input columns only (not through a
    preprocessor or a Pipeline's steps)."""
    from .. import plots

    net = scored.network
    task, roc, positive = found["task"], found.get("roc"), found.get("positive_class")
    of_positive = "" if positive is None else f" (positive class: {label_cell(positive)})"
    plan = {}
    if history is not None:
        units = net.loss_units
        plan["curves"] = lambda: plots.learning_curves(history, loss_units=units)
        plan["gradients"] = lambda: plots.gradient_norms(history)
    if task == "regression":
        plan["scatter"] = lambda: _scatter(scored, X, y, found)
    elif found.get("confusion_matrix"):
        matrix, labels = found["confusion_matrix"], found["labels"]
        plan["confusion"] = lambda: plots.confusion_matrix(matrix, labels=labels)
    if roc:
        legend = f"model, positive class {label_cell(positive)}"
        plan["roc"] = lambda: plots.roc_curve(roc["fpr"], roc["tpr"], roc["auc"], label=legend)
    if found.get("gain"):
        plan["gain"] = lambda: _lift_gain(found)
    plan["architecture"] = lambda: plots.architecture(net)
    direct = net.preprocessor is None and not isinstance(scored.model, Pipeline)
    if task in ("binary", "multiclass") and direct and net.n_features == 2:
        plan["boundary"] = lambda: plots.decision_boundary(net, X, y)
    return [
        (_CAPTIONS[name] + (f"{of_positive}." if name in ("roc", "gain") else ""), draw)
        for name, draw in plan.items()
    ]


def _lift_gain(found):
    """Gain at every percentile, and the lift (gain / fraction) at the same points."""
    from .. import plots

    fraction = np.asarray(found["gain"]["fraction"], dtype=float)
    gain = np.asarray(found["gain"]["gain"], dtype=float)
    lift = np.divide(gain, fraction, out=np.full_like(gain, np.nan), where=fraction > 0)
    return plots.lift_gain(fraction, gain, lift, positive=found.get("positive_class"))


def _scatter(scored, X, y, found):
    """Predicted against true values on the rows the model keeps, with the line of perfect
    predictions."""
    from matplotlib.figure import Figure

    X, y, _ = scored_rows(scored, X, as_array(y))
    true = np.asarray(y, dtype=float).ravel()
    predicted = scored.outputs(X).ravel()
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


def data_uri(figure) -> str:
    """The figure as a base64 PNG ``data:`` URI (no metadata: no software name or link)."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=_DPI, metadata={"Software": None})
    if getattr(figure.canvas, "manager", None) is not None:  # made through pyplot: free it
        import matplotlib.pyplot as plt

        plt.close(figure)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")
