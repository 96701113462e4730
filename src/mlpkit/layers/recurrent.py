r"""Recurrent layers: SimpleRNN, LSTM and GRU over sequences (n_samples, time, features).

Every cell reads a sequence x₁ … x_T (x_t of shape (n, F)) and keeps a hidden state h_t
(n, H), starting from h₀ = 0. The pre-activations of its G gates are

    a_t = x_t W + b + h_{t−1} U                 W (F, G·H), U (H, G·H), b (G·H,)

(Keras layout: ``(shape[0], shape[-1])`` of each kernel are its fans). In SimpleRNN the input
part x_t W + b of every step is **one GEMM** over the whole sequence, (n·T, F) · (F, G·H),
before the time loop, which does the recurrent GEMM h_{t−1} U of each step over the whole batch.
LSTM and GRU keep [h_t, x_t, 1] side by side instead and do one GEMM per step for both parts
(:class:`_Blocks`).

The layer returns h_T (n, H), or every state (n, T, H) with ``return_sequences=True``.

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

PyTorch correspondence (``nn.RNN`` / ``nn.LSTM`` / ``nn.GRU``, ``batch_first=True``): the gate
order is torch's (LSTM i, f, g, o; GRU r, z, n), ``weight_ih_l0`` is Wᵀ and ``weight_hh_l0`` is
Uᵀ. Torch gives every cell two biases b_ih + b_hh; SimpleRNN and LSTM have one, b = b_ih + b_hh
(their sum is all that enters), while GRU has both, since torch puts b_hn inside the reset gate.

In training the per-step caches (gates, states) are workspaces of shape (T, n, ·), time-major so
each step's slice is contiguous; a training step allocates nothing batch-sized after the first.

The elementwise part of an LSTM or GRU backward step is one loop compiled by numba
(:mod:`.recurrent_steps`) when the kernel backend says so
(:mod:`mlpkit.kernels`: "auto" switches after a count of reference work, chosen once per
backward), with the NumPy code kept as its reference twin and tested against it.
"""

from __future__ import annotations

import numpy as np

from .. import initializers, kernels, regularizers
from .._checks import check_integer, check_positive
from ..exceptions import ConfigError
from ..params import ParamSpec
from .base import Layer
from .recurrent_steps import (
    gru_backward_kernel,
    gru_backward_reference,
    lstm_backward_kernel,
    lstm_backward_reference,
)
from .weighted import config_or_none


class _Recurrent(Layer):
    """The time-loop scaffolding shared by the cells: buffers, input GEMM, BPTT loop, grads.

    A cell sets ``gates`` (G) and writes ``_step(t, s)`` (forward: ``s.h[t + 1]`` from the
    input projection ``s.a[t]`` and ``s.h[t]``) and ``_step_back(t, s, dh, dh_prev)`` (δa into
    ``s.dA[t]`` from δh = dL/dh at that step; δh one step earlier into ``dh_prev``, None on
    the first step). ``s`` is a :class:`_Caches` of time-major arrays: ``s.h[t]`` is h_t
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

    def _caches(self, n, T, dtype, training) -> _Caches:
        """The forward's arrays, time-major: workspaces in training, fresh otherwise."""
        H, width = self.units, self.gates * self.units
        s = _Caches()
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


class _Caches:
    """A namespace of one sequence batch's arrays (x, a, h, scratch, dA and the cell's)."""


