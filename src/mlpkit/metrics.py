"""Scores of a trained network beyond its loss, usable by name in ``fit(metrics=[...])``.

(The full set — confusion matrices, ROC, lift, regression accuracy — arrives with the evaluation
work; scikit-learn's ``sklearn.metrics`` computes everything it already offers.)
"""

from __future__ import annotations

import numpy as np

from .exceptions import ConfigError


def accuracy(output: np.ndarray, targets: np.ndarray) -> float:
    """Share of rows classified right. ``output`` (n, k): probabilities; ``targets`` (n, k):
    one-hot rows or 0/1 columns. One column or independent sigmoid outputs: p > 0.5 per output;
    several softmax columns: the argmax."""
    if output.shape[1] == 1 or not np.allclose(targets.sum(axis=1), 1):
        return float(np.mean((output > 0.5) == (targets > 0.5)))
    return float(np.mean(output.argmax(axis=1) == targets.argmax(axis=1)))


METRICS = {"accuracy": accuracy}


def check(metrics) -> tuple[str, ...]:
    """Metric names as a tuple, each one known."""
    metrics = (metrics,) if isinstance(metrics, str) else tuple(metrics or ())
    unknown = [m for m in metrics if m not in METRICS]
    if unknown:
        raise ConfigError(f"Unknown metric(s) {unknown}. Available: {', '.join(METRICS)}.")
    return metrics
