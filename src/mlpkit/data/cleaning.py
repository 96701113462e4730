"""Text cells that mean "missing" become NaN, and text columns of numbers become numbers.

Tables read from files often spell a missing value as a token (``"?"``, ``"NA"``, ``""``) and
then hold numbers as text (``"3"``, ``" ? "``, ``"5.5"``). :class:`TextCleaner` learns in
``fit`` which columns are numbers once their tokens are missing values, and applies exactly that
to later rows, so :class:`~mlpkit.data.missing.MissingValues` sees every gap as NaN and
:class:`~mlpkit.data.encoding.Categorical` sees only real text.

The rules are written once, here, and :func:`~mlpkit.data.tables.read_table` uses them too:
:func:`without_tokens` (tokens, None and pandas.NA → NaN) and :func:`numeric_text` (is a text
column numbers?). Digit strings with leading zeros (``"02134"``, ``"007"``) are *not* numbers:
turning them into 2134.0 and 7.0 would silently lose what they say (zip codes, codes), so such a
column stays text. :func:`identifier_reason` says why a text column looks like an identifier
(leading zeros, codes such as ``"M14860"``, nearly every value distinct), which
:class:`~mlpkit.data.Preprocessor` reports and warns about.

A column of numbers with a typo (``"29B.1"`` among 300 temperatures) is neither: it is refused
(:func:`numeric_typos` gives the rule), naming the cells, with the words that ``transform`` uses
for text found later in a numeric column (:func:`not_numbers_error`).
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, OneToOneFeatureMixin, TransformerMixin
from sklearn.utils.validation import check_is_fitted, validate_data

from ..exceptions import ConfigError
from .state import StepState

MISSING_TOKENS = ("?", "NA", "N/A", "n/a", "null", "NULL", "")
_LEADING_ZERO = re.compile(r"[+-]?0[0-9]+")
_CODE = re.compile(r"[A-Za-z]{1,4}[-_]?[0-9]{3,}")
_INTEGER = re.compile(r"[+-]?[0-9]+")
#: an identifier by distinctness: at least this many observed values, at least this share distinct
ID_MIN_ROWS, ID_DISTINCT_SHARE = 20, 0.9
#: numbers with typos: at most this many cells, and this share of the observed ones, not numbers
TYPO_MAX_CELLS, TYPO_MAX_SHARE = 5, 0.01


class IdentifierColumnWarning(UserWarning):
    """A column that looks like an identifier (e.g. a zip code or an ID) is one-hot encoded or
    read as numbers."""


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
            e.g. zip codes), or None. Digit strings with leading zeros stay text anyway.

    Attributes:
        n_features_in_, feature_names_in_: as in scikit-learn.
        numeric_columns_: the columns that are numbers after cleaning (numeric in ``fit``, or
            text of numbers), in input order.
        text_columns_: the text columns whose tokens become NaN.
        identifier_columns_: ``{column: reason}`` for the text columns of ``fit`` that look like
            identifiers (see :func:`identifier_reason`), whether they stay text or not.

    Raises:
        ValueError: (``fit``) a text column not declared text is numbers but for a few cells
            (typos; the rule is :func:`numeric_typos`'s); (``transform``) a numeric column holds
            text that is neither a number nor a token. The message names the column, the
            values and their rows, and what to do.

    Example:
        >>> import pandas as pd
        >>> X = pd.DataFrame({"n": ["1", " ? ", "3"], "w": ["a", "NA", "b"]})
        >>> out = TextCleaner().fit_transform(X)
        >>> out["n"].tolist(), out["w"].isna().tolist()
        ([1.0, nan, 3.0], [False, True, False])
    """

    _state_fields = {
        "numeric_columns_": "list",
        "text_columns_": "list",
        "identifier_columns_": "mapping",
    }
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
        if isinstance(self.missing_tokens, (str, bytes)):  # would be read letter by letter
            raise ConfigError(
                f"TextCleaner missing_tokens must be a list of strings such as ['?', 'NA']; "
                f"received missing_tokens={self.missing_tokens!r}."
            )
        frame = self._check(X, reset=True)
        keep = set(self.keep_text or ())
        self.numeric_columns_, self.text_columns_, self.identifier_columns_ = [], [], {}
        for name in frame.columns:
            column = frame[name]
            if _is_text(column):
                values = self._without_tokens(column)
                declared = name in keep or isinstance(column.dtype, pd.CategoricalDtype)
                numbers = not declared and numeric_text(values)
                typos = numeric_typos(values) if not declared and not numbers else values[:0]
                if len(typos):
                    raise not_numbers_error(name, typos, in_fit=True)
                (self.numeric_columns_ if numbers else self.text_columns_).append(name)
                reason = identifier_reason(values)
                if reason is not None:
                    self.identifier_columns_[name] = reason
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

    @classmethod
    def from_state(cls, state: dict) -> TextCleaner:
        """Return the fitted TextCleaner whose :meth:`get_state` gave ``state`` (a state from
        before ``identifier_columns_`` existed reads as none found)."""
        return super().from_state({"identifier_columns": [], **state})

    def _check(self, X, *, reset: bool) -> pd.DataFrame:
        if isinstance(X, pd.DataFrame):
            validate_data(self, X, reset=reset, skip_check_array=True)
            return X
        X = validate_data(self, X, reset=reset, dtype=None, ensure_all_finite=False)
        return pd.DataFrame(X).infer_objects()

    def _without_tokens(self, column: pd.Series) -> pd.Series:
        return without_tokens(column, self.missing_tokens or ())


