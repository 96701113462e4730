"""The optimizer contract: one vectorised update of the whole flat parameter buffer.

An optimizer holds hyperparameters (its config) apart from its state (named flat arrays shaped
like the parameter buffer, plus the step count). ``step(params, grads)`` updates ``params`` in
place. The flat buffer is walked in blocks of :data:`BLOCK` entries so that the ten or so
passes of an update run on data still in the CPU cache; within a block each pass is one NumPy
expression written with ``out=`` into a preallocated scratch array, so nothing is allocated per
step. (Measured and rejected, see benchmarks/README.md: updating halves of the buffer on two
threads; BLAS's own threads keep the second core busy, and it gained 0-4%.)
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ..exceptions import ConfigError

#: Entries per block: 128k float32 = 512 KiB per array. Measured on "mnist" (interleaved runs,
#: benchmarks/README.md): 32k blocks 123-126k samples/s, 64k 129k, 128k 130-134k, whole 127-129k.
BLOCK = 1 << 17

LearningRate = float | Callable[[int], float]


class Optimizer:
    """Base class. Subclasses set ``state_names`` and write ``_update``.

    Args:
        learning_rate: η, a positive number, or a callable ``η(step)`` of the 0-based number of
            updates made so far (a schedule).
    """

    #: Names of the per-parameter state arrays (e.g. Adam: ``("m", "v")``), zeros at start.
    state_names: tuple[str, ...] = ()
    name = "optimizer"

    def __init__(self, learning_rate: LearningRate) -> None:
        if not callable(learning_rate):
            _check_positive("learning_rate", learning_rate)
        self.learning_rate = learning_rate
        self.iterations = 0
        self.state: dict[str, np.ndarray] = {}
        self._built_for = None

    # -- config --------------------------------------------------------------------------------
    def get_config(self) -> dict:
        config = {k: v for k, v in vars(self).items() if k not in ("iterations", "state", "state_names")}
        return {"name": self.name, **{k: v for k, v in config.items() if not k.startswith("_")}}

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items() if k != "name")
        return f"{type(self).__name__}({args})"

    # -- the update ----------------------------------------------------------------------------
    def current_learning_rate(self) -> float:
        """η for the next update."""
        lr = self.learning_rate
        return float(lr(self.iterations)) if callable(lr) else float(lr)

    def step(self, params: np.ndarray, grads: np.ndarray) -> None:
        """Apply one update to the flat ``params`` from the flat ``grads``, in place."""
        if self._built_for != (params.shape, params.dtype):
            self._init_state(params)
        lr = self.current_learning_rate()
        self.iterations += 1
        t = self.iterations
        state = tuple(self.state[name] for name in self.state_names)
        for start in range(0, params.size, BLOCK):
            block = slice(start, start + BLOCK)
            self._update(params[block], grads[block], tuple(s[block] for s in state), lr, t,
                         self._scratch[: params[block].size])

    def _init_state(self, params: np.ndarray) -> None:
        self.state = {name: np.zeros_like(params) for name in self.state_names}
        self._built_for = (params.shape, params.dtype)
        self._scratch = np.empty_like(params[:BLOCK])
        self.iterations = 0

    def _update(self, p, g, state, lr, t, tmp) -> None:
        """Update one block in place: ``p`` params, ``g`` grads, ``state`` arrays in
        ``state_names`` order, ``lr`` the learning rate, ``t`` the 1-based step, ``tmp`` scratch
        of ``p``'s shape."""
        raise NotImplementedError


def _check_positive(name: str, value, *, allow_zero: bool = False) -> None:
    ok = isinstance(value, (int, float, np.floating)) and not isinstance(value, bool)
    if not ok or not np.isfinite(value) or value < 0 or (value == 0 and not allow_zero):
        bound = "non-negative" if allow_zero else "positive"
        raise ConfigError(f"{name} must be a {bound} number; received {name}={value!r}.")


def _check_fraction(name: str, value) -> None:
    ok = isinstance(value, (int, float, np.floating)) and not isinstance(value, bool)
    if not ok or not 0 <= value < 1:
        raise ConfigError(f"{name} must be in [0, 1); received {name}={value!r}.")
