"""What a configuration key's value may be, and the one wording of "expected ...".

A :class:`Kind` checks a TOML value's type and converts it to the Python value the code takes
(an array of integers to a tuple, ``"none"`` to None). Ranges and names are checked by their
owners (the estimator, the registry, ``mlpkit._checks``); a kind only says which TOML types fit.
A :class:`Field` is one key: its kind, default, one-line meaning, and an optional check.
"""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from numbers import Integral, Real
from typing import Any

from ..exceptions import ConfigError

#: TOML has no null: this string stands for None where a key allows it.
NONE = "none"


class Mismatch(Exception):
    """A value of the wrong kind: ``str(error)`` says what was expected."""


class NestedProblem(ConfigError):
    """A problem inside a key's table or array: ``path`` leads from the key to the culprit
    (``("missng",)`` in ``model.preprocessor``, ``(1,)`` for a key's second element)."""

    def __init__(self, path: tuple, message: str, value=None) -> None:
        super().__init__(message)
        self.path, self.value = tuple(path), value


#: "alpha must be a non-negative number; received alpha=-1." (mlpkit._checks), and
#: "The 'tanh_k' parameter of Preprocessor must be ... Got -1 instead." (scikit-learn)
_OURS = re.compile(
    r"^(?P<subject>.*?) must be (?P<expected>.+?); received [^=]+=.+?\.(?P<rest>\s.*)?$", re.S
)
_SKLEARN = re.compile(r"^The '\w+' parameter of \w+ must be (?P<expected>.+?)\. Got .+ instead\.$")


#: "Unknown optimizer 'adamm'. Choose one of: sgd, adam, ..., or pass an object ..." (registry)
_UNKNOWN = re.compile(
    r"^Unknown (?P<what>\w+) (?P<value>.+?)\. Choose one of: (?P<options>.+?)(,? or pass .*)?\.$"
)


def rephrase(message: str) -> str:
    """An owner's error as "expected ...": the key and the value are already on the line."""
    unknown = _UNKNOWN.match(message)
    if unknown:
        options = [option.strip() for option in unknown.group("options").split(",")]
        value = unknown.group("value")
        named = re.search(r"'name': '([^']*)'", value)  # a table: suggest for its name
        value = named.group(1) if named else value.strip("'\"")
        hint = suggestion(value, options)
        return f"unknown {unknown.group('what')}; expected one of {', '.join(options)}{hint}"
    found = _OURS.match(message) or _SKLEARN.match(message)
    if not found:
        return message
    expected = found.group("expected")
    expected = f"a value {expected}" if expected.startswith("in ") else expected
    if found.groupdict().get("subject", "").endswith(" entry"):  # "hidden_layer_sizes entry"
        expected = f"every entry to be {expected}"
    rest = (found.groupdict().get("rest") or "").strip()
    return f"expected {expected}" + (f". {rest}" if rest else "")


def is_integer(value) -> bool:
    return isinstance(value, Integral) and not isinstance(value, bool)


def is_finite_number(value) -> bool:
    return isinstance(value, Real) and not isinstance(value, bool) and math.isfinite(value)


def suggestion(value, options) -> str:
    """``"; did you mean 'adam'?"`` for a close match among ``options``, else ``""``."""
    close = difflib.get_close_matches(str(value), [str(o) for o in options], n=1)
    return f"; did you mean {close[0]!r}?" if close else ""


def one_of(options) -> str:
    return ", ".join(repr(option) for option in options)


@dataclass(frozen=True)
class Kind:
    """A TOML value kind.

    Attributes:
        expected: the words of the error, e.g. ``"true or false"``.
        accepts: whether a TOML value is of this kind.
        convert: the Python value of an accepted TOML value.
        options: for text kinds, the allowed strings (listed in errors, with a did-you-mean).
    """

    expected: str
    accepts: Callable[[Any], bool]
    convert: Callable[[Any], Any] = lambda value: value
    options: tuple = ()

    def read(self, value):
        """The Python value, or :class:`Mismatch` saying what was expected."""
        if self.accepts(value):
            return self.convert(value)
        hint = suggestion(value, self.options) if isinstance(value, str) else ""
        raise Mismatch(f"expected {self.expected}{hint}")


def either(*kinds: Kind) -> Kind:
    """A value of the first of ``kinds`` that accepts it."""
    options = tuple(option for kind in kinds for option in kind.options)

    def convert(value):
        return next(kind for kind in kinds if kind.accepts(value)).convert(value)

    expected = " or ".join(kind.expected for kind in kinds)
    return Kind(expected, lambda v: any(k.accepts(v) for k in kinds), convert, options)


def choice(*options: str) -> Kind:
    """One of the listed strings."""
    expected = repr(options[0]) if len(options) == 1 else f"one of {one_of(options)}"
    return Kind(expected, lambda v: isinstance(v, str) and v in options, options=options)


def nullable(kind: Kind) -> Kind:
    """``kind``, or the string ``"none"`` for None (which no other string of ``kind`` means)."""
    return Kind(
        f'{kind.expected} or "{NONE}"',
        lambda v: v == NONE or kind.accepts(v),
        lambda v: None if v == NONE else kind.convert(v),
        kind.options,
    )


def list_of(kind: Kind, convert=list, what: str = "") -> Kind:
    """An array whose every element is of ``kind``."""
    return Kind(
        what or f"an array, each element {kind.expected}",
        lambda v: isinstance(v, list) and all(kind.accepts(item) for item in v),
        lambda v: convert(kind.convert(item) for item in v),
    )


BOOL = Kind("true or false", lambda v: isinstance(v, bool))
INTEGER = Kind("an integer", is_integer)
NUMBER = Kind("a number", is_finite_number)
TEXT = Kind("a string", lambda v: isinstance(v, str))
TABLE = Kind("a table", lambda v: isinstance(v, dict))
TEXTS = list_of(TEXT, what="an array of strings")
ANY = Kind("a value", lambda v: True)
#: a component by name or as a table with ``name`` (an optimizer, a schedule, ...)
COMPONENT = either(TEXT, Kind("a table with a name", lambda v: isinstance(v, dict) and "name" in v))
COMPONENTS = list_of(
    Kind("a table with a name", lambda v: isinstance(v, dict) and "name" in v),
    what='an array of tables with a name, e.g. [{name = "EarlyStopping", patience = 10}]',
)


def kind_of_default(default) -> Kind:
    """The kind a parameter's default value suggests (for parameters with no declared kind)."""
    if isinstance(default, bool):
        return BOOL
    if is_integer(default):
        return INTEGER
    if isinstance(default, Real):
        return NUMBER
    if isinstance(default, str):
        return TEXT
    if isinstance(default, tuple):
        return list_of(ANY, tuple, "an array")
    return nullable(ANY) if default is None else ANY


@dataclass(frozen=True)
class Field:
    """One configuration key.

    Attributes:
        kind: the TOML kind of its value.
        default: the value when the key is not given (``REQUIRED``: it must be).
        meaning: one line saying what it does (written by ``mlpkit init-config``).
        check: raises ``ConfigError`` for a value of the right kind that is still wrong (a
            range, an unknown name); its message is rephrased as "expected ...".
    """

    kind: Kind
    default: Any
    meaning: str
    check: Callable[[Any], Any] | None = None


class _Required:
    def __repr__(self) -> str:
        return "REQUIRED"


#: The default of a key that must be given.
REQUIRED = _Required()
