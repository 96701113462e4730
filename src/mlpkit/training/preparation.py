"""Preparing data for a network: the one path from the user's table and labels to the arrays a
fit, an evaluation or a prediction uses.

For a fit, in this order:

1. **validation rows** are set apart first, by position (``validation_split``, seeded by the
   network's own split seed, so the same rows every fit), for arrays and tables alike; or
   ``validation_data`` is taken as given;
2. without a preprocessor, the column names of a DataFrame are recorded on the first fit
   (and checked against those on every later use); the network's **preprocessor** (if any)
   learns from the training rows only, on the first fit,
   then transforms every part; rows it drops (strategy "drop") leave y and the sample weights
   too (:meth:`~mlpkit.data.Preprocessor.row_mask`);
3. the features are checked (numeric, finite, the width the network was built for) and the
   network is built on the first fit;
4. the network's **target** (:class:`~mlpkit.targets.Target`) learns the class labels or the
   target scaler from the training rows on the first fit, and encodes every part; the loss
   checks the encoded targets against the output layer;
5. the sample weights are checked.

The result is a :class:`Dataset` per part: network inputs and targets, row weights, and, for a
regression whose target is scaled, the targets in the user's units (the metrics are computed
in those; the loss in the network's units).
"""

from __future__ import annotations

import inspect
import warnings
from dataclasses import dataclass

import numpy as np
from sklearn.exceptions import NotFittedError as SklearnNotFittedError
from sklearn.utils.validation import check_is_fitted

from .._checks import check_integer
from .._validation import (
    check_features,
    check_not_sparse,
    check_sample_weight,
    n_rows,
    take_rows,
)
from ..data.preprocessor import Preprocessor
from ..exceptions import ConfigError


@dataclass
class Dataset:
    """Rows ready for the network.

    Attributes:
        X: inputs, (n, n_features), the network's dtype.
        y: targets as the loss takes them, (n, n_outputs).
        weights: a weight per row, (n,), or None.
        y_user: the targets in the user's units, (n, n_outputs) float64, where they differ from
            ``y`` (a scaled regression target); None otherwise.
    """

    X: np.ndarray
    y: np.ndarray
    weights: np.ndarray | None = None
    y_user: np.ndarray | None = None

    @property
    def metric_targets(self) -> np.ndarray:
        return self.y if self.y_user is None else self.y_user


def prepare_fit(
    net, X, y, loss, *, sample_weight=None, validation_data=None, validation_split=0.0, classes=None
) -> tuple[Dataset, Dataset | None]:
    """The training and validation :class:`Dataset` of one ``fit`` (see the module's steps)."""
    if validation_split and validation_data is not None:
        raise ConfigError("Pass validation_data or validation_split, not both.")
    if validation_data is not None and (
        not isinstance(validation_data, (tuple, list)) or len(validation_data) != 2
    ):
        raise ConfigError("validation_data must be a pair (X_val, y_val).")
    check_not_sparse(X)
    n = n_rows(X)
    if n_rows(y) != n:
        raise ValueError(f"X has {n} rows but y has {n_rows(y)}; they must match.")
    sample_weight = check_sample_weight(sample_weight, n, net.dtype)
    if validation_split:
        train, val = validation_rows(n, validation_split, np.random.default_rng(net.split_seed))
        validation_data = (take_rows(X, val), take_rows(y, val))
        X, y = take_rows(X, train), take_rows(y, train)
        sample_weight = None if sample_weight is None else sample_weight[train]
    preprocessor = net.preprocessor
    fitted = None
    if preprocessor is not None and not is_fitted(preprocessor):
        fitted = fit_inputs(net, X, sample_weight)
    if net.target is None:  # the first fit
        net.learn_input_columns(X)
    inputs, kept = transform_inputs(net, X) if fitted is None else fitted
    y, sample_weight = take_rows(y, kept), _kept(sample_weight, kept)
    if not net.built:
        warn_if_unscaled(inputs, X, preprocessor)
        net.build(inputs.shape[1])
    if net.target is None:
        net.learn_target(y, loss, classes, sample_weight)
    train = encoded_dataset(net, inputs, y, loss, ("X", "y"))
    train.weights = sample_weight
    validation = None
    if validation_data is not None:
        validation = dataset(net, *validation_data, loss, names=("X_val", "y_val"))
    return train, validation


def dataset(net, X, y, loss, *, names=("X", "y")) -> Dataset:
    """Rows of a built network's data (evaluation, validation): through its fitted
    preprocessor and target, checked."""
    if n_rows(y) != n_rows(X):
        raise ValueError(
            f"{names[0]} has {n_rows(X)} rows but {names[1]} has {n_rows(y)}; they must match."
        )
    inputs, kept = transform_inputs(net, X, name=names[0], purpose="evaluating")
    return encoded_dataset(net, inputs, take_rows(y, kept), loss, names)


def fit_inputs(net, X, sample_weight=None) -> tuple[np.ndarray, np.ndarray | None] | None:
    """Fit the network's preprocessor on X (row weights weight the scaler's statistics: weight
    2 = a repeated row). For an ``mk.data.Preprocessor``, whose ``fit_transform`` is
    ``fit(X).transform(X)`` in one pass and drops exactly the rows its ``row_mask`` says,
    return what :func:`transform_inputs` returns for X then, ``(inputs, kept rows or None)``;
    for another preprocessor (only ``fit``, ``transform`` and ``row_mask`` are asked of it),
    return None: its inputs come from ``transform``, as at predict time."""
    preprocessor = net.preprocessor
    takes_weights = "sample_weight" in inspect.signature(preprocessor.fit).parameters
    weights = (
        {"sample_weight": sample_weight} if sample_weight is not None and takes_weights else {}
    )
    if not isinstance(preprocessor, Preprocessor):
        preprocessor.fit(X, **weights)
        return None
    X_out = preprocessor.fit_transform(X, **weights)
    n = n_rows(X)
    kept = None if n_rows(X_out) == n else np.flatnonzero(preprocessor.row_mask(X))
    inputs = check_features(X_out, dtype=net.dtype, n_features=net.n_features, name="X")
    return inputs, kept


