"""Streamed data for a fit: a :class:`~mlpkit.data.FileSource` turned into the network's
batches chunk by chunk, with the in-memory path's steps in the same order (see
:mod:`mlpkit.training.preparation`):

1. the **holdout** (:class:`~mlpkit.data.Holdout`) gives every row its part (train,
   validation, test) from its id or position and a seed, before anything is learned;
2. one **survey pass** over the training rows fits the preprocessor (if not fitted;
   :meth:`~mlpkit.data.Preprocessor.fit_stream`), counts the rows and summarises the target
   (its labels, or its moments for a target scaler) — over the rows a fitted preprocessor
   keeps, but, when the preprocessor is fitted in this same pass, over the training rows
   before a "drop" strategy removes any (the in-memory fit summarises the kept rows);
3. the network is built, the source's feature columns recorded as a DataFrame's would be
   (:meth:`~mlpkit.Sequential.learn_input_columns`, so predict refuses a table whose
   columns differ), and its target learned from that summary;
4. every epoch then reads the file again: each chunk goes through the preprocessor, the
   target and the loss's checks exactly as an in-memory table would, is put in the fit's order
   (:mod:`mlpkit.data.streaming.shuffle`) and cut into batches of ``batch_size`` rows.

Memory is bounded by a chunk, the order's buffer and a batch, not by the file.
"""

from __future__ import annotations

import os

import numpy as np

from ..data.streaming.holdout import PARTS, TRAIN, Holdout
from ..data.streaming.moments import Moments
from ..data.streaming.shuffle import check_order
from ..data.streaming.source import FileSource
from ..exceptions import ConfigError
from . import preparation


def is_stream(X) -> bool:
    """Whether fit's X is a file to stream: a FileSource, a path string or a PathLike."""
    return isinstance(X, (FileSource, str, os.PathLike))


def as_source(X, y) -> FileSource:
    """The FileSource of fit(X, y): X itself (y None), or X a path and y its target column."""
    if isinstance(X, FileSource):
        if y is not None:
            raise ConfigError(
                f"fit(source, y): a FileSource names its own target ({X.target}); pass y=None."
            )
        return X
    if y is None:
        raise ConfigError(
            f"fit({os.fspath(X)!r}, y): with a file path, y is the name of the target column, "
            f'e.g. fit("data.parquet", "label").'
        )
    return FileSource(X, target=y)


class StreamedData:
    """The rows of one part of a source, prepared for a network chunk by chunk.

    Args:
        net, loss: the network (built, its target learned) and its loss.
        source: the :class:`~mlpkit.data.FileSource`.
        holdout: the :class:`~mlpkit.data.Holdout`, or None (every row trains).
        part: "train", "validation" or "test".
        n_rows: the part's rows (after rows the preprocessor drops).
    """

    def __init__(self, net, loss, source, holdout, part: str, n_rows: int) -> None:
        self.net, self.loss, self.source = net, loss, source
        self.holdout, self.part, self.n_rows = holdout, PARTS[part], int(n_rows)

    def datasets(self):
        """Yield ``(positions, Dataset)`` for each chunk of the part."""
        for positions, frame in raw_chunks(self.source, self.holdout, self.part):
            inputs, kept = preparation.transform_inputs(
                self.net, _features(self.source, frame, self.net.preprocessor)
            )
            y = _target(self.source, frame)
            if kept is not None:
                positions, y = positions[kept], y[kept]
            if len(positions):
                data = preparation.encoded_dataset(self.net, inputs, y, self.loss, ("X", "y"))
                yield positions, data

    def parts(self):
        """Yield ``(positions, X, y)`` for each chunk of the part."""
        for positions, data in self.datasets():
            yield positions, data.X, data.y

    def batches(self, batch: int, shuffle, rng: np.random.Generator):
        """Yield the epoch's ``(positions, X, y, None)`` batches of ``batch`` rows (the last
        may be smaller), in the order ``shuffle`` gives (see ``check_order``)."""
        order = check_order(shuffle)
        for positions, X, y in rebatch(order.apply(self.parts(), self.n_rows, rng), batch):
            yield positions, X, y, None

    def score(self, net, loss, metrics) -> dict[str, float]:
        """The loss (mean over the rows) and the metrics of the part, chunk by chunk; the
        metrics read the outputs and targets gathered over the part, (n, n_outputs) each."""
        logits = loss.logits_activation is not None
        total, n, outputs, targets = 0.0, 0, [], []
        for _, data in self.datasets():
            z = net.forward(data.X, training=False, logits=logits)
            total += loss.value(z, data.y) * len(z)
            n += len(z)
            if metrics:
                outputs.append(net.output_activation.forward(z) if logits else z.copy())
                targets.append(data.metric_targets)
        scores = {"loss": total / max(n, 1)}
        if metrics and n:
            found = net.metric_scores(np.concatenate(outputs), np.concatenate(targets), metrics)
            scores.update(found)
        return scores


