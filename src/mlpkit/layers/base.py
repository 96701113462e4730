"""The Layer contract: a differentiable map from (n_samples, n_in) to (n_samples, n_out)."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from .._workspace import Workspaces
from ..params import ParamSpec


class Layer(Workspaces):
    """Base class of every layer.

    Lifecycle:
        1. ``__init__`` stores hyperparameters only (validated at once).
        2. ``build(n_in)`` returns the output width and the :class:`ParamSpec` list; it allocates
           nothing. The network then allocates one flat buffer for all layers and calls
        3. ``bind(params, grads)`` with this layer's views into the buffers.
        4. ``forward(x, training=...)`` and ``backward(dy)`` run the layer.

    Contract of ``backward``: it **overwrites** this layer's gradient views (they hold
    dL/dθ for the last batch, never an accumulation) and returns dL/dx of shape
    ``(n_samples, n_in)``. It uses what the last ``forward(..., training=True)`` cached.

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
