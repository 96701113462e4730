r"""The inference path of a frozen network: Dense kernels packed once for the register-tile
GEMM of :mod:`mlpkit.kernels.gemm`.

:class:`PackedPredictor` is :class:`mlpkit.inference.Predictor` with packed Dense layers. A
float32 Dense layer whose activation the compiled rows know (:mod:`mlpkit.kernels.rows`) is packed
into panels (:class:`~mlpkit.kernels.gemm.PackedLayers`) on its step's first call; a call of
n rows computes z = f(h·W + b) into a workspace (n, N), ReLU fused in the tile, any other
activation applied in the same compiled call. One row (a GEMV, which packs nothing: 1 × 1024
× 1024 85 µs by BLAS, 98 µs packed) or an input without unit column stride takes the BLAS
step. Every other layer keeps its step.

Where every layer is such a Dense layer and the hidden ones are ReLU or linear
(:func:`whole_stack`), a call runs the whole stack in one compiled call per chunk of
:data:`~mlpkit.inference.CHUNK_ROWS` rows, its last activation applied to the chunk's output;
a chunk of n rows and M multiply-adds a row splits into
p = min(threads, ⌊n·M / :data:`SPLIT_MACS`⌋) parts on p threads (the kernel runs without the
GIL; every entry is the same chain of multiply-adds over k in any part, so the bits do not
depend on p). One row takes this path too: the call around it costs less than the GEMV saves
(one row, µs, packed stack / the one-call BLAS path of :mod:`mlpkit.dense_stack` /
onnxruntime: small 10.5 / 19.9 / 13.9, mnist 32.2 / 38.8 / 32.7, wide 118.9 / 122.6 / 118.2).

The packs are copies: weights written after packing are not seen. Only a network no one
trains may have this predictor, which is what :func:`mlpkit.freeze` guarantees.
"""

from __future__ import annotations

import os
import threading
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from . import dense_stack
from .inference import Predictor, buffer, dense_step
from .kernels.rows import ACTIVATION_CODES
from .layers.activations import activation_name
from .layers.dense import Dense

#: The whole stack before the first call plans it.
UNPLANNED = object()
#: The multiply-adds each part of a split call has at least, 2²⁴ (≈ 330 µs of work). Two
#: threads against one, alone on 2 cores (µs): mnist 64 rows (3.6 · 2²² in all) 527 / 518,
#: 256 rows 1,048 / 1,570, 1,024 rows 3,299 / 6,711; wide 16 rows (5.0 · 2²²) 566 / 529,
#: 64 rows 1,428 / 2,089: a few rows stream the same kernel from the shared L3 on both cores.
SPLIT_MACS = 1 << 24


