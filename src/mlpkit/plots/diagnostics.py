"""Pictures of the training doctor: per-layer statistics over epochs, histograms of weights,
gradients and activations, and the learning-rate finder's curve."""

from __future__ import annotations

import numpy as np

from ._figure import SIZE, finish, grid_shape, new_figure
from .training import PlainLogFormatter, epoch_numbers, log_line

#: Statistics drawn on a log scale (norms and ratios span orders of magnitude).
_LOG_SCALE = ("grad_norm", "weight_norm", "update_ratio")


def _records(stats) -> tuple[dict, list | None]:
    """(history dict, epoch indices) of a LayerStatistics or of its ``.history`` dict."""
    if hasattr(stats, "history") and hasattr(stats, "histograms"):
        return stats.history, list(stats.epoch) or None
    if isinstance(stats, dict):
        return stats, None
    raise TypeError(
        f"stats must be an mk.diagnostics.LayerStatistics or its .history dict; got "
        f"{type(stats).__name__}."
    )


def layer_statistics(
    stats, statistic: str = "update_ratio", path=None, *, title=None, overwrite=False
):
    """Draw one per-layer statistic per epoch, a line per layer.

    Args:
        stats: a ``LayerStatistics`` callback after a fit, or its ``.history`` dict.
        statistic: ``"update_ratio"``, ``"grad_norm"``, ``"weight_norm"``,
            ``"activation_mean"``, ``"activation_std"``, ``"z_std"``, ``"dead_fraction"`` or
            ``"saturated_fraction"``; norms and ratios on a log scale.
        path: save the picture here too (``.png`` or ``.svg``).
        title: the figure title. Defaults to the statistic's name, "per layer".

    Returns:
        The figure: one line per layer ("layer 0 (Dense)"), x axis "epoch".
    """
    values, epochs = _records(stats)
    prefix = f"{statistic}/"
    keys = [key for key in values if key.startswith(prefix)]
    if not keys:
        found = sorted({key.partition("/")[0] for key in values})
        raise ValueError(f"layer_statistics: no {statistic!r} in the statistics; found {found}.")
    figure = new_figure()
    ax = figure.subplots()
    for key in keys:
        index, _, layer = key[len(prefix) :].partition(":")
        label = f"layer {index} ({layer})"
        if statistic in _LOG_SCALE:
            log_line(ax, values[key], epochs, label=label)
        else:
            y = np.asarray(values[key], dtype=float)
            ax.plot(epoch_numbers(y, epochs), y, marker="." if len(y) < 30 else None, label=label)
    if statistic in _LOG_SCALE and any(
        np.nanmax(line.get_ydata(), initial=0) > 0 for line in ax.lines
    ):
        ax.set_yscale("log")
        ax.yaxis.set_major_formatter(PlainLogFormatter())
    ax.set(xlabel="epoch", ylabel=statistic.replace("_", " "))
    ax.grid(alpha=0.3, which="both")
    ax.legend(fontsize="small")
    return finish(figure, title, f"{statistic.replace('_', ' ')} per layer", path, overwrite)


def histograms(
    stats,
    epoch: int | None = None,
    kind: str = "weights",
    path=None,
    *,
    title=None,
    overwrite=False,
):
    """Draw the histograms of one kind, a panel per layer, at one recorded epoch.

    Args:
        stats: a ``LayerStatistics`` with ``histogram_epochs`` set, after a fit.
        epoch: the epoch index (as in ``stats.histograms``); defaults to the last recorded.
        kind: ``"weights"``, ``"gradients"`` or ``"activations"``.
        path, title: as the other pictures (default title "<kind> at epoch <n>").

    Returns:
        The figure: one bar histogram per layer, titled by the layer.
    """
    recorded = getattr(stats, "histograms", None)
    if not recorded:
        raise ValueError(
            "histograms needs a LayerStatistics fitted with histogram_epochs=(...); none recorded."
        )
    epoch = max(recorded) if epoch is None else epoch
    if epoch not in recorded:
        raise ValueError(f"histograms: epoch {epoch} not recorded; recorded: {sorted(recorded)}.")
    entries = {k: v for k, v in recorded[epoch].items() if k.startswith(f"{kind}/")}
    if not entries:
        raise ValueError(f"histograms: no {kind!r}; use weights, gradients or activations.")
    n_rows, n_columns = grid_shape(len(entries), 3)
    figure = new_figure((SIZE[0], 2.4 * n_rows + 0.6))
    axes = figure.subplots(n_rows, n_columns, squeeze=False).ravel()
    for ax, (key, (counts, edges)) in zip(axes, entries.items()):
        ax.bar(edges[:-1], counts, width=np.diff(edges), align="edge", color="#1f77b4")
        ax.set_title(f"layer {key.partition('/')[2]}", fontsize="small")
    for ax in axes[len(entries) :]:
        ax.set_visible(False)
    return finish(figure, title, f"{kind} at epoch {epoch + 1}", path, overwrite)


def lr_finder(result, path=None, *, title=None, overwrite=False):
    """Draw the learning-rate finder's loss against the learning rate (log scale).

    Args:
        result: what ``mk.lr_find`` returns.
        path, title: as the other pictures (default title "Learning-rate finder").

    Returns:
        The figure: the batch losses ("loss"), their smoothed curve ("smoothed") and a
        dashed line at the suggested rate ("suggested: <rate>").
    """
    figure = new_figure()
    ax = figure.subplots()
    ax.plot(result.lrs, result.losses, color="#9aa5b1", linewidth=0.8, label="loss")
    ax.plot(result.lrs, result.smoothed, color="#1f77b4", label="smoothed")
    ax.axvline(
        result.suggested,
        color="#d62728",
        linestyle="--",
        label=f"suggested: {result.suggested:.3g}",
    )
    ax.set_xscale("log")
    finite = result.smoothed[np.isfinite(result.smoothed)]
    if finite.size:
        low, high = float(finite.min()), float(finite[0])
        ax.set_ylim(low - 0.1 * abs(high - low), high + 0.5 * abs(high - low) + 1e-12)
    ax.set(xlabel="learning rate", ylabel="batch loss")
    ax.grid(alpha=0.3, which="both")
    ax.legend(fontsize="small")
    return finish(figure, title, "Learning-rate finder", path, overwrite)


__all__ = ["histograms", "layer_statistics", "lr_finder"]
