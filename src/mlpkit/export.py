"""Export a trained model to PyTorch, to serve it with PyTorch tooling.

``to_torch(model)`` takes an ``mk.Sequential`` or a fitted ``MLPClassifier``/``MLPRegressor``
(its ``network_``) and returns one flat ``torch.nn.Sequential`` in evaluation mode whose output
equals the model's own on the same numeric inputs, scaling included:

    [fill missing] → [input scaling] → the layers → [inverse target scaling] → [binary complement]

- **missing values**: :class:`FillMissing` puts the preprocessor's learned fill (median, mean,
  most frequent, constant) where an input is NaN or ±inf, as ``predict`` does; a preprocessor
  that carries values forward ("previous") or drops rows cannot be folded in and is refused.
- **input scaling**: the preprocessor's scaler (``net.preprocessor.numeric_scaling()``), when
  the preprocessor maps numeric columns one to one: :class:`StandardScale`,
  :class:`MinMaxScale` or :class:`TanhScale`. A preprocessor that does more (one-hot
  categories, missing-value indicators) is refused: export with ``include_preprocessor=False``
  and apply ``net.preprocessor.transform`` to the inputs first.
- **the layers**, with the same weights (``nn.Linear`` stores W transposed) and dtype.
- **inverse target scaling** (a regression with ``net.target.scaler_``):
  :class:`InverseStandardScale`, :class:`InverseMinMaxScale` or :class:`InverseTanhScale`, so
  values come out in the target's own units.
- **binary complement** (an ``MLPClassifier`` with one sigmoid unit):
  :class:`BinaryProbabilities` turns p into ``predict_proba``'s two columns [1 − p, p].

So the module equals ``net.predict`` (a network), ``predict_proba`` (a classifier) or
``predict`` (a regressor; shape (n, n_outputs), where ``predict`` ravels a single target).
Scaling modules keep their statistics as float64 buffers and compute in float64, as
scikit-learn does, returning the dtype of their input.

torch is imported only when a function here is called (the module classes, e.g.
``mlpkit.export.StandardScale``, are created then): it is never a dependency of mlpkit.
"""

from __future__ import annotations

import functools

import numpy as np

from .data.scaling import Z_MAX, MinMaxScaler, StandardScaler, TanhScaler
from .layers import activations
from .layers.batchnorm import BatchNorm
from .layers.dense import Dense
from .layers.dropout import Dropout
from .layers.residual import Residual
from .network import Sequential

#: The torch module classes of this module, created on first use (see :func:`_modules_ns`).
TORCH_MODULES = (
    "FillMissing",
    "StandardScale",
    "MinMaxScale",
    "TanhScale",
    "InverseStandardScale",
    "InverseMinMaxScale",
    "InverseTanhScale",
    "BinaryProbabilities",
    "Step",
    "Residual",
)


def to_torch(model, *, include_preprocessor: bool = True):
    """Return ``model`` as an equivalent ``torch.nn.Sequential`` in evaluation mode.

    Args:
        model: an ``mk.Sequential``, or a fitted ``MLPClassifier``/``MLPRegressor``.
        include_preprocessor: fold the preprocessor's numeric scaling in as the first module
            (default). False: the module takes ``net.preprocessor.transform(X)``.

    Returns:
        A ``torch.nn.Sequential`` whose output for numeric inputs X (n_samples, n_features)
        equals ``net.predict(X)``, ``predict_proba(X)`` (classifier) or ``predict(X)``
        (regressor, as (n_samples, n_outputs)).

    Raises:
        ValueError: the preprocessor does more than scale numeric columns one to one, or its
            scaler is not a StandardScaler, MinMaxScaler or TanhScaler.

    Example:
        >>> import numpy as np, mlpkit as mk, torch
        >>> net = mk.Sequential([mk.layers.Dense(2, activation="softmax")], random_state=0)
        >>> _ = net.fit(np.eye(2), [0, 1], loss="categorical_cross_entropy", epochs=1)
        >>> module = mk.export.to_torch(net)
        >>> bool(np.allclose(module(torch.eye(2)).detach().numpy(), net.predict(np.eye(2))))
        True
    """
    import torch

    net = _network_of(model)
    first = _input_modules(net) if include_preprocessor else []
    last = _target_modules(net)
    if model is not net and net.task == "binary":  # predict_proba's two columns
        last.append(_modules_ns().BinaryProbabilities())
    return torch.nn.Sequential(*first, *_layers(net), *last).eval()


