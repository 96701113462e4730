"""The config-file form of a search space: the plain tables ``Space.from_config`` reads.

Plain dicts and lists as TOML gives them (each entry's ``to_config`` writes its own); a plain
value (not a table) is a fixed value, a list too (read back as a tuple, since in the Python form
a list is a Choice)::

    alpha = {log_uniform = [1e-6, 1e-2]}
    dropout = {uniform = [0.0, 0.5]}
    batch_size = {int_uniform = [16, 256], log = true}
    hidden_layer_sizes = {choice = [[32], [64, 32]]}          # lists read back as tuples
    optimizer = {choice = [{solver = "adam"}, {solver = "sgd", momentum = {uniform = [0.5, 0.99]}}]}
    class_weight = {fixed = {balanced = 1}}                   # a fixed table needs "fixed"
    max_iter = 100

    [layers.layers]                                           # layers = Layers(depth, width)
    depth = {int_uniform = [1, 3]}
    width = {int_uniform = [16, 256], log = true}
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from ..exceptions import ConfigError
from .distributions import IntUniform, Layers, LogUniform, Uniform

KINDS = ("choice", "fixed", "int_uniform", "layers", "log_uniform", "uniform")


def _fixed(value):
    """A fixed value of the file form: a list as a tuple (a Python-form list is a Choice)."""
    return tuple(value) if isinstance(value, list) else value


@dataclass(frozen=True)
class SpaceReader:
    """Read the config-file form: tables into ``space(...)``, choices into ``choice(...)``.

    Space and Choice hold one another (a Choice of tables is a choice of sub-spaces) and live in
    :mod:`mlpkit.search.space`, which reads through this module; so they are passed in.
    """

    space: Callable
    choice: Callable

    def read(self, config: Mapping):
        """A table of entries -> ``space({name: entry})``."""
        if not isinstance(config, Mapping):
            raise ConfigError(f"A search space config must be a table; received {config!r}.")
        return self.space({key: self.entry(key, form) for key, form in config.items()})

    def entry(self, key: str, form):
        """One entry of the config-file form -> a distribution, Layers or fixed value."""
        if not isinstance(form, Mapping):
            return _fixed(form)
        kinds = [k for k in form if k in KINDS]
        unknown = [
            k for k in form if k not in KINDS and not (k == "log" and kinds == ["int_uniform"])
        ]
        if len(kinds) != 1 or unknown:
            problem = f"unknown key(s) {unknown}" if unknown else f"{len(kinds)} distribution keys"
            raise ConfigError(
                f"Search space entry {key!r} = {dict(form)!r}: {problem}. Expected exactly one "
                f"of: {', '.join(KINDS)} (int_uniform may add log = true); write a fixed table "
                "as {fixed = {...}}."
            )
        kind, args = kinds[0], form[kinds[0]]
        try:
            return self._build(key, kind, args, form.get("log", False))
        except ConfigError as error:
            raise ConfigError(f"Search space entry {key!r}: {error}") from None

    def _build(self, key: str, kind: str, args, log):
        if kind == "fixed":
            return _fixed(args)
        if kind == "choice":
            options = args if isinstance(args, list) else None
            options = [self.read(o) if isinstance(o, Mapping) else o for o in options or ()]
            return self.choice(options if isinstance(args, list) else args)
        if kind == "layers":
            parts = args if isinstance(args, Mapping) else {}
            if not parts or set(parts) - {"depth", "width"}:
                raise ConfigError(f"layers takes a table of depth and width; received {args!r}.")
            return Layers(**{part: self.entry(f"{key}.{part}", v) for part, v in parts.items()})
        if not isinstance(args, list) or len(args) != 2:
            raise ConfigError(f"{kind} takes [low, high]; received {args!r}.")
        if kind == "int_uniform":
            return IntUniform(*args, log=log)
        return (LogUniform if kind == "log_uniform" else Uniform)(*args)
