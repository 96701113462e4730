"""Inverted dropout: randomly silence units in training so that none can be relied on alone."""

from __future__ import annotations

import numpy as np

from .._checks import check_fraction
from .base import Layer, ShapeError, shape_of, shown


class Dropout(Layer):
    """In training, y = x ⊙ m / (1 − p) with mᵢⱼ ~ Bernoulli(1 − p); at inference, y = x.

    Scaling the kept units by 1/(1 − p) during training ("inverted" dropout, as PyTorch and
    Keras do) keeps each unit's expected value unchanged, so nothing is rescaled at inference.
    Backward: dL/dx = dL/dy ⊙ m / (1 − p), with the same mask. The mask is drawn from the
    network's seeded dropout stream and kept as ``mask`` until the next batch.

    With ``per_channel=True`` on shaped inputs (n, C, *S) one draw m[i, c] keeps or drops a whole
    channel of a sample, y[i, c, s] = x[i, c, s] · m[i, c] / (1 − p) (torch ``Dropout1d`` /
    ``Dropout2d``, Keras ``SpatialDropout``): neighbouring positions of a feature map are
    correlated, so dropping them one by one hardly regularises a convolution. ``mask`` then has
    the shape (n, C, 1, …).

    Args:
        rate: p, the fraction of units (or channels) dropped, in [0, 1).
        per_channel: drop whole channels of (n, C, ...) inputs. Defaults to False (each value
            on its own, on inputs of any shape).
    """

    def __init__(self, rate: float, per_channel: bool = False) -> None:
        self.rate = check_fraction("rate", rate, interval="[0, 1)", owner="Dropout")
        self.per_channel = bool(per_channel)

    def get_config(self):
        # per_channel only when set: files of plain dropout stay as older versions wrote them
        return {"rate": self.rate, **({"per_channel": True} if self.per_channel else {})}

    def build(self, n_in):
        if self.per_channel and len(shape_of(n_in)) < 2:
            raise ShapeError(
                f"Dropout(per_channel=True) drops whole channels of inputs (n, channels, ...); "
                f"the layer before gives rows {shown(n_in)}: use Dropout({self.rate}) on rows."
            )
        return n_in, []

    def forward(self, x, *, training=False, logits=False):
        if not training or self.rate == 0:
            return x
        if self.rng is None:
            raise RuntimeError("Dropout has no random generator: use it inside mk.Sequential.")
        shape = x.shape[:2] + (1,) * (x.ndim - 2) if self.per_channel else x.shape
        mask = self._output("mask", shape, x.dtype, True)
        self.rng.random(dtype=x.dtype, out=mask)
        np.greater_equal(mask, self.rate, out=mask, casting="unsafe")
        mask *= 1 / (1 - self.rate)
        self.mask = mask
        return np.multiply(x, mask, out=self._output("y", x.shape, x.dtype, True))

    def backward(self, dy, *, logits=False):
        if self.rate == 0:
            return dy
        return np.multiply(dy, self.mask, out=self._output("dx", dy.shape, dy.dtype, True))