def transform_inputs(
    net, X, *, name: str = "X", purpose: str = "training"
) -> tuple[np.ndarray, np.ndarray | None]:
    """X through the preprocessor (if any) and checked: ``(inputs, kept rows or None)``;
    ``purpose`` ("training", "predicting", "evaluating") words the errors."""
    kept = None
    check_not_sparse(X, name)
    net.check_input_columns(X, name)
    if net.preprocessor is not None:
        with warnings.catch_warnings():  # transform below says what row_mask would say again
            warnings.simplefilter("ignore")
            mask = net.preprocessor.row_mask(X)
        kept = None if mask.all() else np.flatnonzero(mask)
        X = net.preprocessor.transform(X)
    inputs = check_features(
        X, dtype=net.dtype, n_features=net.n_features, name=name, purpose=purpose
    )
    return inputs, kept


def encoded_dataset(net, inputs, y, loss, names) -> Dataset:
    if net.target is None:  # a network built but never fitted: labels as given
        net.learn_target(y, loss, None)
    encoded = net.target.encode(y)
    targets = loss.prepare_targets(encoded, net.n_outputs, net.dtype)
    if targets.shape[0] != inputs.shape[0]:
        raise ValueError(
            f"{names[0]} has {inputs.shape[0]} rows but {names[1]} has {targets.shape[0]}; "
            f"they must match."
        )
    y_user = None
    if net.target.scaler_ is not None:
        y_user = np.asarray(y, dtype=np.float64).reshape(targets.shape)
    return Dataset(inputs, targets, None, y_user)


#: Inputs whose columns' spreads differ by more than this factor get a warning (no scaler).
SCALE_RATIO = 1e3


def warn_if_unscaled(inputs: np.ndarray, X, preprocessor) -> None:
    """Warn (once, on the first fit) when the network's inputs are unscaled: no scaler in
    front of it and the columns' standard deviations differ by more than :data:`SCALE_RATIO`,
    so gradient descent would crawl along some inputs and jump along others."""
    if preprocessor is not None and getattr(preprocessor, "scaler", "standard") is not None:
        return
    spread = column_std(inputs)
    varying = np.flatnonzero(spread > 0)
    if varying.size < 2:
        return
    low, high = varying[np.argmin(spread[varying])], varying[np.argmax(spread[varying])]
    if spread[high] <= SCALE_RATIO * spread[low]:
        return
    names = getattr(X, "columns", None)
    label = (lambda i: repr(str(names[i]))) if names is not None else (lambda i: f"{i}")
    warnings.warn(
        f"The input columns differ in scale by a factor of {spread[high] / spread[low]:.0e} "
        f"(standard deviation {spread[low]:.3g} in column {label(low)}, {spread[high]:.3g} in "
        f"column {label(high)}); gradient descent trains badly on such inputs. Scale them: "
        f"preprocessor=mk.data.Preprocessor() in the network, or mk.data.StandardScaler() "
        f"before it.",
        UserWarning,
        stacklevel=4,
    )


def column_std(x: np.ndarray, chunk: int = 4096) -> np.ndarray:
    """σⱼ = √(Σᵢ (xᵢⱼ − x̄ⱼ)² / n) of x (n, d) in float64, (d,), over row chunks of ``chunk``,
    so that no temporary larger than (chunk, d) is made."""
    mean = np.add.reduce(x, axis=0, dtype=np.float64) / x.shape[0]
    squares = np.zeros(x.shape[1])
    for start in range(0, x.shape[0], chunk):
        deviation = x[start : start + chunk] - mean
        squares += np.einsum("ij,ij->j", deviation, deviation)
    return np.sqrt(squares / x.shape[0])


def validation_rows(n: int, fraction: float, rng: np.random.Generator):
    """Row indices (train, validation): ``fraction`` of the n rows, chosen at random (seeded)."""
    if isinstance(fraction, bool) or not isinstance(fraction, (int, float, np.number)):
        raise ConfigError(f"validation_split must be a number in (0, 1); received {fraction!r}.")
    if not 0 < fraction < 1:
        raise ConfigError(f"validation_split must be in (0, 1); received {fraction!r}.")
    n_val = int(round(n * fraction))
    if n_val < 1 or n_val >= n:
        raise ConfigError(
            f"validation_split={fraction} leaves {n_val} of {n} rows for validation; "
            f"use a fraction that leaves at least one row on each side."
        )
    order = rng.permutation(n)
    return np.sort(order[n_val:]), np.sort(order[:n_val])


def check_fit_arguments(batch_size, epochs) -> None:
    if batch_size is not None:
        check_integer("batch_size", batch_size, low=1)
    check_integer("epochs", epochs, low=0)


def is_fitted(estimator) -> bool:
    """Whether a scikit-learn-style transformer has been fitted."""
    try:
        check_is_fitted(estimator)
    except SklearnNotFittedError:
        return False
    return True


def _kept(weights, kept):
    return weights if weights is None or kept is None else weights[kept]
