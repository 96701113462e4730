"""Reusable scratch arrays, so that a training step allocates nothing batch-sized."""

from __future__ import annotations

import numpy as np

from .kernels import memory


class Workspaces:
    """Mixin: ``self._output(key, shape, dtype, training)`` hands out arrays to write into.

    In training the array for a given key and shape is kept and handed out again on the next
    batch (a fit sees at most two batch shapes: full and last); otherwise a fresh array is made,
    so results returned to users are never overwritten later.
    """

    _workspaces: dict

    def _output(self, key: str, shape: tuple[int, ...], dtype, training: bool) -> np.ndarray:
        if not training:
            return np.empty(shape, dtype=dtype)
        if "_workspaces" not in self.__dict__:
            self._workspaces = {}
        buffer = self._workspaces.get((key, shape))
        if buffer is None or buffer.dtype != dtype:
            buffer = self._workspaces[(key, shape)] = memory.empty(shape, dtype)
        return buffer

    def _ones(self, n: int, dtype) -> np.ndarray:
        """A row of n ones, kept: 1ᵀ·G sums G over its rows through BLAS, faster than ``sum``."""
        ones = self.__dict__.setdefault("_ones_rows", {})
        if (n, dtype) not in ones:
            ones[(n, dtype)] = np.ones(n, dtype=dtype)
        return ones[(n, dtype)]

    def release_workspaces(self) -> None:
        """Drop the kept arrays (the network does this at the start of every fit)."""
        self.__dict__.pop("_workspaces", None)
