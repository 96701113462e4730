"""What one epoch of training logs: running means over its batches, as Keras keeps them.

Every training number of an epoch is the same kind of number, gathered from the batches as
they were trained on (training mode: dropout on, BatchNorm on batch statistics), with no extra
pass over the data:

- ``loss`` (and ``penalty``): the mean over the epoch's rows, each batch's loss weighted by its
  number of rows (so a smaller last batch counts for what it holds);
- ``grad_norm``, ``grad_norm_max``, ``grad_norm_min``: the mean, largest and smallest global
  gradient norm ‖g‖₂ of the batches, before clipping; ``grad_norm/<i>:<Layer>`` the mean of the
  same statistic restricted to layer i's parameters, so a layer's norm never exceeds the
  global one's in the same batch (‖g‖₂² is the sum of the layers' squares);
- the requested metrics (``accuracy``, ``rmse``, ...): computed once, at the end of the epoch,
  over the outputs the network produced for each batch, against those rows' targets.
"""

from __future__ import annotations

import math

import numpy as np


class EpochStats:
    """Running sums of one epoch's batch losses, penalties and gradient norms.

    Args:
        layer_keys: the ``grad_norm/<i>:<Layer>`` key of each layer block, in block order.
    """

    def __init__(self, layer_keys) -> None:
        self.rows, self.batches, self.loss, self.penalty, self.norm = 0, 0, 0.0, 0.0, 0.0
        self.norm_max, self.norm_min = 0.0, math.inf
        self.layer_keys = list(layer_keys)
        self.layer_norms = np.zeros(len(self.layer_keys))

    def add(self, rows: int, loss: float, penalty: float, norm: float, layer_norms) -> None:
        """One batch: its row count, loss, penalty, global and per-layer gradient norms."""
        self.rows += rows
        self.batches += 1
        self.loss += loss * rows
        self.penalty += penalty * rows
        self.norm += norm
        self.norm_max, self.norm_min = max(self.norm_max, norm), min(self.norm_min, norm)
        self.layer_norms += layer_norms

    def logs(self, with_penalty: bool) -> dict:
        """The epoch's logs (empty before the first batch)."""
        if not self.batches:
            return {}
        logs = {"loss": self.loss / self.rows}
        if with_penalty:
            logs["penalty"] = self.penalty / self.rows
        logs.update(
            grad_norm=self.norm / self.batches,
            grad_norm_max=self.norm_max,
            grad_norm_min=self.norm_min,
        )
        means = self.layer_norms / self.batches
        logs.update({key: float(value) for key, value in zip(self.layer_keys, means)})
        return logs


class EpochOutputs:
    """The network's outputs for the epoch's batches, kept to score the training metrics.

    Args:
        n: the rows of the epoch; k: the output units; dtype: the network's.
    """

    def __init__(self, n: int, k: int, dtype) -> None:
        self.outputs = np.empty((n, k), dtype=dtype)
        self.rows = np.empty(n, dtype=np.intp)
        self.filled = 0

    def add(self, rows: np.ndarray, output: np.ndarray) -> None:
        """The outputs (batch, k) of the training rows ``rows`` (their indices)."""
        stop = self.filled + len(rows)
        self.outputs[self.filled : stop] = output
        self.rows[self.filled : stop] = rows
        self.filled = stop

    def scored(self) -> tuple[np.ndarray, np.ndarray]:
        """``(outputs, row indices)`` of the batches seen (all rows after a full epoch)."""
        return self.outputs[: self.filled], self.rows[: self.filled]


def layer_blocks(net) -> list[tuple[str, slice]]:
    """``(grad_norm key, slice of the flat buffer)`` of each top-level layer with parameters:
    a layer's parameters are contiguous in the buffer, so its norm is one dot product."""
    spans: dict[int, list[int]] = {}
    for slot in net.slots:
        start, stop = spans.get(slot.layer, (slot.offset, slot.stop))
        spans[slot.layer] = [min(start, slot.offset), max(stop, slot.stop)]
    return [
        (f"grad_norm/{layer}:{net.layers[layer].name}", slice(start, stop))
        for layer, (start, stop) in sorted(spans.items())
    ]


def block_squares(grads: np.ndarray, blocks) -> np.ndarray:
    """‖g_block‖₂² of each block (float64 where float32 would overflow)."""
    squares = np.array([float(np.dot(grads[where], grads[where])) for _, where in blocks])
    if np.isinf(squares).any() and np.isfinite(grads).all():
        wide = grads.astype(np.float64)
        squares = np.array([float(np.dot(wide[where], wide[where])) for _, where in blocks])
    return squares
