"""Optimizers that scale each parameter's step by its own gradient history.

Each follows the update rule of its ``torch.optim`` namesake (g the gradient, t the step,
ε added for numerical safety).
"""

from __future__ import annotations

import numpy as np

from .._checks import check_fraction, check_positive
from . import kernels
from .base import Optimizer


class Adagrad(Optimizer):
    """Duchi et al. (2011): s ← s + g²;  θ ← θ − η_t · g / (√s + ε), η_t = η / (1 + (t − 1)·decay).

    Args:
        learning_rate: η. Defaults to 0.01.
        epsilon: ε. Defaults to 1e-10.
        initial_accumulator_value: s at the start. Defaults to 0.
        lr_decay: decay. Defaults to 0.
    """

    name = "adagrad"
    state_names = ("sum",)

    def __init__(
        self,
        learning_rate=0.01,
        epsilon=1e-10,
        initial_accumulator_value=0.0,
        lr_decay=0.0,
        *,
        clip_value=None,
        clip_norm=None,
    ):
        super().__init__(learning_rate, clip_value=clip_value, clip_norm=clip_norm)
        check_positive("epsilon", epsilon)
        check_positive("initial_accumulator_value", initial_accumulator_value, allow_zero=True)
        check_positive("lr_decay", lr_decay, allow_zero=True)
        self.epsilon = float(epsilon)
        self.initial_accumulator_value = float(initial_accumulator_value)
        self.lr_decay = float(lr_decay)

    def _init_state(self, params, grads=None):
        super()._init_state(params, grads)
        self.state["sum"].fill(self.initial_accumulator_value)

    def preconditioner(self, out):
        """D = 1/((√Σg² + ε)(1 + (t − 1)·lr_decay))."""
        np.sqrt(self.state["sum"], out=out)
        out += self.epsilon
        out *= 1 + (self.iterations - 1) * self.lr_decay
        np.reciprocal(out, out=out)
        return True

    def _kernel(self, state, lr, t):
        return kernels.adagrad, (*state, lr / (1 + (t - 1) * self.lr_decay), self.epsilon)

    def _update(self, p, g, state, lr, t, tmp):
        (s,) = state
        np.multiply(g, g, out=tmp)
        s += tmp
        np.sqrt(s, out=tmp)
        tmp += self.epsilon
        np.divide(g, tmp, out=tmp)
        tmp *= lr / (1 + (t - 1) * self.lr_decay)
        p -= tmp


class RMSprop(Optimizer):
    """Hinton (2012): v ← ρ·v + (1 − ρ)·g²;  θ ← θ − η · g / (√v + ε).

    With momentum μ > 0:  b ← μ·b + g / (√v + ε);  θ ← θ − η·b.

    Args:
        learning_rate: η. Defaults to 0.01.
        rho: ρ, the decay of the squared-gradient average (``alpha`` in PyTorch). Defaults to 0.99.
        epsilon: ε. Defaults to 1e-8.
        momentum: μ. Defaults to 0.
    """

    name = "rmsprop"

    def __init__(
        self,
        learning_rate=0.01,
        rho=0.99,
        epsilon=1e-8,
        momentum=0.0,
        *,
        clip_value=None,
        clip_norm=None,
    ):
        super().__init__(learning_rate, clip_value=clip_value, clip_norm=clip_norm)
        check_fraction("rho", rho)
        check_positive("epsilon", epsilon)
        check_fraction("momentum", momentum)
        self.rho, self.epsilon, self.momentum = float(rho), float(epsilon), float(momentum)
        self.state_names = ("square_avg", "momentum_buffer") if momentum else ("square_avg",)

    def preconditioner(self, out):
        """D = 1/(√v + ε) (with momentum, the current step's factor)."""
        np.sqrt(self.state["square_avg"], out=out)
        out += self.epsilon
        np.reciprocal(out, out=out)
        return True

    def _kernel(self, state, lr, t):
        v, b = state if self.momentum else (state[0], state[0][:0])
        rho, eps = self.rho, self.epsilon
        return kernels.rmsprop, (v, b, lr, rho, 1 - rho, eps, self.momentum)

    def _update(self, p, g, state, lr, t, tmp):
        v = state[0]
        v *= self.rho
        np.multiply(g, g, out=tmp)
        tmp *= 1 - self.rho
        v += tmp
        np.sqrt(v, out=tmp)
        tmp += self.epsilon
        np.divide(g, tmp, out=tmp)
        if self.momentum:
            b = state[1]
            b *= self.momentum
            b += tmp
            np.multiply(b, lr, out=tmp)
        else:
            tmp *= lr
        p -= tmp


class Adadelta(Optimizer):
    """Zeiler (2012): v ← ρ·v + (1 − ρ)·g²;  Δ = √(u + ε) / √(v + ε) · g;
    u ← ρ·u + (1 − ρ)·Δ²;  θ ← θ − η·Δ.

    Args:
        learning_rate: η, a multiplier on Δ. Defaults to 1.0.
        rho: ρ. Defaults to 0.9.
        epsilon: ε. Defaults to 1e-6.
    """

    name = "adadelta"
    state_names = ("square_avg", "acc_delta")

    def __init__(
        self, learning_rate=1.0, rho=0.9, epsilon=1e-6, *, clip_value=None, clip_norm=None
    ):
        super().__init__(learning_rate, clip_value=clip_value, clip_norm=clip_norm)
        check_fraction("rho", rho)
        check_positive("epsilon", epsilon)
        self.rho, self.epsilon = float(rho), float(epsilon)

    def preconditioner(self, out):
        """D = √((u + ε)/(v + ε)), u the running mean of squared updates."""
        np.add(self.state["acc_delta"], self.epsilon, out=out)
        out /= self.state["square_avg"] + self.epsilon
        np.sqrt(out, out=out)
        return True

    def _kernel(self, state, lr, t):
        return kernels.adadelta, (*state, lr, self.rho, 1 - self.rho, self.epsilon)

    def _update(self, p, g, state, lr, t, tmp):
        v, u = state
        v *= self.rho
        np.multiply(g, g, out=tmp)
        tmp *= 1 - self.rho
        v += tmp
        np.add(u, self.epsilon, out=tmp)
        tmp /= v + self.epsilon
        np.sqrt(tmp, out=tmp)
        tmp *= g
        u *= self.rho
        u += (1 - self.rho) * tmp * tmp
        tmp *= lr
        p -= tmp