class SimpleRNN(_Recurrent):
    r"""The Elman recurrent layer: h_t = f(x_t W + b + h_{t−1} U).

    Shapes: x (n, T, F), W (F, H), U (H, H), b (H,); output h_T (n, H) or (n, T, H).

    BPTT step: δa_t = δh_t ⊙ f'(a_t), with f'(a) read from h_t = f(a): 1 − h_t² for tanh,
    [h_t > 0] for relu; δh_{t−1} = δa_t Uᵀ. Through T steps δh is multiplied by
    Uᵀ diag(f'(a_t)) T times, which shrinks it geometrically when its norm is below 1.

    Args:
        units: H, the width of the hidden state (a positive integer).
        activation: ``"tanh"`` (default) or ``"relu"``, torch ``nn.RNN``'s two nonlinearities.
        return_sequences: return every state (n, T, H) instead of the last (n, H).
            Defaults to False.
        kernel_initializer: for W. Defaults to ``"glorot_uniform"`` (Keras).
        recurrent_initializer: for U. Defaults to ``"glorot_uniform"``, as for W (kept so
            that the measured results of tests/layers stand); ``"orthogonal"`` is Keras's
            default for U (orthonormal rows, Saxe et al. 2014). Any ``mk.initializers``.
        bias_initializer: for b. Defaults to ``"zeros"``.
        kernel_regularizer, recurrent_regularizer, bias_regularizer: penalties on W, U, b.
            Default None (W and U then take the network's ``regularizer``; b none).
        step_clip_norm: rescale dL/dh_t to at most this norm at every step of BPTT.
            Defaults to None (no per-step clipping).

    Attributes: ``W``, ``U``, ``b`` and ``dW``, ``dU``, ``db`` (views into the network's
    buffers); ``step_grad_norms`` (T,), the mean ‖dL/dh_t‖ of the last backward.
    """

    def __init__(self, units, *, activation="tanh", **kwargs) -> None:
        if activation not in ("tanh", "relu"):
            raise ConfigError(
                f"SimpleRNN activation must be 'tanh' or 'relu' (as torch nn.RNN); "
                f"received activation={activation!r}."
            )
        self.activation_name = activation
        super().__init__(units, **kwargs)

    def get_config(self):
        return {"activation": self.activation_name, **super().get_config()}

    def _step(self, t, s):
        a, h_next = s.a[t], s.h[t + 1]
        np.matmul(s.h[t], self.U, out=s.scratch)
        a += s.scratch
        if self.activation_name == "tanh":
            np.tanh(a, out=h_next)
        else:
            np.maximum(a, 0, out=h_next)

    def _step_back(self, t, s, dh, dh_prev):
        da, h = s.dA[t], s.h[t + 1]
        if self.activation_name == "tanh":
            np.multiply(h, h, out=da)
            np.subtract(1, da, out=da)  # 1 − h²
        else:
            np.greater(h, 0, out=da, casting="unsafe")
        da *= dh
        if dh_prev is not None:
            np.matmul(da, self.U.T, out=dh_prev)


