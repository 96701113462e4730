"""The rows an exported file is checked on, and how rows are fed to it.

:func:`probe_rows` makes a batch in the user's own format (a DataFrame with the fitted columns,
or an array) from what the model learned: numbers spread like the training features (through
the inverse of the feature scaler), every known category and one unseen, and gaps where a fill
was learned, so every path of the graph is run. :func:`feed` turns rows into onnxruntime's
inputs (see :mod:`.onnx_model` for their names and types); :func:`rounded` gives the rows the
file really sees (numbers in its dtype), so both sides are compared on the same values.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

#: Rows of the default probe batch.
N_PROBE = 64
#: Every this many rows, a gap in each column that has a learned fill.
GAP_EVERY = 5


def probe_rows(net, spec, dtype, *, random_state=0):
    """A batch of :data:`N_PROBE` rows for ``net`` (a DataFrame when ``spec`` has named or
    categorical columns, else an array (n, n_columns)), rounded to ``dtype``."""
    rng = np.random.default_rng(random_state)
    if spec is None:
        return rng.normal(size=(N_PROBE, net.n_features)).astype(dtype).astype(np.float64)
    numbers = _feature_numbers(net, rng)
    frame, offset = {}, 0
    for column in spec.columns:
        if column.categories is None:
            values = numbers[:, offset].astype(dtype).astype(np.float64)
            if column.fill is not None:
                values[GAP_EVERY - 1 :: GAP_EVERY] = np.nan
            offset += 1
        else:
            values = _categories(column, spec.tokens)
            offset += len(column.categories)
        frame[column.label] = values
    if not (spec.named or spec.categorical):
        return np.column_stack(list(frame.values()))
    return pd.DataFrame(frame)


def _feature_numbers(net, rng) -> np.ndarray:
    """Standard normal features (tanh-squashed for a tanh scaler) in the columns' own units."""
    prep = net.preprocessor
    scaler = dict(prep.steps_).get("scale")
    z = rng.normal(size=(N_PROBE, len(prep.get_feature_names_out())))
    if scaler is None:
        return z
    if type(scaler).__name__ == "TanhScaler":
        z = 0.9 * np.tanh(z)
    return np.asarray(scaler.inverse_transform(z), dtype=np.float64)


def _categories(column, tokens) -> np.ndarray:
    """Every category in turn, then an unseen one, and a gap (where a fill was learned)."""
    known = list(column.categories)
    if all(isinstance(c, (bool, np.bool_)) for c in known):
        cycle = known  # a boolean column holds booleans only
    elif column.text:
        cycle = [*known, "<unseen by mlpkit>"]
    else:
        cycle = [*known, max(float(c) for c in known) + 1]
    if column.fill is not None and not isinstance(column.fill, (bool, np.bool_)):
        cycle.append((tokens[0] if tokens else "") if column.text else np.nan)
    values = [cycle[i % len(cycle)] for i in range(N_PROBE)]
    return np.array(values, dtype=object if column.text else None)


def rounded(rows, spec, dtype):
    """``rows`` with their numbers rounded to ``dtype``: what the file computes on."""
    if isinstance(rows, pd.DataFrame):
        frame = rows.copy()
        for column in _number_columns(spec, frame):
            frame[column] = frame[column].to_numpy(np.float64).astype(dtype).astype(np.float64)
        return frame
    return np.asarray(rows, dtype=np.float64).astype(dtype).astype(np.float64)


def _number_columns(spec, frame) -> list[str]:
    if spec is None:
        return [c for c in frame.columns if pd.api.types.is_float_dtype(frame[c])]
    return [c.label for c in spec.columns if not c.text and c.label in frame.columns]


def feed(rows, inputs, missing_text: str = "") -> dict:
    """onnxruntime's inputs for ``rows`` (a DataFrame or an array) and the file's input ports.

    One port ``"X"`` takes the rows as an array (a DataFrame's ``columns`` picked by name);
    ports named after columns take each column as (n, 1): text as strings (a missing cell as
    ``missing_text``), the rest as numbers (booleans 0/1).
    """
    if len(inputs) == 1 and inputs[0].name == "X":
        port = inputs[0]
        if isinstance(rows, pd.DataFrame) and port.columns:
            rows = rows[list(port.columns)]
        return {"X": np.ascontiguousarray(np.asarray(rows, dtype=np.float64), port.dtype)}
    if not isinstance(rows, pd.DataFrame):
        rows = pd.DataFrame(np.asarray(rows, dtype=object), columns=[p.name for p in inputs])
    out = {}
    for port in inputs:
        values = rows[port.name].to_numpy(dtype=object)
        if np.dtype(port.dtype).kind == "O":
            text = [missing_text if _absent(v) else str(v) for v in values]
            out[port.name] = np.array(text, dtype=object).reshape(-1, 1)
        else:
            numbers = [np.nan if _absent(v) else float(v) for v in values]
            out[port.name] = np.asarray(numbers, dtype=port.dtype).reshape(-1, 1)
    return out


def _absent(value) -> bool:
    return value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA
