"""Read a table from an array, a DataFrame or a file, and pick its target and feature columns.

:func:`read_table` is the one entry point for raw data. Whatever the source, it returns a
:class:`Table`: the feature columns as a pandas DataFrame (so feature names travel with the data),
the target as a Series, and the feature names. Missing values arrive in one form: every declared
missing token (``"?"``, ``"NA"``…), ``None`` and ±inf in a numeric column become NaN, ready for
:class:`~mlpkit.data.missing.MissingValues`. Tokens and text of numbers follow the rules of
:mod:`mlpkit.data.cleaning` (one implementation, shared with
:class:`~mlpkit.data.cleaning.TextCleaner`): digit strings with leading zeros (zip codes) stay
text, also in a CSV file, where pandas alone would read ``02134`` as the number 2134.
"""

from __future__ import annotations

import codecs
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from .cleaning import MISSING_TOKENS, numeric_text, token_mask, without_tokens
from .files import TableFileError, read_file, sniff_separator

__all__ = [
    "MISSING_TOKENS",
    "Table",
    "TableFileError",
    "read_table",
    "sniff_separator",
    "token_mask",
]


@dataclass(frozen=True, eq=False)
class Table:
    """A table split into features and target.

    Attributes:
        X: The feature columns, in the order of ``feature_names``; rows keep the source's index.
        y: The target column, or None when no target was named.
        feature_names: The names of the columns of ``X``.
        converted: Per column, how many values became NaN on reading (missing tokens and ±inf);
            columns with none are left out.
    """

    X: pd.DataFrame
    y: pd.Series | None
    feature_names: list[str]
    converted: dict[str, int] = field(default_factory=dict)


def read_table(
    source,
    *,
    target: str | int | None = None,
    features: Sequence[str] | None = None,
    sep: str | None = None,
    header: int | None | str = "infer",
    names: Sequence[str] | None = None,
    missing_tokens: Sequence[str] = MISSING_TOKENS,
    encoding: str | None = None,
) -> Table:
    """Read ``source`` into a :class:`Table` of features and target.

    Args:
        source: A 2-D NumPy array, a pandas or polars DataFrame, or the path of a CSV file or of a
            Parquet file (suffix ``.parquet`` or ``.pq``). A DataFrame is copied, never modified.
        target: The target column's name. For a NumPy array, its column index (negative indices
            count from the end). None: no target, every selected column is a feature.
        features: The feature columns' names, in the order wanted; None takes every column except
            the target. For a NumPy array, the names *given to* its feature columns (one per
            column left after the target is taken out); by default they are ``x0``, ``x1``…
        sep: The CSV field separator; None sniffs it among ``, ; tab |`` from the first lines.
            Blanks after a separator are skipped (``skipinitialspace``), so a ``", "``-separated
            file such as UCI's ``adult.data`` (``39, State-gov, 77516, …``) gives names and
            categories without a leading space.
        header: CSV files only, as in :func:`pandas.read_csv`: ``"infer"`` (the first line
            holds the names, unless ``names`` is given), the line number of the names, or None
            for a file without a header line (then pass ``names``, or the columns are named
            ``"0"``, ``"1"``…).
        names: CSV files only: the column names, e.g. for a header-less file with
            ``header=None``. With a header line in the file, also pass ``header=0`` to replace
            its names.
        missing_tokens: Strings that mean "missing"; a text cell equal to one of them after
            stripping surrounding whitespace becomes NaN. A text column whose other values are
            all numbers becomes numeric (float64), unless they are digit strings with leading
            zeros, which stay text.
        encoding: CSV files only: the text encoding, e.g. ``"cp1252"`` or ``"latin-1"``. None:
            UTF-8 (a byte-order mark is stripped), or UTF-16 when the file starts with its
            byte-order mark; a file that is neither is refused, naming the line and the
            encodings it likely is.

    Returns:
        The :class:`Table`. Column names are strings; ±inf in numeric columns are NaN.

    Raises:
        FileNotFoundError: The path does not exist.
        TableFileError: (a ValueError) the file cannot be read as a table: a NUL byte in the
            path, a folder, an empty file, a header without rows, duplicate column names, a
            line with more fields than the header, text that is not in the encoding, a damaged
            Parquet file. Its ``path`` and ``line`` attributes say where.
        TypeError: ``source`` or an option is none of the accepted kinds.
        ValueError: ``target`` or a feature is not a column (the message lists the columns), the
            target is also listed in ``features``, or the array is not 2-D.

    Example:
        >>> import numpy as np
        >>> table = read_table(np.array([[1.0, 2.0, 0.0], [3.0, np.inf, 1.0]]), target=-1)
        >>> table.feature_names, table.X["x1"].isna().tolist(), table.y.tolist()
        (['x0', 'x1'], [False, True], [0.0, 1.0])
    """
    options = {"sep": sep, "header": header, "names": names, "encoding": encoding}
    _check_options(target, features, missing_tokens, options)
    if isinstance(source, np.ndarray):
        frame, target, features = _from_array(source, target, features)
    else:
        frame = _to_frame(source, options)
    target_name, feature_names = _select(frame, target, features)
    selected = feature_names if target_name is None else [*feature_names, target_name]
    frame, converted = _standardize_missing(frame[selected], tuple(missing_tokens))
    y = frame[target_name] if target_name is not None else None
    X = frame[feature_names]
    converted = {name: n for name, n in converted.items() if n}
    return Table(X=X, y=y, feature_names=list(feature_names), converted=converted)


