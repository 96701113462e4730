"""Pictures of a classifier's scores: confusion matrix, ROC curve, cumulative gain and lift."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from ._figure import SIZE, finish, label_text, new_figure


def confusion_matrix(
    matrix, labels=None, normalize=False, path=None, *, title=None, overwrite=False
):
    """Draw a confusion matrix as a heatmap with the count (or share) written in each cell.

    Args:
        matrix: square array, ``matrix[i, j]`` = samples of true class i predicted as class j
            (scikit-learn's convention).
        labels: the class names, in the matrix's order. Defaults to 0, 1, 2, …
        normalize: write and colour each row's shares (the fraction of each true class)
            instead of counts.
        path: save the picture here too (``.png`` or ``.svg``).
        title: the figure title. Defaults to "Confusion matrix" (with "share of each true class"
            when normalised).

    Returns:
        The figure: x axis "predicted class", y axis "true class", a colour bar.
    """
    counts = np.asarray(matrix, dtype=float)
    if counts.ndim != 2 or counts.shape[0] != counts.shape[1]:
        raise ValueError(f"confusion_matrix needs a square matrix; got shape {counts.shape}.")
    n = counts.shape[0]
    labels = [label_text(label) for label in (range(n) if labels is None else labels)]
    if len(labels) != n:
        raise ValueError(f"confusion_matrix got {len(labels)} labels for {n} classes.")
    shown = counts
    if normalize:
        totals = counts.sum(axis=1, keepdims=True)
        shown = np.divide(counts, totals, out=np.zeros_like(counts), where=totals > 0)
    figure = new_figure(SIZE if n <= 8 else (8.0, 6.4))
    ax = figure.subplots()
    image = ax.imshow(shown, cmap="Blues", vmin=0, vmax=1 if normalize else None)
    figure.colorbar(image, ax=ax, label="share of the true class" if normalize else "samples")
    _write_cells(ax, shown, normalize)
    crowded = n * max(map(len, labels)) > 40
    ax.set_xticks(
        range(n),
        labels,
        rotation=30 if crowded else 0,
        ha="right" if crowded else "center",
        rotation_mode="anchor",
    )
    ax.set_yticks(range(n), labels)
    ax.set(xlabel="predicted class", ylabel="true class")
    default = "Confusion matrix" + (" (share of each true class)" if normalize else "")
    return finish(figure, title, default, path, overwrite)


def _write_cells(ax, shown: np.ndarray, normalize: bool) -> None:
    """Each cell's number, white on dark cells and black on light ones."""
    n = shown.shape[0]
    if n > 20:  # too small to read; the colours tell the story
        return
    threshold = (1.0 if normalize else shown.max()) / 2  # half the colour scale
    size = "medium" if n <= 6 else "small" if n <= 12 else "x-small"
    for i in range(n):
        for j in range(n):
            value = shown[i, j]
            text = f"{value:.2f}" if normalize else f"{value:.0f}"
            colour = "white" if value > threshold else "black"
            ax.text(j, i, text, ha="center", va="center", color=colour, fontsize=size)


def roc_curve(fpr, tpr, auc=None, path=None, *, title=None, overwrite=False, label="model"):
    """Draw the ROC curve(s) with the chance diagonal; the legend gives each AUC.

    Args:
        fpr: false positive rates (as ``sklearn.metrics.roc_curve`` returns them), or a dict
            ``{class name: fpr}`` for one curve per class (one-vs-rest).
        tpr: true positive rates, matching ``fpr`` (or a dict with the same keys).
        auc: the area under the curve (or a dict of them). Defaults to the trapezoidal area
            under the points given.
        path: save the picture here too (``.png`` or ``.svg``).
        title: the figure title. Defaults to "ROC curve".
        label: the legend name of a single curve, e.g. "model, positive class >50K".

    Returns:
        The figure: x axis "false positive rate", y axis "true positive rate", legend entries
        "model (AUC = 0.87)" (or "<class> (AUC = …)") and "chance (AUC = 0.5)".
    """
    curves = _curves(fpr, tpr, auc, str(label))
    figure = new_figure()
    ax = figure.subplots()
    for name, x, y, area in curves:
        ax.plot(x, y, linewidth=2, label=f"{name} (AUC = {area:.3f})")
    ax.plot([0, 1], [0, 1], color="grey", linestyle="--", label="chance (AUC = 0.5)")
    ax.set(xlim=(0, 1), ylim=(0, 1.02), xlabel="false positive rate", ylabel="true positive rate")
    ax.set_aspect("equal")
    ax.grid(alpha=0.3)
    ax.legend(loc="lower right")
    return finish(figure, title, "ROC curve", path, overwrite)


def _curves(fpr, tpr, auc, label) -> list[tuple[str, np.ndarray, np.ndarray, float]]:
    """``[(name, fpr, tpr, auc)]`` from one curve or dicts of curves."""
    if isinstance(fpr, Mapping):
        aucs = auc if isinstance(auc, Mapping) else {}
        return [_curve(str(name), fpr[name], tpr[name], aucs.get(name)) for name in fpr]
    return [_curve(label, fpr, tpr, auc)]


def _curve(name, fpr, tpr, auc):
    x, y = np.asarray(fpr, dtype=float), np.asarray(tpr, dtype=float)
    if x.shape != y.shape or x.ndim != 1:
        raise ValueError(
            f"roc_curve needs 1-D fpr and tpr of the same length; got {x.shape} and {y.shape}."
        )
    area = float(np.sum(np.diff(x) * (y[1:] + y[:-1]) / 2)) if auc is None else float(auc)
    return name, x, y, area


def lift_gain(fractions, gain, lift=None, path=None, *, title=None, overwrite=False, positive=None):
    """Draw cumulative gain against the random baseline, and lift on a second panel if given.

    Args:
        fractions: the fraction of the population targeted, best scores first (0 … 1).
        gain: the fraction of all positives found within each fraction (0 … 1).
        lift: gain / fraction at each fraction; drawn beside the gain when given.
        path: save the picture here too (``.png`` or ``.svg``).
        title: the figure title. Defaults to "Cumulative gain and lift" ("Cumulative gain").
        positive: the positive class's label, named on the gain axis ("share of >50K found").

    Returns:
        The figure: panel "cumulative gain" (model vs "random" diagonal) and panel "lift"
        (model vs "random" at 1); x axes "fraction targeted (best scores first)".
    """
    x, y = np.asarray(fractions, dtype=float), np.asarray(gain, dtype=float)
    if x.shape != y.shape:
        raise ValueError(f"lift_gain: fractions {x.shape} and gain {y.shape} must match.")
    figure = new_figure()
    axes = figure.subplots(1, 1 if lift is None else 2, squeeze=False).ravel()
    axes[0].plot(x, y, linewidth=2, label="model")
    axes[0].plot([0, 1], [0, 1], color="grey", linestyle="--", label="random")
    found = "positives" if positive is None else label_text(positive)
    axes[0].set(
        title="cumulative gain", ylabel=f"share of {found} found", xlim=(0, 1), ylim=(0, 1.02)
    )
    if lift is not None:
        axes[1].plot(x, np.asarray(lift, dtype=float), linewidth=2, label="model")
        axes[1].axhline(1, color="grey", linestyle="--", label="random")
        axes[1].set(title="lift", ylabel="lift (times better than random)", xlim=(0, 1))
    for ax in axes:
        ax.set_xlabel("fraction targeted (best scores first)")
        ax.grid(alpha=0.3)
        ax.legend()
    default = "Cumulative gain" + ("" if lift is None else " and lift")
    return finish(figure, title, default, path, overwrite)
