"""A picture of a network: columns of nodes, one per layer with parameters, each annotated."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from matplotlib.patches import FancyArrowPatch

from ..layers import Activation, BatchNorm, Conv1D, Conv2D, Dense, Dropout, Residual
from ..layers.activations import activation_name
from ..layers.base import shape_of
from ._figure import SIZE, finish, new_figure

#: The most nodes drawn in one column; wider layers show the first and last few around "⋮".
MAX_NODES = 12
_TOP = MAX_NODES / 2
_COLOURS = {"input": "#c7c7c7", "hidden": "#8fb8de", "output": "#f4a582"}


@dataclass
class _Column:
    """One drawn column: its width, how it connects to the previous one, its annotation."""

    width: int
    lines: list[str]
    full: bool = True  # every node to every node (Dense); else one to one (BatchNorm, PReLU)
    skip: bool = False  # a residual block: draw the skip arc
    notes: list[str] = field(default_factory=list)  # parameter-free layers that follow it


def architecture(net, path=None, *, title=None, overwrite=False):
    """Draw the network as columns of nodes with each layer's type, units, activation, params.

    The input and every layer with parameters (Dense, BatchNorm, Residual, PReLU) get a column;
    parameter-free layers (activations, Dropout) are written under the column they follow
    ("then relu", "then dropout 0.2", "then MaxPool2D → 8×3×3"). A residual block is one column
    reached by a "skip" arc. Columns wider than 12 nodes show the first and last few around "⋮"
    and their true count; a layer whose samples are shaped (a convolution's channels × height ×
    width, a recurrent layer's time × units) also gives its output shape.

    Args:
        net: a built ``mk.Sequential`` (after ``fit`` or ``build(n_features)``).
        path: save the picture here too (``.png`` or ``.svg``).
        title: the figure title. Defaults to "Network architecture: <n> parameters".

    Returns:
        The figure, with annotations such as "1: Dense", "4 units, relu", "12 parameters".
    """
    if not getattr(net, "built", False):
        raise ValueError(
            "architecture draws a built network; call net.fit(X, y) or net.build(n_features) first."
        )
    counts = net.parameter_counts()
    columns = _columns(net, counts)
    figure = new_figure((max(SIZE[0], 1.55 * len(columns)), SIZE[1] + 0.4))
    ax = figure.subplots()
    ax.axis("off")
    ys = [_node_ys(column.width) for column in columns]
    for x, column in enumerate(columns):
        if x:
            _draw_edges(ax, x, ys[x - 1], ys[x], column.full)
        kind = "input" if x == 0 else "output" if x == len(columns) - 1 else "hidden"
        _draw_column(ax, x, column, ys[x], _COLOURS[kind])
    n_lines = max(len(column.lines) + len(column.notes) for column in columns)
    ax.set(xlim=(-0.6, len(columns) - 0.4), ylim=(-_TOP - 1.0 - 0.9 * n_lines, _TOP + 2.2))
    return finish(
        figure, title, f"Network architecture: {sum(counts):,} parameters", path, overwrite
    )


def _columns(net, counts: list[int]) -> list[_Column]:
    columns = [_Column(net.n_features, ["input", _plural(net.n_features, "feature")])]
    for index, layer in enumerate(net.layers):
        width, shape = int(net.widths[index + 1]), shape_of(net.sizes[index + 1])
        if counts[index] == 0:
            shaped = len(shape) > 1 or len(shape_of(net.sizes[index])) > 1
            arrow = f" → {_shown(shape)}" if shaped and not isinstance(layer, Activation) else ""
            columns[-1].notes.append(f"then {_short_name(layer)}{arrow}")
            continue
        lines = [f"{index}: {layer.name}", *_describe(layer, width)]
        if len(shape) > 1:
            lines.append(f"output {_shown(shape)}")
        lines.append(_plural(counts[index], "parameter"))
        full = isinstance(layer, (Dense, Residual))
        columns.append(_Column(width, lines, full=full, skip=isinstance(layer, Residual)))
    return columns


def _describe(layer, width: int) -> list[str]:
    """The lines between a layer's type and its parameter count."""
    if isinstance(layer, Dense):
        return [f"{_plural(width, 'unit')}, {activation_name(layer.activation)}"]
    if isinstance(layer, (Conv1D, Conv2D)):
        kernel = "×".join(str(k) for k in layer.kernel_size)
        return [f"{_plural(layer.filters, 'filter')} {kernel}, {activation_name(layer.activation)}"]
    if hasattr(layer, "units"):  # a recurrent layer
        return [_plural(layer.units, "unit") + (", every step" if layer.return_sequences else "")]
    if isinstance(layer, Residual):
        inner = " → ".join(_short_name(sub) for sub in layer.layers)
        return ["residual block", inner, _plural(width, "unit")]
    if isinstance(layer, BatchNorm):
        return [_plural(width, "unit"), "γ, β per unit"]
    if isinstance(layer, Activation):
        return [_plural(width, "unit"), activation_name(layer)]
    return [_plural(width, "unit")]


def _short_name(layer) -> str:
    """A few words for a layer: "relu", "dropout 0.2", "Dense 8 tanh"."""
    if isinstance(layer, Activation):
        return activation_name(layer)
    if isinstance(layer, Dropout):
        return f"dropout {layer.rate:g}"
    if isinstance(layer, Dense):
        name = activation_name(layer.activation)
        return f"Dense {layer.units}" + ("" if name == "linear" else f" {name}")
    return layer.name


def _shown(shape: tuple[int, ...]) -> str:
    return "×".join(str(d) for d in shape)


def _plural(n: int, word: str) -> str:
    return f"{n:,} {word}" + ("" if n == 1 else "s")


def _node_ys(width: int) -> list[float | None]:
    """Heights of the drawn nodes, top down; None marks the "⋮" gap of a wide column."""
    slots: list[float | None] = list(
        np.arange(min(width, MAX_NODES))[::-1] - (min(width, MAX_NODES) - 1) / 2
    )
    if width > MAX_NODES:
        slots[MAX_NODES // 2] = None
    return slots


def _draw_edges(ax, x: int, left: list, right: list, full: bool) -> None:
    left = [y for y in left if y is not None]
    right = [y for y in right if y is not None]
    pairs = [(a, b) for a in left for b in right] if full else list(zip(left, right))
    for a, b in pairs:
        ax.plot([x - 1, x], [a, b], color="grey", alpha=0.35, linewidth=0.6, zorder=1)


def _draw_column(ax, x: int, column: _Column, ys: list, colour: str) -> None:
    nodes = [y for y in ys if y is not None]
    ax.scatter([x] * len(nodes), nodes, s=130, color=colour, edgecolor="black", zorder=3)
    if None in ys:
        gap = ys.index(None)
        ax.text(x, ys[gap - 1] - 1, "⋮", ha="center", va="center", fontsize="large", zorder=3)
    text = "\n".join(column.lines + column.notes)
    ax.text(x, -_TOP - 0.4, text, ha="center", va="top", fontsize="small", linespacing=1.3)
    if column.skip:
        arc = FancyArrowPatch(
            (x - 1, _TOP + 0.2),
            (x, _TOP + 0.2),
            connectionstyle="arc3,rad=-0.35",
            arrowstyle="-|>",
            mutation_scale=12,
            color="#7b3294",
            linewidth=1.5,
        )
        ax.add_patch(arc)
        ax.text(
            x - 0.5, _TOP + 1.3, "skip", ha="center", va="bottom", color="#7b3294", fontsize="small"
        )
