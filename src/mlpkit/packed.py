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
a chunk of at least :data:`SPLIT_MACS` multiply-adds is shared with threads − 1 worker
threads (:class:`Workers`): each layer is cut into tasks of rows or panels, which the threads
take as they come, and a layer begins when the one before is done
(:meth:`mlpkit.kernels.gemm.PackedLayers.forward`; the kernel runs without the GIL). Cutting
panels, not only rows, is what lets a few rows use two cores: each thread then reads half of
each kernel (mnist, 64 rows, µs: rows in two parts 527 against 518 on one thread, tasks 263
against 380). Every entry is the same chain of multiply-adds over k in any task, so the bits do
not depend on the threads. One row takes this path too: the call around it costs less than
the GEMV saves (one row, µs, packed stack / the one-call BLAS path of :mod:`mlpkit.dense_stack` /
onnxruntime: small 10.5 / 19.9 / 13.9, mnist 32.2 / 38.8 / 32.7, wide 118.9 / 122.6 / 118.2).

The packs are copies: weights written after packing are not seen. Only a network no one
trains may have this predictor, which is what :func:`mlpkit.freeze` guarantees.
"""

from __future__ import annotations

import os
import queue
import threading
import warnings
import weakref

import numpy as np

from . import dense_stack
from .inference import Predictor, buffer, dense_step
from .kernels.rows import ACTIVATION_CODES
from .layers.activations import activation_name
from .layers.dense import Dense

#: The whole stack before the first call plans it.
UNPLANNED = object()
#: The multiply-adds of a call from which its tasks are shared with the worker threads, 2²³
#: (≈ 170 µs of work). Two threads against one, alone on 2 cores (µs): mnist 16 rows (3.8M
#: multiply-adds) 167 / 97, 32 rows (7.5M) 222 / 221, 64 rows (15M) 263 / 380, 128 rows 530 /
#: 719; small 256 rows (5.3M) 175 / 149, 512 rows (10.6M) 242 / 286; wide 4 rows (5.2M) 159 /
#: 136, 8 rows (10.5M) 230 / 275: waking a worker costs about 40 µs.
SPLIT_MACS = 1 << 23


class PackedPredictor(Predictor):
    """A :class:`~mlpkit.inference.Predictor` whose Dense layers run the packed GEMM.

    Args:
        net: a built network nobody trains after this (its kernels are packed on first use).
        threads: the threads that share a large call of the whole stack (its caller and
            threads − 1 workers, :data:`SPLIT_MACS`).
    """

    def __init__(self, net, threads: int = 1) -> None:
        super().__init__(net)
        self.threads = threads
        self._whole = UNPLANNED
        self._workers: Workers | None = None
        self._release = None  # closes the workers when this predictor is collected
        # held only to swap the two attributes, never while a thread starts: the collector
        # may run FrozenModel.__del__ → close() on any allocation, on any thread
        self._lock = threading.RLock()
        LIVE.add(self)

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
        with self._lock:
            release, self._workers, self._release = self._release, None, None
        if release is not None:
            release()

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
        """out = the packed stack of x, its tasks shared with the worker threads when the call
        is large (:data:`SPLIT_MACS`); whether x and out are finite."""
        scratch = buffer(space, "packed", layers.scratch_shape(x.shape[0]), x.dtype)
        shared = self.threads > 1 and x.shape[0] * layers.macs_per_row >= SPLIT_MACS
        return layers.forward(x, scratch, out, self._helpers if shared else None)

    def forked(self) -> None:
        """In a forked child: forget the parent's workers, whose threads are not here, and its
        lock, which another of its threads may have held at the fork (the next large call
        starts workers of the child's own)."""
        if self._release is not None:
            self._release.detach()  # the parent's workers: nothing to close here
        self._lock = threading.RLock()
        self._workers = self._release = None

    def _helpers(self, job) -> None:
        """``job()`` on each worker thread (started on the first large call). Where no thread
        can start (the interpreter is ending) nothing is put: the caller takes every task."""
        workers = self._workers or self._start()
        if workers is not None:
            workers.put(job)

    def _start(self) -> Workers | None:
        """New workers, or those another thread started meanwhile; None where none can start."""
        try:
            workers = Workers(self.threads - 1)
        except RuntimeError:
            return None
        # the threads hold the workers, never this predictor: a bound predict that outlives
        # its frozen model still lets them go when the predictor is collected
        release = weakref.finalize(self, workers.close)
        with self._lock:
            if self._workers is None:
                self._workers, self._release = workers, release
                return workers
            kept = self._workers
        release()  # another caller's workers came first: these are spare
        return kept


class Workers:
    """Daemon threads that call the jobs put to them; nothing comes back (a job counts its own
    work, :meth:`mlpkit.kernels.gemm.PackedLayers.forward`).

    Args:
        count: the threads.
    """

    def __init__(self, count: int) -> None:
        self.count = count
        self.jobs: queue.SimpleQueue = queue.SimpleQueue()
        self.threads: list[threading.Thread] = []
        for _ in range(count):
            thread = threading.Thread(target=self._work, name="mlpkit-packed", daemon=True)
            try:
                thread.start()
            except RuntimeError:  # "can't create new thread", or at interpreter shutdown
                self.count = len(self.threads)
                self.close()
                raise
            self.threads.append(thread)

    def put(self, job) -> None:
        """``job()`` once for each thread (by whichever thread is free first)."""
        for _ in range(self.count):
            self.jobs.put(job)

    def close(self) -> None:
        """Let the threads end once the jobs before are done."""
        for _ in range(self.count):
            self.jobs.put(None)

    def _work(self) -> None:
        while (job := self.jobs.get()) is not None:
            try:
                job()
            except Exception as error:  # the caller does the tasks a worker leaves
                warnings.warn(
                    f"an mlpkit prediction worker failed: {error!r}", RuntimeWarning, stacklevel=1
                )
            del job  # an idle thread must not keep the last call's arrays alive


#: Every packed predictor alive, for :func:`_after_fork`.
LIVE: weakref.WeakSet = weakref.WeakSet()


def _after_fork() -> None:
    for predictor in list(LIVE):
        predictor.forked()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork)


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
