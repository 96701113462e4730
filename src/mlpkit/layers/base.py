"""The Layer contract: a differentiable map from (n_samples, *in_shape) to (n_samples, *out_shape).

A layer's size is given per sample, without the batch axis: an ``int`` for flat rows
(n_samples, features), a tuple of two or more for shaped samples — (channels, length),
(channels, height, width), (time, features). :func:`shape_of`, :func:`size_of` and
:func:`shown` read either form; :meth:`Layer.expect_rank` is how a layer refuses a shape it
cannot take, with a :class:`ShapeError` naming both shapes.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from .._workspace import Workspaces
from ..exceptions import ConfigError
from ..params import ParamSpec

#: A per-sample size: an int (flat rows) or a tuple of two or more dimensions.
Size = int | tuple[int, ...]


class ShapeError(ConfigError):
    """A layer was given inputs of a shape it cannot take (the network adds which layer)."""


def shape_of(size: Size) -> tuple[int, ...]:
    """The per-sample shape of a size: ``(features,)`` for an int, the tuple itself otherwise."""
    if isinstance(size, (int, np.integer)):
        return (int(size),)
    return tuple(int(d) for d in size)


def size_of(size: Size) -> int:
    """The number of values per sample (the product of the shape)."""
    return int(np.prod(shape_of(size), dtype=np.int64))


def as_size(shape) -> Size:
    """The canonical size of a per-sample shape: an int for one dimension, else the tuple."""
    shape = shape_of(shape)
    return shape[0] if len(shape) == 1 else shape


def shown(size: Size) -> str:
    """The batch shape in words, e.g. ``(n, 16, 4, 4)``."""
    return "(n, " + ", ".join(str(d) for d in shape_of(size)) + ")"


class Layer(Workspaces):
    """Base class of every layer.

    Lifecycle:
        1. ``__init__`` stores hyperparameters only (validated at once).
        2. ``build(n_in)`` returns the output size and the :class:`ParamSpec` list; it allocates
           nothing. Sizes are per sample (an int for flat rows, a tuple for shaped samples;
           see the module docstring); a layer that passes any shape through returns ``n_in``.
           The network then allocates one flat buffer for all layers and calls
        3. ``bind(params, grads)`` with this layer's views into the buffers.
        4. ``forward(x, training=...)`` and ``backward(dy)`` run the layer.

    Contract of ``backward``: it **overwrites** this layer's gradient views (they hold
    dL/dθ for the last batch, never an accumulation) and returns dL/dx of the input's shape
    ``(n_samples, *in_shape)``. It uses what the last ``forward(..., training=True)`` cached.

    ``logits=True`` asks a layer that ends in an activation to skip it: ``forward`` then returns
    the pre-activation z and ``backward`` takes dL/dz. The network uses it on its output layer
    when the loss is computed from logits (sigmoid or softmax with a cross-entropy).

    In training mode, outputs are written into per-layer workspaces that are reused on the next
    batch, so nothing parameter- or batch-sized is allocated per step; copy a training-mode output
    if you need to keep it. Inference (``training=False``) returns fresh arrays.
    """

    #: False on a network's first layer: nothing needs dL/dX of the data, so it is not computed.
    needs_input_grad: bool = True
    #: False freezes the layer: its parameters are not updated nor penalised; gradients still
    #: flow through it to the layers before.
    trainable: bool = True
    #: The fewest rows a training batch may have (BatchNorm needs 2 to estimate a variance).
    min_batch_size: int = 1
    #: A numpy Generator for layers that draw random numbers (dropout), set by the network.
    rng: np.random.Generator | None = None
    #: The network this layer was built into (a layer object serves one network only).
    network = None

    # -- lifecycle -----------------------------------------------------------------------------
    def build(self, n_in: int) -> tuple[int, list[ParamSpec]]:
        """Return ``(n_out, specs)`` for an input of width ``n_in``. Default: no parameters."""
        return n_in, []

    def expect_rank(self, n_in: Size, rank: int, layout: str) -> tuple[int, ...]:
        """The per-sample shape of ``n_in`` when it has ``rank`` dimensions, laid out as
        ``layout`` (e.g. ``"channels, height, width"``); else a :class:`ShapeError` naming
        the shape this layer takes, the one it was given, and the layer that bridges them."""
        shape = shape_of(n_in)
        if len(shape) == rank:
            return shape
        if rank == 1:
            fix = "put mk.layers.Flatten() before it"
        else:
            fix = f"put mk.layers.Reshape(({layout})) before it to give the features that shape"
        raise ShapeError(
            f"{self.name} takes inputs of shape (n, {layout}); the layer before gives "
            f"{shown(n_in)}: {fix}."
        )

    def bind(self, params: Mapping[str, np.ndarray], grads: Mapping[str, np.ndarray]) -> None:
        """Receive views of this layer's parameters and gradients. Default: there are none."""

    def trains(self, name: str) -> bool:
        """Whether the optimizer updates this layer's parameter ``name`` (False when frozen)."""
        return self.trainable

    def regularizer_for(self, name: str):
        """The penalty this layer puts on its parameter ``name`` (None: the network default)."""
        return None

    def state(self) -> dict[str, np.ndarray]:
        """Non-trainable arrays the layer keeps between batches (e.g. running statistics)."""
        return {}

    def sublayers(self) -> list[Layer]:
        """Layers nested inside this one (a residual block's), for the network to walk."""
        return []

    def forward(self, x: np.ndarray, *, training: bool = False, logits: bool = False) -> np.ndarray:
        raise NotImplementedError

    def backward(self, dy: np.ndarray, *, logits: bool = False) -> np.ndarray:
        raise NotImplementedError

    # -- description ---------------------------------------------------------------------------
    @property
    def name(self) -> str:
        return type(self).__name__

    def get_config(self) -> dict:
        """The constructor arguments: ``type(layer)(**layer.get_config())`` rebuilds the layer."""
        return {}

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"{self.name}({args})"


def build_layers(layers, n_features: int) -> tuple[list, list]:
    """Build each layer on the size the one before gives: ``(sizes, specs)``, where
    ``sizes[0]`` is the input's and ``sizes[i + 1]`` layer i's output (per sample, see
    :mod:`mlpkit.layers.base`).

    Raises:
        ShapeError: a layer cannot take the shape it is given (named, with both shapes), or
            the last layer's output is not flat rows (n, outputs).
    """
    sizes, specs = [n_features], []
    for index, layer in enumerate(layers):
        try:
            size, layer_specs = layer.build(sizes[-1])
        except ShapeError as error:
            raise ShapeError(f"layer {index} ({layer.name}): {error}") from None
        sizes.append(as_size(size))
        specs.append(layer_specs)
    if len(shape_of(sizes[-1])) > 1:
        raise ShapeError(
            f"The network's output must be rows (n, outputs); its last layer "
            f"({len(layers) - 1}: {layers[-1].name}) gives {shown(sizes[-1])}. End with "
            f"mk.layers.Flatten(), a GlobalAveragePool or a Dense layer."
        )
    return sizes, specs
