"""Feature scaling with exact inverses: z-score, min-max to [a, b] and the tanh transformation.

Every scaler is fitted on the training rows only and then applied, unchanged, to validation and
test rows (and inside each fold of a cross-validation), so no statistic leaks from held-out data.

- z-score (scikit-learn's :class:`StandardScaler`): z = (x − μ)/σ, inverse x = zσ + μ.
- min-max to [a, b] (scikit-learn's :class:`MinMaxScaler`, ``feature_range=(a, b)``):
  z = a + (x − min)(b − a)/(max − min), inverse x = min + (z − a)(max − min)/(b − a).
- tanh transformation (:class:`TanhScaler`, written here because scikit-learn lacks it):
  z = tanh(k·(x − μ)/σ), inverse x = μ + σ·artanh(z)/k.

The first two are scikit-learn's own classes, re-exported unchanged. Each scaler's learned
state is plain JSON (:func:`scaler_state` / :func:`scaler_from_state`), so models that hold one
are saved without pickle.
"""

from __future__ import annotations

import numpy as np
from sklearn.base import BaseEstimator, OneToOneFeatureMixin, TransformerMixin
from sklearn.preprocessing import MinMaxScaler, StandardScaler
from sklearn.utils.validation import FLOAT_DTYPES, check_is_fitted, validate_data

from .._checks import check_positive
from .._validation import in_our_words
from ..exceptions import ConfigError
from .state import own_output, plain

#: The largest float64 below 1: |z| is clipped to it before artanh so the inverse stays finite.
Z_MAX = float(np.nextafter(1.0, 0.0))


class TanhScaler(OneToOneFeatureMixin, TransformerMixin, BaseEstimator):
    """Squash each feature into (−1, 1) with the tanh transformation, a scikit-learn transformer.

    With μ and σ the mean and standard deviation of each column over the rows passed to ``fit``
    (the training rows only),

        z = tanh(k·(x − μ)/σ),        inverse:  x = μ + σ·artanh(z)/k.

    The location is μ (z = 0 there) and the scale is σ/k: a value one σ/k from the mean maps to
    tanh(1) ≈ 0.76. μ and σ are :class:`StandardScaler`'s, computed by it: σ is the population
    standard deviation (ddof = 0), a constant column (σ = 0 up to rounding) gets σ = 1, and
    ``partial_fit`` updates the same running mean and variance as ``StandardScaler.partial_fit``
    (so streaming the rows in batches gives the statistics of all of them).

    Values so far from μ that z rounds to ±1 cannot be inverted exactly: ``inverse_transform``
    first clips |z| to :data:`Z_MAX`, the largest float64 below 1, so they come back finite, as
    μ ± σ·artanh(Z_MAX)/k ≈ μ ± 18.7·σ/k, and not as the original value. Inputs with |z| > 1
    (e.g. unbounded network outputs) are clipped the same way.

    Args:
        k: the slope k > 0 of the transformation. Defaults to 1.0.

    Attributes:
        mean_: μ per feature, shape (n_features,).
        var_: σ² per feature, shape (n_features,).
        scale_: σ per feature (1 for constant features), shape (n_features,).
        n_samples_seen_: rows seen by ``fit`` and every ``partial_fit`` since.
        n_features_in_, feature_names_in_: as in scikit-learn.

    Example:
        >>> import numpy as np
        >>> scaler = TanhScaler(k=0.5).fit(np.array([[1.0], [3.0]]))
        >>> z = scaler.transform(np.array([[3.0]]))
        >>> round(float(z[0, 0]), 6), float(scaler.inverse_transform(z)[0, 0])
        (0.462117, 3.0)
    """

    def __init__(self, k=1.0):
        self.k = k

    def fit(self, X, y=None, sample_weight=None):
        """Learn μ and σ of each column of X (n_samples, n_features), rows weighted by
        ``sample_weight`` if given. Returns self."""
        if hasattr(self, "n_samples_seen_"):
            del self.n_samples_seen_
        return self.partial_fit(X, sample_weight=sample_weight)

    def partial_fit(self, X, y=None, sample_weight=None):
        """Update μ and σ with the rows of X, as ``StandardScaler.partial_fit``. Returns self."""
        check_positive("k", self.k, owner="TanhScaler")
        first = not hasattr(self, "n_samples_seen_")
        try:
            X = validate_data(self, X, dtype=FLOAT_DTYPES, reset=first)
        except ValueError as error:  # text: the column named, not numpy's words
            raise in_our_words(X, error, hint="TanhScaler scales numbers.") from None
        running = StandardScaler()
        if not first:  # continue from the statistics so far
            _set_fitted(running, self._fitted_statistics())
        running.partial_fit(X.astype(np.float64, copy=False), sample_weight=sample_weight)
        self.mean_, self.var_, self.scale_ = running.mean_, running.var_, running.scale_
        self.n_samples_seen_ = running.n_samples_seen_
        return self

    def transform(self, X):
        """Return z = tanh(k·(x − μ)/σ), with the shape and float dtype of X."""
        check_is_fitted(self)
        X = validate_data(self, X, dtype=FLOAT_DTYPES, reset=False)
        z = np.tanh(self.k * (X.astype(np.float64, copy=False) - self.mean_) / self.scale_)
        return z.astype(X.dtype, copy=False)

    def inverse_transform(self, X):
        """Return x = μ + σ·artanh(z)/k, after clipping |z| to :data:`Z_MAX` (see the class)."""
        check_is_fitted(self)
        X = validate_data(self, X, dtype=FLOAT_DTYPES, reset=False)
        z = np.clip(X.astype(np.float64, copy=False), -Z_MAX, Z_MAX)
        return (self.mean_ + self.scale_ * np.arctanh(z) / self.k).astype(X.dtype, copy=False)

    def _fitted_statistics(self) -> dict:
        return {
            "mean_": self.mean_,
            "var_": self.var_,
            "scale_": self.scale_,
            "n_samples_seen_": self.n_samples_seen_,
            "n_features_in_": self.n_features_in_,
        }

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.transformer_tags.preserves_dtype = ["float64", "float32"]
        return tags


