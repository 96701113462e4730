"""A fitted model's predictions in the one layout that a search stores out of fold and an
:class:`~mlpkit.ensemble.Ensemble` averages: class probabilities (n_rows, n_classes) in a given
class order, both columns of a binary task, or float values.

A model here is an estimator (``predict_proba`` and ``classes_``, or ``predict`` for values),
a Pipeline ending in one, or an ``mk.Sequential``, whose ``predict`` gives the probabilities of
its ``classes_`` (one sigmoid column: the probability of ``classes_[1]``).
"""

from __future__ import annotations

import numpy as np


def outputs_of(model, X, classes: np.ndarray | None) -> np.ndarray:
    """The model's predictions on X: class probabilities in ``classes`` order (both columns of
    a binary task), or float values when ``classes`` is None."""
    if classes is None:
        return np.asarray(model.predict(X), dtype=np.float64)
    if hasattr(model, "predict_proba"):
        proba = np.asarray(model.predict_proba(X), dtype=np.float64)
    else:  # a network: its outputs are the probabilities of its classes_
        proba = np.asarray(model.predict(X), dtype=np.float64)
        proba = proba.reshape(len(proba), -1)
        if proba.shape[1] == 1:
            proba = np.hstack([1.0 - proba, proba])
    return align(proba, np.asarray(model.classes_), classes)


def align(proba: np.ndarray, own: np.ndarray, classes: np.ndarray) -> np.ndarray:
    """Columns reordered to ``classes``; a class this fold never saw gets probability 0."""
    if len(own) == len(classes) and np.array_equal(own, classes):
        return proba
    aligned = np.zeros((len(proba), len(classes)))
    position = {label: i for i, label in enumerate(classes.tolist())}
    for j, label in enumerate(own.tolist()):
        aligned[:, position[label]] = proba[:, j]
    return aligned
