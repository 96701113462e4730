"""Outputs that overflow: what :meth:`Sequential.predict` and ``evaluate`` say instead of
returning ±∞ or NaN, or letting a metric blame the input.

The network's inputs are already checked finite, so a non-finite output was made inside it:
some layer's z = x·W + b left the floating-point range (|z| > 1.8e308 in float64, 3.4e38 in
float32), and ∞ − ∞ or 0·∞ further on turned it into NaN. The check is one reduction over the
output, s = Σᵢⱼ ŷᵢⱼ (finite whenever every entry is); only when s is not finite are the rows
looked at. The error then names how many rows overflowed, the first of them, and the first
layer whose output is not finite on that row, with the largest weight of that layer and the
largest input value of the row, which tell the two causes apart:

- huge weights (|W| ≥ :data:`HUGE_WEIGHT`): the training diverged; refit with a smaller learning
  rate or ``clip_norm``;
- ordinary weights: the row's values are far outside what the network was trained on; scale
  them as the training rows were.
"""

from __future__ import annotations

import numpy as np

from . import inference
from .exceptions import OutputOverflowError
from .layers.activations import activation_name

#: A weight at least this large (in absolute value) is the mark of a diverged training.
HUGE_WEIGHT = 1e6


def check_outputs(net, x: np.ndarray, output: np.ndarray, *, purpose: str) -> None:
    """Raise :class:`OutputOverflowError` when ``output`` (n_rows, n_outputs), computed by
    ``net`` from the checked inputs ``x`` (n_rows, n_features), is not all finite.

    Args:
        purpose: what the outputs were for, in the message ("predicting", "evaluating").
    """
    finite = np.isfinite(output)  # not a sum, which could overflow (and warn) on finite ones
    if finite.all():
        return
    bad = np.flatnonzero(~finite.all(axis=1))
    raise OutputOverflowError(_message(net, x, output, bad, purpose))


def _message(net, x, output, bad: np.ndarray, purpose: str) -> str:
    first = int(bad[0])
    row = np.array(x[first : first + 1])
    largest_input = float(np.abs(row).max())
    found = _first_overflowing_layer(net, row)
    if found is None:
        return (
            f"While {purpose}, the network's outputs are finite but bringing them back to the "
            f"target's units overflowed (±inf) on {bad.size} of {output.shape[0]} row(s), the "
            f"first at row {first}: the target scaler's scale is too large for "
            f"{output.dtype}. Fit with dtype='float64', or rescale the target before fitting."
        )
    index, layer = found
    largest_weight = _largest_weight(layer)
    head = (
        f"While {purpose}, the network's outputs overflowed (±inf or NaN) on {bad.size} of "
        f"{output.shape[0]} row(s), the first at row {first}, although the inputs are finite: "
        f"layer {index} ({_label(layer)}) is the first whose output leaves the {output.dtype} "
        f"range on that row (its largest |weight| {largest_weight:.3g}; the row's largest "
        f"|value| {largest_input:.3g})."
    )
    if largest_weight >= HUGE_WEIGHT:
        return (
            f"{head} Weights that large mean the training diverged: refit with a smaller "
            f"learning rate or with clip_norm, and check that the inputs were scaled."
        )
    return (
        f"{head} The weights are ordinary, so the row's values are far outside what the "
        f"network was trained on: scale them as the training rows were (or fit with a "
        f"preprocessor that does), and check the row for unit or entry errors."
    )


def _first_overflowing_layer(net, row: np.ndarray):
    """(position, layer) of the first layer whose inference output is not finite on ``row``
    (1, n_features), or None when none is (the overflow came in decoding the target)."""
    steps, space = inference.plan(net.layers), {}
    with np.errstate(all="ignore"):
        for index, (step, layer) in enumerate(zip(steps, net.layers)):
            row = step(row, space)
            if not np.isfinite(row).all():
                return index, layer
    return None


def _largest_weight(layer) -> float:
    """max |θ| over the layer's parameters (its inner layers' for a block), 0 if it has none."""
    arrays = [np.abs(array).max() for array in _parameters(layer) if array.size]
    return float(max(arrays, default=0.0))


def _parameters(layer) -> list[np.ndarray]:
    names = ("W", "b", "gamma", "beta")
    found = [getattr(layer, name, None) for name in names]
    for inner in [*getattr(layer, "layers", ()), getattr(layer, "projection", None)]:
        if inner is not None:
            found += _parameters(inner)
    return [np.asarray(array) for array in found if array is not None]


def _label(layer) -> str:
    """A layer's short name: "Dense(64, relu)", "BatchNorm"."""
    units = getattr(layer, "units", None)
    if units is None:
        return layer.name
    return f"{layer.name}({units}, {activation_name(layer.activation)})"
