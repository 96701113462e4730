"""Write a resolved configuration back as TOML, optionally with a comment on every key.

The text loads back to the same values: None is written ``"none"`` (TOML has no null), a
network's layers one table per line, ``[search.space]`` as its own table after ``[search]``.
"""

from __future__ import annotations

from collections.abc import Callable

from .sections import SECTIONS
from .toml_text import format_key, format_value

#: Comments start in this column when the key and value leave room.
COMMENT_COLUMN = 40


def key_line(key: str, value, note: str = "", *, commented: bool = False) -> str:
    """``key = value  # note``; ``commented`` writes it as a comment (a key left at its
    default that a reader may want to set)."""
    text = f"{format_key(key)} = {format_value(value, multiline=True)}"
    if commented:
        text = "\n".join(f"# {line}" for line in text.split("\n"))
    if not note:
        return text
    last = text.split("\n")[-1]
    padding = max(2, COMMENT_COLUMN - len(last)) if len(last) < COMMENT_COLUMN else 2
    return f"{text}{' ' * padding}# {note}"


def write_toml(values: dict, note: Callable[[str], str] | None = None) -> str:
    """The sections of ``values`` as TOML; ``note("model.alpha")`` gives each key's comment."""
    lines: list[str] = []
    for section in SECTIONS:
        if section not in values:
            continue
        table = dict(values[section])
        space = table.pop("space", None) if section == "search" else None
        lines.append(f"[{section}]")
        for key, value in table.items():
            lines.append(key_line(key, value, note(f"{section}.{key}") if note else ""))
        lines.append("")
        if space:
            lines.append("[search.space]")
            for name, form in space.items():
                lines.append(key_line(name, form, note(f"search.space.{name}") if note else ""))
            lines.append("")
    return "\n".join(lines)
