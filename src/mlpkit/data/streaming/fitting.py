"""The streaming fit of a Preprocessor: one pass over chunks, the in-memory fit's state.

:class:`~mlpkit.data.streaming.summary.ColumnSummary` gathers, per raw column, what the
in-memory steps read from the whole table; this module then sets the steps' fitted attributes
from those summaries, step by step as ``Preprocessor.fit`` would have (the steps' own
``transform`` then runs unchanged):

- TextCleaner: a text column is numbers when every value (tokens as NaN) is a number without
  a leading zero, and numbers with typos (refused, as ``fit`` refuses them) by the same rule;
- MissingValues: each column's strategy, its missing count, and its fill — mean (Moments of
  the kept rows), most frequent (counts, smallest value among ties), previous (the last
  observed value), zero or constant;
- Categorical: the categories (distinct values of the kept rows, plus the fill value where it
  fills a gap), exactly, sorted as OneHotEncoder sorts them;
- the scaler: the encoded columns' moments — a numeric column's with its fills folded in
  (n_miss copies of the fill; a "previous" column is summarised forward-filled), a one-hot
  column's from its count c of n (mean c/n), an indicator's from the missing count — given
  to the real scaler as two rows per column with the same mean and variance (μ ± σ; for
  "minmax" the min and max), then ``n_samples_seen_`` set to n. Means and variances equal
  the in-memory ones to floating-point rounding.

A streamed fit does not do what needs every row at once: a "median" fill ("auto" on a numeric
column is "median"; a ConfigError says what to use), row weights, duplicate-row counts
(``table_["duplicate_rows"]`` is None) and the identifier-column warnings.
"""

from __future__ import annotations

from numbers import Number

import numpy as np
import pandas as pd

from ...exceptions import ConfigError
from ..cleaning import TextCleaner, not_numbers_error
from ..encoding import Categorical, category_key
from ..missing import MissingValues, missing_mask, raise_columns_error
from ..scaling import MinMaxScaler
from .moments import Moments
from .summary import ColumnSummary


def fit_stream(prep, frames) -> None:
    """Fit ``prep`` (a Preprocessor) on an iterable of DataFrame chunks, in one pass."""
    prep.check_params()
    declared = None
    if isinstance(prep.categorical, (list, tuple)):
        declared = [str(name) for name in prep.categorical]
    tokens = tuple(prep.missing_tokens or ())
    summaries: dict[str, ColumnSummary] | None = None
    n_rows = 0
    for chunk in frames:
        frame = _as_frame(chunk, None if summaries is None else list(summaries), n_rows)
        if summaries is None:
            summaries = {
                name: ColumnSummary(
                    name,
                    frame[name],
                    _counted(prep, name, declared),
                    forward_fill=strategy_of(prep, name) == "previous",
                )
                for name in frame.columns
            }
        cleaned = pd.DataFrame({n: s.cleaned(frame[n], tokens) for n, s in summaries.items()})
        mask = missing_mask(cleaned)
        dropped = [name for name in summaries if strategy_of(prep, name) == "drop"]
        keep = ~mask[dropped].to_numpy().any(axis=1) if dropped else np.ones(len(frame), bool)
        for name, summary in summaries.items():
            summary.add(cleaned[name], mask[name].to_numpy(), keep)
        n_rows += len(frame)
    if not n_rows:
        raise ValueError("Preprocessor.fit_stream got no rows; give it at least one chunk.")
    _set_fitted(prep, list(summaries.values()), n_rows, declared, tokens)


def strategy_of(prep, name: str) -> str:
    """The missing-value strategy asked for column ``name`` (before "auto" is resolved)."""
    overrides = {str(k): v for k, v in (prep.missing_columns or {}).items()}
    return overrides.get(name, prep.missing)


def _counted(prep, name: str, declared) -> bool:
    return strategy_of(prep, name) == "most_frequent" or name in (declared or ())


def _as_frame(chunk, names, start: int) -> pd.DataFrame:
    frame = chunk if isinstance(chunk, pd.DataFrame) else pd.DataFrame(np.asarray(chunk))
    frame = frame.rename(columns=str)
    if names is not None and list(frame.columns) != names:
        raise ValueError(
            f"Preprocessor.fit_stream: the chunk starting at row {start:,} has columns "
            f"{list(frame.columns)}, but the first chunk had {names}. Every chunk must have "
            f"the same columns in the same order."
        )
    return frame


