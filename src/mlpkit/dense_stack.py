r"""A stack of Dense layers predicted in one compiled call, for calls too small to repay dispatch.

For a network made only of Dense layers whose activations are linear, ReLU, tanh, sigmoid or
softmax, the forward pass ŷ = f_L(… f_1(X W_1 + b_1) …) W_L + b_L) runs as one numba loop
over the layers: each GEMM z = h·W by ``np.dot`` into a scratch buffer (BLAS, called from the
compiled code), then b and f applied to each row of z. The weights are read from the network's
flat parameter buffer at the offsets of its slots (:attr:`Sequential.slots`), so weights
changed in place by a later fit are used. Shapes: x (n, n_features); W_l (n_{l−1}, n_l);
b_l (n_l,); scratch (2, n · max_l n_l), the two halves taking turns; out (n, n_L).

Why only for small calls: NumPy's inference path (:mod:`mlpkit.inference`) makes two to four
Python-level calls a layer, about 3 µs each, which is most of the time of a call of a few rows
(small, 1 row: 11 µs in the layers against 3 µs here). numba's ``np.dot`` calls SciPy's
OpenBLAS, not NumPy's, and where a GEMM of several rows has a large kernel that build is up
to twice as slow (one thread, µs against NumPy's: 8 × 784 × 256 105 / 76, 4 × 256 × 1024
195 / 93, 2 × 1024 × 1024 958 / 498; for one row, a GEMV, they are even). So
:class:`~mlpkit.inference.Predictor` takes this path for one row, and for n rows only when
every kernel has at most :data:`MAX_WEIGHTS` weights and the call's multiply-adds,
n · Σ_l n_{l−1} n_l, are at most :data:`MAX_MACS` (measured: small, 128 × 128 kernels, wins
up to 64 rows and more). NumPy's path is its reference: the tests check the two against each
other.
"""

from __future__ import annotations

import numpy as np

from . import kernels
from .kernels.rows import ACTIVATION_CODES, activate_rows
from .layers.activations import activation_name
from .layers.dense import Dense

#: The largest call of several rows (rows × multiply-adds a row) this path takes.
MAX_MACS = 1 << 21
#: The largest kernel (n_in × units) of a network this path takes calls of several rows for.
MAX_WEIGHTS = 1 << 16


class DenseStack:
    """A network's Dense layers as a table the kernel reads, one row a layer:
    (offset of W, n_in, units, offset of b or −1, activation code).

    Args:
        net: a built network whose every top-level layer is a Dense layer (see :func:`of`).
        layers: its Dense layers, in order, with their activations' names.
    """

    def __init__(self, net, layers: list[tuple[object, str]]) -> None:
        offsets = {(slot.layer, slot.spec.name): slot.offset for slot in net.slots}
        rows = []
        for index, (layer, activation) in enumerate(layers):
            n_in = layer.W.shape[0]
            bias = offsets[(index, "b")] if layer.use_bias else -1
            rows.append(
                (offsets[(index, "W")], n_in, layer.units, bias, ACTIVATION_CODES[activation])
            )
        self.net = net
        self.table = np.array(rows, dtype=np.int64)
        self.width = int(self.table[:, 2].max())
        weights = self.table[:, 1] * self.table[:, 2]
        self.macs_per_row, self.largest_kernel = int(weights.sum()), int(weights.max())

    def takes(self, rows: int) -> bool:
        """Whether a call of ``rows`` rows is one this path is faster for (see the module)."""
        if rows == 1:
            return True
        return self.largest_kernel <= MAX_WEIGHTS and rows * self.macs_per_row <= MAX_MACS

    def forward(self, x: np.ndarray, scratch: np.ndarray, out: np.ndarray) -> bool:
        """ŷ for checked inputs x (n, n_features) into ``out`` (n, n_outputs), through
        ``scratch`` (2, n · width); False (nothing written) where numba is not the backend or x
        is not C-contiguous."""
        kernel = kernels.compiled(dense_stack_kernel)
        if kernel is None or not x.flags.c_contiguous:  # numba's np.dot takes contiguous rows
            return False
        kernel(self.net.params, self.table, x, scratch, out)
        return True


def dense_layers(net) -> list[tuple[Dense, str]] | None:
    """(layer, activation name) of each layer of ``net`` when every one is a Dense layer with
    one of :data:`ACTIVATION_CODES`' activations, else None."""
    layers = []
    for layer in net.layers:
        if type(layer) is not Dense:
            return None
        name = activation_name(layer.activation)
        if name not in ACTIVATION_CODES:
            return None
        layers.append((layer, name))
    return layers


def of(net) -> DenseStack | None:
    """The :class:`DenseStack` of a built ``net``, or None when it is not a float network of
    Dense layers with one of :data:`ACTIVATION_CODES`' activations (:func:`dense_layers`)."""
    if net.dtype not in (np.float32, np.float64):
        return None
    layers = dense_layers(net)
    return None if layers is None else DenseStack(net, layers)


def dense_stack_kernel(params, table, x, scratch, out):
    """ŷ = f_L(… f_1(x W_1 + b_1) …) into out, one compiled call (numba): per layer z = h·W
    by BLAS, then z ← z + b, then z ← f(z) (:func:`activate_rows`)."""
    n = x.shape[0]
    h = x
    depth = table.shape[0]
    for layer in range(depth):
        w0, n_in, units = table[layer, 0], table[layer, 1], table[layer, 2]
        b0, code = table[layer, 3], table[layer, 4]
        W = params[w0 : w0 + n_in * units].reshape((n_in, units))
        if layer == depth - 1:
            z = out
        else:
            z = scratch[layer % 2, : n * units].reshape((n, units))
        np.dot(h, W, z)
        if b0 >= 0:
            for i in range(n):
                for j in range(units):
                    z[i, j] += params[b0 + j]
        activate_rows(z, z, code)
        h = z
    return None
