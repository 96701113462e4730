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


def key_line(key: str, value, note: str = "", *, above: bool = False) -> str:
    """``key = value  # note``, or with ``above`` the note on the line before the key."""
    text = f"{format_key(key)} = {format_value(value, multiline=True)}"
    if not note:
        return text
    if above:
        return f"# {note}\n{text}"
    last = text.split("\n")[-1]
    padding = max(2, COMMENT_COLUMN - len(last))
    return f"{text}{' ' * padding}# {note}"


def write_toml(values: dict, note: Callable[[str], str] | None = None, *, above=False) -> str:
    """The sections of ``values`` as TOML; ``note("model.alpha")`` gives each key's comment,
    written after the value (or, with ``above``, on the line before the key)."""
    lines: list[str] = []
    comment = note or (lambda key: "")
    for section in SECTIONS:
        if section not in values:
            continue
        table = dict(values[section])
        space = table.pop("space", None) if section == "search" else None
        lines.append(f"[{section}]")
        for key, value in table.items():
            lines.append(key_line(key, value, comment(f"{section}.{key}"), above=above))
        lines.append("")
        if space:
            lines.append("[search.space]")
            for name, form in space.items():
                lines.append(key_line(name, form, comment(f"search.space.{name}"), above=above))
            lines.append("")
    return "\n".join(lines)
