"""Preprocessor: from a raw table to the arrays a network trains on, and back to user units.

Steps, each fitted on the training rows only and applied unchanged to any later rows:

1. **missing values** — NaN, None, ±inf and text cells equal to a missing token such as "?"
   (``missing_tokens``; a text column whose other values are all numbers then becomes numeric):
   per column ``"raise"`` (default: an error listing the columns and counts), ``"zero"``,
   ``"constant"``, ``"mean"``, ``"median"``, ``"most_frequent"`` (statistics by scikit-learn's
   ``SimpleImputer``, always learned, so later rows with gaps are filled even when the training
   rows had none), ``"previous"`` (forward fill, for time-ordered rows; a gap before a column's
   first training observation is an error, while in later rows a leading gap takes the last
   training value, which is the past) or ``"drop"`` (the row goes, from X and y alike; fill
   statistics are learned from the rows that remain); optionally a 0/1 ``<column>_missing``
   indicator for each column that had gaps in training.
2. **categorical columns** — text columns (or the ones named) are one-hot encoded, categories
   learned by scikit-learn's ``OneHotEncoder``; a numeric category is keyed by its value (``1``,
   ``1.0`` and ``np.int64(1)`` are one category); a text column with more than
   ``max_categories`` distinct values (an identifier, say) is an error; an unseen category
   becomes an all-zero row and a warning.
3. **scaling** of the features — ``"standard"`` (z-score), ``"minmax"`` (to ``feature_range``),
   ``"tanh"`` or None — and of a regression **target**, per target column, whose inverse brings
   predictions back to the user's units. ``target_scaler="auto"`` (the default) standardises a
   float target (a regression) and leaves integer, bool and text labels, and float targets that
   are all 0 or 1 (binary or one-hot labels), as they are (a classification).

Column labels are kept as strings, and input columns are matched by ``str(label)``, so a frame
with integer labels still fits a preprocessor loaded from a saved model. What was learned is
kept as plain numbers and category lists (``get_state``), applied by this module's own code, so
a preprocessor saved with a model never needs pickle. ``report()`` says in words what was done:
rows dropped, values filled, columns encoded, constant columns, duplicate rows.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping

import numpy as np
import pandas as pd
from sklearn.impute import SimpleImputer
from sklearn.preprocessing import MinMaxScaler, OneHotEncoder, StandardScaler

from ..exceptions import ConfigError, NotFittedError
from .scaling import TanhScaler
from .tables import MISSING_TOKENS

STRATEGIES = ("raise", "zero", "constant", "mean", "median", "most_frequent", "previous", "drop")
SCALERS = ("standard", "minmax", "tanh", None)
TARGET_SCALERS = ("auto", *SCALERS)
_FILLS = ("zero", "constant", "mean", "median", "most_frequent")


class Preprocessor:
    """Prepare a table for a network: missing values, categories, scaling (see module doc).

    Args:
        missing: the strategy for every column (one of :data:`STRATEGIES`). Defaults to "raise".
        missing_columns: ``{column: strategy}`` overriding ``missing`` per column.
        fill_value: the value of the "constant" strategy. Defaults to 0.
        add_indicator: add ``<column>_missing`` 0/1 columns. Defaults to False.
        categorical: "auto" (text, category and bool columns), a list of column names, or None
            (a text column is then an error). Defaults to "auto".
        scaler: "standard", "minmax", "tanh" or None. Defaults to "standard".
        feature_range: (a, b) for "minmax". Defaults to (0, 1).
        tanh_k: k of the "tanh" scaler. Defaults to 1.
        target_scaler: "auto" (default: "standard" for a float target, i.e. a regression; none
            for integer, bool or text labels and for float targets that are all 0 or 1, i.e. a
            classification), or explicitly "standard", "minmax", "tanh" or None (y as it is).
            Each target column is scaled on its own.
        missing_tokens: text cells equal to one of these (after stripping blanks) are missing.
            Defaults to :data:`mlpkit.data.tables.MISSING_TOKENS`.
        max_categories: the most distinct values a categorical column may have (None: no
            limit). Defaults to 50.

    ``fit_transform(X, y)`` and ``transform(X, y=None)`` return ``(X_array, y_array)``, float64,
    rows dropped from both alike; y keeps its shape ((n,) or (n, k)).
    ``inverse_transform_target`` undoes the target scaling.
    """

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
        target_scaler="auto",
        missing_tokens=MISSING_TOKENS,
        max_categories=50,
    ):
        for strategy in [missing, *(missing_columns or {}).values()]:
            if strategy not in STRATEGIES:
                raise ConfigError(
                    f"Unknown missing-value strategy {strategy!r}; choose one of "
                    f"{', '.join(STRATEGIES)}."
                )
        if scaler not in SCALERS:
            raise ConfigError(f"scaler must be one of {SCALERS}; received scaler={scaler!r}.")
        if target_scaler not in TARGET_SCALERS:
            raise ConfigError(
                f"target_scaler must be one of {TARGET_SCALERS}; received "
                f"target_scaler={target_scaler!r}."
            )
        if max_categories is not None and (
            isinstance(max_categories, bool)
            or int(max_categories) != max_categories
            or max_categories < 1
        ):
            raise ConfigError(
                f"max_categories must be a positive integer or None; received {max_categories!r}."
            )
        self.missing, self.missing_columns = missing, dict(missing_columns or {})
        self.fill_value, self.add_indicator = fill_value, add_indicator
        self.categorical, self.scaler, self.target_scaler = categorical, scaler, target_scaler
        self.feature_range, self.tanh_k = tuple(feature_range), tanh_k
        self.missing_tokens = tuple(missing_tokens or ())
        self.max_categories = max_categories
        self.state_: dict | None = None

    def get_config(self) -> dict:
        return {
            "missing": self.missing,
            "missing_columns": self.missing_columns,
            "fill_value": self.fill_value,
            "add_indicator": self.add_indicator,
            "categorical": self.categorical,
            "scaler": self.scaler,
            "feature_range": list(self.feature_range),
            "tanh_k": self.tanh_k,
            "target_scaler": self.target_scaler,
            "missing_tokens": list(self.missing_tokens),
            "max_categories": self.max_categories,
        }

    # -- fitting -------------------------------------------------------------------------------
    def fit(self, X, y=None) -> Preprocessor:
        self.fit_transform(X, y)
        return self

    def fit_transform(self, X, y=None):
        """Learn every step from these (training) rows, and return them transformed."""
        frame = _clean_text(_as_frame(X), self.missing_tokens, self._declared())
        y = _as_target(y, len(frame))
        state = {"columns": list(frame.columns), "rows_in": len(frame)}
        state["missing"] = self._fit_missing(frame)
        frame, y, dropped = _apply_missing(frame, y, state["missing"])
        state["rows_dropped"] = dropped
        state["categorical"] = self._fit_categories(frame)
        encoded = _apply_categories(frame, state["categorical"], warn=False)
        state["features_out"] = list(encoded.columns)
        state["scaler"] = _fit_scaler(self._scaler(self.scaler), encoded.to_numpy(np.float64))
        kind = self._target_kind(y)
        if kind is not None:
            y_columns = np.asarray(y, dtype=np.float64).reshape(len(y), -1)
            state["target_scaler"] = _fit_scaler(self._scaler(kind), y_columns)
        state["table"] = _describe(frame)
        self.state_ = state
        return _scale(encoded.to_numpy(np.float64), state["scaler"]), self._scale_target(y)

    def _target_kind(self, y):
        """The target scaler to fit: "auto" scales a float target that is not 0/1 labels."""
        if y is None or self.target_scaler != "auto":
            return None if y is None else self.target_scaler
        if y.dtype.kind != "f" or np.isin(y, (0.0, 1.0)).all():
            return None
        return "standard"

    def _scaler(self, kind):
        if kind == "standard":
            return StandardScaler()
        if kind == "minmax":
            return MinMaxScaler(feature_range=self.feature_range)
        if kind == "tanh":
            return TanhScaler(k=self.tanh_k)
        return None

    def _declared(self) -> list[str]:
        if isinstance(self.categorical, (list, tuple)):
            return [str(c) for c in self.categorical]
        return []

    def _strategy(self, column: str) -> str:
        per_column = {str(c): s for c, s in self.missing_columns.items()}
        return per_column.get(column, self.missing)

    def _fit_missing(self, frame: pd.DataFrame) -> dict:
        masks = {c: _missing_mask(frame[c]) for c in frame.columns}
        plan = {
            c: {
                "strategy": self._strategy(c),
                "missing": int(masks[c].sum()),
                "fill": None,
                "indicator": bool(self.add_indicator and masks[c].any()),
            }
            for c in frame.columns
        }
        missing = {
            c: e["missing"] for c, e in plan.items() if e["missing"] and e["strategy"] == "raise"
        }
        if missing:
            listing = ", ".join(f"{c!r}: {n}" for c, n in missing.items())
            raise ValueError(
                f"Missing values (NaN, None, inf or a missing token) in {listing}. Choose a "
                f"strategy: Preprocessor(missing='median'), per column with missing_columns="
                f"{{...}}, or 'drop' to drop those rows; strategies: {', '.join(STRATEGIES[1:])}."
            )
        # fills are learned from the rows that survive "drop" in any column
        kept = ~_drop_mask(plan, masks)
        for column, entry in plan.items():
            values, gaps = frame[column][kept], masks[column][kept]
            if entry["strategy"] in ("mean", "median") and _is_text(values):
                # a text column under a global numeric strategy: an error once it has gaps
                explicit = column in {str(c) for c in self.missing_columns}
                if explicit or gaps.any():
                    raise ValueError(_text_fill_message(column, entry["strategy"]))
            elif entry["strategy"] in _FILLS:
                entry["fill"] = _statistic(
                    column, values[~gaps], entry["strategy"], self.fill_value
                )
            elif entry["strategy"] == "previous":
                leading = int(np.argmax(~gaps)) if (~gaps).any() else len(gaps)
                if leading:
                    raise ValueError(
                        f"Column {column!r} has {leading} missing value(s) before its first "
                        f"observation in the training rows, and forward fill has nothing earlier "
                        f"to carry (taking a later value would look ahead). Drop those rows "
                        f"(e.g. missing_columns={{{column!r}: 'drop'}}) or choose another "
                        f"strategy for it."
                    )
                entry["fill"] = _plain(values[~gaps].iloc[-1])
        return plan

    def _fit_categories(self, frame: pd.DataFrame) -> dict:
        text = [
            c
            for c in frame.columns
            if not pd.api.types.is_numeric_dtype(frame[c]) or pd.api.types.is_bool_dtype(frame[c])
        ]
        if self.categorical == "auto":
            columns = text
        else:
            columns = self._declared() if self.categorical else []
            unknown = [c for c in columns if c not in frame.columns]
            if unknown:
                raise ValueError(
                    f"categorical columns {unknown} are not in the table; it has "
                    f"{list(frame.columns)}."
                )
            left = [c for c in text if c not in columns]
            if left:
                sample = frame[left[0]].dropna().iloc[0] if frame[left[0]].notna().any() else None
                raise TypeError(
                    f"Column {left[0]!r} is not numeric (e.g. {sample!r}). Declare it "
                    f"categorical (categorical=[..., {left[0]!r}]) or drop it."
                )
        if not columns:
            return {}
        keys = pd.DataFrame({c: _category_keys(frame[c]) for c in columns})
        if self.max_categories is not None:
            for column in columns:
                count = keys[column].nunique()
                if count > self.max_categories:
                    raise ValueError(
                        f"Column {column!r} has {count} distinct values, more than "
                        f"max_categories={self.max_categories}: one-hot encoding it would add "
                        f"{count} columns. If it is an identifier, drop it; otherwise raise "
                        f"max_categories."
                    )
        encoder = OneHotEncoder(handle_unknown="ignore", sparse_output=False)
        encoder.fit(keys)
        return {c: [str(v) for v in cats] for c, cats in zip(columns, encoder.categories_)}

    # -- applying ------------------------------------------------------------------------------
    def transform(self, X, y=None, *, allow_drop: bool = True):
        """Apply what was learned to new rows: ``(X_array, y_array or None)``.

        ``allow_drop=False`` (used by ``predict``) refuses to drop rows, since every row asked
        about needs an answer: it raises instead, naming the rows.
        """
        state = self._fitted()
        columns = [str(c) for c in state["columns"]]
        frame = _as_frame(X, columns=columns)
        missing_columns = [c for c in columns if c not in frame.columns]
        if missing_columns:
            raise ValueError(f"X lacks the column(s) {missing_columns} seen in fit.")
        frame = _clean_text(frame[columns], self.missing_tokens, list(state["categorical"]))
        y = _as_target(y, len(frame))
        plan = dict(zip(columns, state["missing"].values()))
        frame, y, dropped = _apply_missing(frame, y, plan)
        if dropped and not allow_drop:
            raise ValueError(
                f"{dropped} row(s) have missing values in columns whose strategy is 'drop'; "
                f"predictions need every row. Fill those values first."
            )
        encoded = _apply_categories(frame, state["categorical"], warn=True)
        return _scale(encoded.to_numpy(np.float64), state["scaler"]), self._scale_target(y)

    def _scale_target(self, y):
        if y is None:
            return None
        plan = self._fitted().get("target_scaler") if self.state_ else None
        try:
            y = np.asarray(y, dtype=np.float64)
        except (TypeError, ValueError):
            return y  # text labels: left for the network to judge
        return y if plan is None else _scale(y.reshape(len(y), -1), plan).reshape(y.shape)

    def inverse_transform_target(self, y_scaled) -> np.ndarray:
        """Predictions in the target's own units (undoes the target scaling, if any).

        Accepts shape (n,) or (n, k), k the number of target columns, and keeps it."""
        plan = self._fitted().get("target_scaler")
        y_scaled = np.asarray(y_scaled, dtype=np.float64)
        if plan is None:
            return y_scaled
        shape, k = y_scaled.shape, len(plan["scale"])
        columns = y_scaled.reshape(-1, 1) if y_scaled.ndim < 2 else y_scaled
        if columns.ndim != 2 or columns.shape[1] != k:
            raise ValueError(
                f"The target was fitted with {k} column(s); received shape {shape} (expected "
                f"(n,) for one column or (n, {k}))."
            )
        return _unscale(columns, plan).reshape(shape)

    @property
    def feature_names_out(self) -> list[str]:
        return list(self._fitted()["features_out"])

    def _fitted(self) -> dict:
        if self.state_ is None:
            raise NotFittedError("This Preprocessor is not fitted yet; call fit_transform first.")
        return self.state_

    # -- description and persistence ----------------------------------------------------------
    def report(self) -> str:
        """What the preprocessor learned and did, in words."""
        state = self._fitted()
        lines = [
            f"Preprocessor fitted on {state['rows_in']:,} rows × {len(state['columns'])} "
            f"columns → {len(state['features_out'])} features."
        ]
        if state["rows_dropped"]:
            lines.append(f"Rows dropped for missing values: {state['rows_dropped']:,}.")
        for column, entry in state["missing"].items():
            if entry["missing"]:
                fill = "" if entry["fill"] is None else f" with {entry['fill']!r}"
                lines.append(
                    f"Missing in {column!r}: {entry['missing']:,} → "
                    f"{entry['strategy']}{fill}"
                    + (" (+ indicator column)" if entry["indicator"] else "")
                    + "."
                )
        for column, categories in state["categorical"].items():
            lines.append(
                f"One-hot encoded {column!r}: {len(categories)} categories "
                f"({', '.join(categories[:6])}{', …' if len(categories) > 6 else ''})."
            )
        table = state["table"]
        if table["constant_columns"]:
            lines.append(f"Constant columns (carry no information): {table['constant_columns']}.")
        if table["duplicate_rows"]:
            lines.append(f"Duplicate rows: {table['duplicate_rows']:,}.")
        lines.append(
            f"Feature scaling: {state['scaler']['kind'] if state['scaler'] else 'none'};"
            f" target scaling: "
            f"{state['target_scaler']['kind'] if state.get('target_scaler') else 'none'}"
            f" (statistics from the training rows only)."
        )
        return "\n".join(lines)

    def get_state(self) -> dict:
        """Config and everything learned, as JSON-compatible values (lists, numbers, strings)."""
        return {"config": self.get_config(), "state": _jsonable(self._fitted())}

    @classmethod
    def from_state(cls, document: dict) -> Preprocessor:
        config = dict(document["config"])
        config.setdefault("target_scaler", None)  # saved before "auto" existed: None was default
        preprocessor = cls(**config)
        preprocessor.state_ = document["state"]
        return preprocessor


# -- the steps, as plain functions over a plan ----------------------------------------------------
def _as_frame(X, columns=None) -> pd.DataFrame:
    """X as a DataFrame with string column labels; an array takes ``columns`` (the fitted
    labels, matched by position; its width must equal theirs) or x0, x1, …"""
    if isinstance(X, pd.DataFrame):
        frame = X.copy()
    elif hasattr(X, "to_pandas"):
        frame = X.to_pandas()
    elif isinstance(X, Mapping):
        frame = pd.DataFrame(dict(X))
    else:
        array = np.asarray(X)
        if array.ndim != 2:
            raise ValueError(f"X must be 2-D (n_samples, n_features); got shape {array.shape}.")
        if columns is not None and array.shape[1] != len(columns):
            raise ValueError(
                f"X has {array.shape[1]} columns but the preprocessor was fitted on "
                f"{len(columns)}; they must match."
            )
        names = columns if columns is not None else [f"x{i}" for i in range(array.shape[1])]
        return pd.DataFrame(array, columns=names)
    frame.columns = [str(c) for c in frame.columns]
    duplicated = sorted(set(frame.columns[frame.columns.duplicated()]))
    if duplicated:
        raise ValueError(f"X has duplicate column labels (as text): {duplicated}.")
    return frame


def _clean_text(frame: pd.DataFrame, tokens, keep_text) -> pd.DataFrame:
    """Missing tokens in text columns become NaN; a text column whose values are then all
    numbers becomes numeric (unless declared categorical or of category dtype)."""
    tokens = {str(t).strip() for t in tokens}
    for column in frame.columns:
        series = frame[column]
        if pd.api.types.is_numeric_dtype(series) or pd.api.types.is_bool_dtype(series):
            continue
        if not (pd.api.types.is_object_dtype(series) or pd.api.types.is_string_dtype(series)):
            if not isinstance(series.dtype, pd.CategoricalDtype):
                continue
        values = series.astype(object)
        is_token = values.map(lambda v: isinstance(v, str) and v.strip() in tokens)
        values = values.mask(is_token.astype(bool))
        if column not in keep_text and not isinstance(series.dtype, pd.CategoricalDtype):
            present = values.notna()
            numbers = pd.to_numeric(values, errors="coerce")
            if present.any() and numbers[present].notna().all():
                frame[column] = numbers.astype(np.float64)
                continue
        if is_token.any():
            frame[column] = values
    return frame


def _as_target(y, n_rows: int):
    if y is None:
        return None
    y = np.asarray(y)
    if y.ndim == 0 or y.shape[0] != n_rows:
        rows = y.shape[0] if y.ndim else "no rows (a scalar)"
        raise ValueError(f"X has {n_rows} rows but y has {rows}; they must match.")
    if y.dtype.kind in "fc":
        gaps = int((~np.isfinite(y)).sum())
    elif y.dtype.kind == "O":
        gaps = int(pd.isna(y).sum())
    else:
        gaps = 0
    if gaps:
        raise ValueError(
            f"y has {gaps} missing values (NaN, None or inf); drop those rows (from X and y) "
            f"first: targets are never filled."
        )
    return y


def _missing_mask(column: pd.Series) -> np.ndarray:
    mask = column.isna().to_numpy().copy()
    if pd.api.types.is_numeric_dtype(column) and not pd.api.types.is_bool_dtype(column):
        mask |= ~np.isfinite(column.to_numpy(np.float64, na_value=np.nan))
    return mask


def _drop_mask(plan: dict, masks: dict) -> np.ndarray:
    drop = np.zeros(len(next(iter(masks.values()))) if masks else 0, dtype=bool)
    for column, entry in plan.items():
        if entry["strategy"] == "drop":
            drop |= masks[column]
    return drop


def _is_text(series: pd.Series) -> bool:
    return not pd.api.types.is_numeric_dtype(series) or pd.api.types.is_bool_dtype(series)


def _text_fill_message(column: str, strategy: str) -> str:
    return (
        f"Column {column!r} is text, so missing={strategy!r} cannot fill it; use "
        f"'most_frequent' for it (missing_columns={{{column!r}: 'most_frequent'}}) or 'constant'."
    )


def _statistic(column: str, observed: pd.Series, strategy: str, fill_value):
    """The fill of ``strategy`` from a column's observed (training, non-missing) values."""
    if strategy == "zero":
        return 0.0
    if strategy == "constant":
        return _plain(fill_value)
    if observed.empty:
        raise ValueError(
            f"Column {column!r} has no observed values in the training rows, so there is no "
            f"{strategy} to fill it with; drop the column or use 'constant'."
        )
    data = observed.to_frame() if strategy == "most_frequent" else observed.astype(float)
    imputer = SimpleImputer(strategy=strategy)
    return _plain(imputer.fit(pd.DataFrame(data)).statistics_[0])