class PackedPredictor(Predictor):
    """A :class:`~mlpkit.inference.Predictor` whose Dense layers run the packed GEMM.

    Args:
        net: a built network nobody trains after this (its kernels are packed on first use).
        threads: the threads a large call of the whole stack may split its rows over.
    """

    def __init__(self, net, threads: int = 1) -> None:
        super().__init__(net)
        self.threads = threads
        self._whole = UNPLANNED
        self._pool: ThreadPoolExecutor | None = None
        self._pool_pid = 0
        self._lock = threading.Lock()

    def __getstate__(self) -> dict:
        return {"net": self.net, "threads": self.threads}  # neither packs nor threads

    def __setstate__(self, state: dict) -> None:
        self.__init__(state["net"], state["threads"])

    @property
    def packs(self) -> bool:
        """Whether any layer runs the packed GEMM (else every step is the ordinary one)."""
        return any(packable(layer) for layer in self.net.walk())

    def close(self) -> None:
        """Let the worker threads go (a later large call starts them again)."""
        pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=False)

    def outputs(self, X) -> tuple[np.ndarray, np.ndarray, bool]:
        """:meth:`mlpkit.inference.Predictor.outputs`; for an input that is already the
        network's (:meth:`~mlpkit.inference.Predictor.plain`), the whole stack
        checks its inputs and outputs finite in its own call (else the ordinary checks run,
        which name what is at fault)."""
        layers = self.whole()
        if layers is not None and self.plain(X):
            out, finite = self._run_whole(layers, X)
            if finite:
                return X, out, True
        return super().outputs(X)

    def forward(self, x: np.ndarray) -> np.ndarray:
        """The network's output for checked inputs x (n_rows, n_features): a fresh array."""
        layers = self.whole()
        if layers is None:
            return super().forward(x)
        return self._run_whole(layers, x)[0]

    def whole(self):
        """The network packed as one stack (:func:`whole_stack`), or None."""
        if self._whole is UNPLANNED:
            self._whole = whole_stack(self.net)
        return self._whole

    def dense_step(self, layer: Dense, key: str):
        """z = f(x·W + b) by the packed GEMM (W packed on the first call), or
        :func:`mlpkit.inference.dense_step` where the layer is not :func:`packable`."""
        blas = dense_step(layer, key)
        if not packable(layer):
            return blas
        packed = []

        def step(x, space):
            if len(x) == 1 or x.strides[1] != x.itemsize:  # a GEMV packs nothing
                return blas(x, space)
            if not packed:
                packed.append(pack([layer]))
            scratch = buffer(space, key + "packed", packed[0].scratch_shape(len(x)), x.dtype)
            z = buffer(space, key + "z", (len(x), layer.units), x.dtype)
            packed[0].forward(x, scratch, z)  # its outputs are checked after the last layer
            return z

        return step

    def _run_whole(self, layers, x: np.ndarray) -> tuple[np.ndarray, bool]:
        """(the packed stack's output for x, whether x and it are finite), chunk by chunk."""
        out = np.empty((x.shape[0], layers.units[-1]), dtype=np.float32)
        finite = True
        for rows, space in self.chunks(x.shape[0], x.dtype):
            finite &= self._whole_rows(layers, x[rows], out[rows], space)
        return out, finite

    def _whole_rows(self, layers, x: np.ndarray, out: np.ndarray, space: dict) -> bool:
        """out = the packed stack of x, its rows split over the threads when the call is
        large (:data:`SPLIT_MACS`); whether x and out are finite."""
        rows = x.shape[0]
        parts = min(self.threads, max(1, rows * layers.macs_per_row // SPLIT_MACS))
        edges = [rows * part // parts for part in range(parts + 1)]

        def part(index):
            start, stop = edges[index], edges[index + 1]
            scratch = buffer(space, f"packed.{index}", layers.scratch_shape(stop - start), x.dtype)
            return layers.forward(x[start:stop], scratch, out[start:stop])

        if parts == 1:
            return part(0)
        others = [self._submit(part, index) for index in range(1, parts)]
        finite = part(0)
        for index, other in zip(range(1, parts), others):
            # no worker to take it where the interpreter is shutting down
            finite &= part(index) if other is None else other.result()
        return finite

    def _submit(self, work, index):
        """``work(index)`` on a worker thread: its future, or None where none can start."""
        with self._lock:
            if self._pool is None or self._pool_pid != os.getpid():  # none yet, or forked
                self._pool = ThreadPoolExecutor(self.threads - 1, "mlpkit-packed")
                self._pool_pid = os.getpid()
            try:
                return self._pool.submit(work, index)
            except RuntimeError:
                return None


def packable(layer) -> bool:
    """Whether ``layer`` runs the packed GEMM: a float32 Dense layer with an activation the
    compiled rows know (:data:`~mlpkit.kernels.rows.ACTIVATION_CODES`)."""
    return (
        type(layer) is Dense
        and layer.W.dtype == np.float32
        and activation_name(layer.activation) in ACTIVATION_CODES
    )


def pack(layers: list[Dense]):
    """Dense layers as one :class:`~mlpkit.kernels.gemm.PackedLayers`, the hidden layers'
    ReLU fused in the tiles, the last one's activation applied to its output."""
    from .kernels import gemm  # imports numba: only once a frozen network packs

    names = [activation_name(layer.activation) for layer in layers]
    return gemm.PackedLayers(
        [(layer.W, layer.b if layer.use_bias else None, name == "relu")
         for layer, name in zip(layers, names)],
        output=names[-1],
    )  # fmt: skip


def whole_stack(net):
    """The network packed as one stack where every layer is :func:`packable`
    (:func:`mlpkit.dense_stack.dense_layers`) and the hidden ones are ReLU or linear; else None."""
    layers = dense_stack.dense_layers(net)
    if (
        layers is None
        or net.dtype != np.float32
        or any(name not in ("linear", "relu") for _, name in layers[:-1])
    ):
        return None
    return pack([layer for layer, _ in layers])
