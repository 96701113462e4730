"""Adam and AdamW: momentum and per-parameter scaling, with bias correction."""

from __future__ import annotations

import math

import numpy as np

from .._checks import check_fraction, check_positive
from . import kernels
from .base import Optimizer


class Adam(Optimizer):
    """Kingma & Ba (2015), as ``torch.optim.Adam``: with m₀ = v₀ = 0,

        m ← β₁·m + (1 − β₁)·g,    v ← β₂·v + (1 − β₂)·g²
        m̂ = m / (1 − β₁ᵗ),        v̂ = v / (1 − β₂ᵗ)
        θ ← θ − η · m̂ / (√v̂ + ε)

    How it is computed. m is a weighted average of the gradients seen, and the bias correction
    is the division of a weighted sum by the sum of its weights: with the weighted sums

        S ← β₁·S + g,   Q ← β₂·Q + g²      (the state ``g_sum`` and ``g2_sum``)

    and the sums of weights w₁ = 1 + β₁ + … + β₁ᵗ⁻¹ = (1 − β₁ᵗ)/(1 − β₁) (likewise w₂),
    m̂ = S/w₁ and v̂ = Q/w₂ exactly. The step is then θ ← θ − (η·√w₂/w₁) · S / (√Q + ε·√w₂):
    the same update as above in 10 NumPy passes over the buffer instead of 12 (the reference
    path), or in one (:func:`mlpkit.optim.kernels.adam`, the fused path).

    Args:
        learning_rate: η. Defaults to 1e-3.
        beta_1: β₁. Defaults to 0.9.
        beta_2: β₂. Defaults to 0.999.
        epsilon: ε. Defaults to 1e-8.
    """

    name = "adam"
    state_names = ("g_sum", "g2_sum")

    def __init__(
        self,
        learning_rate=1e-3,
        beta_1=0.9,
        beta_2=0.999,
        epsilon=1e-8,
        *,
        clip_value=None,
        clip_norm=None,
    ):
        super().__init__(learning_rate, clip_value=clip_value, clip_norm=clip_norm)
        check_fraction("beta_1", beta_1)
        check_fraction("beta_2", beta_2)
        check_positive("epsilon", epsilon)
        self.beta_1, self.beta_2, self.epsilon = float(beta_1), float(beta_2), float(epsilon)

    def moments(self) -> tuple[np.ndarray, np.ndarray]:
        """The bias-corrected moment estimates (m̂, v̂) after the last step."""
        t = self.iterations
        return (
            self.state["g_sum"] / _weight_sum(self.beta_1, t),
            self.state["g2_sum"] / _weight_sum(self.beta_2, t),
        )

    def preconditioner(self, out):
        """D = 1/(√v̂ + ε), v̂ = Q/w₂ the bias-corrected second moment."""
        np.divide(self.state["g2_sum"], _weight_sum(self.beta_2, self.iterations), out=out)
        np.sqrt(out, out=out)
        out += self.epsilon
        np.reciprocal(out, out=out)
        return True

    def _kernel(self, state, lr, t, decay=1.0):
        root_w2 = math.sqrt(_weight_sum(self.beta_2, t))
        step = lr * root_w2 / _weight_sum(self.beta_1, t)
        return kernels.adam, (*state, self.beta_1, self.beta_2, step, self.epsilon * root_w2, decay)

    def _update(self, p, g, state, lr, t, tmp):
        g_sum, g2_sum = state
        g_sum *= self.beta_1
        g_sum += g
        np.multiply(g, g, out=tmp)
        g2_sum *= self.beta_2
        g2_sum += tmp
        root_w2 = math.sqrt(_weight_sum(self.beta_2, t))
        np.sqrt(g2_sum, out=tmp)
        tmp += self.epsilon * root_w2
        np.divide(g_sum, tmp, out=tmp)
        tmp *= lr * root_w2 / _weight_sum(self.beta_1, t)
        p -= tmp


def _weight_sum(beta: float, t: int) -> float:
    """1 + β + β² + … + βᵗ⁻¹ = (1 − βᵗ)/(1 − β): the total weight of t terms of a β-average."""
    return (1 - beta**t) / (1 - beta)


class AdamW(Adam):
    """Loshchilov & Hutter (2019), as ``torch.optim.AdamW``: decoupled weight decay λ,
    θ ← θ·(1 − η·λ), then the Adam step. Applies to every parameter, biases included.

    Args:
        learning_rate, beta_1, beta_2, epsilon: as :class:`Adam`.
        weight_decay: λ. Defaults to 0.01.
    """

    name = "adamw"

    def __init__(
        self,
        learning_rate=1e-3,
        beta_1=0.9,
        beta_2=0.999,
        epsilon=1e-8,
        weight_decay=0.01,
        *,
        clip_value=None,
        clip_norm=None,
    ):
        super().__init__(
            learning_rate, beta_1, beta_2, epsilon, clip_value=clip_value, clip_norm=clip_norm
        )
        check_positive("weight_decay", weight_decay, allow_zero=True)
        self.weight_decay = float(weight_decay)

    def _kernel(self, state, lr, t, decay=1.0):
        return super()._kernel(state, lr, t, decay=1 - lr * self.weight_decay)

    def _update(self, p, g, state, lr, t, tmp):
        p *= 1 - lr * self.weight_decay
        super()._update(p, g, state, lr, t, tmp)
