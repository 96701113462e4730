"""Pictures of what a network computes: activation functions and a 2-D decision boundary."""

from __future__ import annotations

import numpy as np
from matplotlib import colormaps
from matplotlib.colors import ListedColormap

from ..evaluation import names_of, unit_indices
from ..layers import activations
from ._figure import SIZE, finish, grid_shape, label_text, new_figure


def activation_functions(names=None, z=None, path=None, *, title=None, overwrite=False):
    """Draw each activation f (solid) and its derivative f' (dashed), one small panel each.

    Both come from the library's own layers (forward, then backward of ones), so the picture
    shows what training uses, kinks' conventions included (ReLU'(0) = 0). Softmax acts on a
    vector, so its panel shows the first component of softmax([z, 0]) and its partial derivative
    in z; PReLU uses slope 0.25.

    Args:
        names: activation names from ``mk.layers.ACTIVATIONS``. Defaults to all of them.
        z: the inputs, 1-D. Defaults to ``np.linspace(-4, 4, 401)``.
        path: save the picture here too (``.png`` or ``.svg``).
        title: the figure title. Defaults to "Activation functions and their derivatives".

    Returns:
        The figure: panels titled by activation name, legend "f(z)" / "f′(z)" on the first.
    """
    names = list(activations.ACTIVATIONS if names is None else names)
    z = np.linspace(-4, 4, 401) if z is None else np.asarray(z, dtype=float).ravel()
    n_rows, n_columns = grid_shape(len(names), 4)
    figure = new_figure((max(SIZE[0], 2.0 * n_columns), 0.5 + 1.9 * n_rows))
    axes = figure.subplots(n_rows, n_columns, squeeze=False, sharex=True).ravel()
    for ax, name in zip(axes, names):
        a, da = _function_and_derivative(name, z)
        ax.axhline(0, color="grey", linewidth=0.6)
        ax.axvline(0, color="grey", linewidth=0.6)
        ax.plot(z, a, color="#1f77b4", linewidth=2, label="f(z)")
        ax.plot(z, da, color="#d62728", linestyle="--", label="f′(z)")
        ax.set_title(_panel_title(name), fontsize="medium")
        ax.tick_params(labelsize="small")
        ax.grid(alpha=0.3)
    for ax in axes[len(names) :]:
        ax.set_visible(False)
    for ax in axes[(n_rows - 1) * n_columns :]:
        ax.set_xlabel("z")
    axes[0].legend(fontsize="small")
    return finish(figure, title, "Activation functions and their derivatives", path, overwrite)


def _panel_title(name: str) -> str:
    if activations.activation_name(activations.get(name)) == "softmax":
        return "softmax of (z, 0), first"
    return name.replace("_", " ")


