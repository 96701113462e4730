"""Checks of constructor and fit arguments, one wording everywhere.

They accept any real number (Python or NumPy scalars, so that values from ``np.logspace`` in a
grid search work) but not booleans, and raise :class:`~mlpkit.exceptions.ConfigError` naming the
argument, the allowed range and the value received.
"""

from __future__ import annotations

import math
from numbers import Integral, Real

from .exceptions import ConfigError


def is_real(value) -> bool:
    """A finite real number that is not a bool."""
    return isinstance(value, Real) and not isinstance(value, bool) and math.isfinite(value)


def _fail(owner: str, name: str, expected: str, value) -> ConfigError:
    prefix = f"{owner} " if owner else ""
    return ConfigError(f"{prefix}{name} must be {expected}; received {name}={value!r}.")


def check_positive(name: str, value, *, allow_zero: bool = False, owner: str = "") -> float:
    """A finite number > 0 (≥ 0 with ``allow_zero``)."""
    if not is_real(value) or value < 0 or (value == 0 and not allow_zero):
        raise _fail(owner, name, f"a {'non-negative' if allow_zero else 'positive'} number", value)
    return float(value)


def check_fraction(name: str, value, *, interval: str = "[0, 1)", owner: str = "") -> float:
    """A number in ``interval``: "[0, 1)", "[0, 1]", "(0, 1]" or "(0, 1)"."""
    low_open, high_open = interval[0] == "(", interval[-1] == ")"
    ok = is_real(value) and (0 < value if low_open else 0 <= value)
    ok = ok and (value < 1 if high_open else value <= 1)
    if not ok:
        raise _fail(owner, name, f"in {interval}", value)
    return float(value)


def check_integer(name: str, value, *, low: int = 0, owner: str = "") -> int:
    """An integer ≥ ``low`` (Python or NumPy)."""
    if isinstance(value, bool) or not isinstance(value, Integral) or value < low:
        expected = "a positive integer" if low == 1 else f"an integer >= {low}"
        raise _fail(owner, name, expected, value)
    return int(value)


def check_range(
    name: str, value, low: float, high: float, *, low_open: bool = False, owner: str = ""
) -> float:
    """A finite number in [low, high] ((low, high] with ``low_open``)."""
    ok = is_real(value) and (value > low if low_open else value >= low) and value <= high
    if not ok:
        raise _fail(owner, name, f"a number in {'(' if low_open else '['}{low:g}, {high:g}]", value)
    return float(value)
