"""Estimator parameters in a model file: JSON that decodes to equal values (tuples, dicts keyed
by any label such as class weights, preprocessor settings, components by their config)."""

from __future__ import annotations

import warnings

import numpy as np

from ..data.preprocessor import Preprocessor
from ..data.state import plain


def encode(value, name: str):
    """A parameter as JSON that :func:`_decode` turns back into an equal value: tuples, dicts
    keyed by any label (class weights), preprocessors and components by their config."""
    if isinstance(value, Preprocessor):
        params = value.get_params(deep=False)
        return {"__preprocessor__": {k: encode(v, k) for k, v in params.items()}}
    if hasattr(value, "get_config"):
        return value.get_config()
    if isinstance(value, (np.random.RandomState, np.random.Generator)) or (
        name == "callbacks" and value
    ):
        warnings.warn(
            f"The estimator's {name} is not saved (it holds code or state); "
            f"set it again after loading.",
            UserWarning,
            stacklevel=5,
        )
        return None
    if isinstance(value, dict):
        return {"__pairs__": [[encode(k, name), encode(v, name)] for k, v in value.items()]}
    if isinstance(value, tuple):
        return {"__tuple__": [encode(v, name) for v in value]}
    if isinstance(value, list):
        return [encode(v, name) for v in value]
    return plain(value)


def decode(value):
    """The parameter :func:`_encode` wrote."""
    if isinstance(value, list):
        return [decode(v) for v in value]
    if not isinstance(value, dict):
        return value
    if "__pairs__" in value:
        return {_hashable(decode(k)): decode(v) for k, v in value["__pairs__"]}
    if "__tuple__" in value:
        return tuple(decode(v) for v in value["__tuple__"])
    if "__preprocessor__" in value:
        return Preprocessor(**{k: decode(v) for k, v in value["__preprocessor__"].items()})
    return value


def _hashable(value):
    return tuple(value) if isinstance(value, list) else value
