"""The estimators' X and y at the door: numpy's words on bad input replaced by ours."""

from __future__ import annotations

import numpy as np
from sklearn.utils.validation import check_array

from .._validation import in_our_words, where_not_finite


def not_numeric(estimator, X, error: ValueError) -> ValueError:
    """Ours for numpy's words on text or ragged X (:func:`mlpkit._validation.in_our_words`)
    and for scikit-learn's on NaN or infinity (:func:`not_finite`); its other errors (widths)
    as they are."""
    name = type(estimator).__name__
    words = str(error)
    if "contains NaN" in words or "contains infinity" in words:
        return not_finite(name, X)
    hint = f"{name}(preprocessor='auto') one-hot encodes text columns."
    return in_our_words(X, error, hint=hint)


def not_finite(name: str, X) -> ValueError:
    """NaN or infinity in numeric X, named by row and column (as ``Sequential`` names them),
    with mlpkit's fix, not scikit-learn's pointer to other models: for missing cells,
    ``preprocessor="auto"``, which fills them."""
    columns = getattr(X, "columns", None)
    values = check_array(X, dtype=np.float64, ensure_all_finite=False)
    where = where_not_finite(values, "X", columns)
    if np.isnan(values).any():
        return ValueError(
            f"{where}. Fill or drop the missing values (NaN) first; {name}(preprocessor='auto') "
            f"fills missing cells (the median for numbers, the most frequent value for text) "
            f"learned from the training rows."
        )
    return ValueError(f"{where}. Replace or drop the infinite values (or clip that column) first.")


def as_target_array(y) -> np.ndarray:
    if y is None:
        raise ValueError("This estimator requires y to be passed, but the target y is None.")
    y = y.to_numpy() if hasattr(y, "to_numpy") else np.asarray(y)
    if y.ndim == 0 or y.ndim > 2 or y.shape[0] == 0:
        raise ValueError(f"y must be (n_samples,) or (n_samples, n_outputs); got shape {y.shape}.")
    return y
