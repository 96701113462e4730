"""Pooling layers on channels-first inputs: max and average over sliding windows, per channel,
and the global average over every spatial position.

The windows are those of :mod:`.im2col` with dilation 1: for a pool size k, stride s (defaults
to k, as in torch and Keras) and padding p, an axis of size L gives

    L_out = ⌊(L + 2p − k) / s⌋ + 1

positions; p may be at most k // 2 (as torch requires), so that every window holds an input.
"""

from __future__ import annotations

import numpy as np

from ..exceptions import ConfigError
from .base import Layer, ShapeError, as_size, shape_of, shown
from .im2col import Windows, col2im, config_value, im2col, int_tuple


class _Pool(Layer):
    """A reduction over each window of each channel; subclasses fix the rank and the reduction.

    Shapes (2-D): x (n, C, H, W) → y (n, C, H_out, W_out); the windows are read as
    cols (C, k₁·k₂, n·P) by :func:`~.im2col.im2col` and reduced over their second axis.

    Args:
        pool_size: k, an int or one per spatial axis.
        stride: s, an int or one per axis. Defaults to ``pool_size`` (windows that tile).
        padding: p added on both sides of each axis, an int or one per axis, at most k // 2.
            Defaults to 0.
    """

    rank = 2
    layout = "channels, height, width"
    #: the value padding stands for: 0 for averages, −∞ for maxima (it never wins)
    fill = 0.0

    def __init__(self, pool_size, stride=None, padding=0) -> None:
        owner = self.name
        self.pool_size = int_tuple("pool_size", pool_size, self.rank, owner)
        self.stride = (
            self.pool_size if stride is None else int_tuple("stride", stride, self.rank, owner)
        )
        self.pads = tuple((p, p) for p in int_tuple("padding", padding, self.rank, owner, low=0))
        for (p, _), k in zip(self.pads, self.pool_size):
            if p > k // 2:
                raise ConfigError(
                    f"{owner} padding must be at most half the pool size ({k // 2} for pool_size "
                    f"{k}), so that no window is padding only; received padding={padding!r}."
                )
        self._stride_given = stride is not None

    def get_config(self):
        return {
            "pool_size": config_value(self.pool_size),
            "stride": config_value(self.stride) if self._stride_given else None,
            "padding": config_value(tuple(p for p, _ in self.pads)),
        }

    def build(self, n_in):
        shape = self.expect_rank(n_in, self.rank + 1, self.layout)
        ones = (1,) * self.rank
        self.windows = Windows(shape, self.pool_size, self.stride, self.pads, ones, self.name)
        return as_size((shape[0], *self.windows.out_spatial)), []

    def _windows_of(self, x, training):
        """cols (C, K, n·P) of x, in a workspace in training."""
        w, n = self.windows, x.shape[0]
        cols = self._output("cols", w.cols_shape(n), x.dtype, training)
        pad = self._output("padded", w.padded_shape(n), x.dtype, training) if w.padded else None
        im2col(w, x, cols, pad, fill=self.fill)
        return cols.reshape(w.channels, w.kernel_size, n * w.positions)

    def _to_samples(self, reduced, n, training):
        """(C, n·P) → y (n, C, *out): the channel-major result in the batch's layout."""
        w = self.windows
        y = self._output("y", (n, w.channels, *w.out_spatial), reduced.dtype, training)
        np.copyto(
            y.reshape(n, w.channels, -1), reduced.reshape(w.channels, n, -1).transpose(1, 0, 2)
        )
        return y

    def _to_channels(self, dy):
        """dy (n, C, *out) → (C, n·P): the gradient in the layout of the reduction."""
        n, c = dy.shape[:2]
        out = self._output("dyt", (c, dy.size // c), dy.dtype, True)
        np.copyto(out.reshape(c, n, -1), dy.reshape(n, c, -1).transpose(1, 0, 2))
        return out

    def _spread(self, dcols, n, dtype):
        """dL/dx = col2im(dL/dcols), dcols of shape ``cols_shape(n)`` (a broadcast view is fine)."""
        w = self.windows
        dx = self._output("dx", (n, *w.in_shape), dtype, True)
        pad = self._output("padded", w.padded_shape(n), dtype, True) if w.padded else None
        return col2im(w, dcols, dx, pad)


class _MaxPool(_Pool):
    """y = max over each window; dL/dx routes dL/dy to the window's argmax — the first maximum
    in row-major window order on ties, as torch — and 0 elsewhere (summed where windows
    overlap). Padding counts as −∞, so it never is the maximum.

    The first maximum is found in backward by one pass per kernel offset j (K vectorised
    comparisons): hit_j = [cols_j = max] ∧ free, free ← free ∧ ¬hit_j. Measured on
    (n 64, 16 channels, 26×26, 2×2 windows, one thread): 3.9 ms for forward and backward, 12.5 ms
    with ``np.argmax`` over the window axis and ``np.put_along_axis``.
    """

    fill = -np.inf

    def forward(self, x, *, training=False, logits=False):
        if self._tiles:
            return self._forward_tiles(x, training)
        cols = self._windows_of(x, training)
        top = self._output("max", (cols.shape[0], cols.shape[2]), x.dtype, training)
        np.max(cols, axis=1, out=top)
        if training:
            self._cols, self._max = cols, top
        return self._to_samples(top, x.shape[0], training)

    def backward(self, dy, *, logits=False):
        if not self.needs_input_grad:
            return None
        if self._tiles:
            return self._backward_tiles(dy)
        dcols, top = self._cols, self._max  # dcols: the windows, overwritten by the gradient
        grad = self._to_channels(dy)
        hit = self._output("hit", top.shape, bool, True)
        free = self._output("free", top.shape, bool, True)  # no earlier maximum in the window
        free.fill(True)
        for j in range(dcols.shape[1]):
            np.equal(dcols[:, j], top, out=hit)
            hit &= free
            np.greater(free, hit, out=free)  # free ∧ ¬hit
            np.multiply(grad, hit, out=dcols[:, j])
        n = dy.shape[0]
        return self._spread(dcols.reshape(self.windows.cols_shape(n)), n, dy.dtype)

    # -- windows that tile (stride = pool size, no padding): one spatial axis at a time -----
    @property
    def _tiles(self) -> bool:
        return self.stride == self.pool_size and not self.windows.padded

    def _forward_tiles(self, x, training):
        """The max over a k₁×k₂ tile is the max over k₁ rows of the max over k₂ columns, and
        the first maximum in row-major order is the first row's pick among the rows' first
        maxima: reduce the last axis, then the one before, keeping each stage's pick."""
        w, current = self.windows, x
        for a in reversed(range(self.rank)):
            shape = (*current.shape[: 2 + a], w.out_spatial[a], *current.shape[3 + a :])
            top = self._output("y" if a == 0 else f"max{a}", shape, x.dtype, training)
            # bool for 2 offsets: no cast in the comparison nor in backward's product (measured
            # on 64×16×26×26: the last axis's stage 1.05 → 0.66 ms forward, 1.13 → 0.85 backward)
            kind = bool if self.pool_size[a] == 2 else np.uint8
            pick = self._output(f"pick{a}", shape, kind, True) if training else None
            _max_along(current, 2 + a, self.pool_size[a], top, pick, self._scratch(shape))
            current = top
        return current

    def _backward_tiles(self, dy):
        """Route dL/dy back through the stages, first axis first: each sends its gradient to
        the position its pick names along its axis and 0 elsewhere (the remainder included)."""
        w, current = self.windows, dy
        for a in range(self.rank):
            shape = (*current.shape[: 2 + a], w.in_shape[1 + a], *current.shape[3 + a :])
            last = a == self.rank - 1
            out = self._output("dx" if last else f"grad{a}", shape, dy.dtype, True)
            pick = self._workspaces[(f"pick{a}", current.shape)]
            _route_along(current, pick, 2 + a, self.pool_size[a], out, self._scratch(pick.shape))
            current = out
        return current

    def _scratch(self, shape):
        return self._output("hit", shape, bool, True)


def _split(a: np.ndarray, axis: int, k: int) -> np.ndarray:
    """``a`` with ``axis`` cut to a multiple of k and split into (⌊size/k⌋, k): a view."""
    size = a.shape[axis] // k
    cut = a[(slice(None),) * axis + (slice(0, size * k),)]
    return np.reshape(cut, (*a.shape[:axis], size, k, *a.shape[axis + 1 :]), copy=False)


def _offset(a: np.ndarray, axis: int, j: int) -> np.ndarray:
    """Entry j of the kernel axis that :func:`_split` put after ``axis``."""
    return a[(slice(None),) * (axis + 1) + (j,)]


def _max_along(x, axis, k, top, pick, better) -> None:
    """top = the max over windows of k along ``axis`` (they tile it); pick (None in inference)
    = the offset of the first maximum, by a strict comparison per offset so ties keep the
    first."""
    tiles = _split(x, axis, k)
    if k == 2:  # the common 2×2 pool: one comparison and one maximum per axis
        first, second = _offset(tiles, axis, 0), _offset(tiles, axis, 1)
        if pick is not None:
            np.greater(second, first, out=pick)
        np.maximum(first, second, out=top)
        return
    np.copyto(top, _offset(tiles, axis, 0))
    if pick is not None:
        pick.fill(0)
    for j in range(1, k):
        entry = _offset(tiles, axis, j)
        if pick is not None:
            np.greater(entry, top, out=better)
            np.copyto(pick, j, where=better)
        np.maximum(top, entry, out=top)


def _route_along(grad, pick, axis, k, dx, hit) -> None:
    """dx along ``axis`` (its full length) = ``grad`` at the offset ``pick`` names, 0 elsewhere."""
    tiles = _split(dx, axis, k)
    if k == 2:  # pick is 0 or 1: grad·pick at 1, and grad − grad·pick (exactly 0 or grad) at 0
        np.multiply(grad, pick, out=_offset(tiles, axis, 1))
        np.subtract(grad, _offset(tiles, axis, 1), out=_offset(tiles, axis, 0))
    else:
        for j in range(k):
            np.equal(pick, j, out=hit)
            np.multiply(grad, hit, out=_offset(tiles, axis, j))
    covered = tiles.shape[axis] * k
    if covered < dx.shape[axis]:
        dx[(slice(None),) * axis + (slice(covered, None),)] = 0


class _AvgPool(_Pool):
    """y = (1/K) Σ over each window of K = k₁·k₂ positions; dL/dx spreads dL/dy/K over the
    window (summed where windows overlap). Padding counts as zeros in the mean, as torch's
    default ``count_include_pad=True`` (Keras has no numeric padding)."""

    def forward(self, x, *, training=False, logits=False):
        cols = self._windows_of(x, training)
        total = self._output("sum", (cols.shape[0], cols.shape[2]), x.dtype, training)
        np.sum(cols, axis=1, out=total)
        total *= 1 / self.windows.kernel_size
        return self._to_samples(total, x.shape[0], training)

    def backward(self, dy, *, logits=False):
        if not self.needs_input_grad:
            return None
        w, n = self.windows, dy.shape[0]
        share = self._to_channels(dy)
        share *= 1 / w.kernel_size
        view = share.reshape(w.channels, *(1,) * self.rank, n, *w.out_spatial)
        return self._spread(np.broadcast_to(view, w.cols_shape(n)), n, dy.dtype)


class MaxPool1D(_MaxPool):
    """Max pooling on (n, channels, length) → (n, channels, L_out), L_out = ⌊(L + 2p − k)/s⌋ + 1.

    Args: ``pool_size`` k, ``stride`` s (defaults to k), ``padding`` p ≤ k // 2 (−∞ padding).
    """

    rank = 1
    layout = "channels, length"


class MaxPool2D(_MaxPool):
    """Max pooling on (n, C, H, W) → (n, C, H_out, W_out), H_out = ⌊(H + 2p − k)/s⌋ + 1 per axis.

    Args: ``pool_size`` k, ``stride`` s (defaults to k), ``padding`` p ≤ k // 2 (−∞ padding);
    each an int or a (height, width) pair.
    """


class AvgPool1D(_AvgPool):
    """Average pooling on (n, channels, length) → (n, channels, L_out), L_out = ⌊(L + 2p − k)/s⌋
    + 1; zero padding is counted in the mean (torch's ``count_include_pad=True``).

    Args: ``pool_size`` k, ``stride`` s (defaults to k), ``padding`` p ≤ k // 2.
    """

    rank = 1
    layout = "channels, length"


class AvgPool2D(_AvgPool):
    """Average pooling on (n, C, H, W) → (n, C, H_out, W_out), H_out = ⌊(H + 2p − k)/s⌋ + 1 per
    axis; zero padding is counted in the mean (torch's ``count_include_pad=True``).

    Args: ``pool_size`` k, ``stride`` s (defaults to k), ``padding`` p ≤ k // 2; each an int or
    a (height, width) pair.
    """


class GlobalAveragePool(Layer):
    """The mean of each channel over every axis after it: (n, C, *S) → (n, C).

    y[i, c] = (1/S) Σ_s x[i, c, s] with S the number of spatial positions;
    dL/dx[i, c, s] = dL/dy[i, c] / S. Takes any shaped input (n, C, L), (n, C, H, W), ….
    """

    def build(self, n_in):
        shape = shape_of(n_in)
        if len(shape) < 2:
            raise ShapeError(
                f"GlobalAveragePool takes inputs of shape (n, channels, ...); the layer before "
                f"gives {shown(n_in)}, which has no axis to average over: remove it, or put it "
                f"before Flatten."
            )
        self.in_shape = shape
        return shape[0], []

    def forward(self, x, *, training=False, logits=False):
        n, c = x.shape[:2]
        y = self._output("y", (n, c), x.dtype, training)
        return np.mean(x.reshape(n, c, -1), axis=2, out=y)

    def backward(self, dy, *, logits=False):
        if not self.needs_input_grad:
            return None
        n, c = dy.shape
        dx = self._output("dx", (n, *self.in_shape), dy.dtype, True)
        positions = dx[0, 0].size
        np.multiply(dy[:, :, None], 1 / positions, out=dx.reshape(n, c, positions))
        return dx
