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

:class:`PackedLayers` runs layers one after another, each as row blocks of at most MR rows
(balanced: 8 rows are two tiles of 4, not 6 and 2), each block through every panel in order.
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

import llvmlite.binding as llvm
import numba
import numpy as np
from llvmlite import ir
from numba import types
from numba.core import cgutils
from numba.extending import intrinsic

_FEATURES = llvm.get_host_cpu_features()
#: float32 lanes of a vector register: 16 with AVX-512, 8 with AVX2 (0: no FMA vectors).
LANES = 16 if _FEATURES.get("avx512f") else 8 if _FEATURES.get("avx2") else 0
#: Vectors a tile row holds; a panel is NR = LANES · VECTORS columns.
VECTORS = 2
NR = max(LANES, 1) * VECTORS
#: Rows of the largest tile: 6 × 2 accumulators of 16 ymm registers, 8 × 2 of 32 zmm.
MR = 8 if LANES == 16 else 6


def supported() -> bool:
    """Whether this CPU has the fused multiply-add vectors the tile is written for."""
    return LANES > 0 and bool(_FEATURES.get("fma"))


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


def _tile(rows: int):
    """The tile of ``rows`` rows: z[i0 + r, j0 : j0 + NR] = f(Σ_k h[i0 + r, k] · panel[k, :]
    + bias[j0 : j0 + NR]) for r < rows, f = ReLU when ``relu`` is nonzero, else identity."""

    @intrinsic
    def tile(typingctx, h, h0, lda, panels, p0, bias, j0, z, z0, ldz, depth, relu):
        signature = types.void(h, h0, lda, panels, p0, bias, j0, z, z0, ldz, depth, relu)

        def codegen(context, builder, signature, args):
            h, h0, lda, panels, p0, bias, j0, z, z0, ldz, depth, relu = args
            kinds = signature.args
            f32, i64 = ir.FloatType(), ir.IntType(64)
            vector = ir.VectorType(f32, LANES)
            pointer = vector.as_pointer()

            def data(kind, value):
                return context.make_array(kind)(context, builder, value).data

            hp, pp, bp, zp = (data(kinds[i], args[i]) for i in (0, 3, 5, 7))
            fma = cgutils.get_or_insert_function(
                builder.module, ir.FunctionType(vector, [vector] * 3), f"llvm.fma.v{LANES}f32"
            )

            def const(value):
                return ir.Constant(i64, value)

            def load_vector(base, offset):
                return builder.load(builder.bitcast(builder.gep(base, [offset]), pointer), align=4)

            zero = ir.Constant(vector, [0.0] * LANES)
            splat = ir.Constant(ir.VectorType(ir.IntType(32), LANES), [0] * LANES)
            entry = builder.block
            loop = builder.append_basic_block("tile.k")
            done = builder.append_basic_block("tile.store")
            builder.cbranch(builder.icmp_signed(">", depth, const(0)), loop, done)

            builder.position_at_end(loop)
            k = builder.phi(i64)
            k.add_incoming(const(0), entry)
            acc = [[builder.phi(vector) for _ in range(VECTORS)] for _ in range(rows)]
            row = builder.add(p0, builder.mul(k, const(NR)))
            w = [load_vector(pp, builder.add(row, const(v * LANES))) for v in range(VECTORS)]
            summed = []
            for r in range(rows):
                at = builder.add(builder.add(h0, builder.mul(lda, const(r))), k)
                x = builder.load(builder.gep(hp, [at]), align=4)
                x = builder.insert_element(
                    ir.Constant(vector, ir.Undefined), x, ir.Constant(ir.IntType(32), 0)
                )
                x = builder.shuffle_vector(x, ir.Constant(vector, ir.Undefined), splat)
                summed.append([builder.call(fma, [x, w[v], acc[r][v]]) for v in range(VECTORS)])
            following = builder.add(k, const(1))
            k.add_incoming(following, loop)
            for r in range(rows):
                for v in range(VECTORS):
                    acc[r][v].add_incoming(zero, entry)
                    acc[r][v].add_incoming(summed[r][v], loop)
            builder.cbranch(builder.icmp_signed("<", following, depth), loop, done)

            builder.position_at_end(done)
            totals = [[builder.phi(vector) for _ in range(VECTORS)] for _ in range(rows)]
            for r in range(rows):
                for v in range(VECTORS):
                    totals[r][v].add_incoming(zero, entry)
                    totals[r][v].add_incoming(summed[r][v], loop)
            rectify = builder.icmp_signed("!=", relu, ir.Constant(relu.type, 0))
            b = [load_vector(bp, builder.add(j0, const(v * LANES))) for v in range(VECTORS)]
            for r in range(rows):
                for v in range(VECTORS):
                    value = builder.fadd(totals[r][v], b[v])
                    # ReLU as "0 where z ≤ 0, else z": an ordered compare, so NaN passes
                    negative = builder.fcmp_ordered("<=", value, zero)
                    value = builder.select(rectify, builder.select(negative, zero, value), value)
                    at = builder.add(builder.add(z0, builder.mul(ldz, const(r))), const(v * LANES))
                    builder.store(value, builder.bitcast(builder.gep(zp, [at]), pointer), align=4)
            return context.get_dummy_value()

        return signature, codegen

    return tile