def _set_fitted(prep, summaries, n_rows: int, declared, tokens) -> None:
    names = [s.name for s in summaries]
    for summary in summaries:
        typos = None if summary.name in (declared or ()) else summary.typos()
        if typos is not None:
            raise not_numbers_error(summary.name, typos, in_fit=True, n_cells=summary.n_not_numbers)
    numeric = {s.name: s.numeric and s.name not in (declared or ()) for s in summaries}
    clean = TextCleaner(tokens, keep_text=declared)
    _inputs(clean, names)
    clean.numeric_columns_ = [s.name for s in summaries if numeric[s.name]]
    clean.text_columns_ = [s.name for s in summaries if s.text and not numeric[s.name]]
    clean.identifier_columns_ = {}
    missing = _missing_step(prep, summaries, numeric, n_rows)
    categorical, blocks = _categorical_step(prep, summaries, numeric, missing, declared)
    steps = [("clean", clean), ("missing", missing), ("categorical", categorical)]
    scaler = prep.new_scaler()
    if scaler is not None:
        steps.append(("scale", _fit_scaler(scaler, blocks)))
    for _, step in steps:
        step.set_output(transform="default")
    prep.steps_ = steps
    _inputs(prep, names)
    prep.n_rows_in_ = n_rows
    constant = [s.name for s in summaries if s.constant]
    prep.table_ = {"constant_columns": constant, "duplicate_rows": None}
    prep.stream_counts_ = {s.name: dict(s.counts) for s in summaries if s.counts is not None}


def _inputs(step, names: list[str]) -> None:
    step.n_features_in_ = len(names)
    step.feature_names_in_ = np.asarray(names, dtype=object)


def _missing_step(prep, summaries, numeric, n_rows: int) -> MissingValues:
    step = MissingValues(**prep.missing_params())
    _inputs(step, [s.name for s in summaries])
    step.strategies_ = {s.name: _resolve(prep, s, numeric[s.name]) for s in summaries}
    raised = {s.name: s.missing for s in summaries if step.strategies_[s.name] == "raise"}
    raised = {name: count for name, count in raised.items() if count}
    if raised:
        raise raise_columns_error(raised, n_rows)
    step.fills_ = {
        s.name: _fill(step, s, numeric[s.name])
        for s in summaries
        if step.strategies_[s.name] not in ("raise", "drop")
    }
    step.indicator_columns_ = [
        s.name
        for s in summaries
        if step.add_indicator and s.missing and step.strategies_[s.name] != "drop"
    ]
    step.report_ = {
        s.name: {
            "missing": s.missing,
            "strategy": step.strategies_[s.name],
            "fill": step.fills_.get(s.name),
        }
        for s in summaries
    }
    step.rows_dropped_ = int(n_rows - summaries[0].kept)
    return step


def _resolve(prep, summary: ColumnSummary, numeric: bool) -> str:
    strategy = strategy_of(prep, summary.name)
    if strategy == "auto":
        strategy = "median" if numeric else "most_frequent"
    if strategy == "median":
        raise ConfigError(
            f"Preprocessor.fit_stream cannot learn a median for column {summary.name!r}: a "
            f"median needs every value at once (missing='auto' gives numbers a median). Use "
            f"missing='mean' (or missing_columns={{{summary.name!r}: 'mean'}}) for a streamed "
            f"fit, or fit the Preprocessor in memory on a sample first."
        )
    return strategy


