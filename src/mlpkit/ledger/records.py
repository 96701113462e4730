"""Values in and out of the ledger's columns: JSON text, ``np.save`` bytes, numbers.

Arrays are written by ``np.save(..., allow_pickle=False)`` and read by ``np.load(...,
allow_pickle=False)``: an object array is refused both ways, so reading a ledger never runs code
that a file carries. JSON is Python's (NaN and infinities allowed); tuples come back as lists.
A NaN score is stored as missing (SQLite has no NaN), so it reads back as None.
"""

from __future__ import annotations

import hashlib
import io
import json
import math
from numbers import Integral, Real

import numpy as np

from ..data.state import plain
from ..exceptions import ConfigError

INT64 = (-(2**63), 2**63 - 1)


def to_json(value, field: str) -> str | None:
    """``value`` (dicts, lists, tuples, numbers, strings, NumPy scalars and arrays) as JSON."""
    if value is None:
        return None
    try:
        return json.dumps(plain(value))
    except (TypeError, ValueError) as error:
        raise ConfigError(
            f"The ledger stores {field} as JSON, but it holds a value JSON cannot write "
            f"({error}). Pass plain numbers, strings, lists and dicts."
        ) from None


def jsonable(value):
    """A JSON-able copy of ``value``: anything JSON cannot write becomes its ``repr`` (for
    records of what a fit used, where a stray object must not lose the whole record)."""
    value = plain(value)
    if isinstance(value, dict):
        return {str(key): jsonable(item) for key, item in value.items()}
    if isinstance(value, list):
        return [jsonable(item) for item in value]
    if value is None or isinstance(value, (str, bool, int, float)):
        return value
    return repr(value)


def canonical(config) -> str:
    """The configuration as JSON with sorted keys and no spaces (what :func:`config_hash`
    hashes)."""
    return json.dumps(plain(config), sort_keys=True, separators=(",", ":"))


def config_hash(config) -> str:
    """The first 16 hex digits of the sha256 of :func:`canonical` (as the search's space)."""
    return hashlib.sha256(canonical(config).encode()).hexdigest()[:16]


def flat_params(config, prefix: str = "") -> dict:
    """A configuration with nested dicts flattened to dotted names (a flat one unchanged)."""
    flat = {}
    for name, value in (config or {}).items():
        if isinstance(value, dict) and value:
            flat.update(flat_params(value, f"{prefix}{name}."))
        else:
            flat[f"{prefix}{name}"] = value
    return flat


def from_json(text):
    return None if text is None else json.loads(text)


def encode_array(array, field: str) -> bytes | None:
    """``np.save`` bytes of ``array`` (numbers, booleans or fixed-width strings only)."""
    if array is None:
        return None
    buffer = io.BytesIO()
    try:
        np.save(buffer, np.asarray(array), allow_pickle=False)
    except ValueError as error:
        raise ConfigError(
            f"The ledger stores {field} as a NumPy array without pickle, and this one cannot "
            f"be ({error}). Pass an array of numbers (e.g. np.asarray(x, dtype=float))."
        ) from None
    return buffer.getvalue()


def decode_array(blob, field: str) -> np.ndarray | None:
    """The array :func:`encode_array` wrote; an object array (which needs pickle) is refused."""
    if blob is None:
        return None
    try:
        return np.load(io.BytesIO(bytes(blob)), allow_pickle=False)
    except ValueError as error:
        raise ConfigError(
            f"The ledger's {field} is not an array mlpkit wrote ({error}); it is refused "
            f"because reading it would need pickle. Remove or rewrite that entry."
        ) from None


def encode(kind: str, value, field: str):
    """A Python value as the database value of a column of ``kind`` (see ledger.schema)."""
    if kind == "json":
        return to_json(value, field)
    if kind == "array":
        return encode_array(value, field)
    if value is None:
        return None
    if kind == "int":
        return check_int64(value, field)
    if kind == "float":
        if not isinstance(value, Real) or isinstance(value, bool):
            raise ConfigError(f"{field} must be a number; received {field}={value!r}.")
        return None if math.isnan(value) else float(value)
    if not isinstance(value, str):
        raise ConfigError(f"{field} must be a string; received {field}={value!r}.")
    return value


def decode(kind: str, value, field: str):
    """The Python value of a database value of a column of ``kind``."""
    if kind == "json":
        return from_json(value)
    if kind == "array":
        return decode_array(value, field)
    if value is None:
        return None
    if kind == "int":
        return int(value)
    if kind == "float":
        return float(value)
    return value


def check_int64(value, field: str) -> int:
    """An integer that fits the 64-bit integer columns of both backends."""
    if isinstance(value, bool) or not isinstance(value, Integral):
        raise ConfigError(f"{field} must be an integer; received {field}={value!r}.")
    if not INT64[0] <= int(value) <= INT64[1]:
        raise ConfigError(
            f"{field} must fit in 64 bits (between -2**63 and 2**63 - 1); received "
            f"{field}={value!r}."
        )
    return int(value)
