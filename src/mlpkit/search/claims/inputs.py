"""The checks of the claims' inputs: arrays of finite numbers, predictions, seeds, scores.

Each takes the ``owner`` (the claim's function name) so that its error names the function
the caller called.
"""

from __future__ import annotations

import numpy as np

from ..._checks import is_real
from ...exceptions import ConfigError


def numeric(owner: str, name: str, value, ndims: tuple, what: str) -> np.ndarray:
    """``value`` as a float array with ``ndim`` in ``ndims``, non-empty and finite."""
    try:
        array = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise ConfigError(
            f"{owner} {name} must be {what}; received a {type(value).__name__} that is not a "
            f"rectangular array of numbers (rows of unequal length?)."
        ) from None
    if array.ndim not in ndims or array.size == 0:
        raise ConfigError(f"{owner} {name} must be {what}; received shape {array.shape}.")
    check_finite(owner, name, array)
    return array


def check_finite(owner: str, name: str, array: np.ndarray) -> None:
    """Raise, naming the first non-finite entry of ``array`` and how many there are."""
    bad = ~np.isfinite(array)
    if bad.any():
        where = tuple(int(i) for i in np.argwhere(bad)[0])
        raise ConfigError(
            f"{owner} {name} must be finite; {name}[{', '.join(map(str, where))}] is "
            f"{array[where]} ({int(bad.sum())} such entries). Leave failed trials out first."
        )


def predictions(owner: str, oof, y) -> tuple[np.ndarray, np.ndarray]:
    """Stacked out-of-fold predictions (n_configs, n_rows[, k]) and labels (n_rows, ...)."""
    try:
        oof = np.asarray(oof)
    except ValueError:
        raise ConfigError(
            f"{owner} oof must stack into one array (n_configs, n_rows) or (n_configs, n_rows, "
            "n_classes); the configurations' predictions have different shapes."
        ) from None
    if oof.ndim not in (2, 3) or 0 in oof.shape:
        raise ConfigError(
            f"{owner} oof must have shape (n_configs, n_rows) or (n_configs, n_rows, n_classes); "
            f"received shape {oof.shape}. Stack one row of out-of-fold predictions per config."
        )
    y = np.asarray(y)
    if y.ndim == 0 or len(y) != oof.shape[1]:
        raise ConfigError(
            f"{owner} y must have one entry per row of oof ({oof.shape[1]}); received shape "
            f"{y.shape}."
        )
    if oof.dtype.kind in "fc":
        check_finite(owner, "oof", oof)
    return oof, y


def generator(owner: str, random_state) -> np.random.Generator:
    """An int, None (fresh entropy) or a Generator becomes a Generator."""
    if random_state is None or isinstance(random_state, np.random.Generator):
        return np.random.default_rng(random_state)
    if isinstance(random_state, (int, np.integer)) and not isinstance(random_state, bool):
        if random_state >= 0:
            return np.random.default_rng(random_state)
    raise ConfigError(
        f"{owner} random_state must be an int >= 0, None or a numpy.random.Generator; received "
        f"random_state={random_state!r}."
    )


def call_score(owner: str, score, y_true, pred, where: str) -> float:
    """``score(y_true, pred)`` as a float, or an error saying that it must return a number."""
    value = score(y_true, pred)
    if not is_real(value):
        raise ConfigError(
            f"{owner} score returned {value!r} on {where}; it must return a finite number for "
            f"any subset of rows (a score undefined on some subsets, such as ROC AUC on rows "
            f"of one class, cannot be bootstrapped: use a per-row loss through per_row)."
        )
    return float(value)
