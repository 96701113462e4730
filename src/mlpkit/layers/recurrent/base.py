"""The time loop the recurrent cells share: buffers, the input GEMM, BPTT, the gradients.

Holds :class:`Recurrent`, the base of every cell, and :class:`Caches`, the namespace of one
sequence batch's arrays. A cell keeps a hidden state h_t (n, H), h₀ = 0, with G gates of
pre-activations a_t = x_t W + b + h_{t−1} U; W (F, G·H), U (H, G·H), b (G·H,).

Backpropagation through time (BPTT), given dL/dy: the loop runs t = T … 1 with

    δh_t = dL/dh_t = (dL/dy)_t + δa_{t+1} Uᵀ    (the second term: through h_t's use at t + 1)

and each cell turns δh_t into δa_t, the gradient of its gate pre-activations (formulas in each
class). Then, again as whole-sequence GEMMs over the stacked δa (n·T, G·H):

    dL/dW = Σ_t x_tᵀ δa_t,   dL/dU = Σ_t h_{t−1}ᵀ δa_t,   dL/db = Σ_t Σ_samples δa_t,
    dL/dx_t = δa_t Wᵀ.

After every backward, ``step_grad_norms`` (T,) holds the batch mean of ‖δh_t‖₂ per step: how
much gradient reaches each time step. A SimpleRNN's falls geometrically towards t = 1 (the
vanishing gradient, Bengio et al., 1994); an LSTM's cell state carries it (Hochreiter &
Schmidhuber, 1997). ``step_clip_norm`` rescales δh_t (the whole (n, H) matrix) to at most that
Frobenius norm at every step, before it flows on (Pascanu et al., 2013, per step; the network's
``fit(clip_norm=...)`` clips the whole gradient once instead). The norms are recorded before
clipping.

In training the per-step caches (gates, states) are workspaces of shape (T, n, ·), time-major so
each step's slice is contiguous; a training step allocates nothing batch-sized after the first.
"""

from __future__ import annotations

import numpy as np

from ... import initializers, regularizers
from ..._checks import check_integer, check_positive
from ...params import ParamSpec
from ..base import Layer
from ..weighted import config_or_none


