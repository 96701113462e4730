r"""Activation functions as parameter-free layers, each with its derivative beside it.

An activation maps z (n_samples, n) to a = f(z) element-wise (softmax: row-wise). Its backward
turns dL/da into dL/dz = dL/da · f'(z) (softmax: a Jacobian-vector product). They are usable as
layers of their own (``mk.layers.ReLU()``) or by name as a Dense argument
(``Dense(64, activation="relu")``); names are listed in :data:`ACTIVATIONS`.

Numerical care: sigmoid, softplus, ELU and softmax are written so that no intermediate overflows
for any finite float32 input (|z| up to 1e4 and beyond), and return no inf or NaN.

Conventions at kinks: ReLU'(0) = 0, LeakyReLU'(0) = PReLU'(0) = slope, step(0) = 0.
"""

from __future__ import annotations

import math

import numpy as np
from scipy.special import erf

from ..exceptions import ConfigError
from ..initializers import Constant
from ..params import ParamSpec
from ..registry import resolve
from .base import Layer


class Activation(Layer):
    """Base of the activation layers: subclasses write ``_f(z, out)`` and ``_df(dy, dz)``.

    ``_df`` may read ``self._z`` (the input) and ``self._a`` (the output) cached by forward.
    """

    def forward(self, x, *, training=False, logits=False):
        if logits:
            return x
        out = self._output("a", x.shape, x.dtype, training)
        self._f(x, out)
        if training:
            self._z, self._a = x, out
        return out

    def backward(self, dy, *, logits=False):
        if logits:
            return dy
        dz = self._output("dz", dy.shape, dy.dtype, True)
        self._df(dy, dz)
        return dz

    def _f(self, z: np.ndarray, out: np.ndarray) -> None:
        raise NotImplementedError

    def _df(self, dy: np.ndarray, dz: np.ndarray) -> None:
        raise NotImplementedError


class Linear(Activation):
    """f(z) = z;  f'(z) = 1."""

    def forward(self, x, *, training=False, logits=False):
        return x

    def backward(self, dy, *, logits=False):
        return dy


class Step(Activation):
    """Heaviside step: f(z) = 1 if z > 0 else 0;  f'(z) = 0 (no gradient flows through it).

    A network cannot learn through a step by gradient descent; use :class:`mlpkit.Perceptron`
    and its learning rule instead.
    """

    def _f(self, z, out):
        np.greater(z, 0, out=out, casting="unsafe")

    def _df(self, dy, dz):
        dz.fill(0)


def sigmoid(z: np.ndarray, out: np.ndarray) -> np.ndarray:
    """σ(z) = 1 / (1 + e^(−z)), computed as e^(−|z|) / (1 + e^(−|z|)) for z < 0: no overflow."""
    e = np.exp(-np.abs(z))
    np.divide(1.0, 1.0 + e, out=out)
    negative = z < 0
    out[negative] = e[negative] * out[negative]
    return out


class Sigmoid(Activation):
    """σ(z) = 1 / (1 + e^(−z));  σ'(z) = σ(z)(1 − σ(z))."""

    def _f(self, z, out):
        sigmoid(z, out)

    def _df(self, dy, dz):
        a = self._a
        np.multiply(dy, a * (1 - a), out=dz)


class Tanh(Activation):
    """tanh(z) = (e^z − e^(−z)) / (e^z + e^(−z));  tanh'(z) = 1 − tanh²(z)."""

    def _f(self, z, out):
        np.tanh(z, out=out)

    def _df(self, dy, dz):
        np.multiply(self._a, self._a, out=dz)
        np.subtract(1, dz, out=dz)
        dz *= dy


class ReLU(Activation):
    """f(z) = max(0, z);  f'(z) = 1 if z > 0 else 0."""

    def _f(self, z, out):
        np.maximum(z, 0, out=out)

    def _df(self, dy, dz):
        np.greater(self._a, 0, out=dz, casting="unsafe")
        dz *= dy


