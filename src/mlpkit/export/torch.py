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
- **the layers**, with the same weights (``nn.Linear`` stores W transposed) and dtype; the
  layers on shaped samples as their torch counterparts (channels-first, ``batch_first``
  sequences): Flatten → ``nn.Flatten``, Reshape → ``nn.Unflatten``, Conv1D/2D →
  ``nn.Conv1d/2d`` (after an ``nn.ConstantPad1d/2d`` when the padding differs before and
  after), pooling → ``nn.MaxPool1d/2d``, ``nn.AvgPool1d/2d`` and :class:`GlobalAveragePool`,
  BatchNorm → ``nn.BatchNorm1d/2d``, per-channel Dropout → ``nn.Dropout1d/2d``, SimpleRNN /
  LSTM / GRU → :class:`Recurrent` around ``nn.RNN`` / ``nn.LSTM`` / ``nn.GRU``.
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

from ..data.scaling import Z_MAX
from .steps import network_of, network_steps
from .tables import input_spec, target_scale

#: The torch module classes of this module, created on first use (see :func:`torch_modules`).
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
    "GlobalAveragePool",
    "Recurrent",
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
        TypeError: ``model`` is not a network or a fitted estimator.
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

    net = network_of(model, "to_torch")
    first = _input_modules(net) if include_preprocessor else []
    last = _target_modules(net)
    if model is not net and net.task == "binary":  # predict_proba's two columns
        last.append(torch_modules().BinaryProbabilities())
    return torch.nn.Sequential(*first, *_layers(net), *last).eval()


# -- scaling ------------------------------------------------------------------------------------
def _input_modules(net) -> list:
    """The preprocessor's fills and scaler as modules; nothing when it passes columns through."""
    spec = input_spec(net.preprocessor, "to_torch", one_hot=False)
    if spec is None:
        return []
    modules = []
    fills = [column.fill for column in spec.columns]
    if any(value is not None for value in fills):
        values = [np.nan if value is None else float(value) for value in fills]
        modules.append(torch_modules().FillMissing(fill=values))
    if spec.scale is not None:
        modules.append(_scale_module(spec.scale, inverse=False))
    return modules


def _target_modules(net) -> list:
    """The inverse of a regression's target scaling, back to the target's own units."""
    scale = target_scale(net, "to_torch")
    return [] if scale is None else [_scale_module(scale, inverse=True)]


def _scale_module(scale, *, inverse: bool):
    """The torch module of a fitted scaler's :class:`~.tables.Scale` (or of its inverse)."""
    ns = torch_modules()
    if scale.kind == "standard":
        kind = ns.InverseStandardScale if inverse else ns.StandardScale
        return kind(**scale.arrays)
    if scale.kind == "minmax":
        if inverse:
            return ns.InverseMinMaxScale(**scale.arrays)
        return ns.MinMaxScale(**scale.arrays, clip=scale.clip)
    kind = ns.InverseTanhScale if inverse else ns.TanhScale
    return kind(**scale.arrays, k=scale.k)


# -- layers -------------------------------------------------------------------------------------
def _layers(net):
    """The layers as a ``torch.nn.Sequential`` with the network's weights and dtype."""
    import torch

    dtype = torch.float64 if net.dtype == np.float64 else torch.float32
    steps = network_steps(net.layers, net.sizes)
    modules = [module for step in steps for module in _modules(step, dtype)]
    return torch.nn.Sequential(*modules).to(dtype)


def _modules(step, dtype) -> list:
    """The torch modules of one :class:`~.steps.Step`, holding its arrays."""
    import torch.nn as nn

    tensor = lambda array: nn.Parameter(_tensor(array, dtype))  # noqa: E731
    if step.kind == "dense":
        W = step.arrays["W"]
        linear = nn.Linear(*W.shape, bias="b" in step.arrays)
        linear.weight = tensor(W.T)
        if "b" in step.arrays:
            linear.bias = tensor(step.arrays["b"])
        return [linear]
    if step.kind == "dropout":
        return [_dropout(step.options)]
    if step.kind == "batchnorm":
        return [_batchnorm(step, dtype)]
    if step.kind == "residual":
        return [_residual_module(step, dtype)]
    if step.kind == "activation":
        return [_activation_module(step, dtype)]
    return _shaped_modules(step, dtype)