class Recurrent(Layer):
    """The time-loop scaffolding shared by the cells: buffers, input GEMM, BPTT loop, grads.

    A cell sets ``gates`` (G) and writes ``_step(t, s)`` (forward: ``s.h[t + 1]`` from the
    input projection ``s.a[t]`` and ``s.h[t]``) and ``_step_back(t, s, dh, dh_prev)`` (δa into
    ``s.dA[t]`` from δh = dL/dh at that step; δh one step earlier into ``dh_prev``, None on
    the first step). ``s`` is a :class:`Caches` of time-major arrays: ``s.h[t]`` is h_t
    (``s.h[0]`` = h₀ = 0) and ``s.a[t]`` holds the gates of step t + 1; extra per-cell arrays
    are named by ``_cell_caches`` (forward) and ``_cell_grad_caches`` (backward).
    """

    gates = 1

    def __init__(
        self,
        units,
        *,
        return_sequences=False,
        kernel_initializer="glorot_uniform",
        recurrent_initializer="glorot_uniform",
        bias_initializer="zeros",
        kernel_regularizer=None,
        recurrent_regularizer=None,
        bias_regularizer=None,
        step_clip_norm=None,
    ) -> None:
        self.units = check_integer("units", units, low=1, owner=type(self).__name__)
        self.return_sequences = bool(return_sequences)
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.recurrent_initializer = initializers.get(recurrent_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.recurrent_regularizer = regularizers.get(recurrent_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.step_clip_norm = (
            None
            if step_clip_norm is None
            else check_positive("step_clip_norm", step_clip_norm, owner=type(self).__name__)
        )
        self.step_grad_norms = None

    # -- description ---------------------------------------------------------------------------
    def get_config(self):
        return {
            "units": self.units,
            "return_sequences": self.return_sequences,
            "kernel_initializer": self.kernel_initializer.get_config(),
            "recurrent_initializer": self.recurrent_initializer.get_config(),
            "bias_initializer": self.bias_initializer.get_config(),
            "kernel_regularizer": config_or_none(self.kernel_regularizer),
            "recurrent_regularizer": config_or_none(self.recurrent_regularizer),
            "bias_regularizer": config_or_none(self.bias_regularizer),
            "step_clip_norm": self.step_clip_norm,
        }

    def regularizer_for(self, name):
        return {
            "W": self.kernel_regularizer,
            "U": self.recurrent_regularizer,
            "b": self.bias_regularizer,
            "b_rec": self.bias_regularizer,
        }.get(name)

    # -- lifecycle -----------------------------------------------------------------------------
    def build(self, n_in):
        self.time, self.features = self.expect_rank(n_in, 2, "time, features")
        width = self.gates * self.units
        specs = [
            ParamSpec("W", (self.features, width), self.kernel_initializer),
            ParamSpec("U", (self.units, width), self.recurrent_initializer),
            ParamSpec("b", (width,), self._bias_init(), regularize=False),
        ]
        out = (self.time, self.units) if self.return_sequences else self.units
        return out, specs

    def _bias_init(self):
        return self.bias_initializer

    def bind(self, params, grads):
        self.W, self.dW = params["W"], grads["W"]
        self.U, self.dU = params["U"], grads["U"]
        self.b, self.db = params["b"], grads["b"]

    # -- forward -------------------------------------------------------------------------------
    def forward(self, x, *, training=False, logits=False):
        n, T, _ = x.shape
        H = self.units
        s = self._caches(n, T, x.dtype, training)
        np.copyto(s.x, x.transpose(1, 0, 2))  # time-major (T, n, F)
        self._project(s, T * n)
        s.h[0].fill(0)
        self._forward_loop(s, T)
        if training:
            self._s = s
        if not self.return_sequences:
            return s.h[T] if training else s.h[T].copy()
        y = self._output("y", (n, T, H), x.dtype, training)
        np.copyto(y, s.h[1:].transpose(1, 0, 2))
        return y

    def _caches(self, n, T, dtype, training) -> Caches:
        """The forward's arrays, time-major: workspaces in training, fresh otherwise."""
        H, width = self.units, self.gates * self.units
        s = Caches()
        s.x = self._output("x", (T, n, self.features), dtype, training)
        s.a = self._output("a", self._a_shape(n, T), dtype, training)  # the gates
        s.h = self._output("h", (T + 1, n, H), dtype, training)  # h_t at [t], h_0 = 0
        s.scratch = self._output("scratch", (n, width), dtype, training)
        for key, shape in self._cell_caches(n, T).items():
            setattr(s, key, self._output(key, shape, dtype, training))
        return s

    def _cell_caches(self, n, T) -> dict[str, tuple[int, ...]]:
        """The shapes of the cell's own forward caches, by name."""
        return {}

    def _forward_loop(self, s, T) -> None:
        """Run ``_step`` for t = 0 … T − 1."""
        for t in range(T):
            self._step(t, s)

    def _a_shape(self, n, T) -> tuple[int, ...]:
        """The layout of the gate workspace: (T, n, G·H), step t + 1 at [t]."""
        return (T, n, self.gates * self.units)

    def _project(self, s, rows):
        """s.a ← x W + b for every step: one GEMM over the sequence (rows = n·T)."""
        a = s.a.reshape(rows, -1)
        np.matmul(s.x.reshape(rows, -1), self.W, out=a)
        a += self.b

    # -- backward ------------------------------------------------------------------------------
    def backward(self, dy, *, logits=False):
        s = self._s
        T, n = s.h.shape[0] - 1, s.h.shape[1]
        dtype = s.a.dtype
        for key, shape in {"dA": s.a.shape, **self._cell_grad_caches(n, T)}.items():
            setattr(s, key, self._output(key, shape, dtype, True))
        dh = self._output("dh", (T, n, self.units), dtype, True)  # δh_t at [t − 1]
        carry = self._output("carry", (n, self.units), dtype, True)  # δa_{t+1} Uᵀ (+ cell's)
        if self.return_sequences:
            np.copyto(dh, dy.transpose(1, 0, 2))
        else:
            np.copyto(dh[T - 1], dy)
        clip = self.step_clip_norm
        norms = np.empty(T)
        self._start_backward(s)
        for t in range(T - 1, -1, -1):
            if clip is not None:  # the norms are recorded before clipping
                norms[t] = _mean_row_norm(dh[t], self._output("row_norms", (n,), dtype, True))
                _clip(dh[t], clip)
            if t == 0:
                self._step_back(t, s, dh[t], None)
            elif self.return_sequences:
                self._step_back(t, s, dh[t], carry)
                dh[t - 1] += carry
            else:  # dL/dh_{t−1} is the carry alone: write it in place
                self._step_back(t, s, dh[t], dh[t - 1])
        if clip is None:  # one pass over every step's δh
            norms[:] = _mean_row_norm(dh, self._output("row_norms", (T, n), dtype, True))
        self.step_grad_norms = norms
        self._parameter_grads(s, T * n)
        if not self.needs_input_grad:
            return None
        F = self.features
        dx_t = self._output("dx_t", (T, n, F), dtype, True)
        self._input_grad(s, dx_t.reshape(T * n, F))
        dx = self._output("dx", (n, T, F), dtype, True)
        np.copyto(dx, dx_t.transpose(1, 0, 2))
        return dx

    def _cell_grad_caches(self, n, T) -> dict[str, tuple[int, ...]]:
        """The shapes of the cell's own backward buffers, by name."""
        return {}

    def _start_backward(self, s) -> None:
        """Reset the cell's carried gradients (e.g. δc_T = 0) before the loop."""

    def _parameter_grads(self, s, rows):
        """dL/dW = Σ_t x_tᵀ δa_t, dL/db = Σ δa_t, dL/dU = Σ_t h_{t−1}ᵀ δa_t: one GEMM each."""
        dA = s.dA.reshape(rows, -1)
        np.matmul(s.x.reshape(rows, -1).T, dA, out=self.dW)
        np.matmul(self._ones(rows, dA.dtype), dA, out=self.db)
        np.matmul(s.h[:-1].reshape(rows, -1).T, self._recurrent_dA(s, rows), out=self.dU)

    def _input_grad(self, s, out):
        """dL/dx_t = δa_t Wᵀ for every step, stacked (rows, F): one GEMM."""
        np.matmul(s.dA.reshape(out.shape[0], -1), self.W.T, out=out)

    def _recurrent_dA(self, s, rows):
        """The gradient of the recurrent products h_{t−1}U, stacked (rows, G·H): δa itself
        when a_t = x_t W + b + h_{t−1} U (GRU differs)."""
        return s.dA.reshape(rows, -1)


class Caches:
    """A namespace of one sequence batch's arrays (x, a, h, scratch, dA and the cell's)."""


def _mean_row_norm(g: np.ndarray, row_norms: np.ndarray):
    """The mean over rows of ‖g_row‖₂ (g (…, n, H)), with ``row_norms`` (…, n) as scratch:
    a number for one step, (T,) for a stack of steps."""
    np.einsum("...ij,...ij->...i", g, g, out=row_norms)
    np.sqrt(row_norms, out=row_norms)
    return row_norms.mean(axis=-1)


def _clip(g: np.ndarray, max_norm: float) -> None:
    """Rescale g in place to a Frobenius norm of at most ``max_norm``."""
    norm = float(np.sqrt(np.vdot(g, g)))
    if norm > max_norm:
        g *= max_norm / norm
