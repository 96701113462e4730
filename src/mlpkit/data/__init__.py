"""Data preparation: from a raw table to leak-free train/validation/test arrays, reversibly.

- ``read_table``: arrays, pandas/polars DataFrames, CSV and Parquet files → features and target
  by column name, missing tokens ("?") as NaN.
- ``Preprocessor``: missing values, one-hot categories, feature and target scaling, fitted on
  training rows only, with a report, saved with the model (no pickle).
- transformers with the scikit-learn contract for your own pipelines: ``MissingValues``,
  ``PreviousValueImputer``, ``Categorical``, ``TanhScaler`` (and scikit-learn's
  ``StandardScaler`` / ``MinMaxScaler``).
- splits: ``train_val_test_split`` (seeded, stratified), ``time_ordered_split``, ``folds`` and
  ``cross_validate`` (every transform refitted inside each fold).
- ``returns_features``: lagged returns, volatility and moving-average gaps from prices, with a
  next-period return target, strictly without look-ahead.
"""

from .encoding import Categorical
from .missing import MissingValues, PreviousValueImputer
from .preprocessor import Preprocessor
from .returns import returns_features
from .scaling import SCALERS, MinMaxScaler, StandardScaler, TanhScaler, make_scaler
from .splits import cross_validate, folds, time_ordered_split, train_val_test_split
from .tables import Table, read_table

__all__ = [
    "read_table",
    "Table",
    "Preprocessor",
    "MissingValues",
    "PreviousValueImputer",
    "Categorical",
    "TanhScaler",
    "StandardScaler",
    "MinMaxScaler",
    "SCALERS",
    "make_scaler",
    "train_val_test_split",
    "time_ordered_split",
    "folds",
    "cross_validate",
    "returns_features",
]