class _Blocks(_Recurrent):
    """Four (n, H) blocks per step out of one GEMM over z_t = [h_t, x_t, 1].

    x and h live side by side in z (T + 1, n, H + F + 1), whose row t is [h_t, x_t, 1], so
    the pre-activations of step t + 1 are one GEMM z_t M' by block, M' (4, H + F + 1, H) =
    [U'; W'; b'] of each block scaled by ``block_scale`` s (½ on σ gates: σ(a) = ½ tanh(a/2)
    + ½, one tanh for all). The workspaces are block-major, (4, T, n, H): each block of a
    step is one contiguous (n, H) array (column slices of (n, 4H) cost numpy several times
    more per element). BPTT computes ε = δa' / s per block (no ½ to apply); then one GEMM
    ε [s U'ᵀ | s W'ᵀ] summed over the blocks gives δh_{t−1} and dL/dx_t together, and one
    GEMM zᵀ ε ⊙ s² every parameter gradient. Per-step views are made once per set of
    workspaces and kept.
    """

    block_scale = (0.5, 0.5, 0.5, 1.0)

    def _caches(self, n, T, dtype, training):
        H, F = self.units, self.features
        shapes = {"z": (T + 1, n, H + F + 1), "a": (4, T, n, H), **self._cell_caches(n, T)}
        arrays = {key: self._output(key, shape, dtype, training) for key, shape in shapes.items()}
        kept = self.__dict__.get("_kept_caches")
        if (
            training
            and kept is not None
            and all(getattr(kept, key) is array for key, array in arrays.items())
        ):
            return kept
        s = _Caches()
        for key, array in arrays.items():
            setattr(s, key, array)
        s.h, s.x = s.z[:, :, :H], s.z[:T, :, H : H + F]
        s.steps = [self._step_views(s, t) for t in range(T)]
        if training:
            self._kept_caches = s
        return s

    def _step_views(self, s, t) -> tuple:
        """The views the loops of step t read and write."""
        raise NotImplementedError

    def _project(self, s, rows):
        H, F = self.units, self.features
        self._M4 = self._output("M4", (4, H + F + 1, H), self.W.dtype, True)
        self._fill_blocks(self._M4)
        s.z[:, :, H + F] = 1

    def _fill_blocks(self, M4) -> None:
        """M' by block, (4, H + F + 1, H), from W, U, b (and the cell's others)."""
        raise NotImplementedError

    def _scales(self, dtype):
        """s (4, 1, 1) and s² (4, 1, 1) in ``dtype``."""
        scales = self.__dict__.setdefault("_scales_by_dtype", {})
        if dtype not in scales:
            scale = np.array(self.block_scale, dtype=dtype).reshape(4, 1, 1)
            scales[dtype] = (scale, scale * scale)
        return scales[dtype]

    def _cell_grad_caches(self, n, T):
        H, F = self.units, self.features
        return {
            "products": (4, n, H + F),
            "UW4T": (4, H, H + F),  # [s U'ᵀ | s W'ᵀ] by block
            "dzx": (T, n, H + F),  # [Σ ε_k s_k U'_kᵀ, dL/dx_t] at [t]
            **self._block_grad_caches(n, T),
        }

    def _block_grad_caches(self, n, T):
        return {}

    def _start_backward(self, s):
        H, F = self.units, self.features
        scale = self._scales(s.a.dtype)[0]
        np.multiply(self._M4[:, : H + F].transpose(0, 2, 1), scale, out=s.UW4T)

    def _through_blocks(self, s, t, da):
        """dzx[t] = Σ over the blocks of ε_k [s_k U'_kᵀ | s_k W'_kᵀ]: one GEMM, three adds."""
        products, dzx = s.products, s.dzx[t]
        np.matmul(da, s.UW4T, out=products)
        np.add(products[0], products[1], out=dzx)
        dzx += products[2]
        dzx += products[3]
        return dzx

    def _parameter_grads(self, s, rows):
        H, F = self.units, self.features
        squared = self._scales(self.dW.dtype)[1]
        dM = self._output("dM4", (4, H + F + 1, H), self.dW.dtype, True)
        np.matmul(s.z[:-1].reshape(rows, H + F + 1).T, s.dA.reshape(4, rows, H), out=dM)
        dM *= squared  # dL/dM' ⊙ s = zᵀ ε ⊙ s²
        self._scatter_grads(dM)

    def _scatter_grads(self, dM) -> None:
        """dL/dW, dL/dU, dL/db (and the cell's others) from dL/dM by block."""
        raise NotImplementedError

    def _input_grad(self, s, out):
        """dL/dx_t, made by the loop beside δh_{t−1} (see ``_through_blocks``)."""
        T, n = s.dzx.shape[:2]
        np.copyto(out.reshape(T, n, -1), s.dzx[:, :, self.units :])


