"""Weight initializers: each fills an array in place from a seeded Generator.

For a kernel ``W`` of shape ``(fan_in, fan_out)``:

=================  ===================================  ==========================
name               distribution                         scale
=================  ===================================  ==========================
zeros / ones       constant 0 / 1
constant           constant ``value``
random_normal      N(mean, stddev²)                     stddev = 0.05
random_uniform     U(minval, maxval)                    [-0.05, 0.05]
lecun_normal       N(0, σ²)                             σ = √(1 / fan_in)
lecun_uniform      U(-a, a)                             a = √(3 / fan_in)
glorot_normal      N(0, σ²)                             σ = √(2 / (fan_in + fan_out))
glorot_uniform     U(-a, a)                             a = √(6 / (fan_in + fan_out))
he_normal          N(0, σ²)                             σ = √(2 / fan_in)
he_uniform         U(-a, a)                             a = √(6 / fan_in)
orthogonal         gain · Q, Q from the QR of N(0, 1)   rows or columns orthonormal
=================  ===================================  ==========================

Every argument is checked when the initializer is made (a ConfigError naming it and its
range): values lie within ±:data:`LARGEST`, float32's range, so that the weights they give are
finite in either dtype; spreads and scales are ≥ 0 (``stddev``) or > 0 (``scale``, ``gain``).

The normal forms are plain (not truncated) normals, as in ``torch.nn.init``. A 1-D array (a
bias) counts its length as both fans.

A Dense layer whose ``kernel_initializer`` is not given picks one from its activation (see
:func:`default_for_activation`): He for the ReLU family, Glorot for the saturating and output
activations, LeCun for a linear layer. Biases start at zero.
"""

from __future__ import annotations

import math

import numpy as np

from ._checks import check_range
from .exceptions import ConfigError
from .registry import resolve

#: The largest magnitude an initializer's value may have: float32's largest finite number.
LARGEST = float(np.finfo(np.float32).max)


def _value(owner: str, name: str, value, low: float = -LARGEST, **kwargs) -> float:
    return check_range(name, value, low, LARGEST, owner=owner, **kwargs)


class Initializer:
    """Base class: ``init(out, rng)`` fills ``out`` in place; ``get_config()`` round-trips."""

    name = "initializer"

    def __call__(self, out: np.ndarray, rng: np.random.Generator) -> None:
        raise NotImplementedError

    def get_config(self) -> dict:
        return {"name": self.name, **vars(self)}

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in vars(self).items())
        return f"{type(self).__name__}({args})"


def _fans(shape: tuple[int, ...]) -> tuple[int, int]:
    return (shape[0], shape[-1]) if len(shape) >= 2 else (shape[0], shape[0])


class Constant(Initializer):
    """Every entry equals ``value``."""

    name = "constant"

    def __init__(self, value: float = 0.0) -> None:
        self.value = _value("Constant", "value", value)

    def __call__(self, out, rng):
        out.fill(self.value)


class Zeros(Constant):
    name = "zeros"

    def __init__(self) -> None:
        super().__init__(0.0)

    def get_config(self):
        return {"name": self.name}


class Ones(Constant):
    name = "ones"

    def __init__(self) -> None:
        super().__init__(1.0)

    def get_config(self):
        return {"name": self.name}


class RandomNormal(Initializer):
    """Draws from N(mean, stddev²)."""

    name = "random_normal"

    def __init__(self, mean: float = 0.0, stddev: float = 0.05) -> None:
        self.mean = _value("RandomNormal", "mean", mean)
        self.stddev = _value("RandomNormal", "stddev", stddev, low=0.0)

    def __call__(self, out, rng):
        rng.standard_normal(dtype=out.dtype, out=out)
        out *= self.stddev
        out += self.mean


class RandomUniform(Initializer):
    """Draws from U(minval, maxval)."""

    name = "random_uniform"

    def __init__(self, minval: float = -0.05, maxval: float = 0.05) -> None:
        self.minval = _value("RandomUniform", "minval", minval)
        self.maxval = _value("RandomUniform", "maxval", maxval)
        if self.minval > self.maxval:
            raise ConfigError(
                f"RandomUniform needs minval <= maxval; received minval={minval!r}, "
                f"maxval={maxval!r}. Swap them."
            )
        if self.maxval - self.minval > LARGEST:
            raise ConfigError(
                f"RandomUniform's width maxval - minval = {self.maxval - self.minval:g} is "
                f"beyond float32's range ({LARGEST:g}); narrow the interval."
            )

    def __call__(self, out, rng):
        rng.random(dtype=out.dtype, out=out)
        out *= self.maxval - self.minval
        out += self.minval


