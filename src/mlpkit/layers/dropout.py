"""Inverted dropout: randomly silence units in training so that none can be relied on alone."""

from __future__ import annotations

import numpy as np

from .._checks import check_fraction
from .base import Layer


class Dropout(Layer):
    """In training, y = x ⊙ m / (1 − p) with mᵢⱼ ~ Bernoulli(1 − p); at inference, y = x.

    Scaling the kept units by 1/(1 − p) during training ("inverted" dropout, as PyTorch and
    Keras do) keeps each unit's expected value unchanged, so nothing is rescaled at inference.
    Backward: dL/dx = dL/dy ⊙ m / (1 − p), with the same mask. The mask is drawn from the
    network's seeded dropout stream and kept as ``mask`` until the next batch.

    Args:
        rate: p, the fraction of units dropped, in [0, 1).
    """

    def __init__(self, rate: float) -> None:
        self.rate = check_fraction("rate", rate, interval="[0, 1)", owner="Dropout")

    def get_config(self):
        return {"rate": self.rate}

    def forward(self, x, *, training=False, logits=False):
        if not training or self.rate == 0:
            return x
        if self.rng is None:
            raise RuntimeError("Dropout has no random generator: use it inside mk.Sequential.")
        mask = self._output("mask", x.shape, x.dtype, True)
        self.rng.random(dtype=x.dtype, out=mask)
        np.greater_equal(mask, self.rate, out=mask, casting="unsafe")
        mask *= 1 / (1 - self.rate)
        self.mask = mask
        return np.multiply(x, mask, out=self._output("y", x.shape, x.dtype, True))

    def backward(self, dy, *, logits=False):
        if self.rate == 0:
            return dy
        return np.multiply(dy, self.mask, out=self._output("dx", dy.shape, dy.dtype, True))