_TILES = [_tile(rows) for rows in range(1, 9)]
_T1, _T2, _T3, _T4, _T5, _T6, _T7, _T8 = _TILES


@numba.njit(cache=True, nogil=True)
def _tile_rows(rows, h, h0, lda, panels, p0, bias, j0, z, z0, ldz, depth, relu):
    """The tile of ``rows`` (1 to 8) rows."""
    if rows == 1:
        _T1(h, h0, lda, panels, p0, bias, j0, z, z0, ldz, depth, relu)
    elif rows == 2:
        _T2(h, h0, lda, panels, p0, bias, j0, z, z0, ldz, depth, relu)
    elif rows == 3:
        _T3(h, h0, lda, panels, p0, bias, j0, z, z0, ldz, depth, relu)
    elif rows == 4:
        _T4(h, h0, lda, panels, p0, bias, j0, z, z0, ldz, depth, relu)
    elif rows == 5:
        _T5(h, h0, lda, panels, p0, bias, j0, z, z0, ldz, depth, relu)
    elif rows == 6:
        _T6(h, h0, lda, panels, p0, bias, j0, z, z0, ldz, depth, relu)
    elif rows == 7:
        _T7(h, h0, lda, panels, p0, bias, j0, z, z0, ldz, depth, relu)
    else:
        _T8(h, h0, lda, panels, p0, bias, j0, z, z0, ldz, depth, relu)


@numba.njit(cache=True, nogil=True)
def _dense(h, h0, lda, n, panels, p0, depth, count, bias, b0, z, ldz, relu):
    """z[i, :count·NR] = f(h[i, :depth]·W + b) for i < n, W the ``count`` panels at p0."""
    blocks = (n + MR - 1) // MR
    start = 0
    for block in range(blocks):
        rows = (n - start) // (blocks - block)  # the rows left, shared by the blocks left
        for p in range(count):
            _tile_rows(
                rows, h, h0 + start * lda, lda, panels, p0 + p * depth * NR, bias,
                b0 + p * NR, z, start * ldz + p * NR, ldz, depth, relu,
            )  # fmt: skip
        start += rows


@numba.njit(cache=True, nogil=True)
def _stack(x, lda, n, table, panels, bias, scratch):
    """The layers of ``table`` one after another, x → scratch[0] → scratch[1] → …"""
    h = scratch[1]  # the input of layers after the first
    for layer in range(table.shape[0]):
        p0, depth, count = table[layer, 0], table[layer, 1], table[layer, 2]
        b0, relu = table[layer, 3], table[layer, 4]
        z, ldz = scratch[layer % 2], count * NR
        if layer == 0:
            _dense(x, 0, lda, n, panels, p0, depth, count, bias, b0, z, ldz, relu)
        else:
            _dense(h, 0, lda, n, panels, p0, depth, count, bias, b0, z, ldz, relu)
        h, lda = z, ldz


class PackedLayers:
    """Dense layers z_l = f_l(z_{l−1}·W_l + b_l), f_l ReLU or identity, packed once
    (:func:`pack`) into one buffer of panels and one of biases, run in one call.

    Args:
        layers: (W (K_l, N_l) float32, b (N_l,) or None, relu) for each layer in order,
            K_{l+1} = N_l.
    """

    def __init__(self, layers: list[tuple[np.ndarray, np.ndarray | None, bool]]) -> None:
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

    def forward(self, x: np.ndarray, scratch: np.ndarray) -> np.ndarray:
        """The last layer's output for x (n, K_1) float32 with unit column stride: a view
        (n, N_L) into ``scratch`` (:meth:`scratch_shape`, float32, C-contiguous)."""
        n, last = x.shape[0], len(self.widths) - 1
        _stack(x, x.strides[0] // 4, n, self.table, self.panels, self.bias, scratch)
        width = self.widths[last]
        return scratch[last % 2, : n * width].reshape(n, width)[:, : self.units[last]]
