"""Checks at the API boundary: inputs become C-contiguous float arrays or a clear error."""

from __future__ import annotations

from collections import Counter

import numpy as np


def check_features(
    X, *, dtype, n_features: int | None = None, name: str = "X", purpose: str = "training"
) -> np.ndarray:
    """Return X as a C-contiguous (n_samples, n_features) array of ``dtype``.

    Raises:
        TypeError: X is not numeric (names the first offending column).
        ValueError: X is empty, not 2-D, contains NaN or infinity (names row and column), or has
            a different number of features from what the network was built for.
    """
    columns = getattr(X, "columns", None)
    check_not_sparse(X, name)
    X = _as_numeric_2d(X, name, columns, purpose)
    if X.shape[0] == 0 or X.shape[1] == 0:
        raise ValueError(
            f"{name} is empty: shape {X.shape}. Pass at least one sample with at least one feature."
        )
    if n_features is not None and X.shape[1] != n_features:
        raise ValueError(
            f"{name} has {X.shape[1]} features, but the network was built for {n_features} "
            f"features. Pass data with the same columns as in fit."
        )
    original = X
    with np.errstate(over="ignore"):  # an overflow is reported below, with its row and column
        X = np.ascontiguousarray(X, dtype=dtype)
    if not np.isfinite(X).all():
        row, col = np.argwhere(~np.isfinite(X))[0]
        if np.isfinite(original[row, col]):
            raise ValueError(
                f"{name} has {original[row, col]:g} at row {row}, column "
                f"{_column_name(columns, col)}, beyond the range of {np.dtype(dtype).name} "
                f"(±{np.finfo(dtype).max:.1e}). Scale that column, or use dtype='float64'."
            )
        raise ValueError(
            f"{where_not_finite(X, name, columns)}. Impute or drop missing values before "
            f"{purpose} (or give the network a preprocessor, e.g. "
            f"preprocessor=mk.data.Preprocessor(missing='auto'))."
        )
    return X


def where_not_finite(X: np.ndarray, name: str = "X", columns=None) -> str:
    """Where a float array X (n_samples, n_features) first holds NaN or infinity, in words:
    "X contains nan at row 4, column 2 (1 non-finite values in all)"; columns by name when
    ``columns`` (a DataFrame's) are given."""
    bad = ~np.isfinite(X)
    row, col = np.argwhere(bad)[0]
    return (
        f"{name} contains {X[row, col]} at row {row}, column {_column_name(columns, col)} "
        f"({int(bad.sum())} non-finite values in all)"
    )


def _as_numeric_2d(X, name: str, columns, purpose: str) -> np.ndarray:
    X_array = _as_array(X, name)
    if X_array.ndim != 2:
        shape_hint = (
            "Reshape it with X.reshape(-1, 1) if it is one feature, or X.reshape(1, -1) if it "
            "is one sample."
            if X_array.ndim == 1
            else "Flatten each sample to a row of features."
        )
        raise ValueError(
            f"{name} must be 2-D (n_samples, n_features); got shape {X_array.shape}. {shape_hint}"
        )
    if X_array.dtype.kind in "biuf":
        return X_array
    _refuse_non_real(X_array, name, purpose)
    X_array = X_array.astype(object)  # text (<U, S) and objects: checked column by column
    X_array = np.where(_missing(X_array), np.nan, X_array)  # None, pandas.NA: missing values
    for col in range(X_array.shape[1]):
        try:
            X_array[:, col].astype(np.float64)
        except (TypeError, ValueError):
            label = _column_name(columns, col)
            sample = next(v for v in X_array[:, col] if not reads_as_number(v))
            raise TypeError(
                f"{name} column {label} is not numeric (e.g. {sample!r}). Encode categorical "
                f"columns as numbers (e.g. one-hot) or drop them before {purpose}, or give the "
                f"network a preprocessor (mk.data.Preprocessor) that does it."
            ) from None
    return X_array.astype(np.float64)


