"""``[data]`` at work: read the table, pick target and features, detect the task, split.

Reading goes through ``mk.data.read_table`` (missing tokens, leading-zero codes, separators);
what goes wrong is said in terms of the file: a parse error or a missing target value as a
:class:`~mlpkit.config.errors.DataFileError` naming the file, line (or row) and column; a
column the configuration names that the file lacks as a configuration problem at the key's line
(with a did-you-mean among the file's columns).

With ``streaming = true`` the table is not read whole: :func:`stream_source` opens it as an
``mk.data.FileSource`` (``chunk_rows`` rows at a time) and :func:`stream_holdout` sets the
test rows apart by a rule decided row by row — the last rows when ``time_ordered``, a seeded
hash of ``row_id`` when there is one, else a seeded hash of the row's position.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.model_selection import train_test_split

from ..data.streaming import FileSource, Holdout, StreamError
from ..data.tables import read_table
from .errors import ConfigFileError, DataFileError, Problem
from .kinds import suggestion

_PARQUET = (".parquet", ".pq")


def read_frame(path: Path, data: dict) -> pd.DataFrame:
    """Every column of the table ``data.path`` names, missing tokens as NaN."""
    header = ("infer" if data["names"] is None else 0) if data["header"] else None
    try:
        return read_table(
            path,
            sep=data["separator"],
            header=header,
            names=data["names"],
            missing_tokens=data["missing"],
        ).X
    except FileNotFoundError:
        raise DataFileError(path, "no such file") from None
    except pd.errors.EmptyDataError:
        raise DataFileError(path, "the file is empty") from None
    except pd.errors.ParserError as error:
        found = re.search(r"line (\d+)", str(error))
        line = int(found.group(1)) if found else None
        raise DataFileError(path, f"cannot be read as a table: {error}", line=line) from None
    except UnicodeDecodeError as error:
        raise DataFileError(path, f"is not UTF-8 text ({error.reason}); save it as UTF-8") from None
    except ValueError as error:  # duplicate column names, a damaged Parquet file, ...
        raise DataFileError(path, str(error)) from None


Locate = Callable[[tuple, str, object], Problem]  # (key path in [data], message, value)


def select(frame: pd.DataFrame, data: dict, locate: Locate, path: Path):
    """``(X, y, row_ids)`` of the table: the columns the configuration names.

    Raises:
        ConfigFileError: a named column is not in the file (at the key's line).
        DataFileError: the target has missing values (the first one's line and the count).
    """
    columns = [str(name) for name in frame.columns]
    target = str(data["target"])
    problems = []

    def require(key: str, names, listed: bool = True) -> None:
        for index, name in enumerate(names):
            if name not in columns:
                shown = ", ".join(repr(c) for c in columns[:30]) + (
                    ", ..." if len(columns) > 30 else ""
                )
                message = (
                    f"not a column of {path.name}{suggestion(name, columns)} (columns: {shown})"
                )
                problems.append(locate((key, index) if listed else (key,), message, name))
                return

    require("target", [target], listed=False)
    require("features", data["features"] or [])
    require("drop", data["drop"])
    require("row_id", [data["row_id"]] if data["row_id"] is not None else [], listed=False)
    if problems:
        raise ConfigFileError(problems)
    left_out = {target, *data["drop"], *([data["row_id"]] if data["row_id"] else [])}
    features = data["features"] or [name for name in columns if name not in left_out]
    features = [name for name in features if name not in data["drop"]]
    if not features:
        raise ConfigFileError([locate(("features",), "no feature column is left", features)])
    y = frame[target]
    _require_targets(y, path, data)
    ids = frame[data["row_id"]] if data["row_id"] is not None else None
    return frame[features], y, ids


def _require_targets(y: pd.Series, path: Path, data: dict) -> None:
    gaps = y.isna().to_numpy()
    if not gaps.any():
        return
    first = int(np.argmax(gaps))
    message = (
        f"the target is missing ({int(gaps.sum()):,} of {len(y):,} rows); drop those rows from "
        f"the file or fill them"
    )
    if path.suffix.lower() in _PARQUET:
        raise DataFileError(path, message, row=first, column=str(y.name))
    line = first + 1 + (1 if data["header"] else 0)  # 1-based, after the header line
    raise DataFileError(path, message, line=line, column=str(y.name))


def split(X, y, data: dict, classify: bool, path: Path):
    """``X_train, X_test, y_train, y_test``: the test share of ``[data]``, stratified by class
    for a classifier (``stratify``), the last rows when ``time_ordered``."""
    ordered = data["time_ordered"]
    strata = y if classify and data["stratify"] and not ordered else None
    try:
        return train_test_split(
            X,
            y,
            test_size=data["test_size"],
            shuffle=not ordered,
            stratify=strata,
            random_state=None if ordered else data["random_state"],
        )
    except ValueError as error:
        fix = (
            " Set data.stratify = false, or get more rows of the rare classes."
            if strata is not None
            else ""
        )
        raise DataFileError(
            path, f"cannot be split for a test: {error}.{fix}", column=str(y.name)
        ) from None


def stream_source(path: Path, data: dict, locate: Locate, shown: Path) -> FileSource:
    """The ``[data]`` file as a FileSource of the configured target, features and row id.

    Raises:
        DataFileError: the file cannot be opened or read as a table.
        ConfigFileError: a named column is not in the file (at the key's line).
    """
    try:
        source = FileSource(path, chunk_rows=data["chunk_rows"])
    except StreamError as error:
        raise DataFileError(shown, str(error)) from None
    frame = pd.DataFrame(columns=source.dataset.schema.names)  # the columns, no rows
    X, _, _ = select(frame, data, locate, shown)
    target = str(data["target"])
    return FileSource(
        path,
        target=target,
        columns=list(X.columns),
        row_id=data["row_id"],
        chunk_rows=data["chunk_rows"],
    )


def stream_holdout(data: dict, validation: float = 0.0) -> Holdout:
    """The rule that sets ``test_size`` of the streamed rows apart (and ``validation``)."""
    by = "time" if data["time_ordered"] else ("hash" if data["row_id"] else "position")
    return Holdout(
        validation=validation,
        test=data["test_size"],
        by=by,
        row_id=data["row_id"],
        random_state=data["random_state"],
    )


def sample_target(source: FileSource, rows: int = 100_000) -> pd.Series:
    """The target of the first ``rows`` rows (at least one chunk), to detect the task."""
    parts, seen = [], 0
    for chunk in source.chunks(columns=source.target):
        parts.append(chunk[source.target[0]])
        seen += len(chunk)
        if seen >= rows:
            break
    return pd.concat(parts, ignore_index=True)
