r"""Gated recurrent unit, GRU (Cho et al., 2014), in torch's variant (reset after the product).

Holds :class:`GRU`, with gates (r, z, n) and two biases, b and b_rec (torch's b_ih and b_hh),

    n = tanh(x W_n + b_n + r ⊙ (h U_n + b_rec_n)),     h_t = (1 − z) ⊙ n + z ⊙ h_{t−1}.
"""

from __future__ import annotations

import numpy as np

from ... import kernels
from ...params import ParamSpec
from ..recurrent_steps import gru_backward_kernel, gru_backward_reference
from .blocks import Blocks


class GRU(Blocks):
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

    Inside, the four blocks of :class:`Blocks` are r, z (σ gates: W, U, b + b_rec scaled by
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
