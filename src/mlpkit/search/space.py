"""Search spaces: the distributions a search draws from, and one canonical form per configuration.

A space maps names to distributions or fixed values::

    space = Space({
        "alpha": LogUniform(1e-6, 1e-2),                       # float, log scale
        "hidden_layer_sizes": Layers(depth=IntUniform(1, 3), width=IntUniform(16, 256, log=True)),
        "optimizer": Choice([{"solver": "adam"},                # a dict option is a *branch*
                             {"solver": "sgd", "momentum": Uniform(0.5, 0.99)}]),
        "max_iter": 100,                                        # fixed: passes through
    })

A *configuration* is the flat dict of the active parameters, name -> plain Python value:
``Layers`` expands to ``"<name>.depth"``, ``"<name>.width_1"`` ... ``"<name>.width_<depth>"``
(width k is active only when depth >= k); the Choice that picks a branch stores the option's
index under its own name, and the branch's entries appear under their own names (entries of
different options of one Choice may share a name; entries active together may not). Fixed
values are part of every configuration. ``assemble`` turns a configuration into estimator
parameters: the Layers widths become one tuple, the branch index is dropped.

**Canonical form.** ``canonical(config)`` first reads the configuration through the space (an
IntUniform value becomes an int, a Uniform value a float, so ``1`` and ``1.0`` are the same
Uniform value; a Choice value becomes its option, so a list read back from JSON matches its
tuple) and then writes JSON with sorted keys, no spaces, tuples as lists and floats by their
``repr`` (exact round trip). ``hash(config)`` is the first 16 hex digits of its SHA-256: the
same in every process and Python run (the builtin ``hash`` is salted and never used).

**Unit cube.** ``encode(config)`` maps a configuration to ``[0, 1]^d`` for model-based
strategies: a Uniform value to ``(t(x) - t(low)) / (t(high) - t(low))`` with ``t = log`` on a
log scale, an integer to the centre of its bin of ``[low, high + 1)``, a Choice to a one-hot
block; an inactive parameter's coordinates are 0.

**Config-file form** (``to_config`` / ``Space.from_config``), plain dicts and lists as TOML
gives them; a plain value (not a table) is a fixed value::

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

import difflib
import hashlib
import itertools
import json
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from numbers import Integral
from typing import Any, ClassVar, NamedTuple

import numpy as np

from .._checks import is_real
from ..exceptions import ConfigError

GRID_LIMIT = 100_000  # configurations a grid may hold
INT_GRID_LIMIT = 1_000  # values an IntUniform may enumerate in a grid


class Dimension(NamedTuple):
    """One searched coordinate: a unique path, its configuration name, its distribution.

    The path differs from the name inside a branch (``"optimizer[1]/momentum"``), so that two
    options of one Choice may use the same name for different ranges.
    """

    path: str
    name: str
    distribution: Distribution


Choose = Callable[[Dimension], Any]  # a dimension -> its value in the configuration


def _freeze(value, where: str):
    """A JSON-like value with tuples for lists and Python scalars for NumPy ones."""
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, Integral):
        return int(value)
    if is_real(value):
        return float(value)
    if isinstance(value, (list, tuple)):
        return tuple(_freeze(v, where) for v in value)
    if isinstance(value, Mapping) and all(isinstance(k, str) for k in value):
        return {k: _freeze(v, where) for k, v in value.items()}
    raise ConfigError(
        f"{where} must be a plain value (None, bool, int, finite float, str, or lists and "
        f"str-keyed dicts of them); received {value!r}. Set other objects on the estimator."
    )


def _plain(value):
    """JSON types: tuples as lists, -0.0 as 0.0."""
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value + 0.0 if isinstance(value, float) else value


def canonical_json(value) -> str:
    """Write a plain value as canonical JSON: sorted keys, no spaces, tuples as lists.

    Types are kept (``1`` -> ``"1"``, ``1.0`` -> ``"1.0"``); floats use ``repr``, which reads
    back to the same float.
    """
    plain = _plain(_freeze(value, "a configuration value"))
    return json.dumps(plain, sort_keys=True, separators=(",", ":"), allow_nan=False)


def _range_error(owner: str, low, high, fix: str) -> ConfigError:
    return ConfigError(f"{owner} needs low < high; received low={low!r}, high={high!r}. {fix}")


class Distribution:
    """A searched parameter: a distribution to sample, enumerate and encode."""

    n_units: ClassVar[int] = 1  # coordinates in the unit-cube encoding

    def sample(self, rng: np.random.Generator):
        """Draw one value."""
        return self.from_unit(rng.random())

    def walk(self, key: str, prefix: str, choose: Choose, config: dict, params: dict) -> None:
        """Add this parameter's value, as ``choose`` gives it, to ``config`` and ``params``."""
        config[key] = params[key] = choose(Dimension(prefix + key, key, self))

    def dimensions(self, key: str, prefix: str) -> list[Dimension]:
        """The searched coordinates under this entry, active or not."""
        return [Dimension(prefix + key, key, self)]

    def grid_configs(self, key: str) -> list[dict]:
        """The entry's part of every grid configuration, in order."""
        return [{key: value} for value in self.grid(key)]

    def names(self, key: str) -> set[str]:
        """The configuration names this entry may produce."""
        return {key}

    def parameters(self, key: str) -> list[str]:
        """The estimator parameters this entry may set."""
        return [key]