def _apply_missing(frame, y, plan):
    """Drop the rows with gaps in "drop" columns first, then fill the rest from ``plan``."""
    masks = {c: _missing_mask(frame[c]) for c in frame.columns}
    drop = _drop_mask(plan, masks)
    for column, entry in plan.items():
        gaps = masks[column] & ~drop
        if gaps.any() and entry["strategy"] in ("mean", "median") and entry["fill"] is None:
            raise ValueError(_text_fill_message(column, entry["strategy"]))
        if gaps.any() and entry["strategy"] == "raise":
            raise ValueError(
                f"Column {column!r} has {int(gaps.sum())} missing value(s) here but none in the "
                f"training rows, and its strategy is 'raise'. Refit with missing_columns="
                f"{{{column!r}: 'median'}} (or another strategy)."
            )
    keep = ~drop
    columns = {}
    for column, entry in plan.items():
        gaps = masks[column][keep]
        series = frame[column][keep]
        series = series.where(~pd.Series(gaps, index=series.index))
        if entry["strategy"] == "previous":
            series = series.ffill()
            if entry["fill"] is not None:  # later rows: a leading gap takes the last training value
                series = series.fillna(entry["fill"])
        elif entry["strategy"] not in ("drop", "raise") and gaps.any():
            series = series.fillna(entry["fill"])
        columns[column] = series
        if entry["indicator"]:
            columns[f"{column}_missing"] = gaps.astype(np.float64)
    result = pd.DataFrame(columns, index=frame.index[keep])
    if result.isna().any().any():
        column = result.columns[result.isna().any()][0]
        raise ValueError(
            f"Column {column!r} still has missing values after filling (no earlier value to "
            f"carry forward, or no fill learned); use another strategy for it."
        )
    y = None if y is None else y[keep]
    return result.reset_index(drop=True), y, int(drop.sum())