def _to_frame(source, options: dict) -> pd.DataFrame:
    if isinstance(source, pd.DataFrame):
        frame = source.copy()
    elif type(source).__module__.split(".")[0] == "polars":
        frame = source.to_pandas()  # polars stays optional: it is never imported here
    elif isinstance(source, (str, os.PathLike)):
        frame = read_file(Path(source), **options)
    else:
        raise TypeError(
            f"read_table source must be a NumPy array, a pandas or polars DataFrame, or the path "
            f"of a CSV or Parquet file; got {type(source).__name__}. Convert it to one of these."
        )
    names = [str(name) for name in frame.columns]
    duplicates = sorted({name for name in names if names.count(name) > 1})
    if duplicates:
        raise ValueError(
            f"read_table found duplicate column names {duplicates}. Rename the columns so that "
            f"each name is unique."
        )
    frame.columns = names
    return frame


def _check_options(target, features, missing_tokens, options: dict) -> None:
    """Refuse option values of the wrong kind, naming the option (a bare string where a list
    is wanted would otherwise be read one character at a time)."""
    for name, value in (("features", features), ("names", options["names"])):
        if isinstance(value, (str, bytes)):
            raise TypeError(
                f"read_table {name} must be a list of column names; got the string {value!r}. "
                f"Pass {name}=[{value!r}] for one column."
            )
    if isinstance(missing_tokens, (str, bytes)) or not all(
        isinstance(token, str) for token in missing_tokens
    ):
        raise TypeError(
            f"read_table missing_tokens must be a list of strings such as ['?', 'NA']; got "
            f"{missing_tokens!r}."
        )
    if target is not None and (isinstance(target, bool) or not isinstance(target, (str, int))):
        raise TypeError(
            f"read_table target must be a column name (or an index for a NumPy array); got "
            f"{type(target).__name__} {target!r}."
        )
    sep, header, encoding = options["sep"], options["header"], options["encoding"]
    if sep is not None and (not isinstance(sep, str) or not sep):
        raise TypeError(f"read_table sep must be a non-empty string such as ','; got {sep!r}.")
    if not (header in ("infer", None) or (_is_index(header) and header >= 0)):
        raise TypeError(
            f"read_table header must be 'infer', None or a line number >= 0; got {header!r}."
        )
    if encoding is not None:
        _check_encoding(encoding)


def _check_encoding(encoding) -> None:
    try:
        codecs.lookup(encoding)
    except (LookupError, TypeError):
        raise ValueError(
            f"read_table encoding {encoding!r} is not a text encoding Python knows; pass e.g. "
            f"'utf-8', 'cp1252' or 'latin-1'."
        ) from None


def _is_index(value) -> bool:
    return isinstance(value, (int, np.integer)) and not isinstance(value, bool)


