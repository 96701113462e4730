"""A small schema language for JSON documents: types, ranges, lengths, with the field named.

A schema is a callable ``spec(value, field)`` that returns nothing and raises
:class:`~.errors.ModelFileError` naming ``field`` (a path such as
``"model.config.layers[2].config"``) when ``value`` does not fit. The builders below make them:
``Int(0)``, ``Real(0, inclusive=False)``, ``Text(("float32", "float64"))``, ``Optional(...)``,
``Items(spec, length=...)``, ``Record({"name": spec, ...})``, ``Mapping(keys, spec)``.
"""

from __future__ import annotations

import math

from .errors import ModelFileError

#: The longest list or string a document may hold in one place.
MAX_ITEMS = 10_000_000


def refuse(field: str, problem: str):
    raise ModelFileError(problem, field=field)


def _kind(value) -> str:
    return "null" if value is None else type(value).__name__


def Int(low=None, high=None):  # noqa: N802 - a schema builder reads as a type
    """An integer (not a bool) in [low, high]."""

    def spec(value, field):
        if isinstance(value, bool) or not isinstance(value, int):
            refuse(field, f"expected an integer, found {_kind(value)} {_short(value)}.")
        if (low is not None and value < low) or (high is not None and value > high):
            refuse(field, f"{_short(value)} is out of range [{low}, {high}].")

    return spec


def Real(low=None, high=None, *, inclusive=True, finite=True):  # noqa: N802
    """A number (int or float, not a bool), finite unless ``finite=False``, in the range."""

    def spec(value, field):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            refuse(field, f"expected a number, found {_kind(value)} {_short(value)}.")
        if finite and not math.isfinite(value):
            refuse(field, f"{value} is not finite.")
        below = low is not None and (value < low if inclusive else value <= low)
        above = high is not None and (value > high if inclusive else value >= high)
        if below or above:
            brackets = "[]" if inclusive else "()"
            refuse(field, f"{value} is out of range {brackets[0]}{low}, {high}{brackets[1]}.")

    return spec


def Bool():  # noqa: N802
    def spec(value, field):
        if not isinstance(value, bool):
            refuse(field, f"expected true or false, found {_kind(value)} {_short(value)}.")

    return spec


def Text(choices=None, *, max_length=10_000):  # noqa: N802
    """A string, one of ``choices`` if given."""

    def spec(value, field):
        if not isinstance(value, str):
            refuse(field, f"expected a string, found {_kind(value)} {_short(value)}.")
        if choices is not None and value not in choices:
            refuse(field, f"{value!r} is not one of {', '.join(map(repr, choices))}.")
        if len(value) > max_length:
            refuse(field, f"a string of {len(value):,} characters; at most {max_length:,}.")

    return spec


def Anything():  # noqa: N802
    """Any JSON value (checked by whatever builds from it)."""

    def spec(value, field):
        return None

    return spec


def Optional(inner):  # noqa: N802
    """null, or a value fitting ``inner``."""

    def spec(value, field):
        if value is not None:
            inner(value, field)

    return spec


def OneOf(*specs):  # noqa: N802
    """A value fitting one of ``specs`` (the first one's complaint when none fits)."""

    def spec(value, field):
        first = None
        for candidate in specs:
            try:
                candidate(value, field)
                return
            except ModelFileError as error:
                first = first or error
        raise first

    return spec


def Items(item, *, length=None, min_length=0, max_length=MAX_ITEMS):  # noqa: N802
    """A list whose entries fit ``item``; of ``length`` entries if given."""

    def spec(value, field):
        if not isinstance(value, list):
            refuse(field, f"expected a list, found {_kind(value)} {_short(value)}.")
        if length is not None and len(value) != length:
            refuse(field, f"expected {length} entries, found {len(value)}.")
        if not min_length <= len(value) <= max_length:
            refuse(field, f"{len(value)} entries; expected {min_length} to {max_length}.")
        for index, entry in enumerate(value):
            item(entry, f"{field}[{index}]")

    return spec


def Record(fields: dict, *, optional=(), extra=False):  # noqa: N802
    """An object with exactly these ``fields`` (those in ``optional`` may be missing; others
    are allowed only when ``extra``), each fitting its spec."""

    def spec(value, field):
        if not isinstance(value, dict):
            refuse(field, f"expected an object, found {_kind(value)} {_short(value)}.")
        missing = [name for name in fields if name not in value and name not in optional]
        if missing:
            refuse(f"{field}.{missing[0]}", "missing.")
        unknown = [name for name in value if name not in fields]
        if unknown and not extra:
            refuse(f"{field}.{unknown[0]}", f"unknown field; expected {', '.join(fields)}.")
        for name, inner in fields.items():
            if name in value:
                inner(value[name], f"{field}.{name}")

    return spec


def Mapping(keys, value_spec, *, required=True):  # noqa: N802
    """An object keyed by ``keys`` (all of them when ``required``), values fitting the spec."""
    return Record(dict.fromkeys(keys, value_spec), optional=() if required else tuple(keys))


def _short(value) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."