def _category_key(value) -> str:
    """A category's key: a number by its numeric value (1, 1.0 and np.int64(1) are "1"), a
    string as itself."""
    if isinstance(value, (bool, np.bool_)):
        return str(bool(value))
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    if isinstance(value, (float, np.floating)):
        number = float(value)
        return str(int(number)) if number.is_integer() else repr(number)
    return str(value)


def _category_keys(series: pd.Series) -> pd.Series:
    return series.astype(object).map(_category_key)


def _apply_categories(frame: pd.DataFrame, plan: dict, *, warn: bool) -> pd.DataFrame:
    columns = {}
    for column in frame.columns:
        if column not in plan:
            try:
                columns[column] = pd.to_numeric(frame[column]).astype(np.float64)
            except (TypeError, ValueError):
                raise TypeError(
                    f"Column {column!r} is not numeric and was not categorical in fit."
                ) from None
            continue
        values = _category_keys(frame[column])
        unseen = sorted(set(values) - set(plan[column]))
        if unseen and warn:
            warnings.warn(
                f"Column {column!r} has categories not seen in fit: {unseen[:5]}; they "
                f"are encoded as all zeros.",
                UserWarning,
                stacklevel=4,
            )
        for category in plan[column]:
            columns[f"{column}={category}"] = (values == category).to_numpy(np.float64)
    return pd.DataFrame(columns, index=frame.index)