@dataclass(frozen=True)
class Uniform(Distribution):
    """A float drawn uniformly from ``[low, high]``: ``x = low + u (high - low)``, u ~ U(0, 1)."""

    low: float
    high: float
    log: ClassVar[bool] = False

    def __post_init__(self):
        owner = type(self).__name__
        for name in ("low", "high"):
            if not is_real(getattr(self, name)):
                raise ConfigError(
                    f"{owner} {name} must be a finite number; received "
                    f"{name}={getattr(self, name)!r}."
                )
            object.__setattr__(self, name, float(getattr(self, name)))
        if self.low >= self.high:
            raise _range_error(owner, self.low, self.high, "Use a fixed value for a constant.")
        if self.log and self.low <= 0:
            raise ConfigError(
                f"{owner} needs 0 < low (a log scale); received low={self.low!r}. Use Uniform "
                "for a range that includes 0, or a small positive low such as 1e-8."
            )

    def _t(self, x: float) -> float:
        return math.log(x) if self.log else x

    def from_unit(self, u: float) -> float:
        """Map u in [0, 1] to the range (the inverse of ``unit``)."""
        t = self._t(self.low) + u * (self._t(self.high) - self._t(self.low))
        return min(max(math.exp(t) if self.log else t, self.low), self.high)

    def unit(self, value) -> list[float]:
        """Encode a value as ``[(t(x) - t(low)) / (t(high) - t(low))]``."""
        return [(self._t(value) - self._t(self.low)) / (self._t(self.high) - self._t(self.low))]

    def coerce(self, name: str, value) -> float:
        """Read a configuration's value: a number in [low, high], returned as a float."""
        if not is_real(value) or not self.low <= value <= self.high:
            raise ConfigError(
                f"Configuration value {name}={value!r} is outside {self!r}: expected a number "
                f"in [{self.low!r}, {self.high!r}]."
            )
        return float(value)

    def grid(self, name: str) -> list:
        """Refuse: a continuous range has no grid."""
        raise ConfigError(
            f"A grid cannot enumerate {name}={self!r}, a continuous range. Use "
            f"Choice([...]) of the values to try (or IntUniform for integers)."
        )

    def to_config(self) -> dict:
        """The config-file form: ``{"uniform": [low, high]}``."""
        return {"log_uniform" if self.log else "uniform": [self.low, self.high]}


@dataclass(frozen=True)
class LogUniform(Uniform):
    """A float drawn uniformly on a log scale: ``x = exp(log low + u (log high - log low))``."""

    log: ClassVar[bool] = True


