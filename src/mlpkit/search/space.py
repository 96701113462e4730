"""Search spaces: named entries to draw from, and one canonical form per configuration.

A space maps names to distributions or fixed values::

    space = Space({
        "alpha": LogUniform(1e-6, 1e-2),                       # float, log scale
        "hidden_layer_sizes": Layers(depth=IntUniform(1, 3), width=IntUniform(16, 256, log=True)),
        "optimizer": Choice([{"solver": "adam"},                # a dict option is a *branch*
                             {"solver": "sgd", "momentum": Uniform(0.5, 0.99)}]),
        "max_iter": 100,                                        # fixed: passes through
        "batch_size": [32, 64],                                 # a list: Choice([32, 64])
    })

A plain list is read as ``Choice(list)``, as scikit-learn's ``GridSearchCV`` reads a
``param_grid`` list and ``RandomizedSearchCV`` a ``param_distributions`` list: the values to
try. A fixed sequence is written as a tuple (``"hidden_layer_sizes": (64, 32)``).

A *configuration* is the flat dict of the active parameters, name -> plain Python value:
``Layers`` expands to ``"<name>.depth"``, ``"<name>.width_1"`` ... ``"<name>.width_<depth>"``
(width k is active only when depth >= k); the Choice that picks a branch stores the option's
index under its own name, and the branch's entries appear under their own names (entries of
different options of one Choice may share a name; entries active together may not). Fixed
values are part of every configuration. ``assemble`` turns a configuration into estimator
parameters: the Layers widths become one tuple, the branch index is dropped.

The distributions, fixed values and Layers are in :mod:`mlpkit.search.distributions`; Choice is
here, with Space, because a Choice of dicts holds sub-spaces. Every name is importable from here.

**Canonical form.** ``canonical(config)`` reads the configuration through the space (an
IntUniform value becomes an int, a Uniform value a float, so ``1`` and ``1.0`` are the same
Uniform value; a Choice value becomes its option, so a list read back from JSON matches its
tuple) and writes it with :func:`~mlpkit.search.canonical.canonical_json`. ``hash(config)`` is
the first 16 hex digits of its SHA-256: the same in every process and Python run (the builtin
``hash`` is salted and never used).

**Unit cube.** ``encode(config)`` maps a configuration to ``[0, 1]^d`` for model-based
strategies, each active parameter by its distribution's ``unit`` (see
:mod:`mlpkit.search.distributions`); an inactive parameter's coordinates are 0.

**Config-file form.** ``to_config`` writes plain dicts and lists (TOML tables), which
``Space.from_config`` reads back; see :mod:`mlpkit.search.spacefile`.
"""

from __future__ import annotations

import difflib
import hashlib
import itertools
import json
import math
from collections.abc import Mapping, Sequence
from numbers import Integral
from typing import Any

import numpy as np

from ..exceptions import ConfigError
from .canonical import canonical_json, freeze, plain
from .distributions import (  # the noqa names are re-exported: callers import them from here
    GRID_LIMIT,  # noqa: F401
    INT_GRID_LIMIT,  # noqa: F401
    Choose,
    Dimension,
    Distribution,
    Fixed,
    IntUniform,  # noqa: F401
    Layers,
    LogUniform,  # noqa: F401
    Uniform,  # noqa: F401
    check_grid_size,
    integer_range_of,
)
from .spacefile import KINDS, SpaceReader  # noqa: F401 (KINDS: re-exported)


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
            self.values = tuple(freeze(v, "Choice option") for v in values)
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

    def integer_range(self) -> tuple[int, int] | None:
        """The smallest and largest option when every option is an integer; None otherwise."""
        return None if self.branches else integer_range_of(self.values)

    def to_config(self) -> dict:
        """The config-file form: ``{"choice": [option, ...]}`` (tuples as lists)."""
        options = [v.to_config() if self.branches else plain(v) for v in self.values]
        return {"choice": options}


def _listed_choice(key: str, values: list) -> Choice:
    """A plain list in a space: the values to try, as scikit-learn's searches read it."""
    try:
        return Choice(values)
    except ConfigError as error:
        raise ConfigError(
            f"Space entry {key!r} is a list, read as Choice({values!r}) (the values to try), "
            f"which fails: {error} Write a fixed sequence as a tuple."
        ) from None


class Space:
    """A search space: names -> distributions, Layers or fixed values (see the module docstring).

    Args:
        mapping: name -> Choice, Uniform, LogUniform, IntUniform, Layers, a list (read as
            ``Choice(list)``) or a plain fixed value (a tuple for a sequence; another Space
            is copied).

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
            if isinstance(value, list):
                value = _listed_choice(key, value)
            fixed = not isinstance(value, (Distribution, Layers))
            self._nodes[key] = Fixed(freeze(value, f"Space entry {key!r}")) if fixed else value
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
        return {k: n.value if isinstance(n, Fixed) else n for k, n in self._nodes.items()}

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
        check_grid_size(math.prod(len(part) for part in parts), "the space")
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
        """The config-file form (see :mod:`mlpkit.search.spacefile`): plain dicts, lists, values."""
        return {key: node.to_config() for key, node in self._nodes.items()}

    @classmethod
    def from_config(cls, config: Mapping) -> Space:
        """Read the config-file form (see :mod:`mlpkit.search.spacefile`), e.g. a TOML table."""
        return SpaceReader(space=cls, choice=Choice).read(config)

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
