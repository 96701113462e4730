"""Adam and AdamW: momentum and per-parameter scaling, with bias correction."""

from __future__ import annotations

import math

import numpy as np

from .base import Optimizer, _check_fraction, _check_positive


class Adam(Optimizer):
    """Kingma & Ba (2015), as ``torch.optim.Adam``:

        m ← β₁·m + (1 − β₁)·g
        v ← β₂·v + (1 − β₂)·g²
        θ ← θ − η/(1 − β₁ᵗ) · m / (√v / √(1 − β₂ᵗ) + ε)

    computed as θ ← θ − η̂·m / (√v + ε̂) with η̂ = η·√(1 − β₂ᵗ)/(1 − β₁ᵗ) and ε̂ = ε·√(1 − β₂ᵗ),
    the same quantity with two fewer passes over the buffer.

    Args:
        learning_rate: η. Defaults to 1e-3.
        beta_1: β₁. Defaults to 0.9.
        beta_2: β₂. Defaults to 0.999.
        epsilon: ε. Defaults to 1e-8.
    """

    name = "adam"
    state_names = ("m", "v")

    def __init__(self, learning_rate=1e-3, beta_1=0.9, beta_2=0.999, epsilon=1e-8):
        super().__init__(learning_rate)
        _check_fraction("beta_1", beta_1)
        _check_fraction("beta_2", beta_2)
        _check_positive("epsilon", epsilon)
        self.beta_1, self.beta_2, self.epsilon = float(beta_1), float(beta_2), float(epsilon)

    def _update(self, p, g, state, lr, t, tmp):
        m, v = state
        correction = math.sqrt(1 - self.beta_2**t)
        np.subtract(g, m, out=tmp)
        tmp *= 1 - self.beta_1
        m += tmp
        v *= self.beta_2
        np.multiply(g, g, out=tmp)
        tmp *= 1 - self.beta_2
        v += tmp
        np.sqrt(v, out=tmp)
        tmp += self.epsilon * correction
        np.divide(m, tmp, out=tmp)
        tmp *= lr * correction / (1 - self.beta_1**t)
        p -= tmp


class AdamW(Adam):
    """Loshchilov & Hutter (2019), as ``torch.optim.AdamW``: decoupled weight decay λ,
    θ ← θ·(1 − η·λ), then the Adam step. Applies to every parameter, biases included.

    Args:
        learning_rate, beta_1, beta_2, epsilon: as :class:`Adam`.
        weight_decay: λ. Defaults to 0.01.
    """

    name = "adamw"

    def __init__(self, learning_rate=1e-3, beta_1=0.9, beta_2=0.999, epsilon=1e-8,
                 weight_decay=0.01):
        super().__init__(learning_rate, beta_1, beta_2, epsilon)
        _check_positive("weight_decay", weight_decay, allow_zero=True)
        self.weight_decay = float(weight_decay)

    def _update(self, p, g, state, lr, t, tmp):
        p *= 1 - lr * self.weight_decay
        super()._update(p, g, state, lr, t, tmp)