@dataclass(frozen=True)
class IntUniform(Distribution):
    """An integer in ``[low, high]`` (both included), each equally likely, or on a log scale.

    ``x = floor(t^-1(t(low) + u (t(high + 1) - t(low))))`` with u ~ U(0, 1) and ``t = log`` when
    ``log=True`` (then x has probability ``log((x + 1) / x) / log((high + 1) / low)``).
    """

    low: int
    high: int
    log: bool = False

    def __post_init__(self):
        for name in ("low", "high"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, Integral):
                raise ConfigError(
                    f"IntUniform {name} must be an integer; received {name}={value!r}. "
                    "Use Uniform for floats."
                )
            object.__setattr__(self, name, int(value))
        if not isinstance(self.log, bool):
            raise ConfigError(f"IntUniform log must be True or False; received log={self.log!r}.")
        if self.low >= self.high:
            raise _range_error("IntUniform", self.low, self.high, "Use a fixed int for a constant.")
        if self.log and self.low <= 0:
            raise ConfigError(
                f"IntUniform with log=True needs 0 < low; received low={self.low!r}. "
                "Use log=False for a range that includes 0."
            )

    def _t(self, x: float) -> float:
        return math.log(x) if self.log else x

    def from_unit(self, u: float) -> int:
        """Map u in [0, 1) to an integer (bins of equal width in t)."""
        t = self._t(self.low) + u * (self._t(self.high + 1) - self._t(self.low))
        return int(min(max(math.floor(math.exp(t) if self.log else t), self.low), self.high))

    def unit(self, value) -> list[float]:
        """Encode an integer as the centre of its bin ``[t(x), t(x + 1))``, scaled to [0, 1]."""
        span = self._t(self.high + 1) - self._t(self.low)
        return [((self._t(value) + self._t(value + 1)) / 2 - self._t(self.low)) / span]

    def coerce(self, name: str, value) -> int:
        """Read a configuration's value: an integer in [low, high]."""
        if isinstance(value, bool) or not isinstance(value, Integral):
            raise ConfigError(
                f"Configuration value {name}={value!r} is not an integer, as {self!r} requires."
            )
        if not self.low <= value <= self.high:
            raise ConfigError(
                f"Configuration value {name}={value!r} is outside {self!r}: expected an integer "
                f"in [{self.low}, {self.high}]."
            )
        return int(value)

    def grid(self, name: str) -> list[int]:
        """Every integer from low to high, when there are at most INT_GRID_LIMIT."""
        if self.high - self.low + 1 > INT_GRID_LIMIT:
            raise ConfigError(
                f"A grid over {name}={self!r} would hold {self.high - self.low + 1} values "
                f"(more than {INT_GRID_LIMIT}). Use Choice([...]) of the values to try."
            )
        return list(range(self.low, self.high + 1))

    def to_config(self) -> dict:
        """The config-file form: ``{"int_uniform": [low, high]}``, plus ``"log": true``."""
        return {"int_uniform": [self.low, self.high], **({"log": True} if self.log else {})}