def _shaped_modules(step, dtype) -> list:
    """The torch modules of the steps on shaped samples (and of Flatten / Reshape)."""
    import torch.nn as nn

    options = step.options
    if step.kind == "flatten":
        return [nn.Flatten()]
    if step.kind == "reshape":
        shape = tuple(options["shape"])
        flatten = [nn.Flatten()] if len(options["in_shape"]) > 1 else []
        return flatten + ([nn.Unflatten(1, shape)] if len(shape) > 1 else [])
    if step.kind == "conv":
        return _conv(step, dtype)
    if step.kind in ("max_pool", "avg_pool"):
        rank, padding = options["rank"], tuple(before for before, _ in options["pads"])
        if step.kind == "max_pool":
            kind = (nn.MaxPool1d, nn.MaxPool2d)[rank - 1]
            return [kind(options["pool_size"], options["stride"], padding)]
        kind = (nn.AvgPool1d, nn.AvgPool2d)[rank - 1]
        return [kind(options["pool_size"], options["stride"], padding, count_include_pad=True)]
    if step.kind == "global_average_pool":
        return [torch_modules().GlobalAveragePool()]
    if step.kind == "recurrent":
        return [_recurrent(step, dtype)]
    raise ValueError(f"Cannot export the step {step.kind!r} to PyTorch.")


def _dropout(options):
    """nn.Dropout, or nn.Dropout1d/2d for whole channels (all the identity in eval mode)."""
    import torch.nn as nn

    if options["per_channel"] and options["rank"] in (1, 2):
        return (nn.Dropout1d, nn.Dropout2d)[options["rank"] - 1](options["rate"])
    return nn.Dropout(options["rate"])


def _conv(step, dtype) -> list:
    """nn.Conv1d/2d with weight = Wᵀ reshaped to (filters, C, k…); padding that differs before
    and after (an odd "same" total) as an nn.ConstantPad1d/2d of zeros in front."""
    import torch.nn as nn

    options, W = step.options, step.arrays["W"]
    rank, pads = options["rank"], options["pads"]
    symmetric = all(before == after for before, after in pads)
    conv = (nn.Conv1d, nn.Conv2d)[rank - 1](
        options["channels"],
        options["filters"],
        options["kernel_size"],
        stride=options["stride"],
        padding=tuple(before for before, _ in pads) if symmetric else 0,
        dilation=options["dilation"],
        bias="b" in step.arrays,
    )
    shape = (options["filters"], options["channels"], *options["kernel_size"])
    conv.weight = nn.Parameter(_tensor(W.T.reshape(shape), dtype))
    if "b" in step.arrays:
        conv.bias = nn.Parameter(_tensor(step.arrays["b"], dtype))
    if symmetric:
        return [conv]
    # torch pads the last axis first: (left, right, top, bottom)
    flat = tuple(p for pair in reversed(pads) for p in pair)
    return [(nn.ConstantPad1d, nn.ConstantPad2d)[rank - 1](flat, 0.0), conv]


def _recurrent(step, dtype):
    """nn.RNN / nn.LSTM / nn.GRU (batch_first) with weight_ih = Wᵀ, weight_hh = Uᵀ, bias_ih =
    b and bias_hh = b_rec (GRU) or 0 (SimpleRNN and LSTM add one bias only)."""
    import torch.nn as nn

    arrays, options = step.arrays, step.options
    features, units = arrays["W"].shape[0], options["units"]
    if step.name == "simple_rnn":
        cell = nn.RNN(features, units, nonlinearity=options["activation"], batch_first=True)
    else:
        cell = {"lstm": nn.LSTM, "gru": nn.GRU}[step.name](features, units, batch_first=True)
    cell.weight_ih_l0 = nn.Parameter(_tensor(arrays["W"].T, dtype))
    cell.weight_hh_l0 = nn.Parameter(_tensor(arrays["U"].T, dtype))
    cell.bias_ih_l0 = nn.Parameter(_tensor(arrays["b"], dtype))
    recurrent_bias = arrays.get("b_rec", np.zeros_like(arrays["b"]))
    cell.bias_hh_l0 = nn.Parameter(_tensor(recurrent_bias, dtype))
    return torch_modules().Recurrent(cell, options["return_sequences"])


