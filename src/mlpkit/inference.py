"""The inference path of :meth:`Sequential.predict`: ŷ = f_L(… f_1(X)) with no training caches.

Each Dense layer computes z = X·W (+ b) into a workspace of shape (n_rows, units) kept per batch
size, and applies its activation in place where the activation is one of the common ones
(linear, ReLU with its bias fused, tanh, sigmoid, softmax); Dropout is the identity, BatchNorm
uses its running statistics, y = (x − μ_run) · γ/√(σ²_run + ε) + β, and a residual block adds
its skip, y = h(x) + x (or + x·P). Any other layer runs its own ``forward(x, training=False)``.
Nothing a training step reads (a layer's cached input, BatchNorm's statistics, the dropout
stream) is written. The caller gets a fresh (n_rows, n_outputs) array; inputs of more than
:data:`CHUNK_ROWS` rows are predicted in chunks of that size, so the workspaces stay bounded.

A network of Dense layers only (with those activations) predicts a call of few rows in one
compiled call instead (:mod:`mlpkit.dense_stack`), where Python dispatch is most of the time.

An input that is already a C-contiguous 2-D array of the network's dtype with the right number
of columns is checked by one reduction, s = Σᵢⱼ Xᵢⱼ: s is finite whenever every entry is (a NaN
or ±∞ anywhere makes it NaN or ±∞). Only when s is not finite, or for any other input, does the
full check run, whose errors name the row and column at fault.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

import numpy as np

from . import dense_stack
from ._validation import check_features
from .layers.activations import Activation, activation_name, sigmoid, softmax
from .layers.batchnorm import BatchNorm, by_channel
from .layers.dense import Dense
from .layers.dropout import Dropout
from .layers.fused import bias_relu
from .layers.residual import Residual

#: Rows predicted in one pass; larger inputs go in chunks of this many rows.
CHUNK_ROWS = 4096
#: Workspace sets kept (one per thread and batch size), the least recently used dropped first.
KEPT_SIZES = 8


class Predictor:
    """Forward passes of one network in inference mode, into workspaces reused per batch size.

    Args:
        net: a built :class:`~mlpkit.network.Sequential` (its layers are read on every call,
            so weights changed by a later fit are used).
        stack: whether calls of few rows may run as one compiled call
            (:mod:`mlpkit.dense_stack`); False keeps the layer-by-layer path for every call.
    """

    def __init__(self, net, stack: bool = True) -> None:
        self.net = net
        self.use_stack = bool(stack)
        self._steps: list | None = None  # planned on the first call (after unpickling too)
        self._stack: dense_stack.DenseStack | None = None
        self._spaces: OrderedDict = OrderedDict()

    def __getstate__(self) -> dict:
        return {"net": self.net, "stack": self.use_stack}  # not the workspaces

    def __setstate__(self, state: dict) -> None:
        self.__init__(state["net"], state.get("stack", True))

    @property
    def stack(self) -> dense_stack.DenseStack | None:
        """The network as one compiled call for few rows (:mod:`mlpkit.dense_stack`), or None
        when it is not a stack of Dense layers with the activations that path knows."""
        self._plan()
        return self._stack

    @property
    def n_workspaces(self) -> int:
        """How many workspace sets (thread, batch size) are kept now."""
        return len(self._spaces)

    def inputs(self, X) -> np.ndarray:
        """X as the network's (n_rows, n_features) input, checked for what safety needs."""
        if self.plain(X) and np.isfinite(np.add.reduce(X, axis=None)):
            return X
        net = self.net
        return check_features(X, dtype=net.dtype, n_features=net.n_features, purpose="predicting")

    def plain(self, X) -> bool:
        """Whether X is already the network's input but for its values: a C-contiguous
        (n_rows ≥ 1, n_features) NumPy array of the network's dtype."""
        net = self.net
        return (
            type(X) is np.ndarray
            and X.dtype == net.dtype
            and X.ndim == 2
            and X.shape[0] > 0
            and X.shape[1] == net.n_features
            and X.flags.c_contiguous
        )

    def outputs(self, X) -> tuple[np.ndarray, np.ndarray, bool]:
        """(the checked inputs x for X, the network's outputs for x, whether those are known
        to be all finite); outputs not known finite are the caller's to check
        (:func:`mlpkit.overflow.check_outputs`, which says what overflowed)."""
        with np.errstate(over="ignore", invalid="ignore"):  # check_outputs says it instead
            x = self.inputs(X)
            return x, self.forward(x), False

    def forward(self, x: np.ndarray) -> np.ndarray:
        """The network's output for checked inputs x (n_rows, n_features): a fresh array."""
        self._plan()
        n = x.shape[0]
        out = np.empty((n, self.net.n_outputs), dtype=x.dtype)
        stack = self._stack
        if stack is not None and n <= CHUNK_ROWS and stack.takes(n):
            scratch = buffer(self.workspace(n, x.dtype), "stack", (2, n * stack.width), x.dtype)
            if stack.forward(x, scratch, out):
                return out
        for rows, space in self.chunks(n, x.dtype):
            out[rows] = run(self._steps, x[rows], space)
        return out

    def chunks(self, n: int, dtype):
        """(rows, workspace) for each chunk of at most :data:`CHUNK_ROWS` of n rows: a slice
        and the workspace of its size."""
        for start in range(0, n, CHUNK_ROWS):
            stop = min(start + CHUNK_ROWS, n)
            yield slice(start, stop), self.workspace(stop - start, dtype)

    def _plan(self) -> None:
        if self._steps is None:
            self._steps = plan(self.net.layers, dense=self.dense_step)
            self._stack = dense_stack.of(self.net) if self.use_stack else None

    def dense_step(self, layer: Dense, key: str):
        """The inference step of a Dense layer (:func:`dense_step`); a subclass may give
        its own (:class:`mlpkit.packed.PackedPredictor`)."""
        return dense_step(layer, key)

    def workspace(self, rows: int, dtype) -> dict:
        """The workspace (a dict of arrays by key) of this thread and batch size."""
        key = (threading.get_ident(), rows, np.dtype(dtype))
        space = self._spaces.pop(key, None)
        if space is None:
            space = {}
            while len(self._spaces) >= KEPT_SIZES:
                self._spaces.popitem(last=False)
        self._spaces[key] = space
        return space


