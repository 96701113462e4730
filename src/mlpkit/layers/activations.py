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

from .. import kernels
from ..exceptions import ConfigError
from ..initializers import Constant
from ..params import ParamSpec
from ..registry import resolve
from . import fused
from .base import Layer


class Activation(Layer):
    """Base of the activation layers: subclasses write ``_f(z, out, training)`` and ``_df(dy, dz)``.

    ``_df`` may read ``self._z`` (the input) and ``self._a`` (the output) cached by forward, and
    whatever else ``_f`` cached in training (a mask, σ(z)). Scratch arrays come from
    :meth:`_like`: in training they are workspaces kept for the next batch, so a training step
    allocates nothing batch-sized (``tests/workspace`` measures it for every activation).
    """

    def forward(self, x, *, training=False, logits=False):
        if logits:
            return x
        out = self._output("a", x.shape, x.dtype, training)
        self._f(x, out, training)
        if training:
            self._z, self._a = x, out
        return out

    def backward(self, dy, *, logits=False):
        if logits:
            return dy
        dz = self._output("dz", dy.shape, dy.dtype, True)
        self._df(dy, dz)
        return dz

    def forward_biased(self, z, b, *, training=False):
        """a = f(z + b); z (a Dense layer's x·W) receives z + b. ReLU fuses the two passes."""
        z += b
        return self.forward(z, training=training)

    def _like(self, key: str, z: np.ndarray, training: bool, dtype=None) -> np.ndarray:
        """A scratch array of z's shape (and dtype, unless given): a workspace in training."""
        return self._output(key, z.shape, z.dtype if dtype is None else dtype, training)

    def _f(self, z: np.ndarray, out: np.ndarray, training: bool) -> None:
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

    def _f(self, z, out, training):
        np.greater(z, 0, out=out, casting="unsafe")

    def _df(self, dy, dz):
        dz.fill(0)


def sigmoid(z: np.ndarray, out: np.ndarray, scratch: np.ndarray) -> np.ndarray:
    """σ(z) = 1 / (1 + e^(−z)) into ``out``, as max(e, [z ≥ 0]) / (1 + e) with e = e^(−|z|).

    For z ≥ 0 that is 1/(1 + e^(−z)); for z < 0 it is e^z/(1 + e^z): no exponential overflows
    and tiny values keep their relative precision. ``scratch`` (z's shape) receives 1 + e.
    """
    np.abs(z, out=scratch)
    np.negative(scratch, out=scratch)
    np.exp(scratch, out=scratch)  # e
    np.greater_equal(z, 0, out=out, casting="unsafe")  # [z ≥ 0] as 0.0 / 1.0
    np.maximum(out, scratch, out=out)  # numerator: 1 if z ≥ 0 else e
    scratch += 1
    out /= scratch
    return out


class Sigmoid(Activation):
    """σ(z) = 1 / (1 + e^(−z));  σ'(z) = σ(z)(1 − σ(z))."""

    def _f(self, z, out, training):
        sigmoid(z, out, self._like("scratch", z, training))

    def _df(self, dy, dz):
        a = self._a
        np.subtract(1, a, out=dz)
        dz *= a
        dz *= dy


class Tanh(Activation):
    """tanh(z) = (e^z − e^(−z)) / (e^z + e^(−z));  tanh'(z) = 1 − tanh²(z)."""

    def _f(self, z, out, training):
        np.tanh(z, out=out)

    def _df(self, dy, dz):
        np.multiply(self._a, self._a, out=dz)
        np.subtract(1, dz, out=dz)
        dz *= dy


class ReLU(Activation):
    """f(z) = max(0, z);  f'(z) = 1 if z > 0 else 0.  Bias and backward fused: :mod:`.fused`."""

    def forward_biased(self, z, b, *, training=False):
        out = self._output("a", z.shape, z.dtype, training)
        fused.bias_relu(z, b, out)
        if training:
            self._z, self._a = z, out
        return out

    def _f(self, z, out, training):
        np.maximum(z, 0, out=out)

    def _df(self, dy, dz):
        fused.relu_backward(self._a, dy, dz)


