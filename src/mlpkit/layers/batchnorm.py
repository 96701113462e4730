"""Batch normalisation (Ioffe & Szegedy, 2015): standardise each unit over the batch."""

from __future__ import annotations

import numpy as np

from .._checks import check_fraction, check_positive
from ..initializers import Ones, Zeros
from ..params import ParamSpec
from .base import Layer, shape_of


class BatchNorm(Layer):
    """y = γ ⊙ x̂ + β, x̂ = (x − μ) / √(σ² + ε), per unit (column).

    In training μ and σ² are the batch mean and (biased) variance, and the running estimates are
    updated with PyTorch's convention (momentum m = 0.1, unbiased variance):

        running_mean ← (1 − m)·running_mean + m·μ
        running_var  ← (1 − m)·running_var + m·σ²·n/(n − 1)

    At inference μ, σ² are the running estimates. γ (starts at 1) and β (starts at 0) are learned
    and live in the network's flat buffer; they are not weight-penalised. A frozen BatchNorm
    (``trainable = False``) runs as at inference, with its running statistics, and leaves them
    unchanged (as Keras does), so freezing it really fixes what it computes. Place it after a linear
    Dense and before its activation (``Dense(64), BatchNorm(), ReLU()``), or after the activation.

    Backward (training), with n samples and σ̃ = √(σ² + ε):
        dL/dγ = Σᵢ dyᵢ ⊙ x̂ᵢ,   dL/dβ = Σᵢ dyᵢ
        dL/dx = γ/σ̃ ⊙ (dy − mean(dy) − x̂ ⊙ mean(dy ⊙ x̂))

    On shaped inputs (n, C, *S) — (n, C, L) or (n, C, H, W) — each channel is a unit: μ, σ²
    and the learned γ, β are per channel, over the n·S values of the batch and every spatial
    position (torch ``BatchNorm1d`` on (n, C, L), ``BatchNorm2d``; n above reads n·S).

    Args:
        momentum: m in (0, 1]. Defaults to 0.1.
        epsilon: ε > 0. Defaults to 1e-5.
    """

    min_batch_size = 2

    def __init__(self, momentum: float = 0.1, epsilon: float = 1e-5) -> None:
        self.momentum = check_fraction("momentum", momentum, interval="(0, 1]", owner="BatchNorm")
        self.epsilon = check_positive("epsilon", epsilon, owner="BatchNorm")

    def get_config(self):
        return {"momentum": self.momentum, "epsilon": self.epsilon}

    def build(self, n_in):
        channels = shape_of(n_in)[0]
        return n_in, [
            ParamSpec("gamma", (channels,), Ones(), regularize=False),
            ParamSpec("beta", (channels,), Zeros(), regularize=False),
        ]

    def bind(self, params, grads):
        self.gamma, self.beta = params["gamma"], params["beta"]
        self.dgamma, self.dbeta = grads["gamma"], grads["beta"]
        self.running_mean = np.zeros_like(self.gamma)
        self.running_var = np.ones_like(self.gamma)

    def state(self):
        return {"running_mean": self.running_mean, "running_var": self.running_var}

    def forward(self, x, *, training=False, logits=False):
        out = self._output("y", x.shape, x.dtype, training)
        x, y, axes, per = by_channel(x, out)
        if not training or not self.trainable:
            scale = self.gamma / np.sqrt(self.running_var + self.epsilon)
            self._frozen_scale = scale if training else None
            np.subtract(x, per(self.running_mean), out=y)
            y *= per(scale)
            y += per(self.beta)
            return out
        self._frozen_scale = None
        n = x.shape[0] * (1 if x.ndim == 2 else x.shape[2])  # values per channel
        if x.shape[0] < 2:
            raise ValueError(
                "BatchNorm needs at least 2 samples per batch in training; got a batch of 1. "
                "Choose a batch_size that leaves no single-row batch (n_samples % batch_size != 1)."
            )
        mean, var, x_hat = self._standardise(x, axes, per, scratch=y)
        m = self.momentum
        self.running_mean *= 1 - m
        self.running_mean += m * mean
        self.running_var *= 1 - m
        self.running_var += m * var * (n / (n - 1))
        np.multiply(x_hat, per(self.gamma), out=y)
        y += per(self.beta)
        return out

    def _standardise(self, x, axes, per, scratch):
        """μ, σ² (biased, per channel) and x̂ = (x − μ)/√(σ² + ε), the last in a workspace kept
        for backward; ``scratch`` (x's shape) receives the squared deviations."""
        mean = x.mean(axis=axes)
        x_hat = self._output("x_hat", x.shape, x.dtype, True)
        np.subtract(x, per(mean), out=x_hat)
        var = np.square(x_hat, out=scratch).mean(axis=axes)
        self._inv_std = 1 / np.sqrt(var + self.epsilon)
        x_hat *= per(self._inv_std)
        self._x_hat = x_hat
        return mean, var, x_hat

    def backward(self, dy, *, logits=False):
        out = self._output("dx", dy.shape, dy.dtype, True)
        dy, dx, axes, per = by_channel(dy, out)
        if self._frozen_scale is not None:  # frozen: an affine map with the running statistics
            self.dgamma[...] = 0
            self.dbeta[...] = 0
            if not self.needs_input_grad:
                return None
            np.multiply(dy, per(self._frozen_scale), out=dx)
            return out
        x_hat = self._x_hat
        np.sum(np.multiply(dy, x_hat, out=dx), axis=axes, out=self.dgamma)
        np.sum(dy, axis=axes, out=self.dbeta)
        if not self.needs_input_grad:
            return None
        n = dy.shape[0] * (1 if dy.ndim == 2 else dy.shape[2])
        np.multiply(x_hat, per(self.dgamma / n), out=dx)
        np.subtract(dy, dx, out=dx)
        dx -= per(self.dbeta / n)
        dx *= per(self.gamma * self._inv_std)
        return out


def _identity(v):
    return v


def _column(v):
    return v[:, None]


def by_channel(x, out):
    """Views of x and out in which each channel's values lie along the reduced axes:
    ``(x, out, axes, per)``. Rows (n, C) stay as they are, reduced over axis 0; shaped
    (n, C, *S) become (n, C, S), reduced over (0, 2). ``per(v)`` shapes a per-channel vector
    (C,) to broadcast against them."""
    if x.ndim == 2:
        return x, out, 0, _identity
    shape = (x.shape[0], x.shape[1], -1)
    return x.reshape(shape), out.reshape(shape), (0, 2), _column
