"""What goes wrong with a run configuration, said so that a person can fix it.

A :class:`Problem` is one root cause, located at the line of the file (or the ``--set``
override) that caused it; :class:`ConfigFileError` carries every problem of a file, one line
each. :class:`DataFileError` is a problem of the data a configuration names (the command line
exits with 65 for it, 2 for a configuration error).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, NamedTuple

from ..exceptions import ConfigError
from .toml_text import format_value

#: ``Problem.value`` when the key has no value (it is missing, or the problem is the key's).
NO_VALUE = object()


class Issue(NamedTuple):
    """A problem inside one section, before it is located in the file.

    Attributes:
        path: the key path inside the section, e.g. ``("alpha",)``, ``("layers", 1, "units")``.
        message: what was expected.
        value: the value at fault (``NO_VALUE``: none to show).
    """

    path: tuple
    message: str
    value: Any = NO_VALUE


def dotted(section: str, path: tuple) -> str:
    """``model.layers[1].units`` for ``("model", ("layers", 1, "units"))``."""
    text = section
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else f".{part}"
    return text


@dataclass(frozen=True)
class Problem:
    """One root cause: where it is, which key, its value, and what was expected.

    Attributes:
        file: the configuration file, as the user named it.
        line: the line of the key (1-based), or None when the key is absent from the file.
        key: the key path, e.g. ``"model.alpha"`` (``""`` for the file as a whole).
        message: what was expected, with the allowed values and the likely fix.
        value: the value found (``NO_VALUE`` when there is none to show).
        override: the ``--set`` text that gave the value, when one did.
    """

    file: str
    line: int | None
    key: str
    message: str
    value: object = NO_VALUE
    override: str | None = None

    @property
    def location(self) -> str:
        """``run.toml:12``, ``run.toml`` (no line) or ``--set model.alpha=-1``."""
        if self.override is not None:
            return f"--set {self.override}"
        return self.file if self.line is None else f"{self.file}:{self.line}"

    def __str__(self) -> str:
        what = self.key
        if self.value is not NO_VALUE:
            what = f"{self.key} = {format_value(self.value)}"
        return (
            f"{self.location}: {what}: {self.message}"
            if what
            else f"{self.location}: {self.message}"
        )

    def to_dict(self) -> dict:
        """The problem as plain JSON values (for ``mlpkit check --json``)."""
        value = None if self.value is NO_VALUE else self.value
        return {
            "file": self.file,
            "line": self.line,
            "key": self.key,
            "value": value,
            "message": self.message,
            "override": self.override,
            "text": str(self),
        }


class ConfigFileError(ConfigError):
    """A configuration file (with its overrides) that cannot be run: one line per problem.

    Attributes:
        problems: the :class:`Problem` list, in file order.
    """

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(str(problem) for problem in self.problems))


class DataFileError(ValueError):
    """The data a configuration names cannot be used: the file, row and column, and why.

    Attributes:
        path: the data file.
        message: what is wrong and what to do.
        line: the file's line (CSV), when known.
        row: the data row (0-based, as pandas counts; Parquet files), when known.
        column: the column, when one is at fault.
    """

    def __init__(
        self,
        path,
        message: str,
        *,
        line: int | None = None,
        row: int | None = None,
        column: str | None = None,
    ) -> None:
        self.path, self.message = str(path), message
        self.line, self.row, self.column = line, row, column
        where = self.path if line is None else f"{self.path}:{line}"
        parts = [f"row {row}" if row is not None and line is None else "", ""]
        parts[1] = f"column {column!r}" if column is not None else ""
        detail = ", ".join(part for part in parts if part)
        super().__init__(f"{where}: {detail}: {message}" if detail else f"{where}: {message}")
