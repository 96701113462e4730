r"""z = f(h·W + b) for a kernel W packed once, with a register-tile micro-kernel (numba + LLVM IR).

The product of a few rows h (n, K) with a layer's kernel W (K, N) is where a prediction's time
goes, and a BLAS spends much of it packing W into its panel layout on every call (OpenBLAS, one
thread, 8 × 1024 × 1024: 384 µs, of which a GEMV of one row takes 120). A frozen network's
weights do not change, so here W is packed once (:func:`pack`) into P = ⌈N/NR⌉ panels of NR
columns, each a contiguous (K, NR) block, the last padded with zero columns:

    panels[p, k, j] = W[k, p·NR + j]   (0 where p·NR + j ≥ N)

and the product runs as tiles of MR rows × NR columns (:func:`_tile`), each a loop over k that
keeps its MR × NR/LANES vector accumulators in registers: per k, NR/LANES loads of the panel's
row, MR broadcasts of h[i, k], MR · NR/LANES fused multiply-adds. The tile adds the bias and
applies ReLU, "0 where z ≤ 0, else z" (NaN passes), before its one store: z is written once.

:class:`PackedLayers` runs layers one after another through :func:`_share`: each layer as
tasks of rows and panels taken from an atomic counter, a layer begun when the last task of the
one before is done; one task a layer on one thread, several shared by threads. A task runs row
blocks of at most MR rows (balanced: 8 rows are two tiles of 4, not 6 and 2), each block
through every panel of the task in order.
Measured against OpenBLAS 0.3.31 on W as stored (one thread, float32, µs, AVX2 Zen 3, medians):
8 × 784 × 256 39 / 60, 64 × 784 × 256 271 / 341, 8 × 1024 × 1024 186 / 384, 4096 × 784 × 256
19.6k / 20.6k, 4096 × 1024 × 1024 97k / 99k; it loses where a layer has fewer units than NR
(4096 × 128 × 2 208 / 144: the panel is padded 8-fold), which costs little beside the layers
before it. Blocking the panels in groups that stay in L2 (256 KiB to 1 MiB) was slower on every
shape (8 × 784 × 256 49, 4096 × 784 × 256 22.5k at 256 KiB). LANES is 16 where the CPU has
AVX-512, 8 with AVX2 and FMA; elsewhere :func:`supported` is False and the callers keep BLAS.
Shapes: h (n, ≥ K) with row stride lda; panels (P, K, NR); bias (P · NR,); z (n, ≥ P · NR)
with row stride ldz.

Importing this module imports numba; :mod:`mlpkit.frozen` imports it only when it packs.
Its reference is ``np.matmul`` + the bias + ReLU (the tests check the two against each other).
"""

from __future__ import annotations

import functools
import sys

import llvmlite.binding as llvm
import numba
import numpy as np
from llvmlite import ir
from numba import types
from numba.core import cgutils
from numba.extending import intrinsic

from .jit import jitted
from .rows import ACTIVATION_CODES, activate_rows

_FEATURES = llvm.get_host_cpu_features()
#: float32 lanes of a vector register: 16 with AVX-512, 8 with AVX2 (0: no FMA vectors).
LANES = 16 if _FEATURES.get("avx512f") else 8 if _FEATURES.get("avx2") else 0
#: Vectors a tile row holds; a panel is NR = LANES · VECTORS columns.
VECTORS = 2
NR = max(LANES, 1) * VECTORS
#: Rows of the largest tile: 6 × 2 accumulators of 16 ymm registers, 8 × 2 of 32 zmm.
MR = 8 if LANES == 16 else 6
#: How :func:`_tasks` cuts a layer that several threads share: tasks of at least about
#: TASK_MACS multiply-adds (≈ 6 µs), of at least ROW_MIN rows where they take part of the rows,
#: at most MOST_TASKS of them. Two threads, µs, against 2²⁰ / 64 rows / no limit: mnist 64 rows
#: 263 (290), wide 64 rows 1,064 (1,249), small 4096 rows 1,674 (1,641); the figures of the
#: other choices tried differ by less than the rounds do.
TASK_MACS = 1 << 18
ROW_MIN = 32
MOST_TASKS = 64
#: The pauses a thread waits by before it gives its core away between looks (≈ 2^10 · 40 ns).
SPINS = 1 << 10