class _Masked(Activation):
    """An activation with a branch at z = 0: ``_positive(z, training)`` keeps the mask [z > 0]
    (a boolean workspace) for backward to reuse."""

    def _positive(self, z, training):
        mask = np.greater(z, 0, out=self._like("positive", z, training, bool))
        if training:
            self._mask = mask
        return mask


class LeakyReLU(_Masked):
    """f(z) = z if z > 0 else s·z;  f'(z) = 1 if z > 0 else s (s = ``negative_slope``)."""

    def __init__(self, negative_slope: float = 0.01) -> None:
        self.negative_slope = float(negative_slope)

    def get_config(self):
        return {"negative_slope": self.negative_slope}

    def _f(self, z, out, training):
        np.multiply(z, self.negative_slope, out=out)
        np.copyto(out, z, where=self._positive(z, training))

    def _df(self, dy, dz):
        np.multiply(dy, self.negative_slope, out=dz)
        np.copyto(dz, dy, where=self._mask)


class PReLU(_Masked):
    """Leaky ReLU with a learned slope αⱼ per unit (He et al., 2015).

    f(z)ᵢⱼ = zᵢⱼ if zᵢⱼ > 0 else αⱼ·zᵢⱼ;  ∂f/∂z = 1 or αⱼ;  ∂L/∂αⱼ = Σᵢ (∂L/∂f)ᵢⱼ · min(zᵢⱼ, 0).
    The slopes (shape ``(n,)``, starting at ``alpha_init``) are not weight-penalised.
    """

    def __init__(self, alpha_init: float = 0.25) -> None:
        self.alpha_init = float(alpha_init)

    def get_config(self):
        return {"alpha_init": self.alpha_init}

    def build(self, n_in):
        (width,) = self.expect_rank(n_in, 1, "features")  # one slope per unit
        return n_in, [ParamSpec("alpha", (width,), Constant(self.alpha_init), regularize=False)]

    def bind(self, params, grads):
        self.alpha, self.dalpha = params["alpha"], grads["alpha"]

    def _f(self, z, out, training):
        np.multiply(z, self.alpha, out=out)
        np.copyto(out, z, where=self._positive(z, training))

    def _df(self, dy, dz):
        np.minimum(self._z, 0, out=dz)
        dz *= dy
        np.sum(dz, axis=0, out=self.dalpha)
        np.multiply(dy, self.alpha, out=dz)
        np.copyto(dz, dy, where=self._mask)


class ELU(_Masked):
    """f(z) = z if z > 0 else α(e^z − 1);  f'(z) = 1 if z > 0 else f(z) + α."""

    def __init__(self, alpha: float = 1.0) -> None:
        self.alpha = float(alpha)

    def get_config(self):
        return {"alpha": self.alpha}

    def _f(self, z, out, training):
        np.minimum(z, 0, out=out)
        np.expm1(out, out=out)
        out *= self.alpha
        np.copyto(out, z, where=self._positive(z, training))

    def _df(self, dy, dz):
        np.add(self._a, self.alpha, out=dz)
        np.copyto(dz, 1, where=self._mask)
        dz *= dy


class Softplus(_Masked):
    """f(z) = ln(1 + e^z), computed as ln(1 + e^(−|z|)) + max(z, 0);
    f'(z) = σ(z) = 1 − e^(−f(z)), computed as −expm1(−f(z)) from the cached output."""

    def _f(self, z, out, training):
        np.abs(z, out=out)
        np.negative(out, out=out)
        np.exp(out, out=out)
        np.log1p(out, out=out)
        np.add(out, z, out=out, where=self._positive(z, training))

    def _df(self, dy, dz):
        np.negative(self._a, out=dz)
        np.expm1(dz, out=dz)
        np.negative(dz, out=dz)
        dz *= dy


