"""Convolution layers on channels-first inputs: Conv1D on (n, C, L), Conv2D on (n, C, H, W).

A convolution (a cross-correlation, as in every deep-learning library) is im2col followed by a
GEMM per sample (see :mod:`.im2col`): with cols_i = im2col(x_i) of shape (C·k₁·k₂, P) and the
kernel W of shape (C·k₁·k₂, filters),

    z[i, f, o] = Σ_{c, j} W[(c, j), f] · x_pad[i, c, o·s + j·d] + b[f],    a = act(z)

for sample i, filter f, output position o and kernel offset j. The columns are sample-major,
(n, C·k₁·k₂ + 1, P) with a row of ones under them and b under W, so that one batched GEMM
[W; b]ᵀ·[cols_i; 1ᵀ] writes z in the batch's layout (n, filters, P) with its bias: no transpose
and no bias pass. Measured against one GEMM over the batch plus a transposing bias pass (n 64,
one thread): 1×28×28 → 16 filters, forward 2.1 → 1.15 ms and backward 2.2 → 1.3 ms. At stride 1
with short output rows the columns are gathered as runs over an extended grid
(:func:`~.im2col.gather_runs`). W's layout is the im2col GEMM
matrix: its first axis is fan_in = C·k₁·k₂ and its last fan_out = filters, as the initialisers
read them (torch's fan_in is the same). A torch ``nn.Conv2d`` weight of shape
(filters, C, kh, kw) is ``W.T.reshape(filters, C, kh, kw)``, and W = ``weight.reshape(filters,
-1).T``.
"""

from __future__ import annotations

import numpy as np

from .._checks import check_integer
from ..exceptions import ConfigError
from ..params import ParamSpec
from . import activations
from .base import as_size, size_of
from .im2col import (
    Windows,
    col2im_by_sample,
    config_value,
    gather_runs,
    im2col_by_sample,
    int_tuple,
    padding_pairs,
    scatter_runs,
)
from .weighted import WeightedLayer

#: Activations a convolution cannot end in: softmax normalises the last axis only (put it after
#: Flatten and a Dense layer); PReLU learns one slope per flat unit, not per channel.
REFUSED_ACTIVATIONS = ("softmax", "prelu")


