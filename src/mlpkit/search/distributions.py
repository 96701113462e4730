"""What a search-space entry can be: a distribution, a fixed value, or Layers.

Every entry takes part in the same walk over a space: it adds its values to a configuration
(``walk``), lists its searched coordinates (``dimensions``), enumerates its part of a grid
(``grid_configs``), names what it may set (``names``, ``parameters``) and writes its config-file
form (``to_config``). Choice, whose dict options are sub-spaces, lives with Space in
:mod:`mlpkit.search.space`.

**Unit cube.** ``unit(value)`` maps a value to ``[0, 1]^n_units`` for model-based strategies: a
Uniform value to ``(t(x) - t(low)) / (t(high) - t(low))`` with ``t = log`` on a log scale, an
integer to the centre of its bin of ``[low, high + 1)``, a Choice to a one-hot block.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from numbers import Integral
from typing import Any, ClassVar, NamedTuple

import numpy as np

from .._checks import is_real
from ..exceptions import ConfigError
from .canonical import plain

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


def check_grid_size(size: int, what: str) -> None:
    """Refuse a grid of more than GRID_LIMIT configurations."""
    if size > GRID_LIMIT:
        raise ConfigError(
            f"A grid over {what} would hold {size} configurations (more than {GRID_LIMIT}). "
            "Narrow it with Choice([...]) of fewer values, or use strategy='random'."
        )


def integer_range_of(values: Sequence) -> tuple[int, int] | None:
    """``(min, max)`` of values that are all integers (not bools); None otherwise."""
    if values and all(isinstance(v, Integral) and not isinstance(v, bool) for v in values):
        return int(min(values)), int(max(values))
    return None


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

    def integer_range(self) -> tuple[int, int] | None:
        """The smallest and largest value when every value is an integer; None otherwise."""
        return None


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

    def integer_range(self) -> tuple[int, int]:
        """``(low, high)``."""
        return self.low, self.high

    def to_config(self) -> dict:
        """The config-file form: ``{"int_uniform": [low, high]}``, plus ``"log": true``."""
        return {"int_uniform": [self.low, self.high], **({"log": True} if self.log else {})}


@dataclass(frozen=True)
class Fixed:
    """A value that is not searched: it passes through to every configuration."""

    value: Any

    def walk(self, key, prefix, choose, config, params):
        """Add the value to ``config`` and ``params``."""
        config[key] = params[key] = self.value

    def dimensions(self, key, prefix):
        """None: a fixed value is not searched."""
        return []

    def grid_configs(self, key):
        """The one configuration part: ``{key: value}``."""
        return [{key: self.value}]

    def grid(self, name):
        """The one value."""
        return [self.value]

    names = Distribution.names
    parameters = Distribution.parameters

    def to_config(self):
        """The config-file form: the plain value (a dict as ``{"fixed": ...}``)."""
        return {"fixed": plain(self.value)} if isinstance(self.value, dict) else plain(self.value)


def _layer_part(name: str, part) -> tuple[Distribution | Fixed, int]:
    """Check a depth or width (IntUniform, Choice of ints or an int >= 1); return its maximum."""
    node, bounds = part, None
    if isinstance(part, Distribution):
        bounds = part.integer_range()
    elif not isinstance(part, Layers):
        node, bounds = Fixed(part), integer_range_of([part])
    if bounds is None or bounds[0] < 1:
        raise ConfigError(
            f"Layers {name} must be an IntUniform, a Choice of ints or an int, all >= 1; "
            f"received {name}={part!r}. E.g. Layers(depth=IntUniform(1, 3), "
            "width=IntUniform(16, 256, log=True))."
        )
    return node, bounds[1]


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
        check_grid_size(sum(len(widths) ** depth for depth in depths), repr(key))
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