class SiLU(Activation):
    """SiLU / swish: f(z) = z·σ(z);  f'(z) = σ(z)·(1 + z·(1 − σ(z))).  σ(z) is kept for backward."""

    def _f(self, z, out, training):
        s = sigmoid(z, self._like("sigma", z, training), scratch=out)
        np.multiply(z, s, out=out)
        if training:
            self._sigma = s

    def _df(self, dy, dz):
        s = self._sigma
        np.subtract(1, s, out=dz)
        dz *= self._z
        dz += 1
        dz *= s
        dz *= dy


_SQRT_2_OVER_PI = math.sqrt(2.0 / math.pi)
_GELU_CUBIC = 0.044715


class GELU(Activation):
    """f(z) = z·Φ(z) with Φ the standard normal CDF, Φ(z) = ½(1 + erf(z/√2));
    f'(z) = Φ(z) + z·φ(z), φ(z) = e^(−z²/2)/√(2π).

    ``approximate="tanh"`` uses ½z(1 + tanh(u)), u = √(2/π)(z + 0.044715z³), as
    ``torch.nn.GELU(approximate="tanh")`` does; its derivative is
    ½(1 + tanh u) + ½z(1 − tanh²u)·√(2/π)(1 + 3·0.044715z²).
    Φ(z) (or tanh u) is kept from forward for backward.
    """

    def __init__(self, approximate: str = "none") -> None:
        if approximate not in ("none", "tanh"):
            raise ConfigError(f"GELU approximate must be 'none' or 'tanh'; got {approximate!r}.")
        self.approximate = approximate

    def get_config(self):
        return {"approximate": self.approximate}

    def _f(self, z, out, training):
        kept = self._like("kept", z, training)
        if self.approximate == "tanh":  # kept = tanh u, f = ½z(1 + tanh u)
            np.multiply(z, z, out=kept)
            kept *= _GELU_CUBIC
            kept += 1
            kept *= z
            kept *= _SQRT_2_OVER_PI
            np.tanh(kept, out=kept)
            np.add(kept, 1, out=out)
            out *= 0.5
            out *= z
        else:  # kept = Φ(z), f = z·Φ(z)
            np.multiply(z, 1 / math.sqrt(2.0), out=kept)
            erf(kept, out=kept)
            kept += 1
            kept *= 0.5
            np.multiply(z, kept, out=out)
        if training:
            self._kept = kept

    def _df(self, dy, dz):
        if self.approximate == "tanh":
            self._tanh_derivative(dz)
        else:  # Φ(z) + z·φ(z)
            z = self._z
            np.multiply(z, z, out=dz)
            dz *= -0.5
            np.exp(dz, out=dz)
            dz *= z
            dz *= 1 / math.sqrt(2 * math.pi)
            dz += self._kept
        dz *= dy

    def _tanh_derivative(self, dz):
        """½(1 + t) + w·(1 − t²), t = tanh u, w = ½z·√(2/π)(1 + 3·0.044715z²)."""
        z, t = self._z, self._kept
        w = self._like("scratch", z, True)
        np.multiply(z, z, out=w)
        w *= 3 * _GELU_CUBIC
        w += 1
        w *= z
        w *= 0.5 * _SQRT_2_OVER_PI
        np.multiply(t, t, out=dz)
        np.subtract(1, dz, out=dz)
        dz *= w
        np.multiply(t, 0.5, out=w)
        dz += w
        dz += 0.5


#: Below this many columns the reference :func:`softmax` reduces a row by passes over columns.
FEW_COLUMNS = 8
#: Up to this many columns :func:`softmax` takes its compiled row loops (where numba is).
ROW_LOOP_COLUMNS = 128


