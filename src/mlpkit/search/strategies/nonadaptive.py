"""Grid and random search: the strategies that ignore the history.

- :class:`Grid`: every configuration of ``space.grid()``, in order; ``n_total`` is its size.
- :class:`Random`: trial i is ``space.sample(np.random.default_rng([seed, i]))``, whatever
  the batches.
"""

from __future__ import annotations

import numpy as np

from .base import Strategy


class Grid(Strategy):
    """Every configuration of the space's grid, in order (first name slowest)."""

    name = "grid"

    def __init__(self, space, seed):
        super().__init__(space, seed)
        self.configs = self.space.grid()
        self.n_total = len(self.configs)

    def _propose(self, start, n, history):
        return [dict(config) for config in self.configs[start : start + n]]


class Random(Strategy):
    """Trial i drawn from ``np.random.default_rng([seed, i])``: independent of the batches."""

    name = "random"

    def config(self, number: int) -> dict:
        """Trial ``number``'s configuration."""
        return self.space.sample(np.random.default_rng([self.seed, number]))

    def _propose(self, start, n, history):
        return [self.config(number) for number in range(start, start + n)]