def _batchnorm(step, dtype):
    import torch.nn as nn

    arrays, options = step.arrays, step.options
    kind = nn.BatchNorm2d if options["rank"] == 2 else nn.BatchNorm1d  # rows, (n, C, L)
    module = kind(arrays["gamma"].size, eps=options["epsilon"], momentum=options["momentum"])
    module.weight = nn.Parameter(_tensor(arrays["gamma"], dtype))
    module.bias = nn.Parameter(_tensor(arrays["beta"], dtype))
    module.running_mean = _tensor(arrays["running_mean"], dtype)
    module.running_var = _tensor(arrays["running_var"], dtype)
    return module


def _activation_module(step, dtype):
    import torch.nn as nn

    simple = {
        "sigmoid": nn.Sigmoid,
        "tanh": nn.Tanh,
        "relu": nn.ReLU,
        "softplus": nn.Softplus,
        "silu": nn.SiLU,
    }
    name, options = step.name, step.options
    if name in simple:
        return simple[name]()
    if name == "leaky_relu":
        return nn.LeakyReLU(options["negative_slope"])
    if name == "prelu":
        module = nn.PReLU(num_parameters=step.arrays["alpha"].size)
        module.weight = nn.Parameter(_tensor(step.arrays["alpha"], dtype))
        return module
    if name == "elu":
        return nn.ELU(options["alpha"])
    if name == "gelu":
        return nn.GELU(approximate=options["approximate"])
    if name == "softmax":
        return nn.Softmax(dim=1)
    if name == "step":
        return torch_modules().Step()
    raise ValueError(f"Cannot export the activation {name!r} to PyTorch.")


def _residual_module(step, dtype):
    import torch

    body = torch.nn.Sequential(*[m for inner in step.body for m in _modules(inner, dtype)])
    projection = None
    if "projection" in step.arrays:
        P = step.arrays["projection"]
        projection = torch.nn.Linear(*P.shape, bias=False)
        projection.weight = torch.nn.Parameter(_tensor(P.T, dtype))
    return torch_modules().Residual(body, projection)


def _tensor(array, dtype):
    import torch

    return torch.tensor(np.ascontiguousarray(array), dtype=dtype)


# -- the torch module classes ---------------------------------------------------------------------
@functools.cache
def torch_modules():
    """Create the torch module classes once, on first use (torch is imported only here).

    They are registered as ``mlpkit.export.<Name>`` (the package's ``__getattr__``), so
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

    class GlobalAveragePool(torch.nn.Module):
        """(n, C, *S) → (n, C): each channel's mean over every axis after it."""

        def forward(self, x):
            return x.flatten(2).mean(dim=2)

    class Recurrent(torch.nn.Module):
        """An ``nn.RNN`` / ``nn.LSTM`` / ``nn.GRU`` (batch_first) on (n, T, F) that returns
        every state (n, T, H) with ``return_sequences``, else the last (n, H)."""

        def __init__(self, cell, return_sequences: bool) -> None:
            super().__init__()
            self.cell, self.return_sequences = cell, bool(return_sequences)

        def forward(self, x):
            states, _ = self.cell(x)
            return states if self.return_sequences else states[:, -1]

        def extra_repr(self) -> str:
            return f"return_sequences={self.return_sequences}"

    classes = {name: value for name, value in locals().items() if name in TORCH_MODULES}
    for name, cls in classes.items():
        cls.__module__, cls.__qualname__ = "mlpkit.export", name
    return type("TorchModules", (), classes)
