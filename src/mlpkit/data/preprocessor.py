"""Preprocessor: from a raw table to the float array a network trains on, by composing the steps.

    TextCleaner → MissingValues → Categorical → scaler (StandardScaler | MinMaxScaler |
    TanhScaler | None)

Each step is the module's own transformer, fitted on the training rows only (on what the step
before it returns) and applied unchanged to later rows:

1. :class:`~mlpkit.data.cleaning.TextCleaner`: text cells equal to a missing token (``"?"``,
   ``"NA"``…) become NaN; a text column whose other values are all numbers becomes numeric
   (unless declared categorical).
2. :class:`~mlpkit.data.missing.MissingValues`: ``missing`` for every column, ``missing_columns``
   per column ("raise", "auto", "zero", "constant", "mean", "median", "most_frequent",
   "previous" — forward fill that never looks ahead — or "drop"), optional ``_missing``
   indicator columns.
3. :class:`~mlpkit.data.encoding.Categorical`: text, category and bool columns (or the ones
   named) one-hot encoded; an unseen category is an all-zero row and an
   ``UnknownCategoryWarning``.
4. the scaler of the features, one column at a time. A value so large that the scaler's
   statistics or the scaled feature overflow (beyond float32, in which the network computes)
   is a ValueError naming the column, the value and its row (:mod:`mlpkit.data.overflow`).

The target is not touched: it is the model's business (``mk.Sequential(target_scaler=...)``).
Inside a scikit-learn ``Pipeline`` (or ``ColumnTransformer``) every row must come out: a
transformer cannot drop rows of y. There, use a fill strategy (e.g. ``missing="auto"``), or drop
the rows before the Pipeline with :meth:`Preprocessor.row_mask` (``keep = prep.row_mask(X)``,
then ``X[keep]``, ``y[keep]``); ``fit_transform(X, y)`` refuses, saying so, to drop rows when it
is given y. mlpkit's models (``preprocessor=...``) align y with ``row_mask`` themselves.

An array of numbers with no gap (or a table of number columns in the fitted order), given to
a preprocessor fitted on numeric columns that it neither encodes nor indicates, goes straight
to the scaler: the other steps would leave it as it is, so the features are theirs bit for
bit, without building a table (an estimator's predict of 64 rows, red wine: 5.9 ms → 0.59 ms;
benchmarks/bench_estimator_predict.py).

Column labels are kept as strings, and input columns are matched by ``str(label)``, so a frame
with integer labels still meets a preprocessor loaded from a saved model; an array is matched to
the fitted columns by position. Everything learned is plain JSON (:meth:`Preprocessor.get_state`,
each step writing its own part), so a preprocessor saved with a model never needs pickle.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from numbers import Integral, Real

import numpy as np
import pandas as pd
from scipy.sparse import issparse
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils._param_validation import Interval, InvalidParameterError, StrOptions
from sklearn.utils._set_output import _get_output_config
from sklearn.utils.validation import (
    _check_feature_names_in,
    check_array,
    check_is_fitted,
    validate_data,
)

from .._validation import check_sample_weight
from ..exceptions import ConfigError
from .cleaning import MISSING_TOKENS, IdentifierColumnWarning, TextCleaner
from .encoding import Categorical, describe_table
from .missing import STRATEGIES, MissingValues, refuse_dropping_rows_of_y
from .overflow import FEATURE_LIMIT, check_features, fit_scaler_checked
from .scaling import SCALERS, make_scaler, scaler_from_state, scaler_state
from .state import StepState, own_output, plain

STEPS = {"clean": TextCleaner, "missing": MissingValues, "categorical": Categorical}


class ExtraColumnsWarning(UserWarning):
    """A table given to ``transform`` has columns that ``fit`` did not see (they are ignored)."""


class Preprocessor(StepState, TransformerMixin, BaseEstimator):
    """Prepare a raw table for a network: tokens, missing values, categories, scaling.

    A scikit-learn transformer (``fit``/``transform``/``fit_transform``, ``get_params``,
    ``set_output(transform="pandas")``, usable in ``Pipeline`` and ``ColumnTransformer``) that
    composes :class:`TextCleaner`, :class:`MissingValues`, :class:`Categorical` and a scaler;
    see the module docstring.

    Args:
        missing: the missing-value strategy of every column (one of
            ``mlpkit.data.missing.STRATEGIES``). Defaults to "raise".
        missing_columns: ``{column: strategy}`` overriding ``missing`` per column.
        fill_value: the value of the "constant" strategy, or ``{column: value}``. Defaults to 0.
        add_indicator: add a 0/1 ``<column>_missing`` column for each column with gaps in the
            training rows. Defaults to False.
        categorical: "auto" (text, category and bool columns), a list of column names, or None
            (a text column is then an error). Defaults to "auto".
        scaler: "standard" (z-score), "minmax" (to ``feature_range``), "tanh"
            (z = tanh(k·(x − μ)/σ)) or None. Defaults to "standard".
        feature_range: (a, b) of "minmax". Defaults to (0, 1).
        tanh_k: k > 0 of "tanh". Defaults to 1.
        missing_tokens: text cells equal to one of these (after stripping blanks) are missing.
            Defaults to :data:`mlpkit.data.tables.MISSING_TOKENS`.
        max_categories: the most distinct values a categorical column may have (None: no
            limit). Defaults to 50.

    Attributes:
        n_features_in_, feature_names_in_: as in scikit-learn (labels as strings).
        steps_: ``[(name, fitted step)]``: "clean", "missing", "categorical" and, with a
            scaler, "scale".
        n_rows_in_: the number of rows ``fit`` saw.
        table_: ``{"constant_columns": [...], "duplicate_rows": n}`` of the training rows.

    ``transform(X)`` returns float64 of shape (n_kept, n_features_out), every feature finite
    and within float32's range (a ValueError names the column, value and row that overflow);
    only "drop" removes rows, and :meth:`row_mask` says which. A DataFrame with columns
    ``fit`` did not see (the target, say) is transformed without them and an
    :class:`ExtraColumnsWarning` names them; a missing column is a ValueError naming it.

    Identifier-like text columns (zip codes ``"02134"``, IDs ``"M14860"``, nearly all values
    distinct; :func:`mlpkit.data.cleaning.identifier_reason`) are named in :meth:`report`, and
    ``fit`` warns (:class:`~mlpkit.data.cleaning.IdentifierColumnWarning`) when one not declared
    in ``categorical`` is one-hot encoded or read as numbers: drop it, or declare it
    categorical. Digit strings with leading zeros stay text (never 2134.0).

    Example:
        >>> import pandas as pd
        >>> X = pd.DataFrame({"size": [1.0, None, 3.0], "colour": ["red", "blue", "red"]})
        >>> prep = Preprocessor(missing="auto", scaler=None).fit(X)
        >>> prep.transform(X).tolist(), prep.get_feature_names_out().tolist()
        ([[1.0, 0.0, 1.0], [2.0, 1.0, 0.0], [3.0, 0.0, 1.0]], ['size', 'colour=blue', 'colour=red'])
    """

    _parameter_constraints: dict = {
        "missing": [StrOptions(set(STRATEGIES))],
        "missing_columns": [dict, None],
        "fill_value": "no_validation",
        "add_indicator": ["boolean"],
        "categorical": [StrOptions({"auto"}), list, tuple, None],
        "scaler": [StrOptions(set(SCALERS)), None],
        "feature_range": [tuple, list],
        "tanh_k": [Interval(Real, 0, None, closed="neither")],
        "missing_tokens": [tuple, list, None],
        "max_categories": [Interval(Integral, 1, None, closed="left"), None],
    }

    _state_fields = {"n_rows_in_": "int", "table_": "value"}
    _mapping_params = ("missing_columns", "fill_value")
    _tuple_params = ("feature_range", "missing_tokens")

    def __init__(
        self,
        missing="raise",
        missing_columns=None,
        fill_value=0.0,
        add_indicator=False,
        categorical="auto",
        scaler="standard",
        feature_range=(0.0, 1.0),
        tanh_k=1.0,
        missing_tokens=MISSING_TOKENS,
        max_categories=50,
    ):
        self.missing = missing
        self.missing_columns = missing_columns
        self.fill_value = fill_value
        self.add_indicator = add_indicator
        self.categorical = categorical
        self.scaler = scaler
        self.feature_range = feature_range
        self.tanh_k = tanh_k
        self.missing_tokens = missing_tokens
        self.max_categories = max_categories

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = self.missing != "raise" or bool(self.missing_columns)
        tags.input_tags.string = True
        return tags

    def check_params(self) -> None:
        """Check the parameters without data; a ConfigError names the one at fault."""
        try:
            self._validate_params()
        except InvalidParameterError as error:
            raise ConfigError(str(error)) from None

    # -- fitting ---------------------------------------------------------------------------------
    def fit(self, X, y=None, sample_weight=None) -> Preprocessor:
        """Fit every step on the rows of ``X`` (y is ignored); with ``sample_weight`` (one per
        row), the scaler's statistics are weighted (so weight 2 is a repeated row). Returns
        self."""
        self._fit(X, sample_weight)
        return self

    def fit_transform(self, X, y=None, sample_weight=None):
        """Fit on ``X`` (``sample_weight`` as in :meth:`fit`) and return it transformed: one
        pass through the steps, the same values as ``fit(X).transform(X)``.

        Raises:
            ValueError: "drop" removed rows and ``y`` was given (e.g. inside a Pipeline, which
                cannot drop rows of y): use a fill strategy there, or drop the rows before it
                with :meth:`row_mask`.
        """
        frame = self._fit(X, sample_weight)
        dropped = dict(self.steps_)["missing"].rows_dropped_
        refuse_dropping_rows_of_y(type(self).__name__, dropped, self.n_rows_in_, y)
        return self._output(frame)

    def partial_fit(self, X, y=None) -> Preprocessor:
        """Fit on the first call; later, update only the scaler's running statistics.

        The cleaning, fills and categories stay as the first call learned them; the scaler's
        ``partial_fit`` (StandardScaler, MinMaxScaler or TanhScaler) folds in these rows.
        """
        if not hasattr(self, "steps_"):
            return self.fit(X)
        encoded = self._encode(self._frame(X, reset=False))
        scaler = dict(self.steps_).get("scale")
        if scaler is not None and len(encoded):
            fit_scaler_checked(scaler, encoded, partial=True)
        return self

    def fit_stream(self, chunks) -> Preprocessor:
        """Fit in one pass over ``chunks`` (DataFrames with the same columns, e.g. a
        ``FileSource``'s ``chunks()``), for tables larger than memory. Returns self.

        The state equals that of ``fit`` on the chunks joined: categories exactly, means and
        variances to floating-point rounding (see :mod:`mlpkit.data.streaming.fitting`, which
        also lists what a stream cannot learn: medians, row weights, duplicate rows).
        ``stream_counts_`` holds each counted column's ``{value: count}``.
        """
        from .streaming.fitting import fit_stream  # the streaming package imports this module

        fit_stream(self, chunks)
        return self

    def _fit(self, X, sample_weight=None) -> pd.DataFrame:
        self._validate_params()
        frame = self._frame(X, reset=True)
        sample_weight = check_sample_weight(sample_weight, len(frame), np.float64)
        declared = None
        if isinstance(self.categorical, (list, tuple)):
            declared = [str(name) for name in self.categorical]
        steps = [
            ("clean", TextCleaner(tuple(self.missing_tokens or ()), keep_text=declared)),
            ("missing", MissingValues(**self.missing_params())),
            ("categorical", Categorical(self._categorical_columns(declared), self.max_categories)),
        ]
        self.n_rows_in_ = len(frame)
        kept = slice(None)
        for name, step in steps:
            before = frame
            frame = own_output(step).fit_transform(frame)
            if name == "missing":
                kept = step.row_mask(before)
            if name == "clean":
                table = describe_table(frame)
                self.table_ = {k: plain(table[k]) for k in ("constant_columns", "duplicate_rows")}
        scaler = self.new_scaler()
        if scaler is not None:
            weights = None if sample_weight is None else np.asarray(sample_weight)[kept]
            fit_scaler_checked(own_output(scaler), frame, weights)
            steps.append(("scale", scaler))
        self.steps_ = steps
        for name, what, advice in self._identifiers():
            if name not in (declared or ()):
                warnings.warn(
                    f"Preprocessor: column {name!r} looks like an identifier ({what}). {advice}",
                    IdentifierColumnWarning,
                    stacklevel=3,
                )
        return self._scale(frame)

    def _identifiers(self) -> list[tuple[str, str, str]]:
        """``(column, why it looks like an identifier, what happened and what to do)``."""
        steps = dict(self.steps_)
        clean, categorical = steps["clean"], steps["categorical"]
        out = []
        for name, reason in clean.identifier_columns_.items():
            if name in categorical.categorical_columns_:
                done = "It is one-hot encoded, one feature per value"
            elif name in clean.numeric_columns_:
                done = "It is read as numbers, a magnitude that means nothing"
            else:
                continue
            declare = f"categorical=[..., {name!r}]"
            advice = (
                f"{done}: drop it (X.drop(columns=[{name!r}])) if it only names rows, or, if its "
                f"values are categories, declare it categorical ({declare}), which keeps it as "
                f"text and one-hot encodes it."
            )
            out.append((name, reason, advice))
        return out

    def _categorical_columns(self, declared):
        return "auto" if self.categorical == "auto" else declared

    def missing_params(self) -> dict:
        """The MissingValues step's arguments, column labels as text."""
        columns = self.missing_columns
        fill = self.fill_value
        return {
            "strategy": self.missing,
            "columns": None if columns is None else {str(k): v for k, v in columns.items()},
            "fill_value": {str(k): v for k, v in fill.items()} if isinstance(fill, dict) else fill,
            "add_indicator": self.add_indicator,
        }

    def new_scaler(self):
        """A new, unfitted scaler as ``scaler`` names it (None for no scaling)."""
        options = {
            "minmax": {"feature_range": tuple(self.feature_range)},
            "tanh": {"k": self.tanh_k},
        }
        return make_scaler(self.scaler, **options.get(self.scaler, {}))

    # -- applying --------------------------------------------------------------------------------
    def transform(self, X):
        """Return ``X`` through the fitted steps: float64 (n_kept, n_features_out).

        Raises:
            ValueError: other columns than in ``fit``, or missing values in a "raise" column.

        Warns:
            UnknownCategoryWarning: a category not seen in ``fit`` (encoded as all zeros).
        """
        check_is_fitted(self)
        if _get_output_config("transform", self)["dense"] != "pandas" and self._plain(X):
            values = self._scaled(np.array(X, dtype=np.float64, order="C"))
            if np.abs(values).max() <= FEATURE_LIMIT:  # else the steps below name the cells
                return values
        return self._output(self._scale(self._encode(self._frame(X, reset=False))))

    def row_mask(self, X) -> np.ndarray:
        """Return a bool array (n_samples,), True for the rows :meth:`transform` keeps.

        Only "drop" removes rows: use ``y[mask]`` (and ``sample_weight[mask]``) alongside.
        """
        check_is_fitted(self)
        if self._plain(X):
            return np.ones(len(X), dtype=bool)
        steps = dict(self.steps_)
        return steps["missing"].row_mask(steps["clean"].transform(self._frame(X, reset=False)))

    def _plain(self, X) -> bool:
        """Whether the steps before the scaler leave X as it is.

        That is an array of numbers of the fitted width, or a table of number columns with
        exactly the fitted labels in order, every cell finite, given to a preprocessor fitted on
        numeric columns only that it maps one to one onto the features (:meth:`one_to_one`): no
        token to clean, no gap to fill, nothing encoded. The scaler then gives what the whole
        chain gives, bit for bit, without building a table. Anything else (extra or reordered
        columns, gaps, text) takes the steps, which say what is wrong.
        """
        if isinstance(X, pd.DataFrame):
            fitted = getattr(self, "feature_names_in_", None)
            numbers = all(isinstance(d, np.dtype) and d.kind in "fiu" for d in X.dtypes)
            if fitted is None or not numbers or [str(c) for c in X.columns] != list(fitted):
                return False
        elif type(X) is not np.ndarray or X.ndim != 2 or X.dtype.kind not in "fiu":
            return False
        steps = dict(self.steps_)
        numeric = len(steps["clean"].numeric_columns_) == self.n_features_in_
        if not len(X) or X.shape[1] != self.n_features_in_ or not numeric or not self.one_to_one():
            return False
        return bool(np.isfinite(X.to_numpy() if isinstance(X, pd.DataFrame) else X).all())

    def _encode(self, frame: pd.DataFrame) -> pd.DataFrame:
        """Every step but the scaler."""
        steps = dict(self.steps_)
        frame = steps["missing"].transform(steps["clean"].transform(frame))
        if frame.empty:  # "drop" took every row
            return pd.DataFrame(
                index=frame.index, columns=self.get_feature_names_out(), dtype=float
            )
        return steps["categorical"].transform(frame)

    def _scale(self, frame: pd.DataFrame) -> pd.DataFrame:
        values = self._scaled(frame.to_numpy(np.float64))
        check_features(frame, values)
        return pd.DataFrame(values, index=frame.index, columns=[str(c) for c in frame.columns])

    def _scaled(self, values: np.ndarray) -> np.ndarray:
        """The fitted scaler of float64 ``values`` (n, n_features_out) (values without one)."""
        scaler = dict(self.steps_).get("scale")
        if scaler is not None and len(values):
            with np.errstate(over="ignore", invalid="ignore"):  # check_features says it
                values = np.asarray(scaler.transform(values), dtype=np.float64)
        return values

    def _output(self, frame: pd.DataFrame):
        # the pandas output keeps the index of the kept rows ("drop" removes some)
        if _get_output_config("transform", self)["dense"] == "pandas":
            return frame
        return frame.to_numpy(np.float64)

    def _frame(self, X, *, reset: bool) -> pd.DataFrame:
        """``X`` as a DataFrame with string labels, checked against the fitted columns."""
        if isinstance(X, Mapping) and not issparse(X):  # a dok matrix is a dict
            X = pd.DataFrame(dict(X))
        elif not isinstance(X, pd.DataFrame) and hasattr(X, "to_pandas"):
            X = X.to_pandas()  # polars
        if isinstance(X, pd.DataFrame):
            frame = X.rename(columns=str)
            duplicated = sorted(set(frame.columns[frame.columns.duplicated()]))
            if duplicated:
                raise ValueError(f"X has duplicate column labels (as text): {duplicated}.")
            if not reset:
                frame = self._without_extra_columns(frame)
            validate_data(self, frame, reset=reset, skip_check_array=True)
            if not reset and not hasattr(self, "feature_names_in_"):
                frame.columns = _positional(frame.shape[1])  # fitted on an array
            return frame
        if not reset and hasattr(self, "feature_names_in_"):  # an array, matched by position
            array = check_array(X, dtype=None, ensure_all_finite=False)
            if array.shape[1] != self.n_features_in_:
                raise ValueError(
                    f"X has {array.shape[1]} features, but Preprocessor is expecting "
                    f"{self.n_features_in_} features as input (the columns of fit, in order)."
                )
            return pd.DataFrame(array, columns=self.feature_names_in_).infer_objects()
        array = validate_data(self, X, reset=reset, dtype=None, ensure_all_finite=False)
        return pd.DataFrame(array, columns=_positional(array.shape[1])).infer_objects()

    def _without_extra_columns(self, frame: pd.DataFrame) -> pd.DataFrame:
        """Columns ``fit`` did not see are dropped with a warning naming them, when every fitted
        column is there; otherwise scikit-learn's check names the missing (and unseen) ones."""
        fitted = getattr(self, "feature_names_in_", None)
        if fitted is None:
            return frame
        known = set(fitted)
        extra = [name for name in frame.columns if name not in known]
        if not extra or not known.issubset(frame.columns):
            return frame
        warnings.warn(
            f"Preprocessor: X has {len(extra)} column(s) that fit did not see, ignored: "
            f"{extra!r}. If one is the target, it does not belong in X; pass only the "
            f"feature columns (X.drop(columns={extra!r})) to silence this.",
            ExtraColumnsWarning,
            stacklevel=5,  # the caller of transform (through scikit-learn's set_output wrapper)
        )
        return frame[[name for name in frame.columns if name in known]]

    # -- description -----------------------------------------------------------------------------
    def get_feature_names_out(self, input_features=None) -> np.ndarray:
        """Return the output column names: inputs, ``<column>_missing``, ``<column>=<value>``."""
        check_is_fitted(self)
        names = _check_feature_names_in(self, input_features)
        steps = dict(self.steps_)
        names = steps["missing"].get_feature_names_out(names)
        return steps["categorical"].get_feature_names_out(names)

    def numeric_scaling(self):
        """Return the fitted scaler when the columns map one to one onto the features.

        That is when no column is one-hot encoded and no indicator is added, so the scaler
        alone relates inputs and features (an export can fold it into the first layer). None
        otherwise, and None without a scaler.
        """
        check_is_fitted(self)
        return dict(self.steps_).get("scale") if self.one_to_one() else None

    def one_to_one(self) -> bool:
        """Whether the columns map one to one onto the features: no column is one-hot encoded
        and no missing indicator is added."""
        check_is_fitted(self)
        steps = dict(self.steps_)
        encoded = steps["categorical"].categorical_columns_
        return not (encoded or steps["missing"].indicator_columns_)

    def report(self) -> str:
        """Say in words what was learned: rows, fills, categories, table quality, scaling."""
        check_is_fitted(self)
        steps = dict(self.steps_)
        missing, categorical = steps["missing"], steps["categorical"]
        n_out = len(self.get_feature_names_out())
        lines = [
            f"Preprocessor fitted on {self.n_rows_in_:,} rows × {self.n_features_in_} "
            f"columns → {n_out} features."
        ]
        if missing.rows_dropped_:
            lines.append(f"Rows dropped for missing values: {missing.rows_dropped_:,}.")
        for column, entry in missing.report_.items():
            if entry["missing"]:
                fill = "" if entry["fill"] is None else f" with {entry['fill']!r}"
                indicator = " (+ indicator column)" if column in missing.indicator_columns_ else ""
                lines.append(
                    f"Missing in {column!r}: {entry['missing']:,} → "
                    f"{entry['strategy']}{fill}{indicator}."
                )
        for column, entry in categorical.report_.items():
            shown = [str(c) for c in entry["categories"]]
            more = ", …" if len(shown) > 6 else ""
            lines.append(
                f"One-hot encoded {column!r}: {len(shown)} categories "
                f"({', '.join(shown[:6])}{more})."
            )
        for name, reason, advice in self._identifiers():
            lines.append(f"Identifier-like column {name!r} ({reason}). {advice}")
        declared = dict(self.steps_)["clean"].keep_text or ()
        for name, reason in dict(self.steps_)["clean"].identifier_columns_.items():
            if name in declared:
                lines.append(
                    f"Identifier-like column {name!r} ({reason}), declared categorical: kept as "
                    f"text and one-hot encoded."
                )
        if self.table_["constant_columns"]:
            constant = self.table_["constant_columns"]
            lines.append(f"Constant columns (carry no information): {constant}.")
        if self.table_["duplicate_rows"]:
            lines.append(f"Duplicate rows: {self.table_['duplicate_rows']:,}.")
        lines.append(
            f"Feature scaling: {self.scaler or 'none'} (statistics from the training rows only)."
        )
        return "\n".join(lines)

    # -- persistence -----------------------------------------------------------------------------
    def get_state(self) -> dict:
        """Return the parameters and each step's state, as JSON-compatible values."""
        state = super().get_state()
        state["steps"] = {
            name: scaler_state(step) if name == "scale" else step.get_state()
            for name, step in self.steps_
        }
        return state

    @classmethod
    def from_state(cls, state: dict) -> Preprocessor:
        """Return the fitted Preprocessor whose :meth:`get_state` gave ``state``."""
        if "steps" not in state:
            raise ValueError(
                "This Preprocessor state was written by an older mlpkit (it has no 'steps'); "
                "refit the preprocessor (and the model holding it) with this version."
            )
        model = super().from_state(state)
        model.steps_ = [(name, STEPS[name].from_state(state["steps"][name])) for name in STEPS]
        if state["steps"].get("scale") is not None:
            model.steps_.append(("scale", scaler_from_state(state["steps"]["scale"])))
        for _, step in model.steps_:
            own_output(step)
        return model


def _positional(n_columns: int) -> list[str]:
    return [f"x{i}" for i in range(n_columns)]
