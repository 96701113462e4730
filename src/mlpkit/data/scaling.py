"""Feature scaling with exact inverses: z-score, min-max to [a, b] and the tanh transformation.

Every scaler is fitted on the training rows only and then applied, unchanged, to validation and
test rows (and inside each fold of a cross-validation), so no statistic leaks from held-out data.

- z-score (scikit-learn's :class:`StandardScaler`): z = (x − μ)/σ, inverse x = zσ + μ.
- min-max to [a, b] (scikit-learn's :class:`MinMaxScaler`, ``feature_range=(a, b)``):
  z = a + (x − min)(b − a)/(max − min), inverse x = min + (z − a)(max − min)/(b − a).
- tanh transformation (:class:`TanhScaler`, written here because scikit-learn lacks it):
  z = tanh(k·(x − μ)/σ), inverse x = μ + σ·artanh(z)/k.

The first two are scikit-learn's own classes, re-exported unchanged.
"""

from __future__ import annotations

import numpy as np
from sklearn.base import BaseEstimator, OneToOneFeatureMixin, TransformerMixin
from sklearn.preprocessing import MinMaxScaler, StandardScaler
from sklearn.utils.validation import FLOAT_DTYPES, check_is_fitted, validate_data

from .._checks import check_positive
from ..exceptions import ConfigError

#: The largest float64 below 1: |z| is clipped to it before artanh so the inverse stays finite.
Z_MAX = float(np.nextafter(1.0, 0.0))


class TanhScaler(OneToOneFeatureMixin, TransformerMixin, BaseEstimator):
    """Squash each feature into (−1, 1) with the tanh transformation, a scikit-learn transformer.

    With μ and σ the mean and standard deviation of each column over the rows passed to ``fit``
    (the training rows only),

        z = tanh(k·(x − μ)/σ),        inverse:  x = μ + σ·artanh(z)/k.

    The location is μ (z = 0 there) and the scale is σ/k: a value one σ/k from the mean maps to
    tanh(1) ≈ 0.76. σ is the population standard deviation (ddof = 0), as in
    :class:`StandardScaler`; a constant column (σ = 0, or zero up to rounding:
    σ² ≤ n·ε·σ² + (n·ε·μ)², the test of ``StandardScaler``) gets σ = 1, so z = tanh(k·(x − μ)).

    Values so far from μ that z rounds to ±1 cannot be inverted exactly: ``inverse_transform``
    first clips |z| to :data:`Z_MAX`, the largest float64 below 1, so they come back finite, as
    μ ± σ·artanh(Z_MAX)/k ≈ μ ± 18.7·σ/k, and not as the original value. Inputs with |z| > 1
    (e.g. unbounded network outputs) are clipped the same way.

    Args:
        k: the slope k > 0 of the transformation. Defaults to 1.0.

    Attributes:
        mean_: μ per feature, shape (n_features,).
        scale_: σ per feature (1 for constant features), shape (n_features,).
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

    def fit(self, X, y=None):
        """Learn μ and σ of each column of X (n_samples, n_features). Returns self."""
        check_positive("k", self.k, owner="TanhScaler")
        X = validate_data(self, X, dtype=FLOAT_DTYPES)
        X64 = X.astype(np.float64, copy=False)  # float64 statistics also for float32 input
        mean = X64.mean(axis=0)
        var = X64.var(axis=0)
        self.mean_ = mean
        self.scale_ = np.where(_is_constant(var, mean, X.shape[0]), 1.0, np.sqrt(var))
        return self

    def transform(self, X):
        """Return z = tanh(k·(x − μ)/σ), with the shape and float dtype of X."""
        check_is_fitted(self)
        X = validate_data(self, X, dtype=FLOAT_DTYPES, reset=False)
        return self.apply(X, self.mean_, self.scale_, self.k).astype(X.dtype, copy=False)

    def inverse_transform(self, X):
        """Return x = μ + σ·artanh(z)/k, after clipping |z| to :data:`Z_MAX` (see the class)."""
        check_is_fitted(self)
        X = validate_data(self, X, dtype=FLOAT_DTYPES, reset=False)
        return self.invert(X, self.mean_, self.scale_, self.k).astype(X.dtype, copy=False)

    @staticmethod
    def apply(X, mean, scale, k) -> np.ndarray:
        """z = tanh(k·(x − μ)/σ) in float64, from given statistics (used by mk.data's
        Preprocessor, which keeps μ and σ as plain numbers)."""
        return np.tanh(k * (np.asarray(X, dtype=np.float64) - mean) / scale)

    @staticmethod
    def invert(Z, mean, scale, k) -> np.ndarray:
        """x = μ + σ·artanh(z)/k in float64, |z| clipped to :data:`Z_MAX` first."""
        z = np.clip(np.asarray(Z, dtype=np.float64), -Z_MAX, Z_MAX)
        return mean + scale * np.arctanh(z) / k

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.transformer_tags.preserves_dtype = ["float64", "float32"]
        return tags


def _is_constant(var: np.ndarray, mean: np.ndarray, n_samples: int) -> np.ndarray:
    # A variance this small is rounding noise of a constant column (scikit-learn's bound).
    eps = np.finfo(np.float64).eps
    return var <= n_samples * eps * var + (n_samples * mean * eps) ** 2


SCALERS = {"standard": StandardScaler, "minmax": MinMaxScaler, "tanh": TanhScaler}


def make_scaler(name_or_object, **kwargs):
    """Return a new scaler from its name, or the object itself.

    Args:
        name_or_object: "standard" (z-score), "minmax" (to ``feature_range=(a, b)``, default
            (0, 1)) or "tanh" (``k``); None for no scaling; or a scaler object, returned as is.
        **kwargs: constructor arguments of the named scaler.

    Returns:
        A new unfitted scaler, the object passed in, or None.

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
    return SCALERS[name_or_object](**kwargs)


__all__ = ["MinMaxScaler", "SCALERS", "StandardScaler", "TanhScaler", "Z_MAX", "make_scaler"]