def fit_scaler(scaler, X: np.ndarray, sample_weight=None):
    """Fit a scaler on X, rows weighted by ``sample_weight`` if given: StandardScaler and
    TanhScaler take the weights in their means and variances; MinMaxScaler (extremes have no
    weights) ignores the rows of weight 0. Returns the scaler."""
    if sample_weight is None:
        return scaler.fit(X)
    if isinstance(scaler, MinMaxScaler):
        return scaler.fit(X[np.asarray(sample_weight) > 0])
    return scaler.fit(X, sample_weight=sample_weight)


SCALERS = {"standard": StandardScaler, "minmax": MinMaxScaler, "tanh": TanhScaler}


def make_scaler(name_or_object, **kwargs):
    """Return a new scaler from its name, or the object itself.

    Args:
        name_or_object: "standard" (z-score), "minmax" (to ``feature_range=(a, b)``, default
            (0, 1)) or "tanh" (``k``); None for no scaling; or a scaler object, returned as is.
        **kwargs: constructor arguments of the named scaler.

    Returns:
        A new unfitted scaler that gives arrays whatever ``sklearn.set_config(transform_output=)``
        says (:func:`~mlpkit.data.state.own_output`), the object passed in, or None.

    Raises:
        ConfigError: an unknown name, or keyword arguments given with an object.

    Example:
        >>> make_scaler("minmax", feature_range=(-1, 1))
        MinMaxScaler(feature_range=(-1, 1))
    """
    if name_or_object is None or not isinstance(name_or_object, str):
        if kwargs:
            raise ConfigError(
                f"make_scaler keyword arguments apply only to a scaler name; received "
                f"{name_or_object!r} with {sorted(kwargs)}. Set them on the object instead."
            )
        return name_or_object
    if name_or_object not in SCALERS:
        names = ", ".join(repr(name) for name in SCALERS)
        raise ConfigError(
            f"make_scaler name must be one of {names}, None or a scaler object; "
            f"received name={name_or_object!r}."
        )
    return own_output(SCALERS[name_or_object](**kwargs))


