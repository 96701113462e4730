"""Overflow in the preprocessor's numbers, said in the words of the raw table.

A finite value can be too large for the arithmetic after it: a z-score or tanh scaler squares
it (4e201² overflows float64, so σ is NaN and every scaled row is NaN), a min-max range of
±1e308 is infinite, and a feature beyond float32's largest value (:data:`FEATURE_LIMIT`, about
3.4e38) is infinite in the network, which computes in float32. Left alone, each surfaces later
as the network's "X contains nan", a check that cannot know that a preprocessor made the NaN.

:func:`fit_scaler_checked` (at fit: a column's statistics are not finite) and
:func:`check_features` (at transform: finite numbers came out non-finite or beyond
:data:`FEATURE_LIMIT`) catch it where it happens, and the ValueError names the column, its
values and their rows, and what to do. Only numeric columns can overflow (one-hot and indicator
features are 0 or 1), and a numeric feature is named after its raw column.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .cleaning import cells_in_words
from .scaling import fit_scaler

#: The largest feature the network can hold: float32's largest finite value.
FEATURE_LIMIT = float(np.finfo(np.float32).max)
#: A scaler's learned statistics, those of StandardScaler, TanhScaler and MinMaxScaler.
STATISTICS = ("mean_", "var_", "scale_", "min_", "data_min_", "data_max_", "data_range_")
_ADVICE = (
    "Check that these values are not typos (fix or blank those cells; a blank cell is a "
    "missing value), or rescale the column's units (e.g. divide it by a power of ten) and refit."
)


def fit_scaler_checked(scaler, frame: pd.DataFrame, sample_weight=None, *, partial=False):
    """Fit (or ``partial``: update) ``scaler`` on ``frame`` (rows × features) and raise a
    ValueError naming the columns whose statistics are not finite. Returns the scaler."""
    values = frame.to_numpy(np.float64)
    with np.errstate(over="ignore", invalid="ignore"):  # said below, in the table's words
        if partial:
            scaler.partial_fit(values)
        else:
            fit_scaler(scaler, values, sample_weight)
    broken = np.zeros(frame.shape[1], dtype=bool)
    for name in STATISTICS:
        if getattr(scaler, name, None) is not None:
            broken |= ~np.isfinite(np.asarray(getattr(scaler, name), dtype=np.float64))
    if broken.any():
        # values this large can overflow a sum of n squares (or a range) in float64
        limit = np.sqrt(np.finfo(np.float64).max / max(len(frame), 1))
        found = [_too_large(frame.iloc[:, i], limit) for i in np.flatnonzero(broken)]
        raise ValueError(
            f"Preprocessor: the {type(scaler).__name__}'s statistics (mean, variance or range) "
            f"of {'; of '.join(found)} overflow float64: they are not finite. {_ADVICE}"
        )
    return scaler


def check_features(frame: pd.DataFrame, features: np.ndarray) -> None:
    """Raise a ValueError when finite values of ``frame`` (before scaling) gave ``features``
    that are not finite or beyond :data:`FEATURE_LIMIT`, naming the columns, values and rows."""
    if not features.size or np.abs(features).max() <= FEATURE_LIMIT:  # NaN fails the test
        return
    with np.errstate(invalid="ignore"):
        wrong = ~(np.abs(features) <= FEATURE_LIMIT) & np.isfinite(frame.to_numpy(np.float64))
    if not wrong.any():
        return
    found = [_cells(frame.iloc[:, i], wrong[:, i]) for i in np.flatnonzero(wrong.any(axis=0))]
    raise ValueError(
        f"Preprocessor: values of {'; of '.join(found)} are, once scaled, beyond "
        f"±{FEATURE_LIMIT:.1e} or not finite: outside the float32 range in which the network "
        f"computes. {_ADVICE}"
    )


def _too_large(column: pd.Series, limit: float) -> str:
    magnitude = np.abs(column.to_numpy(np.float64))
    large = magnitude >= limit
    if not large.any():  # many moderately large values: show the largest
        large = magnitude >= np.nanmax(magnitude)
    return _cells(column, large)


def _cells(column: pd.Series, mask: np.ndarray) -> str:
    return f"column {column.name!r} ({cells_in_words(column[mask], int(mask.sum()))})"


__all__ = ["FEATURE_LIMIT", "check_features", "fit_scaler_checked"]