class LeakyReLU(Activation):
    """f(z) = z if z > 0 else s·z;  f'(z) = 1 if z > 0 else s (s = ``negative_slope``)."""

    def __init__(self, negative_slope: float = 0.01) -> None:
        self.negative_slope = float(negative_slope)

    def get_config(self):
        return {"negative_slope": self.negative_slope}

    def _f(self, z, out):
        np.multiply(z, np.where(z > 0, 1.0, self.negative_slope).astype(z.dtype), out=out)

    def _df(self, dy, dz):
        np.multiply(dy, np.where(self._z > 0, 1.0, self.negative_slope).astype(dy.dtype), out=dz)


class PReLU(Activation):
    """Leaky ReLU with a learned slope αⱼ per unit (He et al., 2015).

    f(z)ᵢⱼ = zᵢⱼ if zᵢⱼ > 0 else αⱼ·zᵢⱼ;  ∂f/∂z = 1 or αⱼ;  ∂L/∂αⱼ = Σᵢ (∂L/∂f)ᵢⱼ · min(zᵢⱼ, 0).
    The slopes (shape ``(n,)``, starting at ``alpha_init``) are not weight-penalised.
    """

    def __init__(self, alpha_init: float = 0.25) -> None:
        self.alpha_init = float(alpha_init)

    def get_config(self):
        return {"alpha_init": self.alpha_init}

    def build(self, n_in):
        return n_in, [ParamSpec("alpha", (n_in,), Constant(self.alpha_init), regularize=False)]

    def bind(self, params, grads):
        self.alpha, self.dalpha = params["alpha"], grads["alpha"]

    def _slopes(self, z):
        return np.where(z > 0, np.ones_like(self.alpha), self.alpha)

    def _f(self, z, out):
        np.multiply(z, self._slopes(z), out=out)

    def _df(self, dy, dz):
        np.multiply(dy, self._slopes(self._z), out=dz)
        np.sum(dy * np.minimum(self._z, 0), axis=0, out=self.dalpha)


class ELU(Activation):
    """f(z) = z if z > 0 else α(e^z − 1);  f'(z) = 1 if z > 0 else f(z) + α."""

    def __init__(self, alpha: float = 1.0) -> None:
        self.alpha = float(alpha)

    def get_config(self):
        return {"alpha": self.alpha}

    def _f(self, z, out):
        np.expm1(np.minimum(z, 0), out=out)
        out *= self.alpha
        np.copyto(out, z, where=z > 0)

    def _df(self, dy, dz):
        np.add(self._a, self.alpha, out=dz)
        np.copyto(dz, 1, where=self._z > 0)
        dz *= dy


class Softplus(Activation):
    """f(z) = ln(1 + e^z), computed as max(z, 0) + ln(1 + e^(−|z|));  f'(z) = σ(z)."""

    def _f(self, z, out):
        np.log1p(np.exp(-np.abs(z)), out=out)
        out += np.maximum(z, 0)

    def _df(self, dy, dz):
        sigmoid(self._z, dz)
        dz *= dy


class SiLU(Activation):
    """SiLU / swish: f(z) = z·σ(z);  f'(z) = σ(z)·(1 + z·(1 − σ(z)))."""

    def _f(self, z, out):
        sigmoid(z, out)
        out *= z

    def _df(self, dy, dz):
        s = sigmoid(self._z, np.empty_like(self._z))
        np.multiply(self._z, 1 - s, out=dz)
        dz += 1
        dz *= s
        dz *= dy


_SQRT_2_OVER_PI = math.sqrt(2.0 / math.pi)


