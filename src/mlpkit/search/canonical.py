"""Plain values and their canonical JSON, the form a configuration is compared and hashed in.

A *plain* value is None, a bool, an int, a finite float, a str, or lists and str-keyed dicts of
them. ``freeze`` reads one (NumPy scalars become Python scalars, lists become tuples);
``canonical_json`` writes it with sorted keys, no spaces, tuples as lists and floats by their
``repr`` (an exact round trip), so that equal configurations give equal text in every process.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from numbers import Integral

import numpy as np

from .._checks import is_real
from ..exceptions import ConfigError


def freeze(value, where: str):
    """A JSON-like value with tuples for lists and Python scalars for NumPy ones."""
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, Integral):
        return int(value)
    if is_real(value):
        return float(value)
    if isinstance(value, (list, tuple)):
        return tuple(freeze(v, where) for v in value)
    if isinstance(value, Mapping) and all(isinstance(k, str) for k in value):
        return {k: freeze(v, where) for k, v in value.items()}
    raise ConfigError(
        f"{where} must be a plain value (None, bool, int, finite float, str, or lists and "
        f"str-keyed dicts of them); received {value!r}. Set other objects on the estimator."
    )


def plain(value):
    """JSON types: tuples as lists, -0.0 as 0.0."""
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    return value + 0.0 if isinstance(value, float) else value


def canonical_json(value) -> str:
    """Write a plain value as canonical JSON: sorted keys, no spaces, tuples as lists.

    Types are kept (``1`` -> ``"1"``, ``1.0`` -> ``"1.0"``); floats use ``repr``, which reads
    back to the same float.
    """
    frozen = plain(freeze(value, "a configuration value"))
    return json.dumps(frozen, sort_keys=True, separators=(",", ":"), allow_nan=False)