class VarianceScaling(Initializer):
    """Zero-mean draws with variance ``scale / n`` where n is fan_in, fan_out or their mean.

    The normal form has σ = √(scale / n); the uniform form has limit a = √(3 · scale / n), which
    gives the same variance. LeCun, Glorot and He are this rule with particular settings.
    """

    name = "variance_scaling"

    def __init__(self, scale: float = 1.0, mode: str = "fan_in", distribution: str = "normal"):
        if mode not in ("fan_in", "fan_out", "fan_avg"):
            raise ConfigError(f"mode must be 'fan_in', 'fan_out' or 'fan_avg'; got {mode!r}.")
        if distribution not in ("normal", "uniform"):
            raise ConfigError(f"distribution must be 'normal' or 'uniform'; got {distribution!r}.")
        scale = _value("VarianceScaling", "scale", scale, low=0.0, low_open=True)
        self.scale, self.mode, self.distribution = scale, mode, distribution

    def __call__(self, out, rng):
        fan_in, fan_out = _fans(out.shape)
        n = {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2}[self.mode]
        variance = self.scale / n
        if self.distribution == "normal":
            RandomNormal(0.0, math.sqrt(variance))(out, rng)
        else:
            limit = math.sqrt(3.0 * variance)
            RandomUniform(-limit, limit)(out, rng)


def _named_scaling(name: str, scale: float, mode: str, distribution: str) -> type:
    def __init__(self) -> None:
        VarianceScaling.__init__(self, scale, mode, distribution)

    def get_config(self) -> dict:
        return {"name": self.name}

    title = "".join(part.title() for part in name.split("_"))
    doc = f"{name}: variance {scale:g}/{mode}, {distribution}."
    return type(
        title,
        (VarianceScaling,),
        {"name": name, "__init__": __init__, "get_config": get_config, "__doc__": doc},
    )


class Orthogonal(Initializer):
    """gain · Q with orthonormal columns (a tall kernel) or rows (a wide one), Saxe et al.
    (2014): for a (p, q) kernel, A ~ N(0, 1) of shape (max(p, q), min(p, q)), A = QR, and Q's
    columns signed by diag(R) so that Q is uniform over the orthogonal matrices (Mezzadri,
    2007); a wide kernel takes Qᵀ. Keras's default for a recurrent kernel U (H, G·H): its rows
    are orthonormal, so a step h U neither grows nor shrinks h at first. Takes 2-D arrays."""

    name = "orthogonal"

    def __init__(self, gain: float = 1.0) -> None:
        self.gain = _value("Orthogonal", "gain", gain, low=0.0, low_open=True)

    def __call__(self, out, rng):
        if out.ndim != 2:
            raise ConfigError(
                f"orthogonal initializes 2-D kernels; this parameter has shape {out.shape}. "
                f"Use glorot_uniform for it."
            )
        rows, cols = out.shape
        q, r = np.linalg.qr(rng.standard_normal((max(rows, cols), min(rows, cols))))
        q *= np.sign(np.diag(r))
        out[...] = self.gain * (q if rows >= cols else q.T)


LecunNormal = _named_scaling("lecun_normal", 1.0, "fan_in", "normal")
LecunUniform = _named_scaling("lecun_uniform", 1.0, "fan_in", "uniform")
GlorotNormal = _named_scaling("glorot_normal", 1.0, "fan_avg", "normal")
GlorotUniform = _named_scaling("glorot_uniform", 1.0, "fan_avg", "uniform")
HeNormal = _named_scaling("he_normal", 2.0, "fan_in", "normal")
HeUniform = _named_scaling("he_uniform", 2.0, "fan_in", "uniform")

_REGISTRY: dict[str, type[Initializer]] = {
    cls.name: cls
    for cls in (
        Zeros,
        Ones,
        Constant,
        RandomNormal,
        RandomUniform,
        VarianceScaling,
        LecunNormal,
        LecunUniform,
        GlorotNormal,
        GlorotUniform,
        HeNormal,
        HeUniform,
        Orthogonal,
    )
}

_DEFAULT_BY_ACTIVATION = {
    "relu": "he_normal",
    "leaky_relu": "he_normal",
    "prelu": "he_normal",
    "elu": "he_normal",
    "softplus": "he_normal",
    "silu": "he_normal",
    "gelu": "he_normal",
    "sigmoid": "glorot_uniform",
    "tanh": "glorot_uniform",
    "softmax": "glorot_uniform",
    "step": "glorot_uniform",
    "linear": "lecun_normal",
}


def get(identifier: str | dict | Initializer) -> Initializer:
    """Resolve a name (``"he_normal"``), a config dict or an Initializer to an Initializer."""
    return resolve(
        "initializer",
        _REGISTRY,
        identifier,
        Initializer,
        ", or pass an object such as mk.initializers.RandomNormal(stddev=0.1)",
    )


def default_for_activation(activation: str) -> Initializer:
    """The kernel initializer a Dense layer uses with this activation when none is given."""
    return get(_DEFAULT_BY_ACTIVATION.get(activation, "glorot_uniform"))


__all__ = [
    "Initializer",
    "Constant",
    "Zeros",
    "Ones",
    "RandomNormal",
    "RandomUniform",
    "VarianceScaling",
    "LecunNormal",
    "LecunUniform",
    "GlorotNormal",
    "GlorotUniform",
    "HeNormal",
    "Orthogonal",
    "HeUniform",
    "get",
    "default_for_activation",
]
