"""Learned state as plain JSON: the helpers the data steps share for ``get_state``/``from_state``.

A step's document holds lists, numbers, strings, booleans and None only, so a model file that
carries it never needs pickle. Column labels may be integers (a step fitted on an array), and a
JSON object would turn integer keys into text, so mappings keyed by column travel as lists of
``[label, value]`` pairs.
"""

from __future__ import annotations

import numpy as np


def plain(value):
    """NumPy arrays and scalars (also inside dicts, lists and tuples) as lists and numbers."""
    if isinstance(value, dict):
        return {key: plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple, np.ndarray)):
        return [plain(item) for item in value]
    return value.item() if isinstance(value, np.generic) else value


def pairs(mapping):
    """A dict as ``[[key, value], ...]`` (keys keep their type); anything else as it is."""
    if isinstance(mapping, dict):
        return [[plain(key), plain(value)] for key, value in mapping.items()]
    return plain(mapping)


def unpairs(items) -> dict:
    """The dict written by :func:`pairs`."""
    return {key: value for key, value in items}


def input_state(estimator) -> dict:
    """``n_features_in_`` and ``feature_names_in_`` (None when fitted without names)."""
    names = getattr(estimator, "feature_names_in_", None)
    return {
        "n_features_in": int(estimator.n_features_in_),
        "feature_names_in": None if names is None else [str(name) for name in names],
    }


def set_input_state(estimator, state: dict) -> None:
    """Set what :func:`input_state` wrote on a new estimator."""
    estimator.n_features_in_ = int(state["n_features_in"])
    if state["feature_names_in"] is not None:
        estimator.feature_names_in_ = np.asarray(state["feature_names_in"], dtype=object)
