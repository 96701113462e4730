"""Missing values: refuse them, fill them, carry the previous value forward, or drop their rows.

A value is missing when it is NaN, None, pandas.NA or ±inf. Statistics (mean, median, most
frequent value, last observed value) are learned in ``fit`` only, so a test set never leaks into
its own fill values. scikit-learn's :class:`~sklearn.impute.SimpleImputer` computes the fill
statistics; what it lacks is written here: the strategies "raise", "auto", "previous" and
"drop", one strategy per column, and a report of what was done.

Forward fill never looks ahead: a gap before a column's first observation in the training rows
is an error (filling it would take a later value), and in later rows such a gap takes the last
training value, which is the past.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, OneToOneFeatureMixin, TransformerMixin
from sklearn.impute import SimpleImputer
from sklearn.utils._param_validation import StrOptions
from sklearn.utils.validation import FLOAT_DTYPES, check_is_fitted, validate_data

from .._validation import n_rows
from .state import StepState, plain

STRATEGIES = (
    "raise",
    "auto",
    "zero",
    "constant",
    "mean",
    "median",
    "most_frequent",
    "previous",
    "drop",
)
_IMPUTED = {"zero": "constant", "constant": "constant", "mean": "mean", "median": "median"}
_IMPUTED["most_frequent"] = "most_frequent"
_NUMERIC_ONLY = ("zero", "mean", "median")


def missing_mask(X) -> pd.DataFrame:
    """Return a boolean frame, True where ``X`` holds NaN, None, pandas.NA or ±inf."""
    frame = _as_frame(X)
    mask = frame.isna()
    numeric = [index for index, dtype in enumerate(frame.dtypes) if is_number_dtype(dtype)]
    if numeric:  # one pass over the numeric block, not one a column
        values = frame.iloc[:, numeric].to_numpy(dtype=np.float64, na_value=np.nan)
        infinite = np.isinf(values)
        if infinite.any():
            mask.iloc[:, numeric] = mask.iloc[:, numeric].to_numpy() | infinite
    return mask


def count_missing(X) -> dict:
    """Return {column: number of missing values} for the columns of ``X`` that have any."""
    counts = missing_mask(X).sum()
    return {name: int(n) for name, n in counts.items() if n}


class MissingValues(StepState, TransformerMixin, BaseEstimator):
    """Handle missing values column by column, with the strategy chosen for each column.

    Strategies:
        - ``"raise"`` (default): any missing value raises a ValueError that lists every column
          with missing values, its count, and a strategy that can fill it.
        - ``"zero"``, ``"constant"`` (``fill_value``), ``"mean"``, ``"median"``,
          ``"most_frequent"``: fill with a statistic of the fit data (computed by SimpleImputer).
          Only "constant" (with a text ``fill_value``) and "most_frequent" apply to text
          columns: "zero", "mean" or "median" on a text column is an error in ``fit``, whether
          or not it has gaps, naming the column.
        - ``"auto"``: "median" for numeric columns, "most_frequent" for the others (text,
          category, bool); ``strategies_`` and ``report_`` show the strategy it chose.
        - ``"previous"``: forward fill, for time-ordered rows. ``fit`` refuses a column whose
          first fit row is missing (forward fill has nothing earlier to carry, and taking a
          later value would look ahead) and remembers each column's last observed value.
          ``transform`` gives each missing value the last observed value above it in the data
          being transformed; missing values before the column's first observation there take
          the remembered last *training* value, so a test period continues from the training
          period. (scikit-learn's pickle check puts NaN at random places, the first row
          included, so it is an expected failure of this strategy in the tests; every other
          estimator check passes.)
        - ``"drop"``: rows with a missing value in any "drop" column are removed.
          :meth:`row_mask` says which rows are kept, so that ``y[row_mask(X)]`` stays aligned.
          A transformer cannot drop rows of y, so inside a scikit-learn ``Pipeline`` (or
          ``ColumnTransformer``) use a fill strategy, or drop the rows before it:
          ``keep = MissingValues("drop").fit(X).row_mask(X)``, then ``X[keep]``, ``y[keep]``.
          ``fit_transform(X, y)`` refuses, in those words, to drop rows when it is given y.

    Rows are dropped first; fill statistics are then computed on the kept rows only.

    Args:
        strategy: The strategy for every column not named in ``columns``.
        columns: Optional {column: strategy} overriding ``strategy`` for those columns. Columns
            are names for a DataFrame and indices for an array.
        fill_value: The value used by "constant": one value, or {column: value}.
        add_indicator: Append a 0/1 column ``"<name>_missing"`` for every column that had
            missing values at fit (except "drop" columns, whose kept rows have none).

    Attributes:
        n_features_in_: Number of input columns.
        feature_names_in_: Input column names (DataFrames with string names only).
        strategies_: {column: strategy} for every input column ("auto" resolved).
        fills_: {column: fill value} for the filled columns ("previous": the last training value).
        indicator_columns_: Input columns that get a ``_missing`` indicator, in order.
        report_: {column: {"missing": count in the fit data, "strategy": strategy,
            "fill": value or None}} for every input column.
        rows_dropped_: Rows of the fit data removed by "drop".

    Example:
        >>> import pandas as pd
        >>> X = pd.DataFrame({"a": [1.0, None, 3.0], "b": [None, 2.0, 5.0]})
        >>> MissingValues(strategy="mean").fit_transform(X)["b"].tolist()
        [3.5, 2.0, 5.0]
    """

    _parameter_constraints: dict = {
        "strategy": [StrOptions(set(STRATEGIES))],
        "columns": [dict, None],
        "fill_value": "no_validation",
        "add_indicator": ["boolean"],
    }

    _state_fields = {
        "strategies_": "mapping",
        "fills_": "mapping",
        "indicator_columns_": "list",
        "report_": "mapping",
        "rows_dropped_": "int",
    }
    _mapping_params = ("columns", "fill_value")

    def __init__(self, strategy="raise", columns=None, fill_value=0.0, add_indicator=False):
        self.strategy = strategy
        self.columns = columns
        self.fill_value = fill_value
        self.add_indicator = add_indicator

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        # "raise" everywhere refuses missing values; any other strategy handles them
        tags.input_tags.allow_nan = self.strategy != "raise" or bool(self.columns)
        tags.input_tags.string = True
        return tags

    def fit(self, X, y=None):
        """Learn each column's strategy and fill value from ``X``.

        Raises:
            ValueError: A "raise" column has missing values (all such columns are listed), a
                strategy or column name is unknown, "mean"/"median"/"zero" is asked of a text
                column, a filled column has no observed value to learn from, or a "previous"
                column's first row is missing.
        """
        self._validate_params()
        frame = self._check(X, reset=True)
        self.strategies_ = self._column_strategies(frame)
        mask = missing_mask(frame)
        self._raise_if_missing(frame, mask)
        keep = self._keep(mask)
        self.rows_dropped_ = int((~keep).sum())
        self.fills_ = self._learn_fills(frame[keep], mask[keep])
        counts = mask.sum()
        self.indicator_columns_ = [
            name
            for name in frame.columns
            if self.add_indicator and counts[name] and self.strategies_[name] != "drop"
        ]
        self.report_ = {
            name: {"missing": int(counts[name]), "strategy": s, "fill": self.fills_.get(name)}
            for name, s in self.strategies_.items()
        }
        return self

    def fit_transform(self, X, y=None, **fit_params):
        """Fit on ``X`` and return it transformed.

        Raises:
            ValueError: "drop" removed rows and ``y`` was given: the rows of y cannot be
                dropped with them (e.g. inside a Pipeline); see "drop" in the class docstring.
        """
        self.fit(X, y, **fit_params)
        refuse_dropping_rows_of_y(type(self).__name__, self.rows_dropped_, n_rows(X), y)
        return self.transform(X)

    def row_mask(self, X) -> np.ndarray:
        """Return a boolean array of shape (n_samples,), True for the rows ``transform`` keeps.

        Only "drop" columns remove rows; use ``y[mask]`` to keep the target aligned with
        ``transform(X)``.
        """
        check_is_fitted(self)
        frame = self._check(X, reset=False)
        return self._keep(missing_mask(frame))

    def transform(self, X):
        """Drop rows, fill missing values and append indicators, as learned in ``fit``.

        Returns:
            A DataFrame (kept rows keep their index) for a DataFrame, else a 2-D array.

        Raises:
            ValueError: A "raise" column has missing values.
        """
        check_is_fitted(self)
        frame = self._check(X, reset=False)
        mask = missing_mask(frame)
        self._raise_if_missing(frame, mask)
        keep = self._keep(mask)
        frame, mask = frame[keep].copy(), mask[keep]
        for name, fill in self.fills_.items():
            if mask[name].any():
                frame[name] = self._fill(frame[name], mask[name], fill, self.strategies_[name])
        for name in self.indicator_columns_:
            frame[f"{name}_missing"] = mask[name].to_numpy(dtype=np.float64)
        return frame if isinstance(X, pd.DataFrame) else frame.to_numpy()

    def get_feature_names_out(self, input_features=None) -> np.ndarray:
        """Return the output column names: the input names, then the ``_missing`` indicators."""
        check_is_fitted(self)
        names = getattr(self, "feature_names_in_", None)
        if names is None:
            names = [f"x{i}" for i in range(self.n_features_in_)]
        if input_features is not None:
            names = [str(name) for name in input_features]
        labels = list(self.strategies_)
        indicators = [f"{names[labels.index(name)]}_missing" for name in self.indicator_columns_]
        return np.asarray([*names, *indicators], dtype=object)

    def _check(self, X, *, reset: bool) -> pd.DataFrame:
        if isinstance(X, pd.DataFrame):
            validate_data(self, X, reset=reset, skip_check_array=True)
            if X.shape[0] == 0:
                raise ValueError(
                    f"{type(self).__name__} got a DataFrame with 0 rows (shape {X.shape}); "
                    f"pass at least one row."
                )
            return X.infer_objects()
        X = validate_data(self, X, reset=reset, dtype=None, ensure_all_finite=False)
        return pd.DataFrame(X).infer_objects()  # an object array of numbers is numeric

    def _column_strategies(self, frame: pd.DataFrame) -> dict:
        overrides = dict(self.columns or {})
        unknown = [name for name in overrides if name not in frame.columns]
        if unknown:
            raise ValueError(
                f"MissingValues columns names {unknown[0]!r}, which is not a column. Available "
                f"columns: {list(frame.columns)}."
            )
        for name, strategy in overrides.items():
            if strategy not in STRATEGIES:
                raise ValueError(
                    f"MissingValues columns[{name!r}] must be one of {list(STRATEGIES)}; got "
                    f"{strategy!r}."
                )
        strategies = {name: overrides.get(name, self.strategy) for name in frame.columns}
        return {name: _resolve(s, frame[name]) for name, s in strategies.items()}

    def _raise_if_missing(self, frame: pd.DataFrame, mask: pd.DataFrame) -> None:
        counts = {
            name: int(mask[name].sum())
            for name, strategy in self.strategies_.items()
            if strategy == "raise" and mask[name].any()
        }
        if counts:
            advice = suggest_strategies(frame, mask, list(counts))
            raise raise_columns_error(counts, len(mask), advice)

    def _keep(self, mask: pd.DataFrame) -> np.ndarray:
        dropped = [name for name, s in self.strategies_.items() if s == "drop"]
        if not dropped:
            return np.ones(len(mask), dtype=bool)
        return ~mask[dropped].to_numpy().any(axis=1)

    def _learn_fills(self, kept: pd.DataFrame, mask: pd.DataFrame) -> dict:
        """Each filled column's value, learned from the ``kept`` rows (``mask``: their missing
        cells): "previous" its last observation, a constant its own (a column with no observed
        value too), the others SimpleImputer's statistic. Columns of one statistic and kind
        (numbers or text) share one imputer, which computes each column's statistic on its own;
        the columns are checked, and a constant fitted, in their order, so the first column at
        fault is the one named."""
        fills, groups = {}, {}
        for name, strategy in self.strategies_.items():
            if strategy in ("raise", "drop"):
                continue
            column, missing = kept[name], mask[name].to_numpy()
            text = not is_numeric_column(column)
            self._check_fill_possible(column, strategy, text, missing)
            if strategy == "previous":
                _refuse_leading_gap(missing, name)
                fills[name] = plain(column[~missing].iloc[-1])
            elif _IMPUTED[strategy] == "constant":
                fills |= self._statistics(kept, mask, [name], text)
            else:
                groups.setdefault((_IMPUTED[strategy], text), []).append(name)
        for (_, text), names in groups.items():
            fills |= self._statistics(kept, mask, names, text)
        return {name: fills[name] for name in self.strategies_ if name in fills}

    def _statistics(self, kept, mask, names: list, text: bool) -> dict:
        """SimpleImputer's statistic of each of ``names``, one strategy (the first's)."""
        values = kept[names].to_numpy(dtype=object if text else np.float64, copy=True)
        values[mask[names].to_numpy()] = np.nan  # SimpleImputer's one missing marker
        imputer = SimpleImputer(
            strategy=_IMPUTED[self.strategies_[names[0]]],
            fill_value=self.constant_for(kept[names[0]]),
            keep_empty_features=True,  # a constant fills a column with no observed value
        )
        statistics = imputer.fit(values).statistics_
        return {name: plain(value) for name, value in zip(names, statistics)}

    def _check_fill_possible(self, column, strategy: str, text: bool, missing) -> None:
        name = column.name
        if text and strategy in _NUMERIC_ONLY:
            raise ValueError(
                f"MissingValues cannot use strategy {strategy!r} on text column {name!r} "
                f"(e.g. {sample_value(column)!r}): it is a numeric statistic. Give that column "
                f"'most_frequent' or 'constant' instead (per column: {{{name!r}: "
                f"'most_frequent'}}), or use 'auto' (median for numbers, most frequent for text)."
            )
        if text and strategy == "constant" and isinstance(self.constant_for(column), (int, float)):
            raise ValueError(
                f"MissingValues fill_value for text column {name!r} must be text; got "
                f"{self.constant_for(column)!r}. Pass e.g. fill_value={{{name!r}: 'missing'}}."
            )
        if missing.all() and strategy != "constant":
            raise ValueError(
                f"MissingValues cannot learn a {strategy!r} fill for column {name!r}: it has no "
                f"observed value in the {len(column)} fit rows. Drop the column or use strategy "
                f"'constant' for it."
            )

    def constant_for(self, column: pd.Series):
        """The fill of a "zero" or "constant" column: 0, or its ``fill_value``."""
        if self.strategies_[column.name] == "zero":
            return 0
        if isinstance(self.fill_value, dict):
            return self.fill_value.get(column.name, 0.0)
        return self.fill_value

    @staticmethod
    def _fill(column: pd.Series, missing: pd.Series, fill, strategy: str) -> pd.Series:
        if isinstance(column.dtype, pd.api.extensions.ExtensionDtype) and is_numeric_column(column):
            column = column.astype(np.float64)  # nullable Int64/Float64: NaN, not pandas.NA
        if strategy != "previous":
            return column.mask(missing, fill)
        # forward fill within this data; the rows before the first observation continue
        # from the last training value
        return column.mask(missing).ffill().mask(lambda c: c.isna(), fill)


class PreviousValueImputer(OneToOneFeatureMixin, TransformerMixin, BaseEstimator):
    """Fill each missing value of a numeric array with the last observed value above it.

    The rows are taken to be in time order. NaN and ±inf are missing. This is
    :class:`MissingValues` with ``strategy="previous"`` for plain numeric arrays: it delegates
    to it (``filler_``), so the rules, the fills and the errors are that one implementation's.
    ``fit`` refuses a column whose first row is missing (filling it would take a later value:
    a look-ahead) and remembers each column's last observed value; ``transform`` forward-fills
    within the data it is given, and missing values before a column's first observation there
    take the remembered value, so a test period continues from the training period.

    Attributes:
        n_features_in_: Number of input columns.
        feature_names_in_: Input column names (DataFrames with string names only).
        last_values_: Last observed value of each column in the fit data, shape (n_features,).
        filler_: The fitted ``MissingValues("previous")`` doing the work.

    Example:
        >>> import numpy as np
        >>> imputer = PreviousValueImputer().fit(np.array([[1.0], [np.nan], [4.0]]))
        >>> imputer.transform(np.array([[np.nan], [2.0], [np.nan]])).ravel().tolist()
        [4.0, 2.0, 2.0]
    """

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        return tags

    def fit(self, X, y=None):
        """Remember the last observed value of each column of ``X`` (n_samples, n_features).

        Raises:
            ValueError: A column has no observed value, or its first row is missing.
        """
        X = validate_data(self, X, dtype=FLOAT_DTYPES, ensure_all_finite=False)
        self.filler_ = MissingValues("previous").set_output(transform="default").fit(X)
        self.last_values_ = np.asarray(list(self.filler_.fills_.values()), dtype=X.dtype)
        return self

    def transform(self, X):
        """Return ``X`` forward-filled, as a new float array of the same shape and dtype."""
        check_is_fitted(self)
        X = validate_data(self, X, dtype=FLOAT_DTYPES, ensure_all_finite=False, reset=False)
        return np.asarray(self.filler_.transform(X), dtype=X.dtype)


def refuse_dropping_rows_of_y(owner: str, dropped: int, n_rows: int, y) -> None:
    """A ``fit_transform(X, y)`` whose "drop" removed rows of X cannot remove them from y.

    That is what a scikit-learn ``Pipeline`` or ``ColumnTransformer`` does (its next step would
    get fewer rows than targets), so say why and what to do instead of letting it fail later.
    """
    if y is None or not dropped:
        return
    raise ValueError(
        f"{owner}: the 'drop' strategy dropped {dropped:,} of the {n_rows:,} rows of X, but "
        f"fit_transform was given y too, and a transformer cannot drop rows of y: inside a "
        f"scikit-learn Pipeline or ColumnTransformer the next step would get "
        f"{n_rows - dropped:,} rows and {n_rows:,} targets. Inside a Pipeline use a fill "
        f"strategy (e.g. 'auto': median for numbers, most frequent for text), or drop the rows "
        f"before it: keep = prep.fit(X).row_mask(X) with prep this {owner}, then X[keep], "
        f"y[keep]. "
        f"Outside a Pipeline, call fit_transform(X) without y and keep y[row_mask(X)]; mlpkit's "
        f"models given the preprocessor align y themselves."
    )


def raise_columns_error(counts: dict, n_rows: int, advice: str = "") -> ValueError:
    """The error for missing values in columns whose strategy is "raise": ``counts`` maps
    each such column to its number of missing values among ``n_rows`` rows."""
    listing = ", ".join(f"{name!r}: {n}" for name, n in counts.items())
    return ValueError(
        f"Missing values (NaN, None, ±inf or a missing token) in {len(counts)} "
        f"column(s) whose strategy is 'raise': {listing} of {n_rows} rows. "
        + (f"{advice} " if advice else "")
        + f"Strategies: {', '.join(s for s in STRATEGIES if s != 'raise')}."
    )


def suggest_strategies(frame: pd.DataFrame, mask: pd.DataFrame, names: list) -> str:
    """Say, for the columns ``names`` with gaps, a strategy that can fill each one.

    Numbers get "median"; text (and category, bool) gets "most_frequent", or "constant" with
    the text "missing", which keeps a gap as a category of its own. A column with no observed
    value cannot learn a statistic: it gets "constant" (text) or the advice to drop it.
    """
    fixes, texts, empty = {}, [], []
    for name in names:
        observed = not mask[name].all()
        if is_numeric_column(frame[name]):
            fixes[name] = "median" if observed else "constant"
            if not observed:
                empty.append(name)
        else:
            fixes[name] = "most_frequent" if observed else "constant"
            texts.append(name)
            if not observed:
                empty.append(name)
    lines = [
        f"Choose a strategy that can fill each column: 'auto' for all (median for numbers, "
        f"most frequent for text), or per column (MissingValues(columns=...), "
        f"Preprocessor(missing_columns=...)): {fixes!r}."
    ]
    if texts:
        constants = {name: "missing" for name in texts}
        lines.append(
            f"For text, 'constant' with fill_value={constants!r} instead keeps \"missing\" as "
            f"a category of its own."
        )
    if empty:
        lines.append(
            f"{empty!r} have no observed value: drop those columns, or fill them with a constant."
        )
    lines.append("'drop' drops the rows with gaps.")
    return " ".join(lines)


def _resolve(strategy: str, column: pd.Series) -> str:
    """The strategy a column gets: "auto" is "median" for numbers, else "most_frequent"."""
    if strategy != "auto":
        return strategy
    return "median" if is_numeric_column(column) else "most_frequent"


def _refuse_leading_gap(missing: np.ndarray, name) -> None:
    """Forward fill has nothing to carry into the rows before a column's first observation."""
    if missing.size and missing[0]:
        leading = int(np.argmax(~missing)) if (~missing).any() else missing.size
        raise ValueError(
            f"Forward fill ('previous'): column {name!r} has {leading} missing value(s) before "
            f"its first observation in the training rows, and forward fill has nothing earlier "
            f"to carry (taking a later value would look ahead). Drop those rows (e.g. the strategy "
            f"'drop' for {name!r}) or choose another strategy for it."
        )


def _as_frame(X) -> pd.DataFrame:
    return X if isinstance(X, pd.DataFrame) else pd.DataFrame(np.asarray(X))


def is_numeric_column(column: pd.Series) -> bool:
    """Return whether a column holds numbers (a numeric dtype other than bool)."""
    return is_number_dtype(column.dtype)


def is_number_dtype(dtype) -> bool:
    """Whether a column of this dtype holds numbers (a numeric dtype other than bool)."""
    return pd.api.types.is_numeric_dtype(dtype) and not pd.api.types.is_bool_dtype(dtype)


def sample_value(column: pd.Series):
    """Return the column's first observed value (for error messages), or None."""
    observed = column.dropna()
    return observed.iloc[0] if len(observed) else None