def _function_and_derivative(name: str, z: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """f(z) and f'(z) through the layer's forward and backward passes."""
    layer = activations.get(name)
    if isinstance(layer, activations.Softmax):
        rows = np.stack([z, np.zeros_like(z)], axis=1)  # one sample per z: softmax([z, 0])
        a = layer.forward(rows, training=True).copy()
        seed = np.zeros_like(a)
        seed[:, 0] = 1  # ∂a₀/∂z₀ is the first column of the Jacobian-vector product
        return a[:, 0], layer.backward(seed)[:, 0].copy()
    n = z.size
    if isinstance(layer, activations.PReLU):
        layer.bind({"alpha": np.full(n, 0.25)}, {"alpha": np.zeros(n)})
    a = layer.forward(z[None, :], training=True).copy()
    return a[0], np.array(layer.backward(np.ones_like(a))[0])


def decision_boundary(net, X, y, resolution=200, path=None, *, title=None, overwrite=False):
    """Colour the plane by the network's prediction and draw the data on top (2-feature data).

    A network with one sigmoid output is drawn as the probability of ``classes_[1]`` with its 0.5
    contour; a softmax (or any multi-output) network as the predicted class; any other
    single-output network as its predicted value.

    Args:
        net: a trained ``mk.Sequential`` taking 2 features.
        X: the points, shape (n_samples, 2).
        y: their classes, shape (n_samples,), in the network's labels (``net.classes_``:
            strings, booleans, any integers), or one-hot (n_samples, k).
        resolution: grid points along each axis.
        path: save the picture here too (``.png`` or ``.svg``).
        title: the figure title. Defaults to "Decision boundary".

    Returns:
        The figure: axes "feature 1" / "feature 2" (or the DataFrame's column names), a colour
        bar, and a legend with one entry per class: "class 0" for numbers, the name itself
        (">50K") for text labels; the colour bar of one sigmoid output names ``classes_[1]``.
    """
    names = [str(c) for c in getattr(X, "columns", ["feature 1", "feature 2"])]
    X = np.asarray(X, dtype=float)
    if X.ndim != 2 or X.shape[1] != 2:
        raise ValueError(f"decision_boundary needs X with 2 columns; got shape {X.shape}.")
    classes, units = _classes_of(net, y)
    grid_x, grid_y = _grid(X, int(resolution))
    output = np.asarray(net.predict(np.column_stack([grid_x.ravel(), grid_y.ravel()])))
    figure = new_figure()
    ax = figure.subplots()
    positive = _legend_name(classes[1]) if len(classes) > 1 else "class 1"
    kind = _fill(figure, ax, net, output, grid_x, grid_y, positive)
    colours = _point_colours(kind, len(classes), output.shape[1])
    for index in np.unique(units):
        chosen = units == index
        ax.scatter(
            X[chosen, 0],
            X[chosen, 1],
            s=22,
            color=colours(index),
            edgecolor="black",
            linewidth=0.6,
            label=_legend_name(classes[index]),
        )
    ax.set(xlabel=names[0], ylabel=names[1])
    ax.legend(loc="best", fontsize="small", framealpha=0.8)
    return finish(figure, title, "Decision boundary", path, overwrite)


def _classes_of(net, y) -> tuple[list, np.ndarray]:
    """The class labels in output-unit order and each point's unit index: by ``net.classes_``
    when the network learned labels, else the sorted labels of y (one-hot rows: columns)."""
    y = np.asarray(y.to_numpy() if hasattr(y, "to_numpy") else y)
    if y.ndim == 2 and y.shape[1] > 1:
        return list(range(y.shape[1])), y.argmax(axis=1)
    if net.classes_ is not None:
        return names_of(net.classes_), unit_indices(net.target, y)
    labels, units = np.unique(y.ravel(), return_inverse=True)
    return names_of(labels), units


def _legend_name(label) -> str:
    """ "class 0" for a number, the label itself for a name (">50K")."""
    if isinstance(label, (bool, np.bool_, str)):
        return str(label)
    return f"class {label_text(label)}"


def _grid(X: np.ndarray, resolution: int) -> tuple[np.ndarray, np.ndarray]:
    """A resolution × resolution grid over the data's range, with a 10% margin."""
    low, high = X.min(axis=0), X.max(axis=0)
    margin = np.where(high > low, 0.1 * (high - low), 1.0)
    axes = [np.linspace(low[i] - margin[i], high[i] + margin[i], resolution) for i in range(2)]
    return np.meshgrid(*axes)


def _fill(figure, ax, net, output: np.ndarray, grid_x, grid_y, positive: str) -> str:
    """The filled contour of the prediction; returns "probability", "class" or "value"."""
    output = output.reshape(output.shape[0], -1)
    output_name = activations.activation_name(net.output_activation or activations.Linear())
    if output.shape[1] > 1:
        predicted = output.argmax(axis=1).reshape(grid_x.shape)
        levels = np.arange(output.shape[1] + 1) - 0.5
        cmap = _class_colours(output.shape[1])
        ax.contourf(grid_x, grid_y, predicted, levels=levels, cmap=cmap, alpha=0.35)
        return "class"
    surface = output[:, 0].reshape(grid_x.shape)
    if output_name == "sigmoid":
        filled = ax.contourf(
            grid_x, grid_y, surface, levels=np.linspace(0, 1, 11), cmap="coolwarm", alpha=0.55
        )
        ax.contour(grid_x, grid_y, surface, levels=[0.5], colors="black", linewidths=1.5)
        figure.colorbar(filled, ax=ax, label=f"predicted probability of {positive}")
        return "probability"
    filled = ax.contourf(grid_x, grid_y, surface, levels=15, cmap="viridis", alpha=0.6)
    figure.colorbar(filled, ax=ax, label="predicted value")
    return "value"


def _point_colours(kind: str, n_labels: int, n_outputs: int):
    """Point colours that match the background: the ends of coolwarm for two classes drawn
    over a probability, the class colours otherwise."""
    if kind == "probability" and n_labels <= 2:
        return ListedColormap([colormaps["coolwarm"](0.0), colormaps["coolwarm"](1.0)])
    return _class_colours(max(n_labels, n_outputs if kind == "class" else 0))


def _class_colours(n: int):
    """A qualitative colour map with n colours (tab10, or tab20 beyond ten classes)."""
    base = colormaps["tab10" if n <= 10 else "tab20"]
    return ListedColormap([base(i) for i in range(max(n, 1))])
