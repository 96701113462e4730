"""What the doctor's rules read: the numbers of a probe run (or of a finished fit) and of the
data, gathered once into an :class:`Evidence`."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass
class Evidence:
    """The facts a rule judges.

    Attributes:
        history: per-epoch logs (``loss``, ``val_loss``, ``grad_norm``, ``grad_norm_max``,
            ``grad_norm/<i>:<Layer>``, …), as ``History.history``.
        diverged: ``History.diverged`` (where a fit stopped on a non-finite or exploding
            value) or None.
        initial, final: probe statistics (:mod:`.probe`) at the starting and the final
            weights: ``{"dead_fraction/0:Dense": 0.1, ...}``.
        hidden: the keys ``"<i>:<Layer>"`` of the layers before the output layer.
        inputs: the training rows as the network takes them, (n, n_features).
        targets: the training targets in the network's units, (n, n_outputs).
        task: ``net.task``: "binary", "multiclass", "multilabel" or "regression".
        baseline_loss: the loss of the best constant prediction on ``targets``.
        scores: accuracy, majority share, the accuracy-paradox findings and which rows were
            scored, for a binary or multi-class network; else None.
    """

    history: dict
    diverged: dict | None
    initial: dict
    final: dict
    hidden: list[str]
    inputs: np.ndarray
    targets: np.ndarray
    task: str
    baseline_loss: float | None
    scores: dict | None


def hidden_keys(net) -> list[str]:
    """``"<i>:<Layer>"`` of every top-level layer but the last."""
    return [f"{i}:{layer.name}" for i, layer in enumerate(net.layers[:-1])]


def baseline_loss(loss, y: np.ndarray) -> float:
    """L(c, y) for the best constant c: the mean (mse, huber), the median (mae), or the
    logits of the class shares p̄ (cross-entropies: z = log p̄ − log(1 − p̄) for a sigmoid,
    z = log p̄ for a softmax)."""
    from ..layers.activations import Sigmoid

    if loss.logits_activation is None:
        centre = np.median(y, axis=0) if loss.name == "mae" else y.mean(axis=0)
        constant = centre
    else:
        share = np.clip(y.mean(axis=0), 1e-7, 1 - 1e-7)
        sigmoid = loss.logits_activation is Sigmoid
        constant = np.log(share) - (np.log1p(-share) if sigmoid else 0.0)
    out = np.ascontiguousarray(np.broadcast_to(constant, y.shape), dtype=y.dtype)
    return float(loss.value(out, y))


def class_scores(net, X, y, rows: str) -> dict | None:
    """What the evaluation found on rows (X, y) of a binary or multi-class network: its
    accuracy, class balance and accuracy-paradox findings
    (:func:`mlpkit.evaluation.paradox_warnings`); None for other tasks."""
    from ..evaluation import paradox_warnings, report_of

    if net.task not in ("binary", "multiclass"):
        return None
    found = report_of(net, X, y)
    return {
        "accuracy": float(found.metrics["accuracy"]),
        "majority_share": float(max(found.class_balance.values())),
        "paradox": paradox_warnings(found),
        "rows": rows,
    }


__all__ = ["Evidence", "baseline_loss", "class_scores", "hidden_keys"]
