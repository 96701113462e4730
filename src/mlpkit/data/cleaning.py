"""Text cells that mean "missing" become NaN, and text columns of numbers become numbers.

Tables read from files often spell a missing value as a token (``"?"``, ``"NA"``, ``""``) and
then hold numbers as text (``"3"``, ``" ? "``, ``"5.5"``). :class:`TextCleaner` learns in
``fit`` which columns are numbers once their tokens are missing values, and applies exactly that
to later rows, so :class:`~mlpkit.data.missing.MissingValues` sees every gap as NaN and
:class:`~mlpkit.data.encoding.Categorical` sees only real text.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, OneToOneFeatureMixin, TransformerMixin
from sklearn.utils.validation import check_is_fitted, validate_data

from .state import StepState
from .tables import MISSING_TOKENS, token_mask


class TextCleaner(StepState, OneToOneFeatureMixin, TransformerMixin, BaseEstimator):
    """Turn missing tokens into NaN and text columns that hold numbers into float columns.

    ``fit`` sorts the columns: a text (object, string or category) column whose values, once
    the tokens are taken out, are all numbers is a *numeric* column (unless named in
    ``keep_text`` or of category dtype); the other text columns stay text. ``transform`` turns
    the tokens of every text column into NaN and the numeric columns into float64, also when a
    later table spells a column that was numeric in ``fit`` as text. Numeric, bool and other
    columns pass through unchanged.

    Args:
        missing_tokens: text cells equal to one of these after stripping blanks are missing.
            Defaults to :data:`mlpkit.data.tables.MISSING_TOKENS`.
        keep_text: columns that stay text even when they hold numbers (declared categories,
            e.g. zip codes), or None.

    Attributes:
        n_features_in_, feature_names_in_: as in scikit-learn.
        numeric_columns_: the columns that are numbers after cleaning (numeric in ``fit``, or
            text of numbers), in input order.
        text_columns_: the text columns whose tokens become NaN.

    Raises:
        ValueError: (``transform``) a numeric column holds text that is neither a number nor a
            token; the message names the column and the values.

    Example:
        >>> import pandas as pd
        >>> X = pd.DataFrame({"n": ["1", " ? ", "3"], "w": ["a", "NA", "b"]})
        >>> out = TextCleaner().fit_transform(X)
        >>> out["n"].tolist(), out["w"].isna().tolist()
        ([1.0, nan, 3.0], [False, True, False])
    """

    _state_fields = {"numeric_columns_": "list", "text_columns_": "list"}
    _tuple_params = ("missing_tokens",)

    def __init__(self, missing_tokens=MISSING_TOKENS, keep_text=None):
        self.missing_tokens = missing_tokens
        self.keep_text = keep_text

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        tags.input_tags.string = True
        return tags

    def fit(self, X, y=None):
        """Learn which columns of ``X`` are numbers and which are text."""
        frame = self._check(X, reset=True)
        keep = set(self.keep_text or ())
        self.numeric_columns_, self.text_columns_ = [], []
        for name in frame.columns:
            column = frame[name]
            if _is_text(column):
                numbers = name not in keep and not isinstance(column.dtype, pd.CategoricalDtype)
                numbers = numbers and _all_numbers(self._without_tokens(column))
                (self.numeric_columns_ if numbers else self.text_columns_).append(name)
            elif pd.api.types.is_numeric_dtype(column) and not pd.api.types.is_bool_dtype(column):
                self.numeric_columns_.append(name)
        return self

    def transform(self, X):
        """Return ``X`` with tokens as NaN and numeric columns as float64 (a copy)."""
        check_is_fitted(self)
        frame = self._check(X, reset=False).copy()
        for name in self.text_columns_:
            if _is_text(frame[name]):
                frame[name] = self._without_tokens(frame[name])
        for name in self.numeric_columns_:
            if _is_text(frame[name]):
                frame[name] = _to_numbers(self._without_tokens(frame[name]))
        return frame if isinstance(X, pd.DataFrame) else frame.to_numpy()

    def _check(self, X, *, reset: bool) -> pd.DataFrame:
        if isinstance(X, pd.DataFrame):
            validate_data(self, X, reset=reset, skip_check_array=True)
            return X
        X = validate_data(self, X, reset=reset, dtype=None, ensure_all_finite=False)
        return pd.DataFrame(X).infer_objects()

    def _without_tokens(self, column: pd.Series) -> pd.Series:
        values = column.astype(object)
        return values.mask(token_mask(values, self.missing_tokens or ()))


def _is_text(column: pd.Series) -> bool:
    dtype = column.dtype
    types = pd.api.types
    return (
        types.is_object_dtype(dtype)
        or types.is_string_dtype(dtype)
        or isinstance(dtype, pd.CategoricalDtype)
    )


def _all_numbers(values: pd.Series) -> bool:
    present = values.notna()
    numbers = pd.to_numeric(values[present], errors="coerce")
    return bool(present.any()) and bool(numbers.notna().all())


def _to_numbers(values: pd.Series) -> pd.Series:
    numbers = pd.to_numeric(values, errors="coerce").astype(np.float64)
    bad = values.notna() & numbers.isna()
    if bad.any():
        raise ValueError(
            f"TextCleaner column {values.name!r} held numbers in fit but has text here: "
            f"{list(pd.unique(values[bad]))[:5]!r}. Fix those cells, add the text to "
            f"missing_tokens if it means missing, or refit."
        )
    return numbers
