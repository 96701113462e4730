r"""The Elman recurrent layer, SimpleRNN: h_t = f(x_t W + b + h_{t−1} U), f tanh or relu.

Holds :class:`SimpleRNN`: the input part x_t W + b of every step is one GEMM over the whole
sequence before the time loop (:class:`~.base.Recurrent`); BPTT step
δa_t = δh_t ⊙ f'(a_t), δh_{t−1} = δa_t Uᵀ.
"""

from __future__ import annotations

import numpy as np

from ...exceptions import ConfigError
from .base import Recurrent


class SimpleRNN(Recurrent):
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
