"""The state contract of callbacks and stopping rules: ``get_state()`` returns plain values
(numbers, strings, lists, dicts, NumPy arrays; no pickle) and ``set_state(state)`` writes them
back, so a resumed fit carries on exactly where the interrupted one stopped.

An object lists the attributes that make up its state in ``state_attributes``; an attribute
that is itself stateful (a :class:`~mlpkit.training.callbacks.Monitor`, a list of rules) is
stored as its own state, nested.
"""

from __future__ import annotations

from collections import deque
from typing import Any


def export_state(owner: Any, names: tuple[str, ...]) -> dict:
    """``{name: plain value}`` for each attribute ``name`` of ``owner``."""
    return {name: _plain(getattr(owner, name)) for name in names}


def import_state(owner: Any, state: dict) -> None:
    """Write back a state made by :func:`export_state`, nested states in place."""
    for name, value in state.items():
        current = getattr(owner, name)
        if isinstance(value, dict) and "nested" in value and hasattr(current, "set_state"):
            current.set_state(value["nested"])
        elif isinstance(value, dict) and "nested_list" in value:
            for item, item_state in zip(current, value["nested_list"], strict=True):
                item.set_state(item_state)
        else:
            setattr(owner, name, value)


def _plain(value: Any) -> Any:
    if hasattr(value, "get_state") and hasattr(value, "set_state"):
        return {"nested": value.get_state()}
    if isinstance(value, list) and value and all(hasattr(v, "get_state") for v in value):
        return {"nested_list": [item.get_state() for item in value]}
    if isinstance(value, (tuple, deque)):
        return [_plain(item) for item in value]
    return value


class Stateful:
    """Mixin: ``get_state``/``set_state`` over the class's ``state_attributes``."""

    state_attributes: tuple[str, ...] = ()

    def get_state(self) -> dict:
        """The attributes in ``state_attributes`` as plain values (see module docstring)."""
        return export_state(self, self.state_attributes)

    def set_state(self, state: dict) -> None:
        """Write back a :meth:`get_state` result."""
        import_state(self, state)


__all__ = ["Stateful", "export_state", "import_state"]
