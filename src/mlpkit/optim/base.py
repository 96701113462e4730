"""The optimizer contract: one vectorised update of the whole flat parameter buffer.

An optimizer holds hyperparameters (its config) apart from its state (named flat arrays shaped
like the parameter buffer, plus the step count). ``step(params, grads)`` updates ``params`` in
place, in one of two ways that compute the same numbers:

- **fused** (the ``"numba"`` backend of :mod:`mlpkit.kernels`): the optimizer's loop in
  :mod:`mlpkit.optim.kernels`, one read and one write of each array per update, with value
  clipping, the global-norm factor and AdamW's decay folded into the same pass;
- **reference** (the ``"numpy"`` backend, and wherever numba is missing): ``_update``, the rule
  as NumPy expressions. The flat buffer is walked in blocks of :data:`BLOCK` entries so that the
  ten or so passes of an update run on data still in the CPU cache; within a block each pass is
  one expression written with ``out=`` into a preallocated scratch array, so nothing is
  allocated per step.

(Measured and rejected, see benchmarks/README.md: updating halves of the buffer on two threads;
BLAS's own threads keep the second core busy.)
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from .. import kernels, schedules
from .._checks import check_positive, is_real
from ..exceptions import ConfigError
from ..kernels import memory
from .clipping import check_clipping, norm_scale

#: Entries per block: 128k float32 = 512 KiB per array. Measured on "mnist" (interleaved runs,
#: benchmarks/README.md): 32k blocks 123-126k samples/s, 64k 129k, 128k 130-134k, whole 127-129k.
BLOCK = 1 << 17

_STATE_ATTRIBUTES = (
    "iterations",
    "epoch",
    "lr_factor",
    "last_learning_rate",
    "state",
    "state_names",
)

LearningRate = float | Callable[[int], float]


class Optimizer:
    """Base class. Subclasses set ``state_names`` and write ``_update``.

    Args:
        learning_rate: η: a positive number; an ``mk.schedules`` schedule, called with the
            0-based epoch or update index as its ``per`` says; or any callable ``η(step)`` of the
            0-based number of updates made so far.
        clip_value: if given, every gradient entry is clipped to [−clip_value, clip_value]
            before the update.
        clip_norm: if given, the gradient is rescaled so that its global L2 norm is at most
            clip_norm (see :func:`mlpkit.optim.clipping.clip_gradients`).

    Attributes:
        iterations: updates made so far. ``epoch``: epochs of training done with this optimizer
            (counted by the trainer; per-epoch schedules are called with it).
        lr_factor: a multiplier on η (1.0; lowered by ``ReduceLROnPlateau``).
    """

    #: Names of the per-parameter state arrays (e.g. Adam: ``("m", "v")``), zeros at start.
    state_names: tuple[str, ...] = ()
    name = "optimizer"

    def __init__(self, learning_rate: LearningRate, *, clip_value=None, clip_norm=None) -> None:
        if isinstance(learning_rate, (dict, str)):
            learning_rate = schedules.get(learning_rate)
        if not callable(learning_rate):
            check_positive("learning_rate", learning_rate)
        check_clipping(clip_value, clip_norm)
        self.learning_rate = learning_rate
        self.clip_value, self.clip_norm = clip_value, clip_norm
        self.iterations = 0
        self.epoch = 0
        self.lr_factor = 1.0
        self.last_learning_rate = None
        self.state: dict[str, np.ndarray] = {}
        self._built_for = None

    # -- config --------------------------------------------------------------------------------
    def get_config(self) -> dict:
        config = {
            k: v
            for k, v in vars(self).items()
            if k not in _STATE_ATTRIBUTES and not k.startswith("_")
        }
        if isinstance(self.learning_rate, schedules.Schedule):
            config["learning_rate"] = self.learning_rate.get_config()
        elif callable(self.learning_rate):  # a plain function has no config: keep its last value
            config["learning_rate"] = self.last_learning_rate or self.current_learning_rate()
        return {"name": self.name, **config}

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items() if k != "name")
        return f"{type(self).__name__}({args})"

    # -- the update ----------------------------------------------------------------------------
    def current_learning_rate(self) -> float:
        """η for the next update (times ``lr_factor``).

        Raises:
            ConfigError: a callable learning rate gave something other than a finite number
                ≥ 0 (0 is allowed: a warmup may start there), naming the step it was called
                with.
        """
        lr = self.learning_rate
        if callable(lr):
            step = self.epoch if getattr(lr, "per", "batch") == "epoch" else self.iterations
            lr = lr(step)
            if isinstance(lr, np.ndarray) and lr.ndim == 0:
                lr = lr.item()
            if not (is_real(lr) and lr >= 0):  # the name is made only for the message
                check_positive(f"learning_rate({step})", lr, allow_zero=True)
        return float(lr) * self.lr_factor

    def clipping(self, clip_value=None, clip_norm=None) -> tuple:
        """The clipping a fit applies: its own ``clip_value``/``clip_norm`` arguments, or else
        this optimizer's; setting both places is an error."""
        check_clipping(clip_value, clip_norm)
        in_fit = clip_value is not None or clip_norm is not None
        if in_fit and (self.clip_value is not None or self.clip_norm is not None):
            raise ConfigError(
                f"Gradient clipping is set both in fit (clip_value={clip_value}, clip_norm="
                f"{clip_norm}) and on the optimizer (clip_value={self.clip_value}, clip_norm="
                f"{self.clip_norm}); set it in one place."
            )
        return (clip_value, clip_norm) if in_fit else (self.clip_value, self.clip_norm)

    def step(self, params: np.ndarray, grads: np.ndarray, *, clip=None, norm=None) -> None:
        """Clip the gradient, then :meth:`apply` the update: the one place gradients are
        clipped. ``clip`` is ``(clip_value, clip_norm)`` (default: this optimizer's, see
        :meth:`clipping`); ``norm`` is ‖g‖₂ if the caller already computed it. ``grads`` may be
        overwritten (the reference path clips it in place)."""
        clip_value, clip_norm = self.clipping() if clip is None else clip
        bound, scale = math.inf, 1.0
        if clip_value is not None and clip_norm is not None:  # the norm of the clipped g
            np.clip(grads, -clip_value, clip_value, out=grads)
            norm = None
        elif clip_value is not None:
            bound = clip_value
        if clip_norm is not None:
            scale = norm_scale(grads, clip_norm, norm)
        self.apply(params, grads, bound=bound, scale=scale)

    def apply(self, params: np.ndarray, grads: np.ndarray, *, bound=math.inf, scale=1.0) -> None:
        """Update the flat ``params`` in place from ĝ = clip(g, −bound, bound)·scale, ``grads``
        the flat gradient (float ``bound`` and ``scale``: clipping already decided)."""
        if self._built_for != (params.shape, params.dtype):
            self._init_state(params, grads)
        lr = self.last_learning_rate = self.current_learning_rate()
        self.iterations += 1
        t = self.iterations
        state = tuple(self.state[name] for name in self.state_names)
        kernel, args = self._kernel(state, lr, t)
        fused = None if kernel is None else kernels.compiled(kernel)
        if fused is not None:
            cast = params.dtype.type
            args = [
                a if isinstance(a, (bool, np.ndarray)) else cast(a) for a in (*args, bound, scale)
            ]
            fused(params, grads, *args)
            return
        if bound < math.inf:
            np.clip(grads, -bound, bound, out=grads)
        if scale != 1:
            grads *= scale
        with kernels.reference_work("optimizer", params.size):
            for start in range(0, params.size, BLOCK):
                block = slice(start, start + BLOCK)
                scratch = self._scratch[: params[block].size]
                self._update(
                    params[block], grads[block], tuple(s[block] for s in state), lr, t, scratch
                )

    def preconditioner(self, out: np.ndarray) -> bool:
        """Write into ``out`` the per-coordinate factor D by which the last step scaled the
        gradient besides η (θ ← θ − η·D·g, to first order), and return True; return False when
        D = 1 everywhere (plain gradient descent). A proximal step (the L1 soft-threshold)
        uses it to threshold in the optimizer's own metric, at η·λ·D."""
        return False

    # -- model files -------------------------------------------------------------------------
    def to_document(self) -> tuple[dict, dict[str, np.ndarray]]:
        """The config and step counts (JSON) and the state arrays, for a model file."""
        document = {
            "config": self.get_config(),
            "iterations": self.iterations,
            "epoch": self.epoch,
            "lr_factor": self.lr_factor,
        }
        return document, dict(self.state)

    def load_state(
        self, document: dict, arrays: dict[str, np.ndarray], params, grads=None
    ) -> Optimizer:
        """Take the step counts and state arrays :meth:`to_document` wrote (for an optimizer
        made from its config), sized for ``params`` (and placed after ``grads``, the buffer the
        updates will read with them, when given); returns self."""
        self._init_state(params, grads)
        for name, array in self.state.items():
            if name not in arrays or arrays[name].shape != array.shape:
                raise ValueError(
                    f"Model file entry 'optimizer/{name}': expected shape {array.shape}, found "
                    f"{arrays[name].shape if name in arrays else 'nothing'}."
                )
            array[...] = arrays[name]
        self.iterations = document["iterations"]
        self.epoch, self.lr_factor = document["epoch"], document["lr_factor"]
        return self

    def _init_state(self, params: np.ndarray, grads: np.ndarray | None = None) -> None:
        """Zeroed state arrays, shaped as ``params``, each placed after the one before and the
        first after ``grads`` (else ``params``): the update reads them together
        (:mod:`mlpkit.kernels.memory`)."""
        self.state, last = {}, params if grads is None else grads
        for name in self.state_names:
            self.state[name] = last = memory.zeros(params.shape, params.dtype, after=last)
        self._built_for = (params.shape, params.dtype)
        self._scratch = np.empty_like(params[:BLOCK])
        self.iterations = 0

    def _update(self, p, g, state, lr, t, tmp) -> None:
        """Update one block in place: ``p`` params, ``g`` grads, ``state`` arrays in
        ``state_names`` order, ``lr`` the learning rate, ``t`` the 1-based step, ``tmp`` scratch
        of ``p``'s shape."""
        raise NotImplementedError

    def _kernel(self, state: tuple, lr: float, t: int) -> tuple[Callable | None, tuple]:
        """The one-pass loop of this update (from :mod:`mlpkit.optim.kernels`) and its
        arguments between ``(p, g)`` and ``(c, s)``: the state arrays, then the scalars of step
        ``t`` at learning rate ``lr`` (numbers, cast to the buffer's dtype; flags stay bool).
        None: this optimizer has only its ``_update`` (a subclass of users, say)."""
        return None, ()
