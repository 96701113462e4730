"""Stochastic gradient descent, with classical or Nesterov momentum."""

from __future__ import annotations

import numpy as np

from .._checks import check_fraction
from ..exceptions import ConfigError
from . import kernels
from .base import Optimizer


class SGD(Optimizer):
    """θ ← θ − η·g, or with momentum μ (``torch.optim.SGD``, dampening 0):

        b ← μ·b + g
        θ ← θ − η·b              (classical)
        θ ← θ − η·(g + μ·b)      (Nesterov)

    Args:
        learning_rate: η. Defaults to 0.01.
        momentum: μ in [0, 1). Defaults to 0 (plain gradient descent).
        nesterov: use Nesterov's look-ahead form. Needs ``momentum > 0``. Defaults to False.
    """

    name = "sgd"

    def __init__(
        self,
        learning_rate=0.01,
        momentum: float = 0.0,
        nesterov: bool = False,
        *,
        clip_value=None,
        clip_norm=None,
    ):
        super().__init__(learning_rate, clip_value=clip_value, clip_norm=clip_norm)
        check_fraction("momentum", momentum)
        if nesterov and momentum == 0:
            raise ConfigError("nesterov=True needs a momentum > 0; received momentum=0.")
        self.momentum, self.nesterov = float(momentum), bool(nesterov)
        self.state_names = ("momentum_buffer",) if momentum else ()

    def _kernel(self, state, lr, t):
        if not self.momentum:
            return kernels.sgd, (lr,)
        return kernels.sgd_momentum, (*state, lr, self.momentum, self.nesterov)

    def _update(self, p, g, state, lr, t, tmp):
        if not self.momentum:
            np.multiply(g, lr, out=tmp)
            p -= tmp
            return
        (b,) = state
        b *= self.momentum
        b += g
        if self.nesterov:
            np.multiply(b, self.momentum, out=tmp)
            tmp += g
            tmp *= lr
        else:
            np.multiply(b, lr, out=tmp)
        p -= tmp