def distinct_cells(values) -> tuple[np.ndarray, np.ndarray]:
    """Return ``(codes, distinct)`` with ``values[i] == distinct[codes[i]]``, missing cells coded
    −1, ``distinct`` in order of first appearance.

    A rule of one cell then runs once per distinct value (a text column of 10,000 cells holds a
    few dozen categories), and ``np.append(on_distinct, fill)[codes]`` spreads it back. Only
    text is merged: other cells each stay their own, since Python calls 1, 1.0 and True equal
    and the rules tell them apart.
    """
    cells = np.asarray(values, dtype=object)
    if len(cells) and pd.api.types.infer_dtype(cells, skipna=True) == "string":
        return pd.factorize(cells)
    codes = np.arange(len(cells))
    codes[pd.isna(cells)] = -1
    return codes, cells


def token_mask(values, tokens) -> np.ndarray:
    """Return a bool array, True where a value is text equal to a token once stripped."""
    stripped = {str(token).strip() for token in tokens}
    codes, distinct = distinct_cells(values)
    on_distinct = [isinstance(v, str) and v.strip() in stripped for v in distinct]
    return np.append(np.array(on_distinct, dtype=bool), False)[codes]


def without_tokens(column: pd.Series, tokens) -> pd.Series:
    """Return the text column as objects with its tokens, None and pandas.NA as NaN."""
    values = column.astype(object)
    return values.mask(token_mask(values, tokens) | pd.isna(values).to_numpy(), np.nan)


def numeric_text(values: pd.Series) -> bool:
    """Return whether a text column (tokens already NaN) holds numbers and nothing else.

    Digit strings with a leading zero (``"02134"``) are not numbers: they are codes whose zeros
    matter, and the column stays text. A column with no observed value is not numbers.
    """
    present = values[values.notna()]
    if not len(present) or leading_zeros(present):
        return False
    return bool(_numbers(distinct_cells(present)[1]).all())


def numeric_typos(values: pd.Series) -> pd.Series:
    """Return the cells that are typos in a column of numbers, or none (an empty Series).

    A text column (tokens already NaN) is *numbers with typos* when its observed cells are
    numbers but for at most :data:`TYPO_MAX_CELLS` (5) of them, and at most
    :data:`TYPO_MAX_SHARE` (1 %) of the observed cells, and it has no digit string with a
    leading zero (codes such as zip codes, which stay text). So one typo is told from 100
    observed cells on, two from 200, at most five. Real categories are more frequent than that:
    a column of ``"1"``, ``"2"``, ``"3+"`` or of codes ``"A1"`` stays text. A rare category
    among numbers is refused too, and the message says to declare the column text: an error
    is worth a line of code, a temperature one-hot encoded is a silent wrong model.
    """
    present = values[values.notna()]
    if not len(present) or leading_zeros(present):
        return present[:0]
    codes, distinct = distinct_cells(present)
    bad = present[~_numbers(distinct)[codes]]
    return bad if few_typos(len(bad), len(present)) else present[:0]


def _numbers(cells) -> np.ndarray:
    """Whether each cell reads as a number (``pandas.to_numeric``), a bool array."""
    return pd.to_numeric(pd.Series(cells, dtype=object), errors="coerce").notna().to_numpy()


def few_typos(n_bad: int, n_present: int) -> bool:
    """Return whether ``n_bad`` cells that are not numbers, among ``n_present`` observed cells
    of a column without leading zeros, are typos (the rule of :func:`numeric_typos`)."""
    return 0 < n_bad <= min(TYPO_MAX_CELLS, TYPO_MAX_SHARE * n_present)


