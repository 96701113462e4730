"""Preprocessor: from a raw table to the arrays a network trains on, and back to user units.

Steps, each fitted on the training rows only and applied unchanged to any later rows:

1. **missing values** — NaN, None, ±inf (and, when read from a file, tokens such as "?"):
   per column ``"raise"`` (default: an error listing the columns and counts), ``"zero"``,
   ``"constant"``, ``"mean"``, ``"median"``, ``"most_frequent"`` (statistics by scikit-learn's
   ``SimpleImputer``), ``"previous"`` (forward fill, for time-ordered rows; leading gaps take the
   last training value) or ``"drop"`` (the row goes, from X and y alike); optionally a 0/1
   ``<column>_missing`` indicator for each column that had gaps in training.
2. **categorical columns** — text columns (or the ones named) are one-hot encoded, categories
   learned by scikit-learn's ``OneHotEncoder``; an unseen category becomes an all-zero row and
   a warning.
3. **scaling** of the features — ``"standard"`` (z-score), ``"minmax"`` (to ``feature_range``),
   ``"tanh"`` or None — and, for regression, of the **target**, whose inverse brings
   predictions back to the user's units.

What was learned is kept as plain numbers and category lists (``get_state``), applied by this
module's own code, so a preprocessor saved with a model never needs pickle. ``report()`` says
in words what was done: rows dropped, values filled, columns encoded, constant columns,
duplicate rows.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from sklearn.impute import SimpleImputer
from sklearn.preprocessing import MinMaxScaler, OneHotEncoder, StandardScaler

from ..exceptions import ConfigError, NotFittedError
from .scaling import TanhScaler

STRATEGIES = ("raise", "zero", "constant", "mean", "median", "most_frequent", "previous", "drop")
SCALERS = ("standard", "minmax", "tanh", None)


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
        target_scaler: the same choices for a regression target (None leaves y as it is).

    ``fit_transform(X, y)`` and ``transform(X, y=None)`` return ``(X_array, y_array)``, float64,
    rows dropped from both alike; ``inverse_transform_target`` undoes the target scaling.
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
        target_scaler=None,
    ):
        for strategy in [missing, *(missing_columns or {}).values()]:
            if strategy not in STRATEGIES:
                raise ConfigError(
                    f"Unknown missing-value strategy {strategy!r}; choose one of "
                    f"{', '.join(STRATEGIES)}."
                )
        for name, value in (("scaler", scaler), ("target_scaler", target_scaler)):
            if value not in SCALERS:
                raise ConfigError(f"{name} must be one of {SCALERS}; received {name}={value!r}.")
        self.missing, self.missing_columns = missing, dict(missing_columns or {})
        self.fill_value, self.add_indicator = fill_value, add_indicator
        self.categorical, self.scaler, self.target_scaler = categorical, scaler, target_scaler
        self.feature_range, self.tanh_k = tuple(feature_range), tanh_k
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
        }

    # -- fitting -------------------------------------------------------------------------------
    def fit(self, X, y=None) -> Preprocessor:
        self.fit_transform(X, y)
        return self

    def fit_transform(self, X, y=None):
        """Learn every step from these (training) rows, and return them transformed."""
        frame = _as_frame(X)
        y = _as_target(y, len(frame))
        state = {"columns": list(frame.columns), "rows_in": len(frame)}
        state["missing"] = self._fit_missing(frame)
        frame, y, dropped = _apply_missing(frame, y, state["missing"], fitting=True)
        state["rows_dropped"] = dropped
        state["categorical"] = self._fit_categories(frame)
        encoded = _apply_categories(frame, state["categorical"], warn=False)
        state["features_out"] = list(encoded.columns)
        state["scaler"] = _fit_scaler(self._scaler(self.scaler), encoded.to_numpy(np.float64))
        if y is not None and self.target_scaler is not None:
            y_column = y.reshape(-1, 1).astype(np.float64)
            state["target_scaler"] = _fit_scaler(self._scaler(self.target_scaler), y_column)
        state["table"] = _describe(frame)
        self.state_ = state
        return _scale(encoded.to_numpy(np.float64), state["scaler"]), self._scale_target(y)

    def _scaler(self, kind):
        if kind == "standard":
            return StandardScaler()
        if kind == "minmax":
            return MinMaxScaler(feature_range=self.feature_range)
        if kind == "tanh":
            return TanhScaler(k=self.tanh_k)
        return None

    def _fit_missing(self, frame: pd.DataFrame) -> dict:
        plan = {}
        for column in frame.columns:
            gaps = _missing_mask(frame[column])
            strategy = self.missing_columns.get(column, self.missing)
            entry = {
                "strategy": strategy,
                "missing": int(gaps.sum()),
                "fill": None,
                "indicator": bool(self.add_indicator and gaps.any()),
            }
            if strategy in ("zero", "constant", "mean", "median", "most_frequent") and gaps.any():
                entry["fill"] = _statistic(frame[column], strategy, self.fill_value)
            elif strategy == "previous":
                observed = frame[column][~gaps]
                entry["fill"] = _plain(observed.iloc[-1]) if len(observed) else None
            plan[column] = entry
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
            columns = list(self.categorical or [])
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
        encoder = OneHotEncoder(handle_unknown="ignore", sparse_output=False)
        encoder.fit(frame[columns].astype(str))
        return {c: [str(v) for v in cats] for c, cats in zip(columns, encoder.categories_)}

    # -- applying ------------------------------------------------------------------------------
    def transform(self, X, y=None, *, allow_drop: bool = True):
        """Apply what was learned to new rows: ``(X_array, y_array or None)``.

        ``allow_drop=False`` (used by ``predict``) refuses to drop rows, since every row asked
        about needs an answer: it raises instead, naming the rows.
        """
        state = self._fitted()
        frame = _as_frame(X)
        missing_columns = [c for c in state["columns"] if c not in frame.columns]
        if missing_columns:
            raise ValueError(f"X lacks the column(s) {missing_columns} seen in fit.")
        frame = frame[state["columns"]]
        y = _as_target(y, len(frame))
        frame, y, dropped = _apply_missing(frame, y, state["missing"], fitting=False)
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
        y = np.asarray(y, dtype=np.float64)
        return y if plan is None else _scale(y.reshape(-1, 1), plan).ravel()

    def inverse_transform_target(self, y_scaled) -> np.ndarray:
        """Predictions in the target's own units (undoes the target scaling, if any)."""
        plan = self._fitted().get("target_scaler")
        y_scaled = np.asarray(y_scaled, dtype=np.float64)
        if plan is None:
            return y_scaled
        shape = y_scaled.shape
        return _unscale(y_scaled.reshape(-1, 1), plan).reshape(shape)

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
        preprocessor = cls(**config)
        preprocessor.state_ = document["state"]
        return preprocessor