def softmax(z: np.ndarray, out: np.ndarray) -> np.ndarray:
    """The softmax of each row of z (n, k) into ``out`` (n, k), which may be z:
    outᵢⱼ = e^(zᵢⱼ − mᵢ) / Σₖ e^(zᵢₖ − mᵢ), mᵢ = maxₖ zᵢₖ.

    Shaped samples (n, C, *S) take it over the channels C, in NumPy. Rows of up to
    :data:`ROW_LOOP_COLUMNS` columns, where numba is, take three calls:
    :func:`softmax_shift_kernel` (out = z − m, a compiled loop over each row), NumPy's ``exp``
    in place, :func:`softmax_normalise_kernel` (each row summed in order and divided). NumPy
    makes seven or more calls and two temporaries there, and its row reductions cost about
    25 ns an entry on short rows: 1 × 2 5.5 → 0.9 µs, 64 × 10 9.4 → 1.6 µs, 4096 × 10
    311 → 46 µs. On longer rows a row's sum in order is slower than NumPy's pairwise one
    (4096 × 200: 1.33 ms against 1.18 ms), so they keep the reference.
    """
    if z.ndim == 2 and z.shape[1] <= ROW_LOOP_COLUMNS:
        shift = kernels.compiled(softmax_shift_kernel)
        if shift is not None:
            shift(z, out)
            np.exp(out, out=out)
            kernels.compiled(softmax_normalise_kernel)(out)
            return out
    with kernels.reference_work("softmax", z.size):
        return softmax_reference(z, out)


def softmax_reference(z: np.ndarray, out: np.ndarray) -> np.ndarray:
    """:func:`softmax` in NumPy. Below :data:`FEW_COLUMNS` the maximum and the sum run as
    k − 1 passes over columns: the same operations in the same order as the row reductions
    (NumPy sums fewer than 8 entries one after another), so the same bits, 4–6× faster
    (4096 × 2: 248 → 41 µs)."""
    k = z.shape[1]
    if k < FEW_COLUMNS:
        m = z[:, 0].copy()
        for j in range(1, k):
            np.maximum(m, z[:, j], out=m)
        np.subtract(z, m[:, None], out=out)
        np.exp(out, out=out)
        total = out[:, 0].copy()
        for j in range(1, k):
            total += out[:, j]
        out /= total[:, None]
        return out
    np.subtract(z, z.max(axis=1, keepdims=True), out=out)
    np.exp(out, out=out)
    out /= out.sum(axis=1, keepdims=True)
    return out


def softmax_shift_kernel(z, out):
    """out = z − mᵢ, mᵢ = maxₖ zᵢₖ, one loop over each row (numba; ``out`` may be z). A NaN
    in a row reaches its sum, so :func:`softmax` makes the whole row NaN, as NumPy does."""
    n, k = z.shape
    for i in range(n):
        m = z[i, 0]
        for j in range(1, k):
            v = z[i, j]
            m = v if v > m else m
        for j in range(k):
            out[i, j] = z[i, j] - m
    return None


def softmax_normalise_kernel(out):
    """outᵢⱼ ← outᵢⱼ / Σₖ outᵢₖ, the row summed from its first entry on (numba)."""
    n, k = out.shape
    for i in range(n):
        total = out[i, 0]
        for j in range(1, k):
            total += out[i, j]
        for j in range(k):
            out[i, j] = out[i, j] / total
    return None


class Softmax(Activation):
    """softmax(z)ᵢⱼ = e^(zᵢⱼ − mᵢ) / Σₖ e^(zᵢₖ − mᵢ), with mᵢ = maxₖ zᵢₖ (so nothing overflows).

    Row-wise, for output layers; over the channels C of shaped samples (n, C, *S). Its
    Jacobian is diag(a) − a aᵀ per row, so dL/dz = a ⊙ (dL/da − Σₖ (dL/da)ₖ aₖ). With a
    cross-entropy loss the network skips this and uses the fused gradient a − y from the logits.
    """

    def _f(self, z, out, training):
        softmax(z, out)

    def _df(self, dy, dz):
        a = self._a
        np.subtract(dy, np.einsum("ik...,ik...->i...", dy, a)[:, None], out=dz)
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