def _network_of(model) -> Sequential:
    if isinstance(model, Sequential):
        return model
    network = getattr(model, "network_", None)
    if not isinstance(network, Sequential):
        raise TypeError(
            f"to_torch takes an mk.Sequential or a fitted MLPClassifier/MLPRegressor; got "
            f"{type(model).__name__}" + (" (not fitted)" if hasattr(model, "get_params") else "")
        )
    return network


# -- scaling ------------------------------------------------------------------------------------
def _input_modules(net) -> list:
    """The preprocessor's scaler as a module; nothing when it passes numeric columns through."""
    prep = net.preprocessor
    if prep is None:
        return []
    numeric_scaling = getattr(prep, "numeric_scaling", None)
    scaler = None if numeric_scaling is None else numeric_scaling()
    if scaler is None and (numeric_scaling is None or not _passes_through(prep)):
        raise ValueError(_refusal(prep))
    fill = _fill_module(prep)
    scale = [] if scaler is None else [_scale_module(scaler, inverse=False)]
    return ([] if fill is None else [fill]) + scale


def _fill_module(prep):
    """The missing-value step's fills as a module (None when nothing is ever filled)."""
    missing = dict(prep.steps_).get("missing")
    if missing is None:
        return None
    strategies = missing.strategies_
    unfoldable = {c: s for c, s in strategies.items() if s in ("previous", "drop")}
    if unfoldable:
        column, strategy = next(iter(unfoldable.items()))
        raise ValueError(
            f"to_torch cannot fold the preprocessor's missing-value strategy {strategy!r} "
            f"(column {column!r}) into a module: it depends on other rows. Export with "
            f"include_preprocessor=False and apply net.preprocessor.transform first."
        )
    fills = [missing.fills_.get(column) for column in strategies]
    if all(value is None for value in fills):
        return None
    values = [np.nan if value is None else float(value) for value in fills]
    return _modules_ns().FillMissing(fill=values)


def _passes_through(prep) -> bool:
    """Whether a preprocessor without a scaler keeps its numeric columns as they are."""
    names_in = getattr(prep, "feature_names_in_", None)
    if names_in is None:
        names_in = [f"x{i}" for i in range(prep.n_features_in_)]
    return list(prep.get_feature_names_out()) == [str(name) for name in names_in]


def _refusal(prep) -> str:
    what = (
        "it does more than scale numeric columns one to one (one-hot categories or "
        "missing-value indicator columns)"
        if hasattr(prep, "numeric_scaling")
        else f"a {type(prep).__name__} has no numeric_scaling()"
    )
    return (
        f"to_torch cannot export the network's preprocessor: {what}. Export the network "
        f"alone with to_torch(model, include_preprocessor=False) and apply "
        f"net.preprocessor.transform to the inputs first."
    )


def _target_modules(net) -> list:
    """The inverse of a regression's target scaling, back to the target's own units."""
    scaler = None if net.target is None else net.target.scaler_
    return [] if scaler is None else [_scale_module(scaler, inverse=True)]


def _scale_module(scaler, *, inverse: bool):
    """The torch module of a fitted scaler (or of its inverse), with its statistics."""
    ns = _modules_ns()
    if isinstance(scaler, StandardScaler):
        n = scaler.n_features_in_
        mean = scaler.mean_ if scaler.with_mean else np.zeros(n)
        scale = scaler.scale_ if scaler.with_std else np.ones(n)
        kind = ns.InverseStandardScale if inverse else ns.StandardScale
        return kind(mean=mean, scale=scale)
    if isinstance(scaler, MinMaxScaler):
        if inverse:
            return ns.InverseMinMaxScale(scale=scaler.scale_, min=scaler.min_)
        clip = scaler.feature_range if scaler.clip else None
        return ns.MinMaxScale(scale=scaler.scale_, min=scaler.min_, clip=clip)
    if isinstance(scaler, TanhScaler):
        kind = ns.InverseTanhScale if inverse else ns.TanhScale
        return kind(mean=scaler.mean_, scale=scaler.scale_, k=scaler.k)
    raise ValueError(
        f"to_torch cannot export the scaler {type(scaler).__name__}: expected a "
        f"StandardScaler, MinMaxScaler or TanhScaler."
    )