def raw_chunks(source: FileSource, holdout: Holdout | None, part: int):
    """Yield ``(positions, frame)``: the source's chunks restricted to the rows of ``part``."""
    start = 0
    id_column = None if holdout is None else (holdout.row_id or source.row_id)
    columns = source.read_columns
    if id_column is not None and id_column not in columns:
        columns = [*columns, id_column]
    n_rows = source.n_rows if holdout is not None and holdout.by == "time" else None
    for frame in source.chunks(columns):
        positions = np.arange(start, start + len(frame))
        start += len(frame)
        if holdout is not None:
            ids = None if id_column is None else frame[id_column].to_numpy()
            keep = holdout.parts(positions, n_rows=n_rows, ids=ids) == part
            if not keep.all():
                frame, positions = frame.iloc[np.flatnonzero(keep)], positions[keep]
        elif part != PARTS["train"]:
            return
        if len(frame):
            yield positions, frame


def feature_chunks(source: FileSource, holdout: Holdout | None = None, part: int = TRAIN):
    """Yield ``(features, target)`` for each chunk of ``part`` (default: the training rows):
    the chunk's feature columns as a frame and its target as an array, (m,) or (m, k)."""
    for _, frame in raw_chunks(source, holdout, part):
        yield frame[source.columns], _target(source, frame)


def rebatch(stream, batch: int):
    """Cut a stream of aligned-array tuples into tuples of exactly ``batch`` rows (the last
    may be smaller); rows are copied only where a batch spans two chunks."""
    pending = None
    for part in stream:
        n, start = len(part[0]), 0
        if pending is not None:
            need = batch - len(pending[0])
            pending = tuple(np.concatenate([a, b[:need]]) for a, b in zip(pending, part))
            start = min(need, n)
            if len(pending[0]) < batch:
                continue
            yield pending
            pending = None
        end = start + (n - start) // batch * batch
        for first in range(start, end, batch):
            yield tuple(a[first : first + batch] for a in part)
        if end < n:
            pending = tuple(a[end:] for a in part)
    if pending is not None:
        yield pending


def _features(source: FileSource, frame, prep):
    """The chunk's feature columns: a frame for a preprocessor, else an array."""
    features = frame[source.columns]
    return features if prep is not None else features.to_numpy()


def _target(source: FileSource, frame) -> np.ndarray:
    if not source.target:
        raise ConfigError(f"{source!r} has no target column; pass target= to train on it.")
    if len(source.target) == 1:
        return frame[source.target[0]].to_numpy()
    return frame[source.target].to_numpy()