class LSTM(_Blocks):
    r"""Long short-term memory (Hochreiter & Schmidhuber, 1997; with forget gate, Gers 2000).

    With a_t = x_t W + b + h_{t−1} U split in torch's order (i, f, g, o), each (n, H):

        i = σ(a_i),  f = σ(a_f),  g = tanh(a_g),  o = σ(a_o)
        c_t = f ⊙ c_{t−1} + i ⊙ g,     h_t = o ⊙ tanh(c_t),     c₀ = h₀ = 0.

    Shapes: x (n, T, F), W (F, 4H), U (H, 4H), b (4H,); output h_T (n, H) or (n, T, H).

    BPTT step, given δh_t and δc_t (the cell-state gradient from step t + 1, 0 at t = T):

        δc_t  += δh_t ⊙ o ⊙ (1 − tanh²(c_t))
        δa_o   = δh_t ⊙ tanh(c_t) ⊙ o(1 − o)
        δa_i   = δc_t ⊙ g ⊙ i(1 − i)
        δa_g   = δc_t ⊙ i ⊙ (1 − g²)
        δa_f   = δc_t ⊙ c_{t−1} ⊙ f(1 − f)
        δc_{t−1} = δc_t ⊙ f,   δh_{t−1} = δa_t Uᵀ.

    The path δc_{t−1} = δc_t ⊙ f is elementwise, without U or a squashing derivative, so a
    forget gate near 1 carries the gradient across many steps.

    Inside, the loop multiplies by W' = W ⊙ s, U' = U ⊙ s, b' = b ⊙ s, with s = ½ on the σ
    gates and 1 on g (a power of two: exact), so that one contiguous tanh over a' gives every
    gate: σ(a) = ½ tanh(a/2) + ½. BPTT runs in a' (δa' = δa ⊙ s, with tanh'(a') = 1 − t²)
    and the gradients are scaled back, dL/dW = dL/dW' ⊙ s. The public W, U, b keep torch's
    layout. The four blocks of :class:`_Blocks` are the gates i, f, g, o. A σ near 0 then
    carries an absolute error of about one ulp of ½, not a relative one (the gates only
    scale other values).

    Args:
        units: H, the width of the hidden and cell states (a positive integer).
        return_sequences: return every h_t (n, T, H) instead of h_T. Defaults to False.
        unit_forget_bias: start the forget gate's bias b_f at 1 (f ≈ σ(1) ≈ 0.73 at first,
            so the cell remembers from the start; Jozefowicz et al., 2015). Defaults to True,
            as Keras; torch starts it at a small random value like the others.
        kernel_initializer, recurrent_initializer, bias_initializer, kernel_regularizer,
        recurrent_regularizer, bias_regularizer, step_clip_norm: as :class:`SimpleRNN`.

    Attributes: as :class:`SimpleRNN`.
    """

    gates = 4

    def __init__(self, units, *, unit_forget_bias=True, **kwargs) -> None:
        super().__init__(units, **kwargs)
        self.unit_forget_bias = bool(unit_forget_bias)

    def get_config(self):
        return {**super().get_config(), "unit_forget_bias": self.unit_forget_bias}

    def _bias_init(self):
        if not self.unit_forget_bias:
            return self.bias_initializer
        return _ForgetGateBias(self.bias_initializer, self.units)

    block_scale = (0.5, 0.5, 0.5, 1.0)  # blocks i, f, o, g: the σ gates side by side

    def _cell_caches(self, n, T):
        H = self.units
        return {
            "gates": (T, 3, n, H),  # σ: i, f, o of step t + 1 at [t]; s.a keeps tanh(a')
            "c": (T + 1, n, H),
            "tanh_c": (T, n, H),
            "ig": (n, H),
        }

    def _step_views(self, s, t):
        a, gates = s.a[:, t], s.gates[t]
        i, f, o = gates
        return (s.z[t], a, a[:3], gates, i, f, o, a[3], s.c[t], s.c[t + 1], s.tanh_c[t], s.h[t + 1])

    def _torch_blocks(self, param):
        """param (k, 4H) as its gates in block order (i, f, o, g): views [i, f], o, g."""
        k, H = param.shape[0], self.units
        by_gate = param.reshape(k, 4, H).transpose(1, 0, 2)
        return by_gate[:2], by_gate[3], by_gate[2]

    def _fill_blocks(self, M4):
        H, F = self.units, self.features
        for rows_of, param in (
            (slice(0, H), self.U),
            (slice(H, H + F), self.W),
            (slice(H + F, None), self.b.reshape(1, -1)),
        ):
            i_f, o, g = self._torch_blocks(param)
            blocks = M4[:, rows_of]
            np.multiply(i_f, 0.5, out=blocks[:2])
            np.multiply(o, 0.5, out=blocks[2])
            np.copyto(blocks[3], g)

    def _forward_loop(self, s, T):
        M4, ig = self._M4, s.ig
        matmul, tanh, multiply, add = np.matmul, np.tanh, np.multiply, np.add
        s.c[0].fill(0)
        for z, a, a_ifo, gates, i, f, o, g, c_prev, c, tanh_c, h in s.steps:
            matmul(z, M4, out=a)  # a' = [h, x, 1] M', block by block
            tanh(a, out=a)  # one pass over all four gates: a' is a/2 on the σ gates
            multiply(a_ifo, 0.5, out=gates)
            add(gates, 0.5, out=gates)  # σ(a) = ½ tanh(a/2) + ½
            multiply(f, c_prev, out=c)
            multiply(i, g, out=ig)
            add(c, ig, out=c)
            tanh(c, out=tanh_c)
            multiply(o, tanh_c, out=h)

    def _block_grad_caches(self, n, T):
        H = self.units
        return {"dc": (n, H), "dc_scratch": (n, H), "dtanh": (4, n, H)}

    def _start_backward(self, s):
        super()._start_backward(s)
        s.dc.fill(0)
        if getattr(s, "back_for", None) is not s.dA:  # per-step views, once per workspace
            s.back_for = s.dA
            s.back = [
                (*s.steps[t][1:], s.dA[:, t], *s.dA[:, t], s.dzx[t][:, : self.units])
                for t in range(len(s.steps))
            ]
        # the backend once per backward: "auto" switches between batches, never inside BPTT
        s.back_kernel = kernels.compiled(lstm_backward_kernel)
        s.one = s.dc.dtype.type(1)

    def _step_back(self, t, s, dh, dh_prev):
        """ε = δa' / s (:func:`lstm_backward_kernel`), then δh_{t−1} from one GEMM."""
        if s.back_kernel is not None:
            s.back_kernel(s.a, s.gates, s.c, s.tanh_c, s.z, dh, s.dA, s.dc, t, s.one)
        else:
            with kernels.reference_work("lstm_backward", s.dc.size):
                lstm_backward_reference(s.back[t], dh, s.dc, s.dc_scratch, s.dtanh)
        self._through_blocks(s, t, s.back[t][11])
        if dh_prev is not None:
            np.copyto(dh_prev, s.back[t][16])

    def _scatter_grads(self, dM):
        H, F = self.units, self.features
        for grad, rows_of in (
            (self.dU, slice(0, H)),
            (self.dW, slice(H, H + F)),
            (self.db.reshape(1, -1), slice(H + F, None)),
        ):
            i_f, o, g = self._torch_blocks(grad)
            blocks = dM[:, rows_of]
            np.copyto(i_f, blocks[:2])
            np.copyto(o, blocks[2])
            np.copyto(g, blocks[3])


