"""The text side of TOML: where each key is written, how a syntax error is located, how a
value is written back, and how a ``--set a.b=value`` override is read.

``tomllib`` parses values but keeps no line numbers, so :func:`locate` scans the (already
valid) text once more for the table headers, keys and array elements and records the line of
each, as a key path: ``("model", "alpha")``, ``("model", "layers", 1)``,
``("model", "layers", 1, "units")``.
"""

from __future__ import annotations

import bisect
import json
import math
import re
import tomllib

_BARE = re.compile(r"[A-Za-z0-9_-]+")
_SYNTAX_AT = re.compile(r"\s*\(at line (\d+), column (\d+)\)|\s*\(at end of document\)")


def locate(text: str) -> dict[tuple, int]:
    """The line (1-based) of every table header, key and array element of a valid TOML text."""
    return _Locator(text).run()


def syntax_error(error: tomllib.TOMLDecodeError, text: str) -> tuple[int, str]:
    """The line of a ``tomllib`` error and its message without the position suffix."""
    message = str(error)
    found = _SYNTAX_AT.search(message)
    line = int(found.group(1)) if found and found.group(1) else max(1, text.count("\n") + 1)
    return line, _SYNTAX_AT.sub("", message)


class _Locator:
    """A lenient scanner of valid TOML that records positions only (tomllib checked it)."""

    def __init__(self, text: str) -> None:
        self.text, self.pos = text, 0
        self.starts = [0] + [m.end() for m in re.finditer("\n", text)]
        self.lines: dict[tuple, int] = {}

    def line(self) -> int:
        return bisect.bisect_right(self.starts, self.pos)

    def peek(self, n: int = 1) -> str:
        return self.text[self.pos : self.pos + n]

    def run(self) -> dict[tuple, int]:
        table: tuple = ()
        counts: dict[tuple, int] = {}
        while True:
            self.skip(newlines=True)
            if self.pos >= len(self.text):
                return self.lines
            if self.peek(2) == "[[":
                self.pos += 2
                path = tuple(self.key())
                counts[path] = counts.get(path, -1) + 1
                self.lines.setdefault(path, self.line())
                table = (*path, counts[path])
                self.lines[table] = self.line()
                self.pos = self.text.index("]]", self.pos) + 2
            elif self.peek() == "[":
                self.pos += 1
                table = tuple(self.key())
                self.lines.setdefault(table, self.line())
                self.pos = self.text.index("]", self.pos) + 1
            else:
                self.pair(table)

    def pair(self, prefix: tuple) -> None:
        line, key = self.line(), self.key()
        for depth in range(1, len(key) + 1):
            self.lines.setdefault((*prefix, *key[:depth]), line)
        self.skip()
        self.pos += 1  # "="
        self.value((*prefix, *key))

    def skip(self, newlines: bool = False) -> None:
        """Skip blanks and comments (and newlines when asked)."""
        while self.pos < len(self.text):
            char = self.text[self.pos]
            if char == "#":
                end = self.text.find("\n", self.pos)
                self.pos = len(self.text) if end < 0 else end
            elif char in " \t\r" or (newlines and char == "\n"):
                self.pos += 1
            else:
                return

    def key(self) -> list[str]:
        parts = []
        while True:
            self.skip()
            if self.peek() in ('"', "'"):
                start = self.pos
                self.string()
                parts.append(tomllib.loads(f"k = {self.text[start : self.pos]}")["k"])
            else:
                match = _BARE.match(self.text, self.pos)
                parts.append(match.group())
                self.pos = match.end()
            self.skip()
            if self.peek() != ".":
                return parts
            self.pos += 1

    def string(self) -> None:
        quote = self.peek(3) if self.peek(3) in ('"""', "'''") else self.peek()
        self.pos += len(quote)
        while True:
            end = self.text.index(quote, self.pos)
            escaped = quote[0] == '"' and (end - len(self.text[:end].rstrip("\\"))) % 2 == 1
            self.pos = end + len(quote)
            if not escaped:
                while len(quote) == 3 and self.peek() == quote[0]:  # """a"""" ends in a quote
                    self.pos += 1
                return

    def value(self, path: tuple) -> None:
        self.skip()
        char = self.peek()
        if char in ('"', "'"):
            self.string()
        elif char == "[":
            self.pos += 1
            index = 0
            while True:
                self.skip(newlines=True)
                if self.peek() == "]":
                    self.pos += 1
                    return
                self.lines[(*path, index)] = self.line()
                self.value((*path, index))
                self.skip(newlines=True)
                if self.peek() == ",":
                    self.pos += 1
                index += 1
        elif char == "{":
            self.pos += 1
            while True:
                self.skip()
                if self.peek() == "}":
                    self.pos += 1
                    return
                self.pair(path)
                self.skip()
                if self.peek() == ",":
                    self.pos += 1
        else:
            match = re.compile(r"[^,\]}\n#]*").match(self.text, self.pos)
            self.pos = match.end()


def format_value(value, *, multiline: bool = False) -> str:
    """A Python value written as TOML: ``None`` as ``"none"`` (TOML has no null), tuples as
    arrays; inside tables, keys whose value is None are left out (their default).

    Args:
        value: a bool, number, string, list, tuple, dict or None.
        multiline: write an array of tables one element per line.
    """
    if value is None:
        return '"none"'
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        return ("inf" if value > 0 else "-inf") if math.isinf(value) else repr(value)
    if isinstance(value, str):
        return _quoted(value)
    if isinstance(value, dict):
        items = [f"{format_key(k)} = {format_value(v)}" for k, v in value.items() if v is not None]
        return "{" + ", ".join(items) + "}"
    if isinstance(value, (list, tuple)):
        items = [format_value(v) for v in value]
        if multiline and any(isinstance(v, dict) for v in value):
            return "[\n" + "".join(f"    {item},\n" for item in items) + "]"
        return "[" + ", ".join(items) + "]"
    if hasattr(value, "item"):  # a NumPy scalar
        return format_value(value.item(), multiline=multiline)
    raise TypeError(f"TOML cannot hold {type(value).__name__} {value!r}.")


def format_key(key) -> str:
    """A bare key when it can be one, else a quoted key."""
    key = str(key)
    return key if _BARE.fullmatch(key) else _quoted(key)


def _quoted(text: str) -> str:
    """A TOML basic string: JSON's escapes, plus DEL, which TOML also refuses raw."""
    return json.dumps(text, ensure_ascii=False).replace("\x7f", "\\u007f")


def parse_override(text: str) -> tuple[list[str], object]:
    """Read ``a.b=value``: the key path and the value, parsed as a TOML value (``0.01``,
    ``[64, 32]``, ``true``, ``{name = "adam"}``) or, when it is not one, taken as a string.

    Raises:
        ValueError: no ``=``, or a key that is not a dotted path of bare keys.
    """
    key, separator, raw = text.partition("=")
    key = key.strip()
    parts = key.split(".")
    if not separator or not all(_BARE.fullmatch(part) for part in parts):
        raise ValueError(
            f"--set takes section.key=value, e.g. --set model.alpha=0.001 or "
            f"--set training.epochs=50; received {text!r}."
        )
    try:
        value = tomllib.loads(f"v = {raw.strip()}")["v"]
    except tomllib.TOMLDecodeError:
        value = raw.strip()
    return parts, value
