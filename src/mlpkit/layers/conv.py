"""Convolution layers on channels-first inputs: Conv1D on (n, C, L), Conv2D on (n, C, H, W).

A convolution (a cross-correlation, as in every deep-learning library) is im2col followed by one
GEMM (see :mod:`.im2col`): with cols = im2col(x) of shape (C·k₁·k₂, n·P) and the kernel
W of shape (C·k₁·k₂, filters),

    z[i, f, o] = Σ_{c, j} W[(c, j), f] · x_pad[i, c, o·s + j·d] + b[f],    a = act(z)

for sample i, filter f, output position o and kernel offset j. W's layout is the im2col GEMM
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
from .im2col import Windows, col2im, config_value, im2col, int_tuple, padding_pairs
from .weighted import WeightedLayer

#: Activations a convolution cannot end in: softmax normalises the last axis only (put it after
#: Flatten and a Dense layer); PReLU learns one slope per flat unit, not per channel.
REFUSED_ACTIVATIONS = ("softmax", "prelu")


class _Conv(WeightedLayer):
    """The convolution over ``rank`` spatial axes; Conv1D and Conv2D fix the rank.

    Shapes (2-D; 1-D drops an axis): x (n, C, H, W), W (C·kh·kw, filters), b (filters,),
    z and a (n, filters, H_out, W_out) with, per axis,

        H_out = ⌊(H + 2p − d·(k − 1) − 1) / s⌋ + 1.

    Backward, given dL/da (n, filters, H_out, W_out), with dZ = dL/dz laid out as
    (filters, n·H_out·W_out):
        dL/dz = dL/da ⊙ act'(z)          (done by the activation)
        dL/dW = cols · dZᵀ                (C·kh·kw, filters)
        dL/db = Σ_{samples, positions} dZ  (filters,)
        dL/dx = col2im(W · dZ)            (n, C, H, W); skipped when ``needs_input_grad`` is False

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
        w, n = self.windows, x.shape[0]
        cols = self._output("cols", w.cols_shape(n), x.dtype, training)
        im2col(w, x, cols, self._pad_buffer(n, x.dtype, training))
        gemm = self._output("zt", (self.filters, n * w.positions), x.dtype, training)
        np.matmul(self.W.T, cols.reshape(-1, n * w.positions), out=gemm)  # (filters, n·P)
        z = self._output("z", (n, self.filters, *w.out_spatial), x.dtype, training)
        by_sample = gemm.reshape(self.filters, n, w.positions).transpose(1, 0, 2)
        if self.use_bias:  # the transpose to (n, filters, P) and the bias in one pass
            np.add(by_sample, self.b[:, None], out=z.reshape(by_sample.shape))
        else:
            np.copyto(z.reshape(by_sample.shape), by_sample)
        if training:
            self._cols, self._x_shape = cols, x.shape
        # activations are elementwise: they see (n, filters·P) rows, as after a Dense layer
        a = self.activation.forward(z.reshape(n, -1), training=training, logits=logits)
        return a.reshape(z.shape)

    def backward(self, dy, *, logits=False):
        w, n = self.windows, dy.shape[0]
        dz = self.activation.backward(dy.reshape(n, -1), logits=logits)
        dzt = self._output("dzt", (self.filters, n * w.positions), dy.dtype, True)
        np.copyto(
            dzt.reshape(self.filters, n, w.positions),
            dz.reshape(n, self.filters, w.positions).transpose(1, 0, 2),
        )
        cols = self._cols.reshape(-1, n * w.positions)
        np.matmul(cols, dzt.T, out=self.dW)
        if self.use_bias:
            np.matmul(dzt, self._ones(n * w.positions, dy.dtype), out=self.db)
        if not self.needs_input_grad:
            return None
        np.matmul(self.W, dzt, out=cols)  # dL/dcols over cols (not needed again until forward)
        dx = self._output("dx", self._x_shape, dy.dtype, True)
        return col2im(w, self._cols, dx, self._pad_buffer(n, dy.dtype))

    def _pad_buffer(self, n, dtype, training=True):
        """The padded copy of the batch (and of its gradient in backward), None unpadded."""
        if not self.windows.padded:
            return None
        return self._output("padded", self.windows.padded_shape(n), dtype, training)


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