def supported() -> bool:
    """Whether this CPU has the fused multiply-add vectors the tile is written for, and numba
    compiles for this CPU (not for another named by ``NUMBA_CPU_NAME``/``NUMBA_CPU_FEATURES``,
    which may lack them: then the tile would run as scalar code)."""
    host = numba.config.CPU_NAME in (None, "host") and not numba.config.CPU_FEATURES
    return host and LANES > 0 and bool(_FEATURES.get("fma"))


def pack(W: np.ndarray, b: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
    """(panels (P, K, NR), bias (P · NR,)) of a kernel W (K, N) and its bias b (N,) or None:
    panels[p, k, j] = W[k, p·NR + j], zero-padded to P = ⌈N/NR⌉ panels; bias zero-padded."""
    K, N = W.shape
    P = -(-N // NR)
    padded = np.zeros((K, P * NR), dtype=np.float32)
    padded[:, :N] = W
    bias = np.zeros(P * NR, dtype=np.float32)
    if b is not None:
        bias[:N] = b
    return np.ascontiguousarray(padded.reshape(K, P, NR).transpose(1, 0, 2)), bias


class _Emitter:
    """LLVM IR for the tiles, written into one numba function through ``builder``."""

    def __init__(self, context, builder, kinds, args) -> None:
        self.builder = builder
        self.i64 = ir.IntType(64)
        self.vector = ir.VectorType(ir.FloatType(), LANES)
        self.zero = ir.Constant(self.vector, [0.0] * LANES)
        arrays = {0: "h", 3: "panels", 5: "bias", 7: "z"}
        self.base = {
            name: context.make_array(kinds[i])(context, builder, args[i]).data
            for i, name in arrays.items()
        }
        self.fma = cgutils.get_or_insert_function(
            builder.module, ir.FunctionType(self.vector, [self.vector] * 3), f"llvm.fma.v{LANES}f32"
        )

    def const(self, value: int):
        return ir.Constant(self.i64, value)

    def load_vector(self, array: str, offset):
        address = self.builder.gep(self.base[array], [offset])
        return self.builder.load(self.builder.bitcast(address, self.vector.as_pointer()), align=4)

    def broadcast(self, offset):
        """h[offset] in every lane."""
        b = self.builder
        x = b.load(b.gep(self.base["h"], [offset]), align=4)
        x = b.insert_element(ir.Constant(self.vector, ir.Undefined), x, ir.IntType(32)(0))
        lanes = ir.Constant(ir.VectorType(ir.IntType(32), LANES), [0] * LANES)
        return b.shuffle_vector(x, ir.Constant(self.vector, ir.Undefined), lanes)

    def tile(self, rows: int, h0, lda, p0, j0, z0, ldz, depth, relu) -> None:
        """The tile of ``rows`` rows, ending where it began its own blocks."""
        b, const = self.builder, self.const
        entry = b.block
        loop = b.append_basic_block(f"tile{rows}.k")
        done = b.append_basic_block(f"tile{rows}.store")
        b.cbranch(b.icmp_signed(">", depth, const(0)), loop, done)

        b.position_at_end(loop)
        k = b.phi(self.i64)
        acc = [[b.phi(self.vector) for _ in range(VECTORS)] for _ in range(rows)]
        row = b.add(p0, b.mul(k, const(NR)))
        w = [self.load_vector("panels", b.add(row, const(v * LANES))) for v in range(VECTORS)]
        summed = []
        for r in range(rows):
            x = self.broadcast(b.add(b.add(h0, b.mul(lda, const(r))), k))
            summed.append([b.call(self.fma, [x, w[v], acc[r][v]]) for v in range(VECTORS)])
        following = b.add(k, const(1))
        k.add_incoming(const(0), entry)
        k.add_incoming(following, loop)
        for r in range(rows):
            for v in range(VECTORS):
                acc[r][v].add_incoming(self.zero, entry)
                acc[r][v].add_incoming(summed[r][v], loop)
        b.cbranch(b.icmp_signed("<", following, depth), loop, done)

        b.position_at_end(done)
        totals = [[b.phi(self.vector) for _ in range(VECTORS)] for _ in range(rows)]
        for r in range(rows):
            for v in range(VECTORS):
                totals[r][v].add_incoming(self.zero, entry)
                totals[r][v].add_incoming(summed[r][v], loop)
        rectify = b.icmp_signed("!=", relu, ir.Constant(relu.type, 0))
        bias = [self.load_vector("bias", b.add(j0, const(v * LANES))) for v in range(VECTORS)]
        for r in range(rows):
            for v in range(VECTORS):
                value = b.fadd(totals[r][v], bias[v])
                # ReLU as "0 where z ≤ 0, else z": an ordered compare, so NaN passes
                negative = b.fcmp_ordered("<=", value, self.zero)
                value = b.select(rectify, b.select(negative, self.zero, value), value)
                at = b.add(b.add(z0, b.mul(ldz, const(r))), const(v * LANES))
                address = b.bitcast(b.gep(self.base["z"], [at]), self.vector.as_pointer())
                b.store(value, address, align=4)  # rows of z need not start on a vector


@intrinsic
def _tile(typingctx, rows, h, h0, lda, panels, p0, bias, j0, z, z0, ldz, depth, relu):
    """z[z0 + r·ldz + j] = f(Σ_k h[h0 + r·lda + k] · panels[p0 + k·NR + j] + bias[j0 + j]) for
    r < rows (1 to MR), j < NR; f = ReLU when ``relu`` is nonzero, else identity. One tile a
    row count, chosen by an IR ``switch``."""
    signature = types.void(rows, h, h0, lda, panels, p0, bias, j0, z, z0, ldz, depth, relu)

    def codegen(context, builder, signature, args):
        emit = _Emitter(context, builder, signature.args[1:], args[1:])
        _, _, h0, lda, _, p0, _, j0, _, z0, ldz, depth, relu = args
        end = builder.append_basic_block("tiles.end")
        switch = builder.switch(args[0], end)
        for count in range(1, MR + 1):
            block = builder.append_basic_block(f"tiles.{count}")
            switch.add_case(ir.Constant(args[0].type, count), block)
            builder.position_at_end(block)
            emit.tile(count, h0, lda, p0, j0, z0, ldz, depth, relu)
            builder.branch(end)
        builder.position_at_end(end)
        return context.get_dummy_value()

    return signature, codegen


@intrinsic
def _fetch_add(typingctx, counters, index):
    """counters[index] += 1 in one atomic step (sequentially consistent); the value before."""
    if counters.dtype != types.int64:
        return None
    signature = types.int64(counters, index)

    def codegen(context, builder, signature, args):
        array = context.make_array(signature.args[0])(context, builder, args[0])
        address = builder.gep(array.data, [args[1]])
        return builder.atomic_rmw("add", address, ir.Constant(ir.IntType(64), 1), "seq_cst")

    return signature, codegen


@intrinsic
def _count(typingctx, counters, index):
    """counters[index], read atomically with acquire order: whatever its writers wrote before
    they counted is then seen."""
    if counters.dtype != types.int64:
        return None
    signature = types.int64(counters, index)

    def codegen(context, builder, signature, args):
        array = context.make_array(signature.args[0])(context, builder, args[0])
        return builder.load_atomic(builder.gep(array.data, [args[1]]), "acquire", 8)

    return signature, codegen


@intrinsic
def _pause(typingctx):
    """The CPU's spin-loop hint (x86 ``pause``)."""

    def codegen(context, builder, signature, args):
        pause = cgutils.get_or_insert_function(
            builder.module, ir.FunctionType(ir.VoidType(), []), "llvm.x86.sse2.pause"
        )
        builder.call(pause, [])
        return context.get_dummy_value()

    return types.void(), codegen


@intrinsic
def _yield_core(typingctx):
    """Give this core to another runnable thread, if any (``sched_yield``; a pause where
    there is none, on Windows)."""

    def codegen(context, builder, signature, args):
        if sys.platform == "win32":
            name, kind = "llvm.x86.sse2.pause", ir.FunctionType(ir.VoidType(), [])
        else:
            name, kind = "sched_yield", ir.FunctionType(ir.IntType(32), [])
        builder.call(cgutils.get_or_insert_function(builder.module, kind, name), [])
        return context.get_dummy_value()

    return types.void(), codegen


@numba.njit(cache=True, nogil=True)
def _wait_until(counters, index, value):
    """Until counters[index] ≥ value: spin, then give the core away between looks, for the
    thread waited for may be waiting for this core (another library's threads spin too)."""
    spins = 0
    while _count(counters, index) < value:
        if spins < SPINS:
            _pause()
            spins += 1
        else:
            _yield_core()


@numba.njit(cache=True, nogil=True)
def _dense(h, h0, lda, n, panels, p0, depth, count, bias, b0, z, z0, ldz, relu):
    """z[z0 + i·ldz + j] = f(h[h0 + i·lda, :depth]·W + b)[j] for i < n, j < count·NR, W the
    ``count`` panels at p0."""
    blocks = (n + MR - 1) // MR
    start = 0
    for block in range(blocks):
        rows = (n - start) // (blocks - block)  # the rows left, shared by the blocks left
        for p in range(count):
            _tile(
                rows, h, h0 + start * lda, lda, panels, p0 + p * depth * NR, bias,
                b0 + p * NR, z, z0 + start * ldz + p * NR, ldz, depth, relu,
            )  # fmt: skip
        start += rows


@numba.njit(cache=True, nogil=True)
def _tasks(n, depth, count, task_macs, row_min, most):
    """(row parts R, panel parts G) of a layer of ``count`` panels on n rows shared as R · G
    ≤ ``most`` tasks of at least about ``task_macs`` multiply-adds: rows first, in parts of at
    least ``row_min`` rows (each task reads its rows of h once), then panels."""
    wanted = max(1, min(most, n * depth * count * NR // task_macs))
    row_parts = max(1, min(wanted, n // row_min))
    return row_parts, max(1, min(count, wanted // row_parts))


@numba.njit(cache=True, nogil=True)
def _part(index, parts, total):
    """(start, size) of part ``index`` of ``total`` cut into ``parts`` parts that differ by at
    most one."""
    start = index * total // parts
    return start, (index + 1) * total // parts - start


@numba.njit(cache=True, nogil=True)
def _share(x, lda, n, table, panels, bias, scratch, counters, task_macs, row_min, most):
    """One thread's share of the stack that several threads run on the same arrays: each layer
    is cut into tasks (:func:`_tasks`), a thread takes the next untaken one
    (counters[2·layer] counts those taken, counters[2·layer + 1] those done) until none is
    left, then waits for the layer's last before the next layer. A thread that starts late
    finds its tasks taken and the stack done: no thread waits for another that has not begun."""
    h = scratch[1]
    ldh = lda
    for layer in range(table.shape[0]):
        p0, depth, count = table[layer, 0], table[layer, 1], table[layer, 2]
        b0, relu = table[layer, 3], table[layer, 4]
        z, ldz = scratch[layer % 2], count * NR
        row_parts, panel_parts = _tasks(n, depth, count, task_macs, row_min, most)
        tasks = row_parts * panel_parts
        task = _fetch_add(counters, 2 * layer)
        while task < tasks:
            r, g = task // panel_parts, task % panel_parts
            r0, rows = _part(r, row_parts, n)
            g0, cut = _part(g, panel_parts, count)
            p, b, at = p0 + g0 * depth * NR, b0 + g0 * NR, r0 * ldz + g0 * NR
            if layer == 0:
                _dense(x, r0 * ldh, ldh, rows, panels, p, depth, cut, bias, b, z, at, ldz, relu)
            else:
                _dense(h, r0 * ldh, ldh, rows, panels, p, depth, cut, bias, b, z, at, ldz, relu)
            _fetch_add(counters, 2 * layer + 1)
            task = _fetch_add(counters, 2 * layer)
        _wait_until(counters, 2 * layer + 1, tasks)
        h, ldh = z, ldz


@numba.njit(cache=True, nogil=True, fastmath={"reassoc"})
def _finite(x, n, depth):
    """Whether every x[i, k] (i < n, k < depth) is finite: Σ x·0 is 0 exactly then, else NaN
    (reassociated, so the sum runs in vectors)."""
    total = np.float32(0.0)
    for i in range(n):
        for k in range(depth):
            total += x[i, k] * np.float32(0.0)
    return total == 0


def _finish_rows(x, n, table, scratch, out, code):
    """out = f(the last layer's z, in scratch), f by its code
    (:func:`mlpkit.kernels.rows.activate_rows`); whether x and out are finite."""
    last = table.shape[0] - 1
    ldz, units = table[last, 2] * NR, out.shape[1]
    z = scratch[last % 2, : n * ldz].reshape((n, ldz))[:, :units]
    return activate_rows(z, out, code) and _finite(x, n, table[0, 1])


def _predict_rows(x, lda, n, table, panels, bias, scratch, out, code):
    """out = f(the stack of x) on this thread alone (:func:`_share` with one task a layer, then
    :func:`_finish_rows`); whether x and out are finite."""
    counters = np.zeros(2 * table.shape[0], dtype=np.int64)
    _share(x, lda, n, table, panels, bias, scratch, counters, 1, 1, 1)
    return _finish_rows(x, n, table, scratch, out, code)


# compiled with their callee, activate_rows, from another file
_predict = jitted(_predict_rows)
_finish = jitted(_finish_rows)


class PackedLayers:
    """Dense layers z_l = f_l(z_{l−1}·W_l + b_l), f_l ReLU or identity, packed once
    (:func:`pack`) into one buffer of panels and one of biases, run in one call, the last
    one's output through ``output``.

    Args:
        layers: (W (K_l, N_l) float32, b (N_l,) or None, relu) for each layer in order,
            K_{l+1} = N_l.
        output: the activation of the output, a name in
            :data:`~mlpkit.kernels.rows.ACTIVATION_CODES`.
    """

    def __init__(
        self, layers: list[tuple[np.ndarray, np.ndarray | None, bool]], output: str = "linear"
    ) -> None:
        self.output = ACTIVATION_CODES[output]
        packs = [pack(W, b) for W, b, _ in layers]
        self.units = [W.shape[1] for W, _, _ in layers]
        self.macs_per_row = sum(W.size for W, _, _ in layers)
        self.widths = [bias.size for _, bias in packs]
        self.panels = np.concatenate([panels.ravel() for panels, _ in packs])
        self.bias = np.concatenate([bias for _, bias in packs])
        self.table = np.array(
            [
                (p0, W.shape[0], width // NR, b0, int(relu))
                for (W, _, relu), width, p0, b0 in zip(
                    layers,
                    self.widths,
                    np.cumsum([0] + [panels.size for panels, _ in packs[:-1]]),
                    np.cumsum([0] + self.widths[:-1]),
                )
            ],
            dtype=np.int64,
        )

    def scratch_shape(self, rows: int) -> tuple[int, int]:
        """The shape of the scratch buffer :meth:`forward` takes for ``rows`` rows."""
        return (2, rows * max(self.widths))

    def forward(self, x: np.ndarray, scratch: np.ndarray, out: np.ndarray, helpers=None) -> bool:
        """out (n, N_L) = the output for x (n, K_1) float32 with unit column stride, through
        ``scratch`` (:meth:`scratch_shape`, float32, C-contiguous); whether every entry of x
        and out is finite. ``helpers(job)``, where given, has other threads call ``job()``:
        they share the layers' tasks with this one (:func:`_share`), and this call returns
        when all are done, whether the others began or not."""
        n = x.shape[0]
        # the tiles read and write through raw pointers: shapes are checked here, not there
        depth, need = self.table[0, 1], self.scratch_shape(n)
        if x.dtype != np.float32 or x.ndim != 2 or x.strides[1] != 4 or x.shape[1] < depth:
            raise ValueError(
                f"PackedLayers.forward expected float32 rows of {depth} columns with unit column "
                f"stride, got x of dtype {x.dtype}, shape {x.shape}, strides {x.strides}."
            )
        small = scratch.ndim != 2 or scratch.shape[0] < 2 or scratch.shape[1] < need[1]
        if scratch.dtype != np.float32 or not scratch.flags.c_contiguous or small:
            raise ValueError(
                f"PackedLayers.forward expected a C-contiguous float32 scratch of at least shape "
                f"{need}, got dtype {scratch.dtype}, shape {scratch.shape}."
            )
        if out.dtype != np.float32 or out.shape != (n, self.units[-1]):
            raise ValueError(
                f"PackedLayers.forward expected a float32 out of shape {(n, self.units[-1])}, "
                f"got dtype {out.dtype}, shape {out.shape}."
            )
        lda = x.strides[0] // 4
        table, panels, bias = self.table, self.panels, self.bias
        if helpers is None:
            return _predict(x, lda, n, table, panels, bias, scratch, out, self.output)
        counters = np.zeros(2 * table.shape[0], dtype=np.int64)
        share = functools.partial(
            _share,
            x,
            lda,
            n,
            table,
            panels,
            bias,
            scratch,
            counters,
            TASK_MACS,
            ROW_MIN,
            MOST_TASKS,
        )
        try:
            helpers(share)
        finally:  # the tasks a worker took are done, and written, before scratch is reused
            share()
        return _finish(x, n, table, scratch, out, self.output)