class Choice(Distribution):
    """One of the listed options, each equally likely (lists are stored as tuples).

    An option that is a dict is a branch: a sub-space whose entries are active only when that
    option is chosen; the configuration then stores the option's index. Either every option is
    a dict or none is.
    """

    def __init__(self, values: Sequence):
        if isinstance(values, (str, bytes, Mapping)) or not isinstance(values, Sequence):
            raise ConfigError(
                f"Choice values must be a list of options; received values={values!r}. "
                "Wrap a single option in a list, or use a fixed value."
            )
        if len(values) == 0:
            raise ConfigError(
                "Choice values must hold at least one option; received values=[]. List the "
                "options to try."
            )
        branches = [isinstance(v, (Mapping, Space)) for v in values]
        if any(branches) and not all(branches):
            raise ConfigError(
                f"Choice options must be all dicts (branches) or none; received "
                f"values={values!r}. Write a plain option as a dict, e.g. {{'solver': 'adam'}}."
            )
        self.branches = all(branches)
        if self.branches:
            self.values = tuple(Space(v) for v in values)
        else:
            self.values = tuple(_freeze(v, "Choice option") for v in values)
            self._keys = [canonical_json(v) for v in self.values]
            repeated = sorted({k for k in self._keys if self._keys.count(k) > 1})
            if repeated:
                raise ConfigError(
                    f"Choice options must be distinct; received {', '.join(repeated)} more "
                    "than once. List each option once."
                )

    n_units = property(lambda self: len(self.values))

    def __eq__(self, other):
        return type(other) is Choice and self.values == other.values

    def __hash__(self):
        return hash(json.dumps(self.to_config(), sort_keys=True))

    def __repr__(self):
        return f"Choice({list(self.values)!r})"

    def sample(self, rng: np.random.Generator):
        """Draw an option: its value, or its index for a branch."""
        index = int(rng.integers(len(self.values)))
        return index if self.branches else self.values[index]

    def index(self, value) -> int:
        """The position of an option (a branch's index, or a value matched canonically)."""
        if self.branches:
            ok = isinstance(value, Integral) and not isinstance(value, bool)
            if ok and 0 <= value < len(self.values):
                return int(value)
        else:
            for index, option in enumerate(self.values):  # fast path: the same scalar
                if type(option) is type(value) and not isinstance(value, tuple) and option == value:
                    return index
            try:
                return self._keys.index(canonical_json(value))
            except (ValueError, ConfigError):
                pass
        options = f"0 .. {len(self.values) - 1}" if self.branches else list(self.values)
        raise ConfigError(f"{value!r} is not an option of {self!r}; expected one of {options}.")

    def coerce(self, name: str, value):
        """Read a configuration's value: the option itself (a branch: its index)."""
        try:
            index = self.index(value)
        except ConfigError as error:
            raise ConfigError(f"Configuration value {name}={error}") from None
        return index if self.branches else self.values[index]

    def unit(self, value) -> list[float]:
        """Encode an option one-hot: 1 at its index, 0 elsewhere."""
        code = [0.0] * len(self.values)
        code[self.index(value)] = 1.0
        return code

    def grid(self, name: str) -> list:
        """Every option, in order (for a branch: every index)."""
        return list(range(len(self.values))) if self.branches else list(self.values)

    def walk(self, key, prefix, choose, config, params):
        """Choose an option; for a branch, walk the chosen sub-space."""
        if not self.branches:
            return super().walk(key, prefix, choose, config, params)
        path = prefix + key
        config[key] = index = choose(Dimension(path, key, self))
        self.values[index]._walk(choose, f"{path}[{index}]/", config, params)

    def dimensions(self, key, prefix):
        """This Choice and, for branches, every option's coordinates."""
        found = super().dimensions(key, prefix)
        for index, option in enumerate(self.values if self.branches else ()):
            found += option._dimensions(f"{prefix}{key}[{index}]/")
        return found

    def grid_configs(self, key):
        """Every option in order; a branch contributes its whole sub-grid."""
        if not self.branches:
            return super().grid_configs(key)
        return [{key: i, **sub} for i, option in enumerate(self.values) for sub in option.grid()]

    def names(self, key):
        """The Choice's name and, for branches, every option's names."""
        return {key}.union(*(option.names() for option in self.values if self.branches))

    def parameters(self, key):
        """A value Choice sets its parameter; a branch Choice, its options' parameters."""
        if not self.branches:
            return [key]
        return list(dict.fromkeys(p for option in self.values for p in option.parameters()))

    def to_config(self) -> dict:
        """The config-file form: ``{"choice": [option, ...]}`` (tuples as lists)."""
        options = [v.to_config() if self.branches else _plain(v) for v in self.values]
        return {"choice": options}


@dataclass(frozen=True)
class _Fixed:
    """A value that is not searched: it passes through to every configuration."""

    value: Any

    def walk(self, key, prefix, choose, config, params):
        config[key] = params[key] = self.value

    def dimensions(self, key, prefix):
        return []

    def grid_configs(self, key):
        return [{key: self.value}]

    def grid(self, name):
        return [self.value]

    names = Distribution.names
    parameters = Distribution.parameters

    def to_config(self):
        return {"fixed": _plain(self.value)} if isinstance(self.value, dict) else _plain(self.value)


def _layer_part(name: str, part) -> tuple[Distribution | _Fixed, int]:
    """Check a depth or width (IntUniform, Choice of ints or an int >= 1); return its maximum."""
    node, values = part, None
    if isinstance(part, IntUniform):
        values = [part.low, part.high]
    elif isinstance(part, Choice) and not part.branches:
        values = list(part.values)
    elif not isinstance(part, (Distribution, Layers)):
        node, values = _Fixed(part), [part]
    ok = values is not None and all(
        isinstance(v, Integral) and not isinstance(v, bool) and v >= 1 for v in values
    )
    if not ok:
        raise ConfigError(
            f"Layers {name} must be an IntUniform, a Choice of ints or an int, all >= 1; "
            f"received {name}={part!r}. E.g. Layers(depth=IntUniform(1, 3), "
            "width=IntUniform(16, 256, log=True))."
        )
    return node, int(max(values))


