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

import numpy as np

from .steps import network_of
from .tables import input_spec, target_scale
from .torch_layers import torch_layers
from .torch_modules import torch_modules


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
        ImportError: PyTorch is not installed (mlpkit does not depend on it).
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
    try:
        import torch
    except ImportError as error:
        raise ImportError(
            f"to_torch needs PyTorch, which mlpkit does not install ({error.name} is "
            f"missing): pip install torch"
        ) from error

    net = network_of(model, "to_torch")
    first = _input_modules(net) if include_preprocessor else []
    last = _target_modules(net)
    if model is not net and net.task == "binary":  # predict_proba's two columns
        last.append(torch_modules().BinaryProbabilities())
    return torch.nn.Sequential(*first, *torch_layers(net), *last).eval()


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
