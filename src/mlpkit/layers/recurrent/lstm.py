r"""Long short-term memory, LSTM (Hochreiter & Schmidhuber, 1997; forget gate, Gers 2000).

Holds :class:`LSTM`, with gates (i, f, g, o) in torch's order,

    c_t = f ⊙ c_{t−1} + i ⊙ g,     h_t = o ⊙ tanh(c_t),

and its forget-gate bias initializer (b_f = 1, Jozefowicz et al., 2015).
"""

from __future__ import annotations

import numpy as np

from ... import kernels
from ..recurrent_steps import lstm_backward_kernel, lstm_backward_reference
from .blocks import Blocks


class LSTM(Blocks):
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
    layout. The four blocks of :class:`Blocks` are the gates i, f, g, o. A σ near 0 then
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


class _ForgetGateBias:
    """An LSTM bias initializer: the base initializer, then 1 on the forget gate [H, 2H)."""

    def __init__(self, base, units: int) -> None:
        self.base, self.units = base, units

    def __call__(self, out, rng):
        self.base(out, rng)
        out[self.units : 2 * self.units] = 1