#: The fitted attributes each scaler kind keeps, as written by :func:`scaler_state`.
FITTED = {
    "standard": ("mean_", "var_", "scale_", "n_samples_seen_", "n_features_in_"),
    "minmax": (
        "min_",
        "scale_",
        "data_min_",
        "data_max_",
        "data_range_",
        "n_samples_seen_",
        "n_features_in_",
    ),
    "tanh": ("mean_", "var_", "scale_", "n_samples_seen_", "n_features_in_"),
}


def scaler_state(scaler) -> dict | None:
    """Return a fitted scaler as a JSON-compatible document (None for None).

    Args:
        scaler: a fitted ``StandardScaler``, ``MinMaxScaler`` or :class:`TanhScaler`, or None.

    Returns:
        ``{"kind": "standard" | "minmax" | "tanh", "params": constructor arguments,
        "fitted": {attribute: list or number}, "dtype": the float type of the statistics}``;
        ``feature_names_in_`` is kept when present.
        :func:`scaler_from_state` gives back a scaler whose ``transform``,
        ``inverse_transform`` and ``partial_fit`` continue exactly where this one stands.

    Raises:
        TypeError: another kind of object.
    """
    if scaler is None:
        return None
    kind = next((k for k, cls in SCALERS.items() if type(scaler) is cls), None)
    if kind is None:
        raise TypeError(
            f"scaler_state takes a StandardScaler, MinMaxScaler or TanhScaler; got "
            f"{type(scaler).__name__}."
        )
    check_is_fitted(scaler)
    names = (*FITTED[kind], "feature_names_in_")
    fitted = {name: plain(getattr(scaler, name)) for name in names if hasattr(scaler, name)}
    dtype = str(np.asarray(scaler.scale_).dtype)  # float32 input keeps float32 statistics
    return {"kind": kind, "params": plain(scaler.get_params()), "fitted": fitted, "dtype": dtype}


def scaler_from_state(document: dict | None):
    """Return the fitted scaler written by :func:`scaler_state` (None for None)."""
    if document is None:
        return None
    lacking = [key for key in ("kind", "params", "fitted") if key not in document]
    if lacking or document["kind"] not in SCALERS:
        raise ValueError(
            f"scaler_from_state takes what scaler_state wrote: a table with 'kind' (one of "
            f"{list(SCALERS)}), 'params' and 'fitted'; "
            + (f"this one lacks {lacking}." if lacking else f"kind={document['kind']!r}.")
        )
    params = dict(document["params"])
    if "feature_range" in params:
        params["feature_range"] = tuple(params["feature_range"])
    scaler = SCALERS[document["kind"]](**params)
    _set_fitted(scaler, document["fitted"], document.get("dtype", "float64"))
    return own_output(scaler)


def _set_fitted(scaler, fitted: dict, dtype="float64") -> None:
    for name, value in fitted.items():
        if name == "n_features_in_":
            value = int(value)
        elif name == "feature_names_in_":
            value = np.asarray(value, dtype=object)
        elif name == "n_samples_seen_":
            value = np.asarray(value, dtype=np.int64)  # a NumPy scalar, as scikit-learn's
            value = value[()] if value.ndim == 0 else value
        elif value is not None:
            value = np.asarray(value, dtype=dtype)
        setattr(scaler, name, value)


__all__ = [
    "fit_scaler",
    "MinMaxScaler",
    "SCALERS",
    "StandardScaler",
    "TanhScaler",
    "Z_MAX",
    "make_scaler",
    "scaler_from_state",
    "scaler_state",
]
