"""Pictures of training: learning curves, per-layer gradient norms, the complexity curve."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
from matplotlib.ticker import LogFormatter, NullLocator

from ._figure import SIZE, finish, grid_shape, new_figure

#: History keys that are diagnostics rather than scores, left out of the learning curves.
_DIAGNOSTICS = ("loss", "lr", "time")
_TRAINING, _VALIDATION = "#1f77b4", "#d62728"


def history_dict(history) -> tuple[dict, list | None]:
    """The ``{name: per-epoch values}`` dict and the epoch indices, from a History or a dict."""
    if hasattr(history, "history"):
        return dict(history.history), list(getattr(history, "epoch", []) or []) or None
    if isinstance(history, Mapping):
        return dict(history), None
    raise TypeError(
        f"history must be the History that fit returns or its .history dict; "
        f"got {type(history).__name__}."
    )


def epoch_numbers(values, epoch_indices) -> np.ndarray:
    """Epoch numbers counted from 1 (History keeps 0-based indices that continue over fits)."""
    if epoch_indices is not None and len(epoch_indices) == len(values):
        return np.asarray(epoch_indices) + 1
    return np.arange(1, len(values) + 1)


def _default_metrics(history: dict) -> list[str]:
    """Score names in the history: training names, and names seen only as ``val_<name>``."""
    names = []
    for key in history:
        name = key[4:] if key.startswith("val_") else key
        skip = name in _DIAGNOSTICS or name.startswith("grad_norm")
        if not skip and name not in names:
            names.append(name)
    return names


def learning_curves(
    history, metrics=None, path=None, *, title=None, overwrite=False, loss_units=None
):
    """Draw the loss and each metric per epoch, training against validation, one panel each.

    Args:
        history: an ``mk.callbacks.History`` (what ``fit`` returns) or its ``.history`` dict,
            with per-epoch lists ``"loss"``, maybe ``"val_loss"``, ``"accuracy"``,
            ``"val_accuracy"`` and so on.
        metrics: the metric names to draw besides the loss (e.g. ``["accuracy"]``). Defaults to
            every score in the history (not ``lr``, ``time`` or the gradient norms).
        path: save the picture here too (``.png`` or ``.svg``).
        title: the figure title. Defaults to "Learning curves".
        loss_units: what the loss is measured in when that is not the target's own units
            (``net.loss_units``, e.g. "standardised target units"): written on the loss
            panel's y axis and legend. The metrics are in the target's own units.

    Returns:
        The figure: panels titled "loss" and by metric, x axis "epoch", legend
        "training" / "validation" (with the loss units on the loss panel, when given).
    """
    values, epoch_indices = history_dict(history)
    if "loss" not in values and "val_loss" not in values:
        raise ValueError(
            f"learning_curves needs a 'loss' entry in the history; found {sorted(values)}."
        )
    names = ["loss"] + list(_default_metrics(values) if metrics is None else metrics)
    missing = [n for n in names if n not in values and f"val_{n}" not in values]
    if missing:
        raise ValueError(
            f"learning_curves: {missing} not in the history; available: {sorted(values)}."
        )
    n_rows, n_columns = grid_shape(len(names), 2)
    figure = new_figure((SIZE[0], SIZE[1] if n_rows == 1 else 3.0 * n_rows))
    axes = figure.subplots(n_rows, n_columns, squeeze=False).ravel()
    for ax, name in zip(axes, names):
        for key, label, colour in (
            (name, "training", _TRAINING),
            (f"val_{name}", "validation", _VALIDATION),
        ):
            if key in values:
                y = np.asarray(values[key], dtype=float)
                ax.plot(
                    epoch_numbers(y, epoch_indices),
                    y,
                    color=colour,
                    label=label,
                    marker="." if len(y) < 30 else None,
                )
        ax.set(title=name.replace("_", " "), xlabel="epoch")
        ax.grid(alpha=0.3)
        if name == "loss" and loss_units:
            ax.set_ylabel(f"loss in {loss_units}")
            ax.legend(title=f"in {loss_units}", fontsize="small", title_fontsize="small")
        else:
            ax.legend()
    for ax in axes[len(names) :]:
        ax.set_visible(False)
    return finish(figure, title, "Learning curves", path, overwrite)


def gradient_norms(history, path=None, *, title=None, overwrite=False):
    """Draw each layer's gradient norm per epoch on a log scale, with the global mean.

    Args:
        history: a History or its dict with ``"grad_norm/<index>:<Layer>"`` per-layer norms and
            ``"grad_norm"`` (the mean global norm), one value per epoch, as ``fit`` logs them.
        path: save the picture here too (``.png`` or ``.svg``).
        title: the figure title. Defaults to "Gradient norms per layer".

    Returns:
        The figure: one line per layer ("layer 0 (Dense)"), "all parameters" dashed; y log-scale.
        Zero norms (frozen layers) are left out, as a log scale cannot show them.
    """
    values, epoch_indices = history_dict(history)
    layer_keys = [k for k in values if k.startswith("grad_norm/")]
    if not layer_keys and "grad_norm" not in values:
        raise ValueError(
            f"gradient_norms needs 'grad_norm' entries in the history (fit logs them); "
            f"found {sorted(values)}."
        )
    figure = new_figure()
    ax = figure.subplots()
    for key in layer_keys:
        index, _, layer = key[len("grad_norm/") :].partition(":")
        log_line(ax, values[key], epoch_indices, label=f"layer {index} ({layer})")
    if "grad_norm" in values:
        log_line(
            ax,
            values["grad_norm"],
            epoch_indices,
            label="all parameters",
            color="black",
            linestyle="--",
        )
    if any(np.any(np.asarray(line.get_ydata()) > 0) for line in ax.lines):
        ax.set_yscale("log")
        ax.yaxis.set_major_formatter(PlainLogFormatter())
        ax.yaxis.set_minor_formatter(PlainLogFormatter(labelOnlyBase=False))
    ax.set(xlabel="epoch", ylabel="gradient norm (L2)")
    ax.grid(alpha=0.3, which="both")
    ax.legend(fontsize="small")
    return finish(figure, title, "Gradient norms per layer", path, overwrite)


class PlainLogFormatter(LogFormatter):
    """Label the ticks matplotlib would label on a log axis, as plain numbers (0.3, not 3e-01)."""

    def __call__(self, x, pos=None):
        return f"{x:.3g}" if super().__call__(x, pos) else ""


def log_line(ax, values, epoch_indices, **style) -> None:
    """Plot per-epoch ``values`` for a log axis: values ≤ 0 are left out (NaN)."""
    y = np.asarray(values, dtype=float)
    y = np.where(y > 0, y, np.nan)
    ax.plot(epoch_numbers(y, epoch_indices), y, marker="." if len(y) < 30 else None, **style)


def complexity_curve(result, path=None, *, title=None, overwrite=False):
    """Draw training and validation error against model complexity; mark the best validation.

    Args:
        result: ``{"complexity": [...], "train_error": [...], "val_error": [...]}`` and
            optionally ``"label"`` (the complexity in words, e.g. ``"hidden units"``) and
            ``"loss_units"`` (the errors' units when not the target's own, as
            :func:`mlpkit.complexity_curve` returns it).
            Complexities may be numbers or names (``"16-8"``); a numeric range spanning a factor
            of 20 or more is drawn on a log scale.
        path: save the picture here too (``.png`` or ``.svg``).
        title: the figure title. Defaults to "Training and validation error by complexity".

    Returns:
        The figure: lines "training" and "validation", a star at the lowest validation error
        with its legend entry "best: <complexity>".
    """
    for key in ("complexity", "train_error", "val_error"):
        if key not in result:
            raise ValueError(f"complexity_curve needs result[{key!r}]; found {sorted(result)}.")
    labels = list(result["complexity"])
    x, numeric = _positions(labels)
    train = np.asarray(result["train_error"], dtype=float)
    val = np.asarray(result["val_error"], dtype=float)
    figure = new_figure()
    ax = figure.subplots()
    ax.plot(x, train, color=_TRAINING, marker="o", label="training")
    ax.plot(x, val, color=_VALIDATION, marker="o", label="validation")
    best = int(np.nanargmin(val))
    ax.plot(
        x[best],
        val[best],
        marker="*",
        markersize=16,
        color="gold",
        markeredgecolor="black",
        linestyle="none",
        label=f"best: {labels[best]}",
    )
    if numeric and x.min() > 0 and x.max() / x.min() >= 20:
        ax.set_xscale("log")
        ax.xaxis.set_minor_locator(NullLocator())
    if not numeric or ax.get_xscale() == "log":  # tick exactly the complexities tried
        ax.set_xticks(x, [f"{label:g}" if numeric else str(label) for label in labels])
    units = result.get("loss_units")
    ylabel = "error" if not units else f"error (loss in {units})"
    ax.set(xlabel=result.get("label", "complexity"), ylabel=ylabel)
    ax.grid(alpha=0.3)
    ax.legend()
    return finish(figure, title, "Training and validation error by complexity", path, overwrite)


def _positions(labels) -> tuple[np.ndarray, bool]:
    """Numeric complexities as they are; names at positions 0, 1, 2, …"""
    try:
        return np.asarray(labels, dtype=float), True
    except (TypeError, ValueError):
        return np.arange(len(labels), dtype=float), False