def in_our_words(X, error: ValueError, *, name: str = "X", hint: str = "") -> ValueError:
    """Ours for numpy's words on text ("could not convert string to float", naming neither
    the column nor the fix) or ragged rows ("inhomogeneous shape") of ``X``, ``hint``
    appended to the text case; any other error as it is."""
    words = str(error)
    if "could not convert" not in words and "inhomogeneous" not in words:
        return error
    try:
        check_features(X, dtype=np.float64, name=name, purpose="use")
    except TypeError as text:
        return ValueError(f"{text} {hint}".strip())
    except ValueError as ragged:
        return ragged
    return error


def _refuse_non_real(X_array: np.ndarray, name: str, purpose: str) -> None:
    """Complex numbers, dates and durations are no features."""
    if X_array.dtype.kind == "c":
        raise TypeError(f"{name} is complex ({X_array.dtype}); networks here take real numbers.")
    if X_array.dtype.kind in "mM":
        raise TypeError(
            f"{name} holds dates or durations ({X_array.dtype}); networks here take numbers. "
            f"Turn them into numeric features (e.g. day of week, seconds) before {purpose}."
        )


def _as_array(X, name: str) -> np.ndarray:
    """X as an array; ragged nested lists (rows of different lengths) are named."""
    try:
        return np.asarray(X)
    except ValueError:
        lengths = [len(row) if hasattr(row, "__len__") else 1 for row in X]
        bad = next((i for i, n in enumerate(lengths) if n != lengths[0]), None)
        if bad is None:
            raise ValueError(
                f"{name} cannot be read as a 2-D array of numbers: its rows are not all flat "
                f"sequences of numbers. Pass a 2-D array (n_samples, n_features)."
            ) from None
        raise ValueError(
            f"{name} is ragged: row 0 has {lengths[0]} values but row {bad} has {lengths[bad]}. "
            f"Every sample needs the same number of features."
        ) from None


def _missing(values: np.ndarray) -> np.ndarray:
    """True where an object array holds None or pandas.NA (its nullable columns' missing value)."""
    return np.frompyfunc(lambda v: v is None or type(v).__name__ == "NAType", 1, 1)(values).astype(
        bool
    )


def reads_as_number(value) -> bool:
    """Whether one value can be read as a number (``float(value)`` works)."""
    try:
        float(value)
    except (TypeError, ValueError):
        return False
    return True


def n_rows(data) -> int:
    """The number of rows of an array, a DataFrame, a Series, a sparse matrix or a sequence."""
    shape = getattr(data, "shape", None)
    if shape is not None and len(shape) > 0:
        return int(shape[0])
    if hasattr(data, "__len__"):
        return len(data)
    array = np.asarray(data)
    return int(array.shape[0]) if array.ndim else 0


def take_rows(data, rows):
    """Rows of an array, a DataFrame or a Series, by position (all of them for ``rows=None``)."""
    if rows is None:
        return data
    if hasattr(data, "iloc"):
        return data.iloc[rows]
    return data[rows] if hasattr(data, "shape") else np.asarray(data)[rows]


def check_sample_weight(sample_weight, n: int, dtype):
    """Row weights as an (n,) array of ``dtype``, or None; finite, ≥ 0, not all zero, and
    within ``dtype``'s range, each and in sum."""
    if sample_weight is None:
        return None
    try:
        weights = np.asarray(sample_weight, dtype=np.float64)
    except (TypeError, ValueError):
        cells = np.ravel(np.asarray(sample_weight, dtype=object))
        sample = next((v for v in cells if not reads_as_number(v)), sample_weight)
        raise TypeError(
            f"sample_weight must be numbers, one per row; it holds {sample!r}. Pass an array "
            f"of weights (n_samples,), e.g. numpy.ones(n)."
        ) from None
    if weights.shape != (n,):
        raise ValueError(
            f"sample_weight has shape {weights.shape}; it needs one weight per row: shape ({n},)."
        )
    if not np.all(np.isfinite(weights)) or weights.min() < 0 or weights.sum() <= 0:
        raise ValueError(
            "sample_weight must be finite and non-negative, and not all zero (every weight "
            "zero leaves nothing to learn from)."
        )
    return _within_range(weights, dtype)