class GELU(Activation):
    """f(z) = z·Φ(z) with Φ the standard normal CDF, Φ(z) = ½(1 + erf(z/√2));
    f'(z) = Φ(z) + z·φ(z), φ(z) = e^(−z²/2)/√(2π).

    ``approximate="tanh"`` uses ½z(1 + tanh(u)), u = √(2/π)(z + 0.044715z³), as
    ``torch.nn.GELU(approximate="tanh")`` does; its derivative is
    ½(1 + tanh u) + ½z(1 − tanh²u)·√(2/π)(1 + 3·0.044715z²).
    """

    def __init__(self, approximate: str = "none") -> None:
        if approximate not in ("none", "tanh"):
            raise ConfigError(f"GELU approximate must be 'none' or 'tanh'; got {approximate!r}.")
        self.approximate = approximate

    def get_config(self):
        return {"approximate": self.approximate}

    def _f(self, z, out):
        if self.approximate == "tanh":
            np.tanh(_SQRT_2_OVER_PI * (z + 0.044715 * z**3), out=out)
        else:
            erf(z / math.sqrt(2.0), out=out)
        out += 1
        out *= z
        out *= 0.5

    def _df(self, dy, dz):
        z = self._z
        if self.approximate == "tanh":
            t = np.tanh(_SQRT_2_OVER_PI * (z + 0.044715 * z**3))
            du = _SQRT_2_OVER_PI * (1 + 3 * 0.044715 * z**2)
            dz[...] = 0.5 * (1 + t) + 0.5 * z * (1 - t * t) * du
        else:
            cdf = 0.5 * (1 + erf(z / math.sqrt(2.0)))
            pdf = np.exp(-0.5 * z * z) / math.sqrt(2 * math.pi)
            np.add(cdf, z * pdf, out=dz)
        dz *= dy


class Softmax(Activation):
    """softmax(z)ᵢⱼ = e^(zᵢⱼ − mᵢ) / Σₖ e^(zᵢₖ − mᵢ), with mᵢ = maxₖ zᵢₖ (so nothing overflows).

    Row-wise, for output layers. Its Jacobian is diag(a) − a aᵀ per row, so
    dL/dz = a ⊙ (dL/da − Σₖ (dL/da)ₖ aₖ). With a cross-entropy loss the network skips this and
    uses the fused gradient a − y from the logits.
    """

    def _f(self, z, out):
        np.subtract(z, z.max(axis=1, keepdims=True), out=out)
        np.exp(out, out=out)
        out /= out.sum(axis=1, keepdims=True)

    def _df(self, dy, dz):
        a = self._a
        np.subtract(dy, np.sum(dy * a, axis=1, keepdims=True), out=dz)
        dz *= a


#: Activation names accepted everywhere an activation is asked for.
ACTIVATIONS: dict[str, type[Activation]] = {
    "linear": Linear,
    "step": Step,
    "sigmoid": Sigmoid,
    "tanh": Tanh,
    "relu": ReLU,
    "leaky_relu": LeakyReLU,
    "prelu": PReLU,
    "elu": ELU,
    "softplus": Softplus,
    "silu": SiLU,
    "gelu": GELU,
    "softmax": Softmax,
}
_NAMES = {cls: name for name, cls in ACTIVATIONS.items()}


def activation_name(activation: Activation) -> str:
    """The registered name of an activation object, e.g. ``"relu"``."""
    return _NAMES.get(type(activation), type(activation).__name__.lower())


def serialize(activation: Activation) -> str | dict:
    """The name, or ``{"name": ..., **arguments}`` when the activation has arguments."""
    config = activation.get_config()
    return (
        {"name": activation_name(activation), **config} if config else activation_name(activation)
    )


def get(identifier: str | dict | Activation | None) -> Activation:
    """Resolve ``"relu"``, ``{"name": "leaky_relu", "negative_slope": 0.2}``, ``None`` (linear)
    or an Activation object to an Activation."""
    if identifier is None:
        return Linear()
    return resolve(
        "activation",
        ACTIVATIONS,
        identifier,
        Activation,
        ", or pass an activation layer such as mk.layers.LeakyReLU(0.2)",
    )
