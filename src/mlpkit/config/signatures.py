"""Defaults and argument types read from signatures, so that no default is written twice."""

from __future__ import annotations

import inspect


def defaults(function) -> dict:
    """The parameters of ``function`` (a class: its constructor) that have defaults."""
    parameters = inspect.signature(function).parameters.values()
    return {p.name: p.default for p in parameters if p.default is not inspect.Parameter.empty}


def with_tuples(function, arguments: dict) -> dict:
    """``arguments`` with arrays as tuples where ``function``'s default is a tuple (TOML has
    arrays only; ``hidden_layer_sizes``, ``feature_range`` ... are tuples)."""
    default = defaults(function)
    return {
        name: tuple(value)
        if isinstance(default.get(name), tuple) and isinstance(value, list)
        else value
        for name, value in arguments.items()
    }