class TargetSummary:
    """What a network's target learns from, gathered chunk by chunk: the distinct labels (a
    classification) or the moments of each column (a regression)."""

    def __init__(self, regression: bool) -> None:
        self.regression, self.labels, self.moments = regression, None, None

    def add(self, y: np.ndarray) -> None:
        """Fold in a chunk of targets, (n,) or (n, k)."""
        if self.regression:
            values = np.asarray(y, dtype=np.float64).reshape(len(y), -1)
            self.moments = self.moments or Moments(values.shape[1])
            self.moments.add(values)
            return
        axis = 0 if np.ndim(y) == 2 else None
        found = np.unique(y, axis=axis)
        self.labels = (
            found
            if self.labels is None
            else np.unique(np.concatenate([self.labels, found]), axis=axis)
        )

    def representative(self, scaler: str | None) -> np.ndarray:
        """Targets a Target learns the same thing from: the distinct labels, or per column
        two values μ ± σ (mean μ, variance σ²) — for "minmax", the column's min and max."""
        if not self.regression:
            return self.labels
        return self.moments.representative(extremes=scaler == "minmax")


def survey(net, loss, source: FileSource, holdout, classes=None) -> int:
    """The survey pass (step 2 of the module): fit the preprocessor if it is not fitted, build
    the network, learn its target; the number of training rows the epochs will see."""
    summary = TargetSummary(regression=loss.logits_activation is None)
    prep = net.preprocessor
    fitting = prep is not None and not preparation.is_fitted(prep)
    counts = {"rows": 0, "kept": 0}

    def frames():
        for _, frame in raw_chunks(source, holdout, PARTS["train"]):
            features = _features(source, frame, prep)
            y = _target(source, frame)
            if prep is not None and not fitting:
                y = y[prep.row_mask(features)]
            summary.add(y)
            counts["rows"] += len(frame)
            counts["kept"] += len(y)
            yield features

    if fitting:
        prep.fit_stream(frames())
        counts["kept"] = counts["rows"] - dict(prep.steps_)["missing"].rows_dropped_
    else:
        for _ in frames():
            pass
    if not counts["rows"]:
        raise ConfigError(f"{source!r} has no training rows (after the holdout).")
    if not net.built:
        width = len(source.columns) if prep is None else len(prep.get_feature_names_out())
        net.build(width)
    if net.target is None:  # the first fit
        net.learn_input_columns(source)
        net.learn_target(summary.representative(_scaler(net)), loss, classes)
    else:
        net.check_input_columns(
            source,
            name="The FileSource",
            fix="List them in fit's order: FileSource(..., columns=net.feature_names).",
        )
    return counts["kept"]


def _scaler(net) -> str | None:
    scaler = net.target_scaler
    if scaler == "auto":
        return "standard" if net.preprocessor is not None else None
    return scaler


def prepare_stream(
    net, loss, source: FileSource, *, validation_data=None, validation_split=0.0, classes=None
):
    """The training and validation parts of a streamed fit (see the module's steps).

    ``validation_split`` is a fraction (held out by position, seeded by the network's split
    seed) or a :class:`~mlpkit.data.Holdout`; ``validation_data`` an in-memory pair or another
    FileSource."""
    if validation_split and validation_data is not None:
        raise ConfigError("Pass validation_data or validation_split, not both.")
    holdout = validation_split if isinstance(validation_split, Holdout) else None
    if holdout is None and validation_split:
        seed = int(net.split_seed) % 2**32
        holdout = Holdout(validation=float(validation_split), random_state=seed)
    n_train = survey(net, loss, source, holdout, classes)
    train = StreamedData(net, loss, source, holdout, "train", n_train)
    validation = None
    if holdout is not None and holdout.validation > 0:
        validation = StreamedData(net, loss, source, holdout, "validation", 0)
    elif isinstance(validation_data, FileSource):
        validation = StreamedData(net, loss, validation_data, None, "train", 0)
    elif validation_data is not None:
        validation = preparation.dataset(net, *validation_data, loss, names=("X_val", "y_val"))
    return train, validation


__all__ = ["StreamedData", "TargetSummary", "as_source", "is_stream", "prepare_stream", "rebatch"]