class Layers:
    """Hidden-layer widths of a searched depth: ``(width_1, ..., width_depth)``.

    Each width is drawn from ``width`` independently; ``<name>.width_k`` is active only when
    ``<name>.depth >= k``, and ``assemble`` joins the active widths into one tuple.
    """

    def __init__(self, depth=IntUniform(1, 3), width=IntUniform(16, 256, log=True)):  # noqa: B008
        self.depth, self.max_depth = _layer_part("depth", depth)
        self.width, _ = _layer_part("width", width)

    def __eq__(self, other):
        return type(other) is Layers and (self.depth, self.width) == (other.depth, other.width)

    __hash__ = None

    def __repr__(self):
        return f"Layers(depth={self.depth!r}, width={self.width!r})"

    def walk(self, key, prefix, choose, config, params):
        """Choose the depth, then one width per layer; ``params[key]`` is the tuple."""
        scratch = {}
        self.depth.walk(f"{key}.depth", prefix, choose, config, scratch)
        names = [f"{key}.width_{k}" for k in range(1, config[f"{key}.depth"] + 1)]
        for name in names:
            self.width.walk(name, prefix, choose, config, scratch)
        params[key] = tuple(config[name] for name in names)

    def dimensions(self, key, prefix):
        """The depth and every width up to the largest depth."""
        found = self.depth.dimensions(f"{key}.depth", prefix)
        for k in range(1, self.max_depth + 1):
            found += self.width.dimensions(f"{key}.width_{k}", prefix)
        return found

    def grid_configs(self, key):
        """For each depth in order, every combination of widths (the first layer slowest)."""
        depths, widths = self.depth.grid(f"{key}.depth"), self.width.grid(f"{key}.width")
        _check_grid_size(sum(len(widths) ** depth for depth in depths), repr(key))
        found = []
        for depth in depths:
            names = [f"{key}.depth", *(f"{key}.width_{k}" for k in range(1, depth + 1))]
            found += [
                dict(zip(names, (depth, *combo)))
                for combo in itertools.product(widths, repeat=depth)
            ]
        return found

    def names(self, key):
        """``<key>.depth`` and ``<key>.width_1`` ... up to the largest depth."""
        return {f"{key}.depth"} | {f"{key}.width_{k}" for k in range(1, self.max_depth + 1)}

    def parameters(self, key):
        """The one estimator parameter: ``key`` (a tuple of widths)."""
        return [key]

    def to_config(self) -> dict:
        """The config-file form: ``{"layers": {"depth": ..., "width": ...}}``."""
        return {"layers": {"depth": self.depth.to_config(), "width": self.width.to_config()}}


def _check_grid_size(size: int, what: str) -> None:
    if size > GRID_LIMIT:
        raise ConfigError(
            f"A grid over {what} would hold {size} configurations (more than {GRID_LIMIT}). "
            "Narrow it with Choice([...]) of fewer values, or use strategy='random'."
        )


