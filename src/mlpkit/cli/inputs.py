"""What the model commands read: a model file, a table, and the model's columns of it.

A missing file, an unreadable model file or a column that is not there is bad usage (exit 2);
a table that cannot be parsed, or whose values the model cannot take, is bad data (exit 65).
"""

from __future__ import annotations

from dataclasses import dataclass

from .conventions import BAD_DATA, USAGE, CommandError, input_file


@dataclass
class Inputs:
    """A model and the rows of a table it is applied to.

    Attributes:
        model: what the model file holds (an ``mk.Sequential``, an estimator, or for
            ``predict`` and ``evaluate`` an ``Ensemble``).
        network: the ``mk.Sequential`` behind it (an ensemble's first member's: the members
            take the same columns and give the same outputs).
        X: the feature columns, as the model takes them (raw, for a model with a preprocessor).
        y: the target column (a pandas Series), or None.
        frame: the whole table as read (for the row-id columns of predictions).
        target: the target column's name, or None.
    """

    model: object
    network: object
    X: object
    y: object
    frame: object
    target: str | None


def load_model(path: str, *, ensemble: bool = False):
    """The model in the file at ``path`` (``mk.load``); an ``Ensemble`` only when the command
    takes one (``ensemble=True``: ``predict`` and ``evaluate``)."""
    import mlpkit as mk
    from mlpkit.ensemble import Ensemble

    input_file(path, "model file")
    try:
        model = mk.load(path)
    except (ValueError, KeyError, OSError) as error:
        raise CommandError(f"{path} is not a model file mlpkit can read: {error}", USAGE) from error
    if isinstance(model, Ensemble) and not ensemble:
        raise CommandError(
            f"{path} holds an Ensemble of {len(model.members)} model(s) (mk.search.auto's "
            f"result.ensemble_); of the commands, predict and evaluate take one. Use it in "
            f"Python (mk.load({path!r}).predict(X)), or save one member "
            f"(result.best_estimator_.save(...)) for this command.",
            USAGE,
        )
    return model


def single_model(model):
    """The model itself, or an ensemble's first member (whose columns, preprocessing and
    outputs every member shares: ``mk.load`` checks it)."""
    from mlpkit.ensemble import Ensemble

    return model.members[0] if isinstance(model, Ensemble) else model


def read_frame(path: str, *, separator=None, missing=None):
    """The table at ``path`` (CSV, or Parquet by its suffix), every column, missing tokens as
    NaN (``mk.data.read_table``)."""
    import mlpkit as mk

    input_file(path, "data file")
    options = {"sep": separator}
    if missing:
        options["missing_tokens"] = tuple(missing)
    try:
        return mk.data.read_table(path, **options).X
    except (ValueError, UnicodeDecodeError, ImportError, OSError) as error:
        raise CommandError(f"{path} cannot be read as a table: {error}", BAD_DATA) from error


def model_columns(model) -> list[str] | None:
    """The columns the model was trained on, by name (an estimator's ``feature_names_in_``, or
    its network's preprocessor's), or None when it took an unnamed array."""
    from mlpkit.evaluation import network_of

    named = getattr(model, "feature_names_in_", None)
    preprocessor = network_of(model).preprocessor
    if named is None and preprocessor is not None:
        named = getattr(preprocessor, "feature_names_in_", None)
    return None if named is None else [str(name) for name in named]


def inputs_for(
    model_path, data, *, target=None, need_target=True, exclude=(), ensemble=False, **read
) -> Inputs:
    """The model at ``model_path`` and its inputs from the table ``data``.

    Args:
        ensemble: whether the command takes an ``Ensemble`` file (see :func:`load_model`).
        target: the target column; None: the one column of ``data`` the model does not take
            (when the model knows its columns), or no target when ``need_target`` is False.
        exclude: columns that are not features (row ids), which must be in the table.
    """
    from mlpkit.evaluation import network_of

    model = load_model(model_path, ensemble=ensemble)
    one = single_model(model)
    network = network_of(one)
    frame = read_frame(data, **read)
    columns = model_columns(one)
    if target is None and need_target:
        target = guess_target(frame, columns, data)
    if target is not None and target not in frame.columns:
        raise CommandError(
            f"{data} has no column {target!r}; its columns are {list(frame.columns)}.", USAGE
        )
    absent = [name for name in exclude if name not in frame.columns]
    if absent:
        raise CommandError(
            f"{data} has no column {absent[0]!r}; its columns are {list(frame.columns)}.", USAGE
        )
    dropped = [*([target] if target is not None else []), *exclude]
    features = frame.drop(columns=[name for name in dropped if name not in (columns or ())])
    if network.preprocessor is not None:
        X = select(features, columns, data) if columns is not None else features
    else:
        X = numeric_features(features, columns, network, data)
    y = frame[target] if target is not None else None
    return Inputs(model, network, X, y, frame, target)


def guess_target(frame, columns, data) -> str:
    """The one column of the table the model does not take."""
    if columns is None:
        raise CommandError(
            f"pass --target COLUMN: the model does not record the names of its input columns, "
            f"so which of {list(frame.columns)} holds the truth cannot be told.",
            USAGE,
        )
    others = [name for name in frame.columns if name not in columns]
    if len(others) == 1:
        return others[0]
    if not others:
        raise CommandError(
            f"{data} holds only the model's input columns; it needs the target column too "
            f"(the truth to score against), or pass --target COLUMN.",
            USAGE,
        )
    raise CommandError(
        f"{data} has several columns the model does not take ({others}); pass --target with "
        f"the one that holds the truth.",
        USAGE,
    )


def select(features, columns: list[str], data):
    """The model's columns of the table, in the model's order."""
    absent = [name for name in columns if name not in features.columns]
    if absent:
        raise CommandError(
            f"{data} lacks the column(s) {absent} the model was trained on; its columns are "
            f"{list(features.columns)}.",
            BAD_DATA,
        )
    return features[columns]


def numeric_features(features, columns, network, data):
    """The feature columns as floats, for a model saved without a preprocessor (a DataFrame,
    so that the report names the features), in the order of the model's columns when known."""
    X = features
    if columns is not None and set(columns) <= set(X.columns):
        X = X[columns]
    text = [name for name in X.columns if not is_numeric(X[name])]
    if text:
        raise CommandError(
            f"{data}: the model has no preprocessor, so every feature column must be numeric; "
            f"{text} are not. Train the model with a preprocessor (preprocessor="
            f"mk.data.Preprocessor(), or preprocessor='auto' for an estimator) to use raw tables.",
            BAD_DATA,
        )
    if X.shape[1] != network.n_features:
        raise CommandError(
            f"the model takes {network.n_features} features but {data} has {X.shape[1]} "
            f"columns besides the target: {list(X.columns)}.",
            BAD_DATA,
        )
    gaps = [name for name in X.columns if X[name].isna().any()]
    if gaps:
        raise CommandError(
            f"{data}: the columns {gaps} have missing values, and the model has no preprocessor "
            f"to fill them; fill or drop them first, or train the model with a preprocessor.",
            BAD_DATA,
        )
    return X.astype(float)


def is_numeric(column) -> bool:
    import pandas as pd

    return pd.api.types.is_numeric_dtype(column.dtype) or pd.api.types.is_bool_dtype(column.dtype)


def known_target(y, target: str, data: str):
    """The target values, which must all be there."""
    if y.isna().any():
        raise CommandError(
            f"{data}: the target column {target!r} has {int(y.isna().sum()):,} missing value(s) "
            f"(first at row {int(y.isna().to_numpy().argmax())}); drop those rows first.",
            BAD_DATA,
        )
    return y.to_numpy()