# -- the steps, as plain functions over a plan ----------------------------------------------------
def _as_frame(X) -> pd.DataFrame:
    if isinstance(X, pd.DataFrame):
        return X.copy()
    if hasattr(X, "to_pandas"):
        return X.to_pandas()
    array = np.asarray(X)
    if array.ndim != 2:
        raise ValueError(f"X must be 2-D (n_samples, n_features); got shape {array.shape}.")
    return pd.DataFrame(array, columns=[f"x{i}" for i in range(array.shape[1])])


def _as_target(y, n_rows: int):
    if y is None:
        return None
    y = np.asarray(y)
    if y.shape[0] != n_rows:
        raise ValueError(f"X has {n_rows} rows but y has {y.shape[0]}; they must match.")
    return y


def _missing_mask(column: pd.Series) -> np.ndarray:
    mask = column.isna().to_numpy().copy()
    if pd.api.types.is_numeric_dtype(column) and not pd.api.types.is_bool_dtype(column):
        mask |= ~np.isfinite(column.to_numpy(np.float64, na_value=np.nan))
    return mask


def _statistic(column: pd.Series, strategy: str, fill_value):
    if strategy == "zero":
        return 0.0
    if strategy == "constant":
        return _plain(fill_value)
    values = column.where(~pd.Series(_missing_mask(column), index=column.index))
    imputer = SimpleImputer(strategy=strategy)
    data = values.to_frame() if strategy == "most_frequent" else values.astype(float).to_frame()
    return _plain(imputer.fit(data).statistics_[0])


def _apply_missing(frame, y, plan, *, fitting: bool):
    masks = {c: _missing_mask(frame[c]) for c in frame.columns}
    drop = np.zeros(len(frame), dtype=bool)
    for column, entry in plan.items():
        gaps = masks[column]
        if not gaps.any():
            continue
        if entry["strategy"] == "drop":
            drop |= gaps
        elif entry["strategy"] == "raise" or (
            entry["fill"] is None and entry["strategy"] != "previous"
        ):
            raise ValueError(
                f"Column {column!r} has {int(gaps.sum())} missing value(s) here but none in the "
                f"training rows, so no fill was learned. Refit with missing_columns="
                f"{{{column!r}: 'median'}} (or another strategy)."
            )
    columns = {}
    for column, entry in plan.items():
        series = frame[column].where(~pd.Series(masks[column], index=frame.index))
        if entry["strategy"] == "previous":
            series = series.ffill()
            if entry["fill"] is not None:
                series = series.fillna(entry["fill"])
        elif entry["strategy"] not in ("drop", "raise") and masks[column].any():
            series = series.fillna(entry["fill"])
        columns[column] = series
        if entry["indicator"]:
            columns[f"{column}_missing"] = masks[column].astype(np.float64)
    result = pd.DataFrame(columns, index=frame.index)[~drop]
    if result.isna().any().any():
        column = result.columns[result.isna().any()][0]
        raise ValueError(
            f"Column {column!r} still has missing values after 'previous' filling "
            f"(no earlier value to carry forward); use another strategy for it."
        )
    y = None if y is None else y[~drop]
    return result.reset_index(drop=True), y, int(drop.sum())


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
        values = frame[column].astype(str)
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
