"""The estimators' X and y at the door: numpy's words on bad input replaced by ours."""

from __future__ import annotations

import numpy as np

from .._validation import check_features


def not_numeric(estimator, X, error: ValueError) -> ValueError:
    """Ours for numpy's words on text ("could not convert string to float", naming neither
    the column nor the fix) or ragged rows ("inhomogeneous shape"); scikit-learn's other
    errors (NaN, widths) as they are."""
    words = str(error)
    if "could not convert" not in words and "inhomogeneous" not in words:
        return error
    try:
        check_features(X, dtype=np.float64, purpose="use")
    except TypeError as text:
        return ValueError(
            f"{text} {type(estimator).__name__}(preprocessor='auto') one-hot encodes text columns."
        )
    except ValueError as ragged:
        return ragged
    return error


def as_target_array(y) -> np.ndarray:
    if y is None:
        raise ValueError("This estimator requires y to be passed, but the target y is None.")
    y = y.to_numpy() if hasattr(y, "to_numpy") else np.asarray(y)
    if y.ndim == 0 or y.ndim > 2 or y.shape[0] == 0:
        raise ValueError(f"y must be (n_samples,) or (n_samples, n_outputs); got shape {y.shape}.")
    return y