class _Conv(WeightedLayer):
    """The convolution over ``rank`` spatial axes; Conv1D and Conv2D fix the rank.

    Shapes (2-D; 1-D drops an axis): x (n, C, H, W), W (C·kh·kw, filters), b (filters,),
    z and a (n, filters, H_out, W_out) with, per axis,

        H_out = ⌊(H + 2p − d·(k − 1) − 1) / s⌋ + 1.

    Backward, given dL/da (n, filters, H_out, W_out), with dZ_i = dL/dz of sample i laid out as
    (filters, H_out·W_out):
        dL/dz = dL/da ⊙ act'(z)               (done by the activation)
        [dL/dW; dL/db] = Σ_i [cols_i; 1ᵀ]·dZ_iᵀ  (C·kh·kw + 1, filters)
        dL/dx = col2im(W · dZ_i)               (n, C, H, W); skipped when ``needs_input_grad``
                                               is False

    Args:
        filters: number of output channels, a positive integer.
        kernel_size: k, an int or one per spatial axis.
        stride: s ≥ 1, an int or one per axis. Defaults to 1.
        padding: zeros added on both sides of each spatial axis: an int or one per axis,
            ``"valid"`` (0) or ``"same"`` (output size = input size; stride 1 only; an odd total
            d·(k − 1) puts its extra zero after, as torch and Keras do). Defaults to 0.
        dilation: d ≥ 1, the spacing of the kernel's taps; an int or one per axis. Defaults to 1.
        activation: as for Dense (a name or an activation object), applied elementwise; not
            softmax or prelu. Defaults to ``"linear"``.
        kernel_initializer: for W; defaults by activation as Dense does (He normal for ReLU).
        bias_initializer: for b. Defaults to ``"zeros"``.
        use_bias: whether the layer has b. Defaults to True.
        kernel_regularizer, bias_regularizer: penalties on W and b, as for Dense.

    Attributes (after the network is built): ``W``, ``b``, ``dW``, ``db`` (views into the
    network's flat buffers), ``windows`` (the :class:`~.im2col.Windows`), ``activation``.
    """

    rank = 2
    layout = "channels, height, width"

    def __init__(
        self,
        filters: int,
        kernel_size,
        *,
        stride=1,
        padding=0,
        dilation=1,
        activation="linear",
        kernel_initializer=None,
        bias_initializer="zeros",
        use_bias: bool = True,
        kernel_regularizer=None,
        bias_regularizer=None,
    ) -> None:
        owner = self.name
        self.filters = check_integer("filters", filters, low=1, owner=owner)
        self.kernel_size = int_tuple("kernel_size", kernel_size, self.rank, owner)
        self.stride = int_tuple("stride", stride, self.rank, owner)
        self.dilation = int_tuple("dilation", dilation, self.rank, owner)
        self.pads = padding_pairs(padding, self.kernel_size, self.dilation, self.stride, owner)
        self.padding = (
            padding
            if isinstance(padding, str)
            else config_value(tuple(before for before, _ in self.pads))
        )
        self._set_weights(
            activation,
            kernel_initializer,
            bias_initializer,
            use_bias,
            kernel_regularizer,
            bias_regularizer,
        )
        name = activations.activation_name(self.activation)
        if name in REFUSED_ACTIVATIONS:
            raise ConfigError(
                f"{owner} cannot take activation={name!r}: softmax normalises the last axis only "
                "and prelu learns one slope per flat unit. Use activation='relu' (or another "
                "elementwise one); put softmax in a Dense layer after Flatten."
            )

    def get_config(self):
        return {
            "filters": self.filters,
            "kernel_size": config_value(self.kernel_size),
            "stride": config_value(self.stride),
            "padding": self.padding,
            "dilation": config_value(self.dilation),
            **self.weights_config(),
        }

    # -- lifecycle -----------------------------------------------------------------------------
    def build(self, n_in):
        shape = self.expect_rank(n_in, self.rank + 1, self.layout)
        self.windows = Windows(
            shape, self.kernel_size, self.stride, self.pads, self.dilation, owner=self.name
        )
        fan_in = self.windows.channels * self.windows.kernel_size
        specs = [ParamSpec("W", (fan_in, self.filters), self.kernel_initializer)]
        if self.use_bias:
            specs.append(ParamSpec("b", (self.filters,), self.bias_initializer, regularize=False))
        out = as_size((self.filters, *self.windows.out_spatial))
        _, activation_specs = self.activation.build(size_of(out))
        return out, specs + activation_specs

    # -- passes --------------------------------------------------------------------------------
    def forward(self, x, *, training=False, logits=False):
        """Per sample i: z_i = [W; b]ᵀ · [cols_i; 1ᵀ], one batched GEMM (n, filters, P)."""
        w, n, dtype = self.windows, x.shape[0], x.dtype
        k = self.W.shape[0]
        width = w.extended if w.runs else w.positions
        cols = self._zeroed("cols", (n, k + self.use_bias, width), dtype, training)
        if self.use_bias:
            cols[:, k] = 1  # the ones row: the bias rides in the GEMM
        pad = (
            self._zeroed("padded", w.sample_padded_shape(n), dtype, training) if w.padded else None
        )
        z = self._output("z", (n, self.filters, *w.out_spatial), dtype, training)
        kernel = self._kernel(dtype, training).T
        if w.runs:
            gather_runs(w, x, cols[:, :k], pad)
            grid = self._output("grid", (n, self.filters, width), dtype, training)
            np.matmul(kernel, cols, out=grid)
            np.copyto(z, w.valid(grid))
        else:
            im2col_by_sample(w, x, self._cols_view(cols), pad)
            np.matmul(kernel, cols, out=z.reshape(n, self.filters, -1))
        if training:
            self._cols, self._x_shape = cols, x.shape
        # activations are elementwise: they see (n, filters·P) rows, as after a Dense layer
        a = self.activation.forward(z.reshape(n, -1), training=training, logits=logits)
        return a.reshape(z.shape)

    def backward(self, dy, *, logits=False):
        w, n = self.windows, dy.shape[0]
        dz = self.activation.backward(dy.reshape(n, -1), logits=logits)
        cols, k = self._cols, self.W.shape[0]
        if w.runs:  # onto the extended grid, whose garbage columns stay 0
            grid = self._zeroed("dgrid", (n, self.filters, w.extended), dy.dtype, True)
            np.copyto(w.valid(grid), dz.reshape(n, self.filters, *w.out_spatial))
            dz = grid
        dz = dz.reshape(n, self.filters, cols.shape[2])
        per_sample = self._output("dW_i", (n, cols.shape[1], self.filters), dy.dtype, True)
        np.matmul(cols, dz.transpose(0, 2, 1), out=per_sample)  # [dW; db] per sample
        total = self._output("dWb", per_sample.shape[1:], dy.dtype, True)
        np.sum(per_sample, axis=0, out=total)
        self.dW[...] = total[:k]
        if self.use_bias:
            self.db[...] = total[k]
        if not self.needs_input_grad:
            return None
        np.matmul(self.W, dz, out=cols[:, :k])  # dL/dcols over cols (the ones row stays)
        dx = self._output("dx", self._x_shape, dy.dtype, True)
        pad = (
            self._output("dpadded", w.sample_padded_shape(n), dy.dtype, True) if w.padded else None
        )
        if w.runs:
            return scatter_runs(w, cols[:, :k], dx, pad)
        return col2im_by_sample(w, self._cols_view(cols), dx, pad)

    def _kernel(self, dtype, training):
        """[W; b] (C·k… + 1, filters), or W without a bias."""
        if not self.use_bias:
            return self.W
        k = self.W.shape[0]
        kernel = self._output("Wb", (k + 1, self.filters), dtype, training)
        kernel[:k], kernel[k] = self.W, self.b
        return kernel

    def _cols_view(self, cols):
        """cols (n, C·k… [+ 1], P) without the ones row, as (n, C, *k, *O) for the gather."""
        w = self.windows
        shape = (cols.shape[0], w.channels, *w.kernel, *w.out_spatial)
        return np.reshape(cols[:, : self.W.shape[0]], shape, copy=False)

    def _zeroed(self, key, shape, dtype, training):
        """A workspace zeroed when it is made: entries never written later stay 0."""
        kept = self.__dict__.get("_workspaces", {}).get((key, shape))
        out = self._output(key, shape, dtype, training)
        if out is not kept:
            out.fill(0)
        return out


class Conv1D(_Conv):
    """1-D convolution on (n, channels, length) → (n, filters, L_out),
    L_out = ⌊(L + 2p − d·(k − 1) − 1) / s⌋ + 1; W is (channels·k, filters).

    The formulas, backward pass and arguments are those of the 2-D form (see ``_Conv``) with
    one spatial axis; kernel_size, stride, padding and dilation are ints (or 1-tuples).
    """

    rank = 1
    layout = "channels, length"


class Conv2D(_Conv):
    """2-D convolution on (n, channels, height, width) → (n, filters, H_out, W_out), per axis
    H_out = ⌊(H + 2p − d·(k − 1) − 1) / s⌋ + 1; W is (channels·kh·kw, filters).

    z[i, f, u, v] = Σ_{c, p, q} W[(c, p, q), f] · x_pad[i, c, u·s₁ + p·d₁, v·s₂ + q·d₂] + b[f].
    kernel_size, stride, padding and dilation are an int or a (height, width) pair. See
    ``_Conv`` for the backward pass and the arguments.
    """

    rank = 2
    layout = "channels, height, width"