class Space:
    """A search space: names -> distributions, Layers or fixed values (see the module docstring).

    Args:
        mapping: name -> Choice, Uniform, LogUniform, IntUniform, Layers or a plain fixed value
            (another Space is copied).

    Example:
        >>> space = Space({"alpha": LogUniform(1e-6, 1e-2), "max_iter": 100})
        >>> config = space.sample(np.random.default_rng(0))
        >>> sorted(config), space.hash(config) == space.hash(dict(config))
        (['alpha', 'max_iter'], True)
    """

    def __init__(self, mapping: Mapping[str, Any] | Space):
        if isinstance(mapping, Space):
            mapping = mapping.mapping
        if not isinstance(mapping, Mapping):
            raise ConfigError(
                f"Space needs a dict of name -> distribution or fixed value; received "
                f"{mapping!r}. E.g. Space({{'alpha': LogUniform(1e-6, 1e-2)}})."
            )
        self._nodes = {}
        for key, value in mapping.items():
            if not isinstance(key, str) or not key or "." in key:
                raise ConfigError(
                    f"Space names must be non-empty strings without '.' (Layers uses '.' for "
                    f"its parts); received {key!r}."
                )
            fixed = not isinstance(value, (Distribution, Layers))
            self._nodes[key] = _Fixed(_freeze(value, f"Space entry {key!r}")) if fixed else value
        self._check_names()
        self._dims = self._dimensions("")

    def _check_names(self) -> None:
        owner = {}
        for key, node in self._nodes.items():
            for name in sorted(node.names(key)):
                if name in owner:
                    raise ConfigError(
                        f"Space name {name!r} comes from both {owner[name]!r} and {key!r}, which "
                        "are active together. Rename one of them."
                    )
                owner[name] = key

    @property
    def mapping(self) -> dict:
        """The entries as given: name -> distribution, Layers or fixed value."""
        return {k: n.value if isinstance(n, _Fixed) else n for k, n in self._nodes.items()}

    def __eq__(self, other):
        return type(other) is Space and self._nodes == other._nodes

    __hash__ = None

    def __repr__(self):
        return f"Space({self.mapping!r})"

    def names(self) -> set[str]:
        """Every configuration name the space may produce (active or not)."""
        return set().union(*(node.names(key) for key, node in self._nodes.items()))

    def parameters(self) -> list[str]:
        """Every estimator parameter ``assemble`` may set, in the order written."""
        found = (p for key, node in self._nodes.items() for p in node.parameters(key))
        return list(dict.fromkeys(found))

    def _walk(self, choose: Choose, prefix: str, config: dict, params: dict) -> None:
        for key, node in self._nodes.items():
            node.walk(key, prefix, choose, config, params)

    def _dimensions(self, prefix: str) -> list[Dimension]:
        return [dim for key, node in self._nodes.items() for dim in node.dimensions(key, prefix)]

    def dimensions(self) -> list[Dimension]:
        """Every searched coordinate, active or not, in the order written."""
        return list(self._dims)

    def walk(self, choose: Choose) -> dict:
        """Build one configuration, asking ``choose(dimension)`` for each active value.

        Dimensions come in the order written, a branch's entries right after its Choice and a
        Layers' widths after its depth, so a define-by-run sampler (optuna) can drive it.
        """
        config, params = {}, {}
        self._walk(choose, "", config, params)
        return config

    def sample(self, rng: np.random.Generator) -> dict:
        """Draw one configuration (each active parameter from its distribution)."""
        return self.walk(lambda dim: dim.distribution.sample(rng))

    def _read(self, config: Mapping, choose: Choose | None = None) -> tuple[dict, dict]:
        """Read ``config`` through the space: its typed values and the estimator parameters."""
        if not isinstance(config, Mapping):
            raise ConfigError(f"A configuration must be a dict; received {config!r}.")

        def read(dim: Dimension):
            if dim.name not in config:
                raise ConfigError(
                    f"Configuration {dict(config)!r} lacks {dim.name!r}, which the space makes "
                    "active. Pass a configuration of this space (from sample, grid or a strategy)."
                )
            value = dim.distribution.coerce(dim.name, config[dim.name])
            return choose(dim, value) if choose else value

        typed, params = {}, {}
        self._walk(read, "", typed, params)
        extra = sorted(set(config) - set(typed))
        if extra:
            raise ConfigError(
                f"Configuration names {extra} are not active in this space (active: "
                f"{sorted(typed)}). Remove them, or add them to the space."
            )
        return typed, params

    def assemble(self, config: Mapping) -> dict:
        """Turn a configuration into estimator parameters (Layers -> tuple, branches merged)."""
        return self._read(config)[1]

    def active(self, config: Mapping) -> list[tuple[Dimension, Any]]:
        """The searched dimensions active in ``config``, each with its typed value."""
        found = []
        self._read(config, lambda dim, value: found.append((dim, value)) or value)
        return found

    def encode(self, config: Mapping) -> np.ndarray:
        """Map a configuration into the unit cube: shape (n_units,), inactive coordinates 0."""
        values = {dim.path: value for dim, value in self.active(config)}
        code = []
        for dim in self._dims:
            known = dim.path in values
            code += (
                dim.distribution.unit(values[dim.path])
                if known
                else [0.0] * dim.distribution.n_units
            )
        return np.array(code, dtype=float)

    def grid(self) -> list[dict]:
        """Every configuration, in the order written (the first name varies slowest).

        Raises:
            ConfigError: for a Uniform or LogUniform (a continuous range), an IntUniform of more
                than 1,000 values, or more than 100,000 configurations in all.
        """
        parts = [node.grid_configs(key) for key, node in self._nodes.items()]
        _check_grid_size(math.prod(len(part) for part in parts), "the space")
        return [
            {k: v for part in combo for k, v in part.items()} for combo in itertools.product(*parts)
        ]

    def canonical(self, config: Mapping) -> str:
        """The configuration's canonical JSON (typed through the space; sorted; tuples as lists)."""
        return canonical_json(self._read(config)[0])

    def hash(self, config: Mapping) -> str:
        """The first 16 hex digits of the SHA-256 of ``canonical(config)``."""
        return hashlib.sha256(self.canonical(config).encode()).hexdigest()[:16]

    def to_config(self) -> dict:
        """The config-file form (see the module docstring): plain dicts, lists and values."""
        return {key: node.to_config() for key, node in self._nodes.items()}

    @classmethod
    def from_config(cls, config: Mapping) -> Space:
        """Read the config-file form (see the module docstring), e.g. a TOML table."""
        if not isinstance(config, Mapping):
            raise ConfigError(f"A search space config must be a table; received {config!r}.")
        return cls({key: _parse(key, form) for key, form in config.items()})

    def validate(self, estimator=None, *, names: Sequence[str] | None = None) -> None:
        """Check that every parameter the space sets is one the model takes.

        Args:
            estimator: checked against ``estimator.get_params(deep=True)``.
            names: instead of an estimator, the accepted names (e.g. the parameters of the user
                function that builds a Sequential).

        Raises:
            ConfigError: naming the first unknown parameter and its close matches.
        """
        if (estimator is None) == (names is None):
            raise ConfigError(
                "Space.validate needs an estimator or names=[...], exactly one of them."
            )
        if estimator is not None:
            allowed, owner = list(estimator.get_params(deep=True)), type(estimator).__name__
        else:
            allowed, owner = [str(name) for name in names], "the model function"
        for name in self.parameters():
            if name not in allowed:
                close = difflib.get_close_matches(name, allowed, n=3)
                hint = f" Did you mean {', '.join(map(repr, close))}?" if close else ""
                raise ConfigError(
                    f"Search parameter {name!r} is not a parameter of {owner}.{hint} "
                    f"Its parameters: {', '.join(sorted(allowed))}."
                )


