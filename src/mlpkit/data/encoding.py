"""Categorical columns: find them, one-hot encode them, and describe a table's quality.

:class:`Categorical` wraps scikit-learn's :class:`~sklearn.preprocessing.OneHotEncoder` (used as
it is) with what it lacks for whole tables: detecting which columns are text, passing numeric
columns through untouched, readable output names ``"<column>=<category>"``, a warning that names
each unseen category, and errors that name the column at fault. :func:`describe_table` reports
constant columns and duplicate rows.
"""

from __future__ import annotations

import warnings
from numbers import Integral, Number

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.preprocessing import OneHotEncoder
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted, validate_data

from .cleaning import distinct_cells
from .missing import is_numeric_column, sample_value
from .state import StepState, plain


class UnknownCategoryWarning(UserWarning):
    """A category not seen in ``fit`` reached ``transform``; its one-hot row is all zeros."""


def _combine(column, category) -> str:
    return f"{column}={category}"


class Categorical(StepState, TransformerMixin, BaseEstimator):
    """One-hot encode the categorical columns of a table and keep its numeric columns as they are.

    Each categorical column is replaced, in place, by one 0/1 column per category seen in ``fit``,
    named ``"<column>=<category>"``. A category not seen in ``fit`` gives an all-zero row and an
    :class:`UnknownCategoryWarning` naming the column and the values (e.g. housing's 5-row
    ``"ISLAND"`` level may be missing from a training split).

    A category is keyed by its value: in a column of numbers, ``1``, ``1.0`` and ``np.int64(1)``
    are one category (``"code=1"``); in a column that holds text, every value is keyed by its
    text, a number by its value (``1.0`` → ``"1"``), so a column read once as numbers and once
    as text still meets its categories.

    Args:
        columns: Which columns are categorical. ``"auto"``: those of object, string, category or
            bool dtype. A list of names: exactly those (numeric columns may be listed, e.g. integer
            codes). None: none; then any non-numeric column raises a TypeError.
        max_categories: The most categories a column may have, or None for no limit. A text
            column with more distinct values is usually an identifier (e.g. a product ID), which
            should be dropped rather than encoded.

    Attributes:
        n_features_in_: Number of input columns.
        feature_names_in_: Input column names (DataFrames with string names only).
        input_columns_: The input column labels (names, or indices for an array).
        categorical_columns_: The encoded columns, in input order.
        encoder_: The fitted OneHotEncoder over ``categorical_columns_`` (None if there are none).
        report_: {column: {"categories": [...], "detected": bool}} for each encoded column;
            "detected" is True when ``columns="auto"`` found it.

    Example:
        >>> import pandas as pd
        >>> X = pd.DataFrame({"size": [1.0, 2.0], "color": ["red", "blue"]})
        >>> Categorical().fit_transform(X).columns.tolist()
        ['size', 'color=blue', 'color=red']
    """

    _parameter_constraints: dict = {
        "columns": [StrOptions({"auto"}), list, None],
        "max_categories": [Interval(Integral, 1, None, closed="left"), None],
    }

    _state_fields = {
        "input_columns_": "list",
        "categorical_columns_": "list",
        "report_": "mapping",
    }

    def __init__(self, columns="auto", max_categories=50):
        self.columns = columns
        self.max_categories = max_categories

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.string = True
        tags.input_tags.categorical = True
        tags.input_tags.allow_nan = True  # in numeric columns, which pass through
        return tags

    def fit(self, X, y=None):
        """Find the categorical columns of ``X`` and learn their categories.

        Raises:
            TypeError: A non-numeric column is not declared categorical.
            ValueError: A listed column does not exist, a categorical column has missing values
                or more than ``max_categories`` categories.
        """
        self._validate_params()
        frame = self._check(X, reset=True)
        self.input_columns_ = list(frame.columns)
        self.categorical_columns_ = self._find_columns(frame)
        self._refuse_other_text(frame)
        self.encoder_ = None
        self.report_ = {}
        if self.categorical_columns_:
            values = self._categorical_values(frame)
            self._check_cardinality(values)
            self.encoder_ = _encoder("auto").fit(values)
            detected = self.columns == "auto"
            self.report_ = {
                name: {"categories": [plain(c) for c in cats], "detected": detected}
                for name, cats in zip(self.categorical_columns_, self.encoder_.categories_)
            }
        return self

    def transform(self, X):
        """Return ``X`` with each categorical column replaced by its one-hot columns.

        Returns:
            A DataFrame with the input's index for a DataFrame, else a 2-D array.

        Warns:
            UnknownCategoryWarning: A categorical column holds a value not seen in ``fit``.
        """
        check_is_fitted(self)
        frame = self._check(X, reset=False)
        self._refuse_other_text(frame)
        if not self.categorical_columns_:
            return frame if isinstance(X, pd.DataFrame) else frame.to_numpy()
        values = self._categorical_values(frame)
        self._warn_unknown(values)
        encoded = self.encoder_.transform(values)
        names = self.encoder_.get_feature_names_out(self.categorical_columns_)
        blocks, start = {}, 0
        for name, categories in zip(self.categorical_columns_, self.encoder_.categories_):
            stop = start + len(categories)
            blocks[name] = pd.DataFrame(
                encoded[:, start:stop], index=frame.index, columns=names[start:stop]
            )
            start = stop
        parts, plain_run = [], []  # runs of columns that pass through, taken at once
        for name in frame.columns:
            if name not in blocks:
                plain_run.append(name)
                continue
            parts += [frame[plain_run]] if plain_run else []
            parts.append(blocks[name])
            plain_run = []
        parts += [frame[plain_run]] if plain_run else []
        out = pd.concat(parts, axis=1)
        return out if isinstance(X, pd.DataFrame) else out.to_numpy()

    @classmethod
    def from_state(cls, state: dict) -> Categorical:
        """Return the fitted Categorical whose :meth:`get_state` gave ``state``: the encoder is
        rebuilt from the categories in ``report_``."""
        model = super().from_state(state)
        model.encoder_ = None
        if model.categorical_columns_:
            categories = [model.report_[name]["categories"] for name in model.categorical_columns_]
            model.encoder_ = _encoder(categories).fit(  # one row: the categories are given
                np.array([[values[0] for values in categories]], dtype=object)
            )
        return model

    def get_feature_names_out(self, input_features=None) -> np.ndarray:
        """Return the output column names: one-hot columns in their place."""
        check_is_fitted(self)
        names = self._input_names() if input_features is None else list(input_features)
        labels = self.input_columns_
        out = []
        for label, name in zip(labels, names):
            if label in self.report_:
                out.extend(_combine(name, c) for c in self.report_[label]["categories"])
            else:
                out.append(str(name))
        return np.asarray(out, dtype=object)

    def _check(self, X, *, reset: bool) -> pd.DataFrame:
        if isinstance(X, pd.DataFrame):
            validate_data(self, X, reset=reset, skip_check_array=True)
            frame = X
        else:
            frame = pd.DataFrame(
                validate_data(self, X, reset=reset, dtype=None, ensure_all_finite=False)
            ).infer_objects()
        if frame.shape[0] == 0:
            raise ValueError(
                f"Categorical got 0 rows (shape {frame.shape}); pass at least one row."
            )
        return frame

    def _input_names(self) -> list:
        names = getattr(self, "feature_names_in_", None)
        if names is not None:
            return list(names)
        return [f"x{i}" for i in range(self.n_features_in_)]

    def _find_columns(self, frame: pd.DataFrame) -> list:
        if self.columns is None:
            return []
        if self.columns == "auto":
            return [name for name in frame.columns if _is_categorical_dtype(frame[name])]
        unknown = [name for name in self.columns if name not in frame.columns]
        if unknown:
            raise ValueError(
                f"Categorical columns names {unknown[0]!r}, which is not a column. Available "
                f"columns: {list(frame.columns)}."
            )
        return [name for name in frame.columns if name in self.columns]

    def _refuse_other_text(self, frame: pd.DataFrame) -> None:
        for name in frame.columns:
            if name not in self.categorical_columns_ and not is_numeric_column(frame[name]):
                listed = [*self.categorical_columns_, name]
                raise TypeError(
                    f"Categorical column {name!r} is not numeric (e.g. "
                    f"{sample_value(frame[name])!r}) and is not declared categorical. Declare "
                    f"it, e.g. Categorical(columns={listed!r}), use columns='auto', or drop the "
                    f"column."
                )

    def _categorical_values(self, frame: pd.DataFrame) -> np.ndarray:
        """The category keys of the categorical columns, (n_samples, n_categorical) objects."""
        values = frame[self.categorical_columns_]
        counts = values.isna().sum()
        if counts.any():
            name = counts.index[counts.to_numpy().argmax()]
            raise ValueError(
                f"Categorical column {name!r} has {int(counts[name])} missing values. Fill them "
                f"first, e.g. MissingValues(columns={{{name!r}: 'most_frequent'}})."
            )
        fitted = getattr(self, "encoder_", None)
        keys = np.empty(values.shape, dtype=object)
        for index, name in enumerate(self.categorical_columns_):
            codes, distinct = distinct_cells(values[name])
            if fitted is None:  # fit: text keys once any value is text
                text = not all(isinstance(v, (Number, np.bool_)) for v in distinct)
            else:
                text = any(isinstance(c, str) for c in fitted.categories_[index])
            distinct_keys = np.empty(len(distinct), dtype=object)
            distinct_keys[:] = [category_key(value, text) for value in distinct]
            keys[:, index] = distinct_keys[codes]
        return keys

    def _check_cardinality(self, values: np.ndarray) -> None:
        if self.max_categories is None:
            return
        for name, column in zip(self.categorical_columns_, values.T):
            n_categories = len(pd.unique(column))
            if n_categories > self.max_categories:
                raise ValueError(
                    f"Categorical column {name!r} has {n_categories} distinct values, more than "
                    f"max_categories={self.max_categories}: it looks like an identifier. Drop it, "
                    f"or raise max_categories if each value really is a category."
                )

    def _warn_unknown(self, values: np.ndarray) -> None:
        for name, column, categories in zip(
            self.categorical_columns_, values.T, self.encoder_.categories_
        ):
            known = set(categories)
            unseen = np.array([value not in known for value in column])
            if unseen.any():
                examples = list(pd.unique(column[unseen]))[:5]
                warnings.warn(
                    f"Categorical column {name!r} has {int(unseen.sum())} rows with categories "
                    f"not seen in fit: {examples!r}. They are encoded as all zeros; fit on data "
                    f"that holds every category (e.g. a stratified split) to avoid this.",
                    UnknownCategoryWarning,
                    stacklevel=3,
                )


