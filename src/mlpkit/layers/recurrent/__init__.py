r"""Recurrent layers: SimpleRNN, LSTM and GRU over sequences (n_samples, time, features).

Every cell reads a sequence x₁ … x_T (x_t of shape (n, F)) and keeps a hidden state h_t
(n, H), starting from h₀ = 0. The pre-activations of its G gates are

    a_t = x_t W + b + h_{t−1} U                 W (F, G·H), U (H, G·H), b (G·H,)

(Keras layout: ``(shape[0], shape[-1])`` of each kernel are its fans). In SimpleRNN the input
part x_t W + b of every step is **one GEMM** over the whole sequence, (n·T, F) · (F, G·H),
before the time loop, which does the recurrent GEMM h_{t−1} U of each step over the whole batch.
LSTM and GRU keep [h_t, x_t, 1] side by side instead and do one GEMM per step for both parts
(:class:`~.blocks.Blocks`).

The layer returns h_T (n, H), or every state (n, T, H) with ``return_sequences=True``.

PyTorch correspondence (``nn.RNN`` / ``nn.LSTM`` / ``nn.GRU``, ``batch_first=True``): the gate
order is torch's (LSTM i, f, g, o; GRU r, z, n), ``weight_ih_l0`` is Wᵀ and ``weight_hh_l0`` is
Uᵀ. Torch gives every cell two biases b_ih + b_hh; SimpleRNN and LSTM have one, b = b_ih + b_hh
(their sum is all that enters), while GRU has both, since torch puts b_hn inside the reset gate.

The elementwise part of an LSTM or GRU backward step is one loop compiled by numba
(:mod:`mlpkit.layers.recurrent_steps`) when the kernel backend says so
(:mod:`mlpkit.kernels`: "auto" switches after a count of reference work, chosen once per
backward), with the NumPy code kept as its reference twin and tested against it.

One module per layer, :mod:`.simple_rnn`, :mod:`.lstm`, :mod:`.gru`, over what they share:
:mod:`.base` (the time loop and backpropagation through time) and :mod:`.blocks` (LSTM's and
GRU's one GEMM per step).
"""

from .gru import GRU
from .lstm import LSTM
from .simple_rnn import SimpleRNN

__all__ = ["SimpleRNN", "LSTM", "GRU"]
