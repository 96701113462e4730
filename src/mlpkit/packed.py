r"""The inference path of a frozen network: Dense kernels packed once for the register-tile
GEMM of :mod:`mlpkit.kernels.gemm`.

:class:`PackedPredictor` is :class:`mlpkit.inference.Predictor` with packed Dense layers. At
planning, W (K, N) and b of every float32 Dense layer whose activation is one of the
inference path's in-place ones are packed into panels (:class:`~mlpkit.kernels.gemm.
PackedLayers`). A call of n rows computes z = h·W + b, ReLU fused, into a workspace and
hands on its first N columns, a view, after any other activation in place. Where every layer
is such a Dense layer and the hidden ones are ReLU or linear, a call of several rows runs
the whole stack in one compiled call and applies the last activation to the output; one row
keeps the one-call BLAS path (:mod:`mlpkit.dense_stack`, a GEMV packs nothing). An input
without unit column stride takes the BLAS step. Every other layer keeps its step.

The packs are copies: weights written after planning are not seen. Only a network no one
trains may have this predictor, which is what :func:`mlpkit.freeze` guarantees.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import numpy as np

from .inference import CHUNK_ROWS, IN_PLACE, Predictor, buffer, dense_step, in_place_step
from .layers.activations import activation_name
from .layers.dense import Dense

#: The whole stack before the first call plans it.
UNPLANNED = object()
#: The multiply-adds of a call from which the whole stack splits its rows over the threads:
#: 2²² ≈ 80 µs of work a thread, against 20–50 µs to hand a part to another thread.
SPLIT_MACS = 1 << 22


class PackedPredictor(Predictor):
    """A :class:`~mlpkit.inference.Predictor` whose Dense layers run the packed GEMM.

    Args:
        net: a built network nobody trains after this (its kernels are packed at planning).
        threads: threads the whole stack may split a call's rows over (calls of at least
            :data:`SPLIT_MACS` multiply-adds; the kernel runs without the GIL).
    """

    def __init__(self, net, threads: int = 1) -> None:
        super().__init__(net)
        self.threads = max(1, int(threads))
        self._whole = UNPLANNED
        self._pool: ThreadPoolExecutor | None = None

    def forward(self, x: np.ndarray) -> np.ndarray:
        """The network's output for checked inputs x (n_rows, n_features): a fresh array."""
        if self._whole is UNPLANNED:
            self._whole = whole_stack(self.net)
        if self._whole is None or x.shape[0] == 1:
            return super().forward(x)
        layers, activate = self._whole
        out = np.empty((x.shape[0], layers.units[-1]), dtype=np.float32)
        for start in range(0, x.shape[0], CHUNK_ROWS):
            stop = min(start + CHUNK_ROWS, x.shape[0])
            self._whole_rows(layers, x[start:stop], out[start:stop])
        return out if activate is None else activate(out, self.workspace(len(out), out.dtype))

    def _whole_rows(self, layers, x: np.ndarray, out: np.ndarray) -> None:
        """out = the packed stack of x, its rows split over the threads when the call is
        large (:data:`SPLIT_MACS`)."""
        rows = x.shape[0]
        space = self.workspace(rows, x.dtype)
        parts = min(self.threads, max(1, rows * layers.macs_per_row // SPLIT_MACS))
        edges = [rows * part // parts for part in range(parts + 1)]

        def part(index):
            start, stop = edges[index], edges[index + 1]
            scratch = buffer(space, f"packed.{index}", layers.scratch_shape(stop - start), x.dtype)
            out[start:stop] = layers.forward(x[start:stop], scratch)

        if parts == 1:
            part(0)
            return
        if self._pool is None:
            self._pool = ThreadPoolExecutor(self.threads - 1, "mlpkit-packed")
        others = [self._pool.submit(part, index) for index in range(1, parts)]
        part(0)
        for other in others:
            other.result()

    def dense_step(self, layer: Dense, key: str):
        """z = f(x·W + b) by the packed GEMM, or :func:`mlpkit.inference.dense_step`."""
        from .kernels import gemm  # imports numba: only once a frozen network plans

        name = activation_name(layer.activation)
        blas = dense_step(layer, key)
        if layer.W.dtype != np.float32 or name not in IN_PLACE:
            return blas
        packed = gemm.PackedLayers([(layer.W, layer.b if layer.use_bias else None, name == "relu")])
        activate = None if name in ("linear", "relu") else in_place_step(name, key)

        def step(x, space):
            rows = x.shape[0]
            if x.strides[1] != x.itemsize:
                return blas(x, space)
            z = packed.forward(
                x, buffer(space, key + "packed", packed.scratch_shape(rows), x.dtype)
            )
            return z if activate is None else activate(z, space)

        return step


def whole_stack(net):
    """(the network's Dense layers packed as one stack, its last activation in place or
    None) where every layer is a float32 Dense layer with an in-place activation and the
    hidden ones are ReLU or linear; else None."""
    from .kernels import gemm

    names = [activation_name(layer.activation) for layer in net.layers if type(layer) is Dense]
    if (
        net.dtype != np.float32
        or len(names) != len(net.layers)
        or any(name not in ("linear", "relu") for name in names[:-1])
        or names[-1] not in IN_PLACE
    ):
        return None
    layers = gemm.PackedLayers(
        [(layer.W, layer.b if layer.use_bias else None, name == "relu")
         for layer, name in zip(net.layers, names)]
    )  # fmt: skip
    last = names[-1]
    return layers, None if last in ("linear", "relu") else in_place_step(last, "out.")