def describe_table(X) -> dict:
    """Report a table's shape, constant columns and duplicate rows.

    Args:
        X: A DataFrame or 2-D array.

    Returns:
        {"n_rows": int, "n_columns": int, "constant_columns": [names of columns with at most one
        distinct value, missing counted as a value], "duplicate_rows": number of rows equal to
        an earlier row}.
    """
    frame = X if isinstance(X, pd.DataFrame) else pd.DataFrame(np.asarray(X))
    constant = [name for name in frame.columns if frame[name].nunique(dropna=False) <= 1]
    return {
        "n_rows": int(frame.shape[0]),
        "n_columns": int(frame.shape[1]),
        "constant_columns": constant,
        "duplicate_rows": int(frame.duplicated().sum()),
    }


def _encoder(categories) -> OneHotEncoder:
    """The one-hot encoder, returning arrays whatever ``sklearn.set_config(transform_output=)``
    says: :meth:`Categorical.transform` slices its output by position."""
    encoder = OneHotEncoder(
        categories=categories,
        handle_unknown="ignore",
        sparse_output=False,
        feature_name_combiner=_combine,
    )
    return encoder.set_output(transform="default")


def category_key(value, text: bool):
    """A category's key: a bool as itself, a number by its value (1 and 1.0 are 1), and in a
    text column everything as text (1.0 → "1")."""
    if isinstance(value, (bool, np.bool_)):
        key = bool(value)
    elif isinstance(value, (int, np.integer)):
        key = int(value)
    elif isinstance(value, (float, np.floating)):
        key = int(value) if float(value).is_integer() else float(value)
    else:
        return str(value)
    return str(key) if text else key


def _is_categorical_dtype(column: pd.Series) -> bool:
    dtype = column.dtype
    types = pd.api.types
    return (
        types.is_object_dtype(dtype)
        or types.is_string_dtype(dtype)
        or isinstance(dtype, pd.CategoricalDtype)
        or types.is_bool_dtype(dtype)
    )