def not_numbers_error(name, cells: pd.Series, *, in_fit: bool, n_cells=None) -> ValueError:
    """The error for text ``cells`` (index: their rows) in a column of numbers.

    ``in_fit``: the column is numbers but for these cells (:func:`numeric_typos`); otherwise it
    held numbers in ``fit`` and has this text later. ``n_cells``: their count, when ``cells``
    holds only the first of them.
    """
    n_cells = len(cells) if n_cells is None else n_cells
    found = cells_in_words(cells, n_cells)
    fix = (
        "Fix or blank those cells (a blank cell is a missing value, filled as the missing "
        "strategy says), or add the text to missing_tokens if it means missing"
    )
    if not in_fit:
        return ValueError(
            f"TextCleaner column {name!r} held numbers in fit but has text here: {found}. "
            f"{fix}, or refit."
        )
    return ValueError(
        f"TextCleaner column {name!r} is numbers but for {n_cells} "
        f"{'cell' if n_cells == 1 else 'cells'}: {found}. {fix}. If the column is a category, "
        f"pass it as text explicitly: Preprocessor(categorical=[..., {name!r}]) (with the "
        f"other categorical columns; TextCleaner(keep_text=[{name!r}])), or "
        f"X[{name!r}].astype('category')."
    )


def cells_in_words(cells: pd.Series, n_cells: int, limit: int = 5) -> str:
    """``"['4O.2'] in row 7"``: the distinct values of some cells and their rows (the index)."""
    values = [_plain(v) for v in pd.unique(cells)[:limit]]
    rows = ", ".join(str(row) for row in cells.index[:limit])
    more = f", … ({n_cells:,} cells in all)" if n_cells > min(limit, len(cells)) else ""
    return f"{values!r} in {'row' if n_cells == 1 else 'rows'} {rows}{more}"


def leading_zeros(values: pd.Series) -> bool:
    """Return whether any text value is a digit string with a leading zero (``"02134"``)."""
    distinct = distinct_cells(values)[1]
    return any(isinstance(v, str) and _LEADING_ZERO.fullmatch(v.strip()) for v in distinct)


def identifier_reason(values: pd.Series) -> str | None:
    """Say why a text column (tokens already NaN) looks like an identifier, or return None.

    An identifier names a row rather than describing it, so as a feature it is one-hot noise
    (or, read as numbers, a meaningless magnitude). A column looks like one when

    - it holds digit strings with leading zeros (zip codes ``"02134"``, codes ``"007"``);
    - nearly all its values are codes of letters then digits (``"M14860"``, ``"ID-0042"``), at
      least half of them distinct;
    - it has at least ``ID_MIN_ROWS`` observed values, at least ``ID_DISTINCT_SHARE`` of them
      distinct, and is not a column of decimal numbers (measurements are often all distinct).
    """
    codes, distinct = distinct_cells(values)
    counts = np.bincount(codes[codes >= 0], minlength=len(distinct))
    cells = {}  # each observed value as text, stripped: the cells that hold it
    for value, count in zip(distinct, counts):
        if count:
            text = str(value).strip()
            cells[text] = cells.get(text, 0) + int(count)
    if not cells:
        return None
    n_present, n_distinct = sum(cells.values()), len(cells)
    zeros = [v for v in cells if _LEADING_ZERO.fullmatch(v)]
    if zeros:
        return f"digit strings with leading zeros, e.g. {zeros[0]!r}"
    code_like = [v for v in cells if _CODE.fullmatch(v)]
    n_codes = sum(cells[v] for v in code_like)
    if n_codes >= ID_DISTINCT_SHARE * n_present and 1 < n_distinct >= n_present / 2:
        return f"codes of letters and digits, e.g. {code_like[0]!r}"
    decimals = _numbers(list(cells)).all() and not all(_INTEGER.fullmatch(v) for v in cells)
    if n_present >= ID_MIN_ROWS and n_distinct >= ID_DISTINCT_SHARE * n_present:
        if not decimals:
            return f"{n_distinct:,} distinct values in {n_present:,} rows"
    return None


def _plain(value):
    """A cell as it reads: text stripped, a NumPy number as a Python one (``4e+201``)."""
    if isinstance(value, str):
        return value.strip()
    return value.item() if isinstance(value, np.generic) else value


def _is_text(column: pd.Series) -> bool:
    dtype = column.dtype
    types = pd.api.types
    return (
        types.is_object_dtype(dtype)
        or types.is_string_dtype(dtype)
        or isinstance(dtype, pd.CategoricalDtype)
    )


def _to_numbers(values: pd.Series) -> pd.Series:
    numbers = pd.to_numeric(values, errors="coerce").astype(np.float64)
    bad = values.notna() & numbers.isna()
    if bad.any():
        raise not_numbers_error(values.name, values[bad], in_fit=False)
    return numbers
