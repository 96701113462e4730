"""Data preparation: from a raw table to leak-free train/validation/test arrays, reversibly.

- ``read_table``: arrays, pandas/polars DataFrames, CSV and Parquet files → features and target
  by column name, missing tokens ("?") as NaN.
- ``Preprocessor``: a scikit-learn transformer composing the steps below (tokens, missing
  values, one-hot categories, feature scaling), fitted on training rows only, with a report,
  its state plain JSON (saved with the model, no pickle).
- the steps, transformers with the scikit-learn contract for your own pipelines:
  ``TextCleaner``, ``MissingValues``, ``PreviousValueImputer``, ``Categorical``, ``TanhScaler``
  (and scikit-learn's ``StandardScaler`` / ``MinMaxScaler``, whose state
  ``scaler_state`` / ``scaler_from_state`` write and read).
- splits: ``train_val_test_split`` (seeded, stratified), ``time_ordered_split``, ``folds`` and
  ``cross_validate`` (every transform refitted inside each fold).
- streaming (data larger than memory, docs/scale.md): ``FileSource``, ``Holdout``,
  ``ExternalShuffle``, ``ShuffleBuffer``, ``check_shuffle`` / ``ShuffleWarning``, and
  ``Preprocessor.fit_stream``.
- ``returns_features``: lagged returns, volatility and moving-average gaps from prices, with a
  next-period return target, strictly without look-ahead.
"""

from .cleaning import IdentifierColumnWarning, TextCleaner
from .encoding import Categorical, UnknownCategoryWarning
from .missing import MissingValues, PreviousValueImputer
from .preprocessor import ExtraColumnsWarning, Preprocessor
from .returns import returns_features
from .scaling import (
    SCALERS,
    MinMaxScaler,
    StandardScaler,
    TanhScaler,
    make_scaler,
    scaler_from_state,
    scaler_state,
)
from .splits import cross_validate, folds, time_ordered_split, train_val_test_split
from .streaming import (
    ExternalShuffle,
    FileSource,
    Holdout,
    ShuffleBuffer,
    ShuffleReport,
    ShuffleWarning,
    StreamError,
    batch_balance,
    check_shuffle,
)
from .tables import Table, TableFileError, read_table

__all__ = [
    "read_table",
    "Table",
    "TableFileError",
    "Preprocessor",
    "TextCleaner",
    "MissingValues",
    "PreviousValueImputer",
    "Categorical",
    "UnknownCategoryWarning",
    "IdentifierColumnWarning",
    "ExtraColumnsWarning",
    "TanhScaler",
    "StandardScaler",
    "MinMaxScaler",
    "SCALERS",
    "make_scaler",
    "scaler_state",
    "scaler_from_state",
    "train_val_test_split",
    "time_ordered_split",
    "folds",
    "cross_validate",
    "returns_features",
    "FileSource",
    "StreamError",
    "Holdout",
    "ExternalShuffle",
    "ShuffleBuffer",
    "ShuffleReport",
    "ShuffleWarning",
    "batch_balance",
    "check_shuffle",
]