KINDS = ("choice", "fixed", "int_uniform", "layers", "log_uniform", "uniform")


def _parse(key: str, form):
    """One entry of the config-file form -> a distribution, Layers or fixed value."""
    if not isinstance(form, Mapping):
        return form
    kinds = [k for k in form if k in KINDS]
    unknown = [k for k in form if k not in KINDS and not (k == "log" and kinds == ["int_uniform"])]
    if len(kinds) != 1 or unknown:
        problem = f"unknown key(s) {unknown}" if unknown else f"{len(kinds)} distribution keys"
        raise ConfigError(
            f"Search space entry {key!r} = {dict(form)!r}: {problem}. Expected exactly one of: "
            f"{', '.join(KINDS)} (int_uniform may add log = true); write a fixed table as "
            "{fixed = {...}}."
        )
    kind, args = kinds[0], form[kinds[0]]
    try:
        return _build(key, kind, args, form.get("log", False))
    except ConfigError as error:
        raise ConfigError(f"Search space entry {key!r}: {error}") from None


def _build(key: str, kind: str, args, log):
    if kind == "fixed":
        return args
    if kind == "choice":
        options = args if isinstance(args, list) else None
        options = [Space.from_config(o) if isinstance(o, Mapping) else o for o in options or ()]
        return Choice(options if isinstance(args, list) else args)
    if kind == "layers":
        parts = args if isinstance(args, Mapping) else {}
        if not parts or set(parts) - {"depth", "width"}:
            raise ConfigError(f"layers takes a table of depth and width; received {args!r}.")
        return Layers(**{part: _parse(f"{key}.{part}", v) for part, v in parts.items()})
    if not isinstance(args, list) or len(args) != 2:
        raise ConfigError(f"{kind} takes [low, high]; received {args!r}.")
    if kind == "int_uniform":
        return IntUniform(*args, log=log)
    return (LogUniform if kind == "log_uniform" else Uniform)(*args)