class GRU(_Blocks):
    r"""Gated recurrent unit (Cho et al., 2014), in torch's variant (reset after the product).

    With x_t W + b and h_{t−1} U + b_rec split in the order (r, z, n), each (n, H):

        r = σ(x W_r + b_r + h U_r + b_rec_r)
        z = σ(x W_z + b_z + h U_z + b_rec_z)
        n = tanh(x W_n + b_n + r ⊙ (h U_n + b_rec_n))
        h_t = (1 − z) ⊙ n + z ⊙ h_{t−1},       h₀ = 0.

    The reset gate multiplies h U_n + b_rec_n (torch; Keras ``reset_after=True``), so the
    layer has two biases, b (3H,) for the input side and b_rec (3H,) for the recurrent side,
    exactly torch's b_ih and b_hh. Shapes: W (F, 3H), U (H, 3H).

    BPTT step, given δh_t (with m = h U_n + b_rec_n cached by forward):

        δa_n = δh_t ⊙ (1 − z) ⊙ (1 − n²)               (input side of n)
        δa_z = δh_t ⊙ (h_{t−1} − n) ⊙ z(1 − z)
        δa_r = δa_n ⊙ m ⊙ r(1 − r)
        δm   = δa_n ⊙ r                                 (recurrent side of n)
        δh_{t−1} = δh_t ⊙ z + [δa_r, δa_z, δm] Uᵀ.

    The input-side gradient [δa_r, δa_z, δa_n] gives dL/dW, dL/db and dL/dx; the recurrent
    side [δa_r, δa_z, δm] gives dL/dU = Σ_t h_{t−1}ᵀ [...] and dL/db_rec = Σ [...].

    Inside, the four blocks of :class:`_Blocks` are r, z (σ gates: W, U, b + b_rec scaled by
    ½, as the LSTM's), then m = h U_n + b_rec_n and x W_n + b_n (each block's other rows
    zero), so one GEMM per step gives every pre-activation and one GEMM zᵀε every gradient.

    Args: as :class:`SimpleRNN` (without ``activation``); ``bias_initializer`` and
    ``bias_regularizer`` apply to both biases.

    Attributes: as :class:`SimpleRNN`, plus ``b_rec`` and ``db_rec``.
    """

    gates = 3
    block_scale = (0.5, 0.5, 1.0, 1.0)  # r, z, m = h U_n + b_rec_n, x W_n + b_n

    def build(self, n_in):
        out, specs = super().build(n_in)
        width = 3 * self.units
        specs.append(ParamSpec("b_rec", (width,), self.bias_initializer, regularize=False))
        return out, specs

    def bind(self, params, grads):
        super().bind(params, grads)
        self.b_rec, self.db_rec = params["b_rec"], grads["b_rec"]

    def _cell_caches(self, n, T):
        H = self.units
        return {"gates": (T, 2, n, H), "rm": (n, H)}  # σ r, z; s.a: tanh(a'_r, a'_z), m, n

    def _step_views(self, s, t):
        a, gates = s.a[:, t], s.gates[t]
        return (s.z[t], a, a[:2], a[2], a[3], gates, *gates, s.h[t], s.h[t + 1])

    def _fill_blocks(self, M4):
        H, F = self.units, self.features
        K = H + F + 1
        for rows_of, param in ((slice(0, H), self.U), (slice(H, H + F), self.W)):
            k = param.shape[0]
            by_gate = param.reshape(k, 3, H).transpose(1, 0, 2)
            np.multiply(by_gate[:2], 0.5, out=M4[:2, rows_of])
        np.copyto(M4[2, :H], self.U.reshape(H, 3, H)[:, 2])
        np.copyto(M4[3, H : H + F], self.W.reshape(F, 3, H)[:, 2])
        M4[2, H:K].fill(0)  # m has no x W nor b; x W_n + b_n no h U
        M4[3, :H].fill(0)
        b, b_rec = self.b.reshape(3, H), self.b_rec.reshape(3, H)
        np.add(b[:2], b_rec[:2], out=M4[:2, K - 1])
        M4[:2, K - 1] *= 0.5
        np.copyto(M4[2, K - 1], b_rec[2])
        np.copyto(M4[3, K - 1], b[2])

    def _forward_loop(self, s, T):
        M4, rm = self._M4, s.rm
        matmul, tanh, multiply, add = np.matmul, np.tanh, np.multiply, np.add
        for z_t, a, rz, m, n, gates, r, z, h_prev, h in s.steps:
            matmul(z_t, M4, out=a)
            tanh(rz, out=rz)
            multiply(rz, 0.5, out=gates)
            add(gates, 0.5, out=gates)  # σ = ½ tanh(a/2) + ½
            multiply(r, m, out=rm)
            add(n, rm, out=n)
            tanh(n, out=n)
            np.subtract(h_prev, n, out=h)
            multiply(h, z, out=h)
            add(h, n, out=h)  # n + z ⊙ (h − n)

    def _block_grad_caches(self, n, T):
        H = self.units
        return {"tmp": (n, H), "tmp2": (n, H), "drz": (2, n, H)}

    def _start_backward(self, s):
        super()._start_backward(s)
        s.back_kernel = kernels.compiled(gru_backward_kernel)  # once per backward, as LSTM's
        s.one = s.dA.dtype.type(1)

    def _step_back(self, t, s, dh, dh_prev):
        """ε per block (:func:`gru_backward_kernel`), then δh_{t−1} from one GEMM."""
        da, tmp = s.dA[:, t], s.tmp
        if s.back_kernel is not None:
            s.back_kernel(s.a, s.gates, s.z, dh, s.dA, t, s.one)
        else:
            with kernels.reference_work("gru_backward", tmp.size):
                gru_backward_reference(s.steps[t], da, dh, tmp, s.tmp2, s.drz)
        dzx = self._through_blocks(s, t, da)
        if dh_prev is not None:
            np.multiply(dh, s.steps[t][7], out=tmp)  # δh ⊙ z
            np.add(dzx[:, : self.units], tmp, out=dh_prev)

    def _scatter_grads(self, dM):
        H, F = self.units, self.features
        K = H + F + 1
        for grad, rows_of, n_block in (
            (self.dU, slice(0, H), 2),
            (self.dW, slice(H, H + F), 3),
            (self.db.reshape(1, 3 * H), slice(K - 1, K), 3),
            (self.db_rec.reshape(1, 3 * H), slice(K - 1, K), 2),
        ):
            k = grad.shape[0]
            by_gate = grad.reshape(k, 3, H).transpose(1, 0, 2)
            np.copyto(by_gate[:2], dM[:2, rows_of])
            np.copyto(by_gate[2], dM[n_block, rows_of])


class _ForgetGateBias:
    """An LSTM bias initializer: the base initializer, then 1 on the forget gate [H, 2H)."""

    def __init__(self, base, units: int) -> None:
        self.base, self.units = base, units

    def __call__(self, out, rng):
        self.base(out, rng)
        out[self.units : 2 * self.units] = 1


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


__all__ = ["SimpleRNN", "LSTM", "GRU"]