# -- layers -------------------------------------------------------------------------------------
def _layers(net):
    """The layers as a ``torch.nn.Sequential`` with the network's weights and dtype."""
    import torch

    dtype = torch.float64 if net.dtype == np.float64 else torch.float32
    body = torch.nn.Sequential(*[module for layer in net.layers for module in _modules(layer)])
    body.to(dtype)
    _copy_weights(net.layers, body, torch, dtype)
    return body


def _modules(layer) -> list:
    import torch.nn as nn

    if isinstance(layer, Dense):
        n_in = layer.W.shape[0]
        return [nn.Linear(n_in, layer.units, bias=layer.use_bias), *_modules(layer.activation)]
    if isinstance(layer, Dropout):
        return [nn.Dropout(layer.rate)]
    if isinstance(layer, BatchNorm):
        return [nn.BatchNorm1d(layer.gamma.size, eps=layer.epsilon, momentum=layer.momentum)]
    if isinstance(layer, Residual):
        return [_residual_module(layer)]
    return _activation_module(layer)


def _activation_module(layer) -> list:
    import torch.nn as nn

    name = activations.activation_name(layer)
    simple = {
        "sigmoid": nn.Sigmoid,
        "tanh": nn.Tanh,
        "relu": nn.ReLU,
        "softplus": nn.Softplus,
        "silu": nn.SiLU,
    }
    if name == "linear":
        return []
    if name in simple:
        return [simple[name]()]
    if name == "leaky_relu":
        return [nn.LeakyReLU(layer.negative_slope)]
    if name == "prelu":
        return [nn.PReLU(num_parameters=layer.alpha.size)]
    if name == "elu":
        return [nn.ELU(layer.alpha)]
    if name == "gelu":
        return [nn.GELU(approximate=layer.approximate)]
    if name == "softmax":
        return [nn.Softmax(dim=1)]
    if name == "step":
        return [_modules_ns().Step()]
    raise ValueError(f"Cannot export the activation {name!r} to PyTorch.")


def _residual_module(layer):
    import torch

    body = torch.nn.Sequential(*[m for inner in layer.layers for m in _modules(inner)])
    projection = None
    if layer.projection is not None:
        projection = torch.nn.Linear(
            layer.projection.W.shape[0], layer.projection.units, bias=False
        )
    return _modules_ns().Residual(body, projection)


def _copy_weights(layers, modules, torch, dtype) -> None:
    """Copy parameters and running statistics, layer by layer, in module order."""
    queue = list(modules)
    for layer in layers:
        if isinstance(layer, Residual):
            module = queue.pop(0)
            _copy_weights(layer.layers, module.body, torch, dtype)
            if layer.projection is not None:
                module.projection.weight.data = _tensor(layer.projection.W.T, torch, dtype)
            continue
        for module in _modules_of(layer, queue):
            _copy_one(layer, module, torch, dtype)


def _modules_of(layer, queue) -> list:
    count = len(_modules(layer))
    taken, queue[:] = queue[:count], queue[count:]
    return taken


def _copy_one(layer, module, torch, dtype) -> None:
    tensor = lambda array: _tensor(array, torch, dtype)  # noqa: E731
    if isinstance(module, torch.nn.Linear):
        module.weight.data = tensor(layer.W.T)
        if layer.use_bias:
            module.bias.data = tensor(layer.b)
    elif isinstance(module, torch.nn.PReLU):
        module.weight.data = tensor(
            layer.activation.alpha if isinstance(layer, Dense) else layer.alpha
        )
    elif isinstance(module, torch.nn.BatchNorm1d):
        module.weight.data, module.bias.data = tensor(layer.gamma), tensor(layer.beta)
        module.running_mean.data = tensor(layer.running_mean)
        module.running_var.data = tensor(layer.running_var)


