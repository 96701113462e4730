"""The strategies by name, and :func:`make_strategy`, which builds one with its options.

Names: "grid", "random", "tpe", "gp", "genetic" (:data:`STRATEGIES`).
"""

from __future__ import annotations

import inspect
from collections.abc import Mapping

from ...exceptions import ConfigError
from ..space import Space
from .base import Strategy
from .gaussian_process import GaussianProcess
from .genetic import Genetic
from .nonadaptive import Grid, Random
from .tpe import TPE

STRATEGIES = {cls.name: cls for cls in (Grid, Random, TPE, GaussianProcess, Genetic)}


def make_strategy(name: str, space: Space | Mapping, seed: int, **options) -> Strategy:
    """Build a strategy by name: "grid", "random", "tpe", "gp" or "genetic".

    Args:
        name: the strategy.
        space: a Space or a dict name -> distribution or fixed value.
        seed: the search's seed (an integer >= 0).
        **options: the strategy's own options (see each class), e.g. ``population_size``.
    """
    if name not in STRATEGIES:
        raise ConfigError(f"Unknown strategy {name!r}. Choose one of: {', '.join(STRATEGIES)}.")
    cls = STRATEGIES[name]
    known = [
        p for p in inspect.signature(cls.__init__).parameters if p not in ("self", "space", "seed")
    ]
    unknown = sorted(set(options) - set(known))
    if unknown:
        raise ConfigError(
            f"Strategy {name!r} has no option(s) {unknown}; its options: "
            f"{', '.join(known) or 'none'}."
        )
    return cls(space, seed, **options)