def buffer(space: dict, key: str, shape, dtype) -> np.ndarray:
    """The workspace array ``key`` of a batch size, allocated on its first use."""
    array = space.get(key)
    if array is None:
        array = space[key] = np.empty(shape, dtype=dtype)
    return array


def plan(layers, prefix: str = "", dense=None) -> list:
    """One step per layer, ``step(x, space) -> y`` in inference mode; workspace keys are the
    layer's position (``"2.0.z"``: the first layer of the third one's block). ``dense(layer,
    key)`` makes the steps of Dense layers (default :func:`dense_step`)."""
    dense = dense or dense_step
    return [_step(layer, f"{prefix}{index}.", dense) for index, layer in enumerate(layers)]


def run(steps: list, x: np.ndarray, space: dict) -> np.ndarray:
    """x through the steps of :func:`plan`."""
    for step in steps:
        x = step(x, space)
    return x


def _step(layer, key: str, dense):
    """The inference step of one layer."""
    if isinstance(layer, Dense):
        return dense(layer, key)
    if isinstance(layer, Dropout):
        return lambda x, space: x
    if isinstance(layer, BatchNorm):
        return _batchnorm_step(layer, key)
    if isinstance(layer, Residual):
        return _residual_step(layer, key, dense)
    if isinstance(layer, Activation) and activation_name(layer) in IN_PLACE:
        activate = in_place_step(activation_name(layer), key)
        # x may be the caller's array or a skip still needed: f is applied to a copy
        return lambda x, space: activate(
            _copy_into(buffer(space, key + "a", x.shape, x.dtype), x), space
        )
    return lambda x, space: layer.forward(x, training=False)


def _copy_into(out: np.ndarray, x: np.ndarray) -> np.ndarray:
    np.copyto(out, x)
    return out


def dense_step(layer: Dense, key: str):
    """z = x·W + b (n_rows, units) in the workspace, then f(z) in place (or f's own forward)."""
    name, units = activation_name(layer.activation), layer.units
    bias = layer.use_bias
    activate = in_place_step(name, key) if name in IN_PLACE else None

    def step(x, space):
        z = np.matmul(x, layer.W, out=buffer(space, key + "z", (x.shape[0], units), x.dtype))
        if bias and name == "relu":
            bias_relu(z, layer.b, z)  # one loop over z once compiled (mlpkit.layers.fused)
            return z
        if bias:
            z += layer.b
        return layer.activation.forward(z) if activate is None else activate(z, space)

    return step


def _batchnorm_step(layer: BatchNorm, key: str):
    """y = (x − μ_run) · γ/√(σ²_run + ε) + β, from the running statistics (per channel on
    shaped inputs (n, C, *S))."""

    def step(x, space):
        out = buffer(space, key + "y", x.shape, x.dtype)
        x, y, _, per = by_channel(x, out)  # rows as they are; (n, C, *S) per channel
        np.subtract(x, per(layer.running_mean), out=y)
        y *= per(layer.gamma / np.sqrt(layer.running_var + layer.epsilon))
        y += per(layer.beta)
        return out

    return step


def _residual_step(layer: Residual, key: str, dense):
    """y = h(x) + x, or h(x) + x·P with a projection P."""
    inner = plan(layer.layers, key, dense)
    project = None if layer.projection is None else dense(layer.projection, key + "P")

    def step(x, space):
        h = run(inner, x, space)
        skip = x if project is None else project(x, space)
        return np.add(h, skip, out=buffer(space, key + "y", h.shape, h.dtype))

    return step


def in_place_step(name: str, key: str):
    """f(z) written over z, for the activations of :data:`IN_PLACE`."""

    def step(z, space):
        if name == "relu":
            np.maximum(z, 0, out=z)
        elif name == "tanh":
            np.tanh(z, out=z)
        elif name == "sigmoid":
            sigmoid(z, z, buffer(space, key + "s", z.shape, z.dtype))  # out may alias z
        elif name == "softmax":
            softmax(z, z)
        return z

    return step


#: The activations applied in place; any other runs its layer's own ``forward``.
IN_PLACE = ("linear", "relu", "tanh", "sigmoid", "softmax")