def _from_array(array: np.ndarray, target, features):
    if array.ndim != 2:
        raise ValueError(
            f"read_table needs a 2-D array (n_samples, n_columns); got shape {array.shape}. "
            f"Use array.reshape(-1, 1) for a single column."
        )
    n_columns = array.shape[1]
    target_index = None
    if target is not None:
        if isinstance(target, bool) or not isinstance(target, (int, np.integer)):
            raise ValueError(
                f"read_table target for a NumPy array must be a column index (int); got "
                f"target={target!r}. Pass e.g. target=-1 for the last column."
            )
        if not -n_columns <= target < n_columns:
            raise ValueError(
                f"read_table target={target} is out of range for an array with {n_columns} "
                f"columns. Pass an index in [{-n_columns}, {n_columns - 1}]."
            )
        target_index = int(target) % n_columns
    n_features = n_columns - (target_index is not None)
    names = [f"x{i}" for i in range(n_features)] if features is None else [str(f) for f in features]
    if len(names) != n_features:
        raise ValueError(
            f"read_table features gives {len(names)} names, but the array has {n_features} "
            f"feature columns ({n_columns} columns"
            f"{', one of them the target' if target_index is not None else ''}). "
            f"Pass one name per feature column."
        )
    columns = list(names)
    if target_index is not None:
        columns.insert(target_index, next(n for n in ("y", "target", "_y") if n not in names))
    frame = pd.DataFrame(array, columns=columns)
    if array.dtype == object:
        frame = frame.infer_objects()
    return frame, (columns[target_index] if target_index is not None else None), names


def _standardize_missing(frame: pd.DataFrame, tokens: tuple[str, ...]):
    """Missing tokens, None and ±inf become NaN; returns the frame and per-column counts."""
    converted = {}
    for name in frame.columns:
        column = frame[name]
        if _is_text(column):
            frame[name], converted[name] = _replace_tokens(column, tokens)
        elif pd.api.types.is_numeric_dtype(column.dtype) and not pd.api.types.is_bool_dtype(
            column.dtype
        ):
            values = column.to_numpy(dtype=np.float64, na_value=np.nan, copy=True)
            is_inf = np.isinf(values)
            converted[name] = int(is_inf.sum())
            if converted[name] or isinstance(column.dtype, pd.api.extensions.ExtensionDtype):
                values[is_inf] = np.nan
                frame[name] = values  # nullable Int64/Float64 become float64 with NaN
    return frame, converted


def _is_text(column: pd.Series) -> bool:
    return pd.api.types.is_object_dtype(column.dtype) or pd.api.types.is_string_dtype(column.dtype)


def _replace_tokens(column: pd.Series, tokens: tuple[str, ...]):
    """Token cells become NaN; the column becomes float64 if what is left are numbers
    (:func:`~mlpkit.data.cleaning.numeric_text`)."""
    values = without_tokens(column, tokens)
    n_tokens = int(token_mask(column.to_numpy(dtype=object), tokens).sum())
    if numeric_text(values):
        numbers = pd.to_numeric(values).astype(np.float64)
        is_inf = np.isinf(numbers.to_numpy())
        return numbers.mask(is_inf, np.nan), n_tokens + int(is_inf.sum())
    if not n_tokens and not pd.api.types.is_object_dtype(column.dtype):
        return column, 0  # a text column without tokens keeps its dtype
    return values, n_tokens


def _select(frame: pd.DataFrame, target, features):
    available = list(frame.columns)
    if target is not None:
        target = str(target)
        _require_columns([target], available, "target")
    if features is None:
        return target, [name for name in available if name != target]
    features = [str(name) for name in features]
    _require_columns(features, available, "features")
    repeated = sorted({name for name in features if features.count(name) > 1})
    if repeated:
        raise ValueError(f"read_table features lists {repeated} more than once. List each once.")
    if target is not None and target in features:
        raise ValueError(
            f"read_table target {target!r} is also listed in features. A column is either the "
            f"target or a feature: remove it from features."
        )
    return target, features


def _require_columns(names: list[str], available: list[str], argument: str) -> None:
    unknown = [name for name in names if name not in available]
    if unknown:
        raise ValueError(
            f"read_table {argument} names {unknown[0]!r}, which is not a column. Available "
            f"columns: {available}."
        )