def _within_range(weights: np.ndarray, dtype) -> np.ndarray:
    """Finite float64 weights as ``dtype``, refused (naming the row) when one, or their sum
    (what a batch's weighted mean divides by), is beyond that dtype's range."""
    largest, dtype_name = float(np.finfo(dtype).max), np.dtype(dtype).name
    fix = "Divide the weights by a constant (only their ratios matter)"
    if weights.max() > largest:
        row = int(np.argmax(weights))
        raise ValueError(
            f"sample_weight has {weights[row]:g} at row {row}, beyond the range of "
            f"{dtype_name} (±{largest:.1e}). {fix}, or use dtype='float64'."
        )
    total = float(np.sum(weights))
    if total > largest:
        raise ValueError(
            f"sample_weight sums to {total:g}, beyond the range of {dtype_name} "
            f"(±{largest:.1e}), so a batch's weighted mean would overflow. {fix}."
        )
    return weights.astype(dtype)


def column_names(X, name: str = "X") -> list[str] | None:
    """The column names of a table X (pandas, polars, or a streamed
    :class:`~mlpkit.data.FileSource`: its feature columns) when every one is a string, as
    scikit-learn records them; None for an array or other labels.

    Raises:
        ValueError: two columns share a name (which one is meant is then a guess).
    """
    columns = getattr(X, "columns", None)
    if columns is None:
        return None
    labels = list(columns)
    counts = Counter(labels)
    duplicated = sorted(str(label) for label, count in counts.items() if count > 1)
    if duplicated:
        raise ValueError(
            f"{name} has duplicate column names {duplicated}; each column needs its own name. "
            f"Rename or drop the copies before fitting."
        )
    if not all(isinstance(label, str) for label in labels):
        return None
    return labels


def check_column_names(X, expected: list[str] | None, name: str = "X", fix: str = "") -> None:
    """Refuse a table X whose column names differ from ``expected`` (those of fit), naming
    the missing, the unseen or the reordered ones, and saying ``fix`` (by default: select
    ``name[net.feature_names]``). An array, a table of other labels, or no names recorded
    (fitted on an array) is taken by position.

    Raises:
        ValueError: the names differ, or X has duplicate names.
    """
    if expected is None or getattr(X, "columns", None) is None:
        return
    found = column_names(X, name)
    if found is None or found == expected:
        return
    fix = fix or f"Pass the columns of fit in their order: {name}[net.feature_names]."
    missing = [label for label in expected if label not in found]
    unseen = [label for label in found if label not in expected]
    if missing or unseen:
        raise ValueError(
            f"{name}'s columns are not those the network was fitted on: missing {missing}, "
            f"not seen in fit {unseen}. {fix}"
        )
    at = next(i for i, (a, b) in enumerate(zip(found, expected)) if a != b)
    raise ValueError(
        f"{name} has the columns of fit in another order: column {at} is {found[at]!r}, in "
        f"fit it was {expected[at]!r}; a network reads its inputs by position. {fix}"
    )


def check_not_sparse(X, name: str = "X") -> None:
    """A sparse matrix is refused with the fix in words (networks take dense arrays)."""
    if hasattr(X, "toarray") and not hasattr(X, "columns"):
        raise TypeError(
            f"{name} is a sparse matrix; networks here take dense arrays. Pass {name}.toarray() "
            f"if it fits in memory."
        )


def _column_name(columns, col: int) -> str:
    return repr(columns[col]) if columns is not None else str(col)


def check_random_state(random_state) -> np.random.Generator:
    """An int, None or a Generator becomes a Generator.

    ``None`` draws one seed from NumPy's global random state, as scikit-learn does, so a
    script that starts with ``numpy.random.seed(a)`` gives the same results on every run (and
    two unseeded runs differ); an int or a Generator never reads or changes the global state.
    """
    if isinstance(random_state, np.random.Generator):
        return random_state
    if random_state is None:
        return np.random.default_rng(int(np.random.randint(np.iinfo(np.int64).max, dtype=np.int64)))
    if isinstance(random_state, (int, np.integer)) and not isinstance(random_state, bool):
        return np.random.default_rng(random_state)
    raise TypeError(
        f"random_state must be an int, None or a numpy.random.Generator; got "
        f"{type(random_state).__name__} {random_state!r}."
    )