def _fill(step: MissingValues, summary: ColumnSummary, numeric: bool):
    strategy, name = step.strategies_[summary.name], summary.name
    if not numeric and strategy in ("zero", "mean"):
        raise ValueError(
            f"MissingValues cannot use strategy {strategy!r} on text column {name!r}: it is a "
            f"numeric statistic. Give it 'most_frequent' or 'constant'."
        )
    constant = step.constant_for(pd.Series([], name=name, dtype=object))
    if not numeric and strategy == "constant" and isinstance(constant, (int, float)):
        raise ValueError(
            f"MissingValues fill_value for text column {name!r} must be text; got "
            f"{constant!r}. Pass e.g. fill_value={{{name!r}: 'missing'}}."
        )
    if summary.kept == summary.missing_kept and strategy != "constant":
        raise ValueError(
            f"MissingValues cannot learn a {strategy!r} fill for column {name!r}: it has no "
            f"observed value in the {summary.kept} fit rows. Drop the column or use 'constant'."
        )
    if strategy == "previous" and summary.first_missing:
        raise ValueError(
            f"Forward fill ('previous'): column {name!r} is missing in the first training row, "
            f"and forward fill has nothing earlier to carry. Drop those rows or choose another "
            f"strategy."
        )
    value = {
        "zero": lambda: 0,
        "constant": lambda: constant,
        "mean": lambda: summary.moments.mean[0],
        "most_frequent": summary.most_frequent,
        "previous": lambda: summary.last,
    }[strategy]()
    if numeric:
        return float(value)
    return value.item() if isinstance(value, np.generic) else value


def _categorical_step(prep, summaries, numeric, missing, declared):
    """The Categorical step, and the encoded columns as Moments in feature order."""
    columns = "auto" if prep.categorical == "auto" else declared
    step = Categorical(columns, prep.max_categories)
    names = [s.name for s in summaries]
    indicators = [f"{name}_missing" for name in missing.indicator_columns_]
    _inputs(step, [*names, *indicators])
    step.input_columns_ = [*names, *indicators]
    if columns == "auto":
        chosen = [s.name for s in summaries if not numeric[s.name]]
    else:
        chosen = [name for name in names if name in (columns or ())]
    step.categorical_columns_ = chosen
    blocks, report = [], {}
    for s in summaries:
        fill = missing.fills_.get(s.name)
        filled = s.missing_kept if fill is not None and not s.forward_fill else 0
        if s.name in chosen:
            counts = _category_counts(s, fill, filled, prep.max_categories)
            report[s.name] = {"categories": sorted(counts), "detected": columns == "auto"}
            blocks += [_ones(counts[c], s.kept) for c in sorted(counts)]
        elif not numeric[s.name]:
            raise TypeError(
                f"Categorical column {s.name!r} is not numeric and is not declared categorical. "
                f"Declare it (categorical=[..., {s.name!r}]), use categorical='auto', or drop it."
            )
        else:
            moments = s.moments.copy()
            if filled:
                moments.add_constant(np.array([fill]), np.array([filled]))
            blocks.append(moments)
    blocks += [
        _ones(s.missing_kept, s.kept) for s in summaries if s.name in missing.indicator_columns_
    ]
    step.report_ = report
    fitted = Categorical.from_state(step.get_state())  # builds the one-hot encoder
    return fitted, blocks


def _category_counts(summary: ColumnSummary, fill, filled: int, limit) -> dict:
    if summary.counts is None:
        raise ValueError(
            f"Categorical column {summary.name!r} has more than {limit} distinct values: it "
            f"looks like an identifier. Drop it."
        )
    values = dict(summary.counts)
    if filled:
        values[fill] = values.get(fill, 0) + filled
    text = not all(isinstance(v, (Number, np.bool_)) for v in values)
    counts: dict = {}
    for value, count in values.items():
        key = category_key(value, text)
        counts[key] = counts.get(key, 0) + count
    if limit is not None and len(counts) > limit:
        raise ValueError(
            f"Categorical column {summary.name!r} has {len(counts)} distinct values, more than "
            f"max_categories={limit}: it looks like an identifier. Drop it, or raise "
            f"max_categories if each value really is a category."
        )
    return counts


def _ones(count: int, n: int) -> Moments:
    """The moments of a 0/1 column with ``count`` ones in ``n`` rows."""
    moments = Moments(1)
    moments.add_constant(np.array([1.0]), np.array([count]))
    moments.add_constant(np.array([0.0]), np.array([n - count]))
    return moments


def _fit_scaler(scaler, blocks: list[Moments]):
    """The scaler fitted on two rows per column with the columns' moments, then told n."""
    rows = Moments.join(blocks).representative(extremes=isinstance(scaler, MinMaxScaler))
    scaler.set_output(transform="default").fit(rows)
    scaler.n_samples_seen_ = np.int64(blocks[0].count[0]) if blocks else np.int64(0)
    return scaler


__all__ = ["fit_stream", "strategy_of"]
