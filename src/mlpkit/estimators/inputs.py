"""The estimators' X and y at the door: numpy's words on bad input replaced by ours."""

from __future__ import annotations

import numpy as np

from .._validation import in_our_words


def not_numeric(estimator, X, error: ValueError) -> ValueError:
    """Ours for numpy's words on text or ragged X (:func:`mlpkit._validation.in_our_words`);
    scikit-learn's NaN error with our fix added; its other errors (widths) as they are."""
    name = type(estimator).__name__
    if "contains NaN" in str(error):  # scikit-learn's words, which point to other models
        return ValueError(
            f"{error} Here: {name}(preprocessor='auto') fills missing values (median for "
            f"numbers, the most frequent value for text) from the training rows."
        )
    hint = f"{name}(preprocessor='auto') one-hot encodes text columns."
    return in_our_words(X, error, hint=hint)


def as_target_array(y) -> np.ndarray:
    if y is None:
        raise ValueError("This estimator requires y to be passed, but the target y is None.")
    y = y.to_numpy() if hasattr(y, "to_numpy") else np.asarray(y)
    if y.ndim == 0 or y.ndim > 2 or y.shape[0] == 0:
        raise ValueError(f"y must be (n_samples,) or (n_samples, n_outputs); got shape {y.shape}.")
    return y
