"""The flat parameter buffer: every trainable number of a network in one array.

A network asks each layer which parameters it needs (a :class:`ParamSpec` per array), allocates
two contiguous 1-D buffers once — ``values`` for the parameters and ``grads`` for their
gradients — and hands each layer *views* into them (``layer.W``, ``layer.dW``, ...).

Because of this an optimizer step, a global-norm clip, a penalty or a best-weights snapshot is one
or two array operations over the whole model instead of a Python loop over layers.

.. warning::
   **Never rebind a view.** Write parameters and gradients in place only: ``np.matmul(a, b,
   out=self.dW)``, ``self.W[...] = w``, ``self.db += g``. ``self.W = w`` silently detaches the
   layer from the buffer: the optimizer would keep updating the buffer while the layer computes
   with a stale copy. A test guards this after a training step.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from .kernels import memory

#: ``init(out, rng)`` fills the array ``out`` in place, drawing from the Generator ``rng``.
Initializer = Callable[[np.ndarray, np.random.Generator], None]


@dataclass(frozen=True)
class ParamSpec:
    """One parameter array a layer asks for.

    Attributes:
        name: unique within its layer, e.g. ``"W"`` or ``"b"``; its gradient is ``"d" + name``.
        shape: the array's shape, e.g. ``(n_in, n_out)`` for a dense kernel.
        init: fills the array in place on :meth:`ParamStore.initialize`.
        regularize: whether weight penalties apply to it (False for biases and slopes).
    """

    name: str
    shape: tuple[int, ...]
    init: Initializer
    regularize: bool = True

    @property
    def size(self) -> int:
        return int(np.prod(self.shape, dtype=np.int64))


@dataclass(frozen=True)
class Slot:
    """Where one parameter lives in the flat buffer: ``values[offset:offset + size]``."""

    layer: int
    spec: ParamSpec
    offset: int

    @property
    def stop(self) -> int:
        return self.offset + self.spec.size


class ParamStore:
    """Two flat buffers, ``values`` and ``grads``, of shape ``(n_params,)`` and one dtype.

    Args:
        specs: for each layer in order, the parameter specs it declared.
        dtype: ``float32`` (default everywhere) or ``float64``.
    """

    def __init__(self, specs: Sequence[Sequence[ParamSpec]], dtype: np.dtype) -> None:
        self.slots: list[Slot] = []
        offset = 0
        for layer, layer_specs in enumerate(specs):
            for spec in layer_specs:
                self.slots.append(Slot(layer, spec, offset))
                offset += spec.size
        self.values = memory.zeros(offset, dtype)
        self.grads = memory.zeros(offset, dtype, after=self.values)

    @property
    def size(self) -> int:
        return self.values.size

    def views(self, layer: int) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
        """The layer's parameter views and gradient views, keyed by parameter name."""
        params, grads = {}, {}
        for slot in self.slots:
            if slot.layer == layer:
                params[slot.spec.name] = self._view(self.values, slot)
                grads[slot.spec.name] = self._view(self.grads, slot)
        return params, grads

    def initialize(self, rng: np.random.Generator) -> None:
        """Fill every parameter with its initializer, in layer order, from one Generator."""
        for slot in self.slots:
            slot.spec.init(self._view(self.values, slot), rng)

    def regularization_mask(self) -> np.ndarray:
        """A 0/1 array over the buffer: 1 where weight penalties apply."""
        mask = np.zeros_like(self.values)
        for slot in self.slots:
            if slot.spec.regularize:
                mask[slot.offset : slot.stop] = 1
        return mask

    def copy(self) -> np.ndarray:
        """A snapshot of the parameters (e.g. the best weights so far)."""
        return self.values.copy()

    def load(self, values: np.ndarray) -> None:
        """Overwrite the parameters in place from a snapshot of the same size."""
        if values.shape != self.values.shape:
            raise ValueError(
                f"Cannot load {values.shape[0] if values.ndim == 1 else values.shape} values into "
                f"a network with {self.size} parameters; the architectures differ."
            )
        self.values[...] = values

    @staticmethod
    def _view(buffer: np.ndarray, slot: Slot) -> np.ndarray:
        return buffer[slot.offset : slot.stop].reshape(slot.spec.shape)
