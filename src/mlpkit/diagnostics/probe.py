r"""Activation statistics of each layer on a fixed probe batch: one inference pass, no training.

For top-level layer i with input x (n_rows, n_in) the pass records the pre-activation
z = x·W + b (a Dense layer's; the input of an activation layer) and the output a = f(z), both
(n_rows, n_units), and from them, per layer:

- ``activation_mean`` = mean(a), ``activation_std`` = std(a), ``z_std`` = std(z) (over every
  row and unit);
- ``dead_fraction`` (ReLU layers only): the fraction of units never active on the probe,
  #{j : aᵢⱼ ≤ 0 for every row i} / n_units — a dead unit passes no gradient (f'(z) = 0);
- ``saturated_fraction`` (sigmoid and tanh layers only): the fraction of units saturated on at
  least half the probe rows, a unit saturated on a row when f'(z) is below ``margin`` times its
  largest value — σ'(z) < margin·¼, i.e. σ(z) within ≈ margin of 0 or 1; tanh'(z) < margin.

Layers are read through their public interface only: ``forward(x, training=False,
logits=True)`` gives a Dense layer's z and ``layer.activation.forward(z)`` its a.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..layers.activations import Activation, activation_name

#: Activations whose units can die (output exactly 0 wherever z ≤ 0).
DYING = ("relu",)
#: Activations that saturate: name → f'(z) as a function of a, and its largest value.
SATURATING = {
    "sigmoid": (lambda a: a * (1 - a), 0.25),
    "tanh": (lambda a: 1 - a * a, 1.0),
}


@dataclass
class LayerPass:
    """One layer's part of the probe pass.

    Attributes:
        key: ``"<index>:<Layer>"``, as the per-layer keys of the History (``grad_norm/0:Dense``).
        activation: the activation's name ("relu", "sigmoid", …), or None for other layers.
        z: the pre-activation (n_rows, n_units), or None when the layer has none.
        a: the output (n_rows, n_units).
    """

    key: str
    activation: str | None
    z: np.ndarray | None
    a: np.ndarray


def layer_passes(net, X: np.ndarray) -> list[LayerPass]:
    """Run ``X`` (n_rows, n_features) through ``net`` in inference mode, layer by layer."""
    passes, x = [], X
    for index, layer in enumerate(net.layers):
        key = f"{index}:{layer.name}"
        inner = getattr(layer, "activation", None)
        if isinstance(inner, Activation):
            z = layer.forward(x, training=False, logits=True)
            x = inner.forward(z, training=False)
            passes.append(LayerPass(key, activation_name(inner), z, x))
        elif isinstance(layer, Activation):
            z, x = x, layer.forward(x, training=False)
            passes.append(LayerPass(key, activation_name(layer), z, x))
        else:
            x = layer.forward(x, training=False)
            passes.append(LayerPass(key, None, None, x))
    return passes


def dead_fraction(a: np.ndarray) -> float:
    """#{units j : aᵢⱼ ≤ 0 for every row i} / n_units, for a (n_rows, n_units)."""
    return float(np.mean(~(a > 0).any(axis=0)))


def saturated_fraction(a: np.ndarray, activation: str, margin: float) -> float:
    """The fraction of units with f'(z) < margin·max f' on at least half the rows."""
    derivative, largest = SATURATING[activation]
    flat = derivative(a.astype(np.float64)) < margin * largest
    return float(np.mean(flat.mean(axis=0) >= 0.5))


def layer_statistics(passes: list[LayerPass], margin: float) -> dict[str, float]:
    """``{"<statistic>/<key>": value}`` for every layer of a probe pass (see the module)."""
    found = {}
    for one in passes:
        a = one.a.astype(np.float64)
        found[f"activation_mean/{one.key}"] = float(a.mean())
        found[f"activation_std/{one.key}"] = float(a.std())
        if one.z is not None:
            found[f"z_std/{one.key}"] = float(np.std(one.z, dtype=np.float64))
        if one.activation in DYING:
            found[f"dead_fraction/{one.key}"] = dead_fraction(a)
        if one.activation in SATURATING:
            found[f"saturated_fraction/{one.key}"] = saturated_fraction(a, one.activation, margin)
    return found


def probe_statistics(net, X: np.ndarray, margin: float) -> dict[str, float]:
    """:func:`layer_statistics` of ``net`` on the probe rows ``X``."""
    return layer_statistics(layer_passes(net, X), margin)


__all__ = [
    "DYING",
    "SATURATING",
    "LayerPass",
    "dead_fraction",
    "layer_passes",
    "layer_statistics",
    "probe_statistics",
    "saturated_fraction",
]