def _fit_scaler(scaler, X: np.ndarray) -> dict | None:
    if scaler is None:
        return None
    scaler.fit(X)
    if isinstance(scaler, StandardScaler):
        return {"kind": "standard", "mean": scaler.mean_.tolist(), "scale": scaler.scale_.tolist()}
    if isinstance(scaler, MinMaxScaler):
        return {"kind": "minmax", "min": scaler.min_.tolist(), "scale": scaler.scale_.tolist()}
    return {
        "kind": "tanh",
        "mean": scaler.mean_.tolist(),
        "scale": scaler.scale_.tolist(),
        "k": scaler.k,
    }


def _scale(X: np.ndarray, plan) -> np.ndarray:
    """The fitted scaler's own formula (StandardScaler, MinMaxScaler, TanhScaler)."""
    if plan is None:
        return X
    if plan["kind"] == "standard":
        return (X - np.asarray(plan["mean"])) / np.asarray(plan["scale"])
    if plan["kind"] == "minmax":
        return X * np.asarray(plan["scale"]) + np.asarray(plan["min"])
    return TanhScaler.apply(X, np.asarray(plan["mean"]), np.asarray(plan["scale"]), plan["k"])


def _unscale(Z: np.ndarray, plan) -> np.ndarray:
    if plan["kind"] == "standard":
        return Z * np.asarray(plan["scale"]) + np.asarray(plan["mean"])
    if plan["kind"] == "minmax":
        return (Z - np.asarray(plan["min"])) / np.asarray(plan["scale"])
    return TanhScaler.invert(Z, np.asarray(plan["mean"]), np.asarray(plan["scale"]), plan["k"])


def _describe(frame: pd.DataFrame) -> dict:
    constant = [c for c in frame.columns if frame[c].nunique(dropna=False) <= 1]
    return {"constant_columns": constant, "duplicate_rows": int(frame.duplicated().sum())}


def _plain(value):
    """A NumPy scalar as a Python one (JSON-friendly)."""
    return value.item() if hasattr(value, "item") else value


def _jsonable(value):
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    return _plain(value)