def _tensor(array, torch, dtype):
    return torch.tensor(np.ascontiguousarray(array), dtype=dtype)


# -- the torch module classes ---------------------------------------------------------------------
@functools.cache
def _modules_ns():
    """Create the torch module classes once, on first use (torch is imported only here).

    They are registered as ``mlpkit.export.<Name>`` (see :func:`__getattr__`), so
    ``torch.save(module)`` pickles them like any importable class.
    """
    import torch

    class Columnwise(torch.nn.Module):
        """Per-column statistics as float64 buffers (n_columns,); computes in float64, as
        scikit-learn does, and returns the input's dtype."""

        def __init__(self, **columns) -> None:
            super().__init__()
            for name, values in columns.items():
                tensor = torch.as_tensor(np.asarray(values, dtype=np.float64).copy())
                self.register_buffer(name, tensor)

        def forward(self, x):
            return self.formula(x.to(torch.float64)).to(x.dtype)

    class FillMissing(Columnwise):
        """x where it is finite, else the column's learned fill (NaN where none was learned,
        as the "raise" strategy refuses such rows)."""

        def formula(self, x):
            return torch.where(torch.isfinite(x), x, self.fill)

    class StandardScale(Columnwise):
        """z = (x − mean)/scale (scikit-learn's StandardScaler)."""

        def formula(self, x):
            return (x - self.mean) / self.scale

    class InverseStandardScale(Columnwise):
        """x = z·scale + mean (StandardScaler.inverse_transform)."""

        def formula(self, z):
            return z * self.scale + self.mean

    class MinMaxScale(Columnwise):
        """z = x·scale + min, then clipped to [a, b] when the scaler clips (MinMaxScaler)."""

        def __init__(self, *, scale, min, clip=None) -> None:
            super().__init__(scale=scale, min=min)
            self.clip = None if clip is None else (float(clip[0]), float(clip[1]))

        def formula(self, x):
            z = x * self.scale + self.min
            return z if self.clip is None else z.clamp(*self.clip)

    class InverseMinMaxScale(Columnwise):
        """x = (z − min)/scale (MinMaxScaler.inverse_transform)."""

        def formula(self, z):
            return (z - self.min) / self.scale

    class TanhScale(Columnwise):
        """z = tanh(k·(x − mean)/scale) (mlpkit's TanhScaler)."""

        def __init__(self, *, mean, scale, k) -> None:
            super().__init__(mean=mean, scale=scale)
            self.k = float(k)

        def formula(self, x):
            return torch.tanh(self.k * (x - self.mean) / self.scale)

        def extra_repr(self) -> str:
            return f"k={self.k}"

    class InverseTanhScale(TanhScale):
        """x = mean + scale·artanh(clip(z, −Z_MAX, Z_MAX))/k (TanhScaler.inverse_transform;
        Z_MAX, the largest float64 below 1, keeps x finite)."""

        def formula(self, z):
            return self.mean + self.scale * torch.atanh(z.clamp(-Z_MAX, Z_MAX)) / self.k

    class BinaryProbabilities(torch.nn.Module):
        """p (n, 1) → [1 − p, p] (n, 2): predict_proba's columns for one sigmoid unit."""

        def forward(self, p):
            return torch.cat([1 - p, p], dim=1)

    class Step(torch.nn.Module):
        """Heaviside step: 1 where z > 0, else 0 (as mlpkit's Step)."""

        def forward(self, z):
            return (z > 0).to(z.dtype)

    class Residual(torch.nn.Module):
        """y = x + f(x), or x·P + f(x) with a bias-free projection P."""

        def __init__(self, body, projection) -> None:
            super().__init__()
            self.body, self.projection = body, projection

        def forward(self, x):
            skip = x if self.projection is None else self.projection(x)
            return self.body(x) + skip

    classes = {name: value for name, value in locals().items() if name in TORCH_MODULES}
    for name, cls in classes.items():
        cls.__module__, cls.__qualname__ = __name__, name
    return type("TorchModules", (), classes)


def __getattr__(name: str):
    """``mlpkit.export.StandardScale`` etc.: the torch module classes, created on first use."""
    if name in TORCH_MODULES:
        return getattr(_modules_ns(), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
