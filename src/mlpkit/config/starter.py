"""``starter_config``: a first run configuration for a table (``mlpkit init-config``).

The table is read once to decide what a person would otherwise look up: the task (from the
target column: text, booleans or a few integers make a classifier, anything else a regressor),
the columns that look like row identifiers (left out in ``drop``), and whether the features
need a preprocessor (text columns or missing values: ``preprocessor = "auto"``). Every key of
every section is then written with its value, its one-line meaning and its default; the text
loads with :func:`~mlpkit.config.load_config` as it is.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd

from ..data.cleaning import identifier_reason
from ..exceptions import ConfigError
from ..targets import detect_task
from . import data as data_io
from .kinds import REQUIRED, suggestion
from .model_keys import estimator_fields
from .sections import SECTIONS, fields
from .toml_text import format_value
from .writing import write_toml

#: The ``[data]`` keys that say how to read the table (the ``**read`` of starter_config).
READ_KEYS = ("separator", "header", "names", "missing")

SPACE_EXAMPLE = """\
# What `mlpkit search` tries (mk.search.Space.from_config form; the keys are [model] keys):
# alpha = {log_uniform = [1e-6, 1e-2]}
# learning_rate_init = {log_uniform = [1e-4, 1e-1]}
# hidden_layer_sizes = {choice = [[32], [64], [64, 32]]}
# dropout = {uniform = [0.0, 0.3]}
"""

LAYERS_HINT = """\
# For an explicit network instead of the estimator, replace the keys above (but kind) by
# layers = [{class = "Dense", units = 64, activation = "relu"}, {class = "Dense", units = 1,
# activation = "sigmoid"}] and add a [training] section (loss, optimizer, epochs, ...).
"""


def starter_config(data_path, target, *, config_dir=None, **read) -> str:
    """A starter run configuration for the table at ``data_path`` predicting ``target``.

    Args:
        data_path: the CSV or Parquet file.
        target: the target column's name (its index for a file without a header line).
        config_dir: the folder the configuration will be written to (``data.path`` is written
            relative to it); None: the working directory.
        **read: how to read the table, as the ``[data]`` keys ``separator``, ``header``,
            ``names`` and ``missing``.

    Returns:
        The TOML text, every key commented with its meaning and default.

    Raises:
        ConfigError: an unknown read option, or a target that is not a column.
        DataFileError: the table cannot be read.
    """
    unknown = [key for key in read if key not in READ_KEYS]
    if unknown:
        hint = suggestion(unknown[0], READ_KEYS)
        raise ConfigError(
            f"starter_config takes the read options {', '.join(READ_KEYS)}; received "
            f"{unknown[0]!r}{hint or '.'}"
        )
    data_fields = fields("data")
    data = {key: spec.default for key, spec in data_fields.items()}
    data.update(read, path=str(data_path), target=target)
    frame = data_io.read_frame(Path(data_path), data)
    columns = [str(name) for name in frame.columns]
    if str(target) not in columns:
        raise ConfigError(
            f"The target {str(target)!r} is not a column of {data_path}"
            f"{suggestion(str(target), columns) or '.'} Columns: {columns}."
        )
    y = frame[str(target)]
    features = frame.drop(columns=[str(target)])
    data["drop"] = [name for name in features.columns if _identifier(features[name])]
    kind = detect_task(y)
    values = {"data": _with_path(data, data_path, config_dir)}
    values["model"] = _model_values(kind, features.drop(columns=data["drop"]))
    for section in ("evaluation", "search", "ledger", "output"):
        values[section] = {key: spec.default for key, spec in fields(section).items()}
    notes = {
        "data.target": _target_note(y, kind),
        "data.drop": "columns left out (these look like row identifiers; also leave out "
        "columns that leak the target); default: []",
    }
    return _write(values, notes, data_path, kind)


def _with_path(data: dict, data_path, config_dir) -> dict:
    """``data.path`` relative to the configuration's folder; an absolute path stays absolute
    unless the file lies inside that folder."""
    folder = (Path(config_dir) if config_dir is not None else Path.cwd()).resolve()
    path = Path(data_path)
    if not path.is_absolute() or path.resolve().is_relative_to(folder):
        path = Path(os.path.relpath(path.resolve(), folder))
    return {**data, "path": path.as_posix()}


def _identifier(column: pd.Series) -> bool:
    """A text column that names rows (codes, leading zeros, nearly all distinct), or an
    integer column counting rows (1, 2, 3, ...)."""
    present = column.dropna()
    if pd.api.types.is_bool_dtype(present.dtype) or present.empty:
        return False
    if pd.api.types.is_numeric_dtype(present.dtype):
        values = present.to_numpy(dtype=np.float64)
        return len(values) > 2 and bool(np.all(np.diff(values) == 1))
    return identifier_reason(present) is not None


def _model_values(kind: str, features: pd.DataFrame) -> dict:
    model = {key: spec.default for key, spec in estimator_fields(kind).items()}
    text = [n for n in features.columns if not pd.api.types.is_numeric_dtype(features[n].dtype)]
    gaps = bool(features.isna().to_numpy().any())
    model.update(kind=kind, random_state=0)
    if text or gaps:
        model["preprocessor"] = "auto"
    return {k: list(v) if isinstance(v, tuple) else v for k, v in model.items()}


def _target_note(y: pd.Series, kind: str) -> str:
    missing = int(y.isna().sum())
    gap = f"; {missing:,} rows have no target: drop them first" if missing else ""
    if kind == "regressor":
        return f"the column to predict: numbers, so a regressor{gap}"
    counts = y.value_counts()
    shown = ", ".join(f"{label!r}: {n:,}" for label, n in counts.head(5).items())
    more = ", ..." if len(counts) > 5 else ""
    return f"the column to predict: {len(counts)} classes ({shown}{more}){gap}"


def _note(key: str, notes: dict) -> str:
    """The key's meaning and its default."""
    if key in notes:
        return notes[key]
    section, name = key.split(".", 1)
    spec = estimator_fields("auto")[name] if section == "model" else fields(section)[name]
    if spec.default is REQUIRED:
        return f"{spec.meaning}; required"
    default = list(spec.default) if isinstance(spec.default, tuple) else spec.default
    return f"{spec.meaning}; default: {format_value(default)}"


def _write(values: dict, notes: dict, data_path, kind: str) -> str:
    head = (
        f"# mlpkit run configuration for {data_path} ({kind}), written by `mlpkit init-config`.\n"
        "# Every key is listed with its meaning and default. Check the file with\n"
        "# `mlpkit check run.toml`, then train with `mlpkit train run.toml`. TOML has no null:\n"
        '# "none" stands for no value where a key allows it.\n\n'
    )
    parts = [head]
    for section in SECTIONS:
        if section not in values:
            continue
        text = write_toml({section: values[section]}, lambda k: _note(k, notes), above=True)
        parts.append(text + "\n")
        if section == "model":
            parts.append(LAYERS_HINT + "\n")
        if section == "search":
            parts.append("[search.space]\n" + SPACE_EXAMPLE + "\n")
    return "".join(parts).rstrip("\n") + "\n"
