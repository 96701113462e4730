"""Name → class tables, so that configs, the CLI and users can name any component."""

from __future__ import annotations

from collections.abc import Mapping

from .exceptions import ConfigError


def resolve(kind: str, table: Mapping[str, type], identifier, base: type, hint: str = ""):
    """Turn ``"name"``, ``{"name": ..., **arguments}`` or an instance of ``base`` into an object.

    Args:
        kind: what is being resolved, for the error message ("loss", "optimizer", ...).
        table: the registered names and their classes.
        identifier: a name, a config dict or an object (returned as it is).
        base: the class every object of this kind derives from.
        hint: appended to the error, e.g. how to pass an object instead.
    """
    if isinstance(identifier, base):
        return identifier
    if isinstance(identifier, Mapping) and identifier.get("name") in table:
        arguments = {k: v for k, v in identifier.items() if k != "name"}
        return table[identifier["name"]](**arguments)
    if isinstance(identifier, str) and identifier in table:
        return table[identifier]()
    raise ConfigError(f"Unknown {kind} {identifier!r}. Choose one of: {', '.join(table)}{hint}.")
