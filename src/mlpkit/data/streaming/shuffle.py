"""Orders for a stream of rows: none, a shuffle buffer, or the two-pass external shuffle.

Each order turns a stream of *parts* (a tuple of aligned arrays, the first axis the rows:
row numbers, inputs, targets, weights) into another such stream, drawing every random number
from the Generator it is given, so the same seed gives the same rows in the same order.

- :class:`ExternalShuffle` (pass 1) sends each row to one of B = ⌈n / bucket_rows⌉ bucket files
  chosen uniformly at random, then (pass 2) reads the buckets one at a time and permutes each
  in memory. Bucket sizes are multinomial and each bucket's order uniform, so the result is a
  uniform random permutation of all n rows (Rao 1961, Sandelius 1962), with about
  ``bucket_rows`` rows in memory. The bucket files live in a temporary folder (never the data's
  folder) removed when the pass ends, even on an error.
- :class:`ShuffleBuffer` keeps ``rows`` rows; each chunk joins the buffer, the pool is permuted,
  and all but ``rows`` of it leave. A row is displaced by at most about ``rows`` positions, so
  on a sorted file the batches stay nearly as sorted as the file: use it only for a stream that
  cannot be read twice, and let :func:`~mlpkit.data.streaming.quality.check_shuffle` say so.
"""

from __future__ import annotations

import math
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..._checks import check_integer


@dataclass(frozen=True)
class ExternalShuffle:
    """Two-pass external shuffle through bucket files (see the module docstring).

    Pass 1 appends to up to B = ⌈n / bucket_rows⌉ files per chunk read, so keep B in the
    hundreds: for a file of n rows of r bytes and a pass-2 budget of M bytes, bucket_rows ≈
    M / r (a 50 GB file of 132-byte rows with bucket_rows = 1,000,000 makes 380 buckets and
    holds ~130 MB in pass 2).

    Args:
        bucket_rows: the rows one bucket holds on average, the memory of pass 2.
            Defaults to 100,000.
        folder: where the temporary folder of bucket files is made; None is the system's
            temporary folder (``tempfile.gettempdir()``).
    """

    bucket_rows: int = 100_000
    folder: str | None = None

    def __post_init__(self) -> None:
        check_integer("bucket_rows", self.bucket_rows, low=1)

    def apply(self, parts, n_rows: int, rng: np.random.Generator):
        """Yield the rows of the stream ``parts`` (≈ n_rows rows) in a uniform random order."""
        n_buckets = max(1, math.ceil(n_rows / self.bucket_rows))
        with tempfile.TemporaryDirectory(prefix="mlpkit-shuffle-", dir=self.folder) as folder:
            layout = _scatter(parts, Path(folder), n_buckets, rng)
            for bucket in range(n_buckets):
                arrays = _read_bucket(Path(folder), bucket, layout)
                if arrays is not None and len(arrays[0]):
                    order = rng.permutation(len(arrays[0]))
                    yield tuple(a[order] for a in arrays)


def _scatter(parts, folder: Path, n_buckets: int, rng) -> list[tuple] | None:
    """Pass 1: append every row to a random bucket's files; the (dtype, row shape) of each
    array of a part, or None for an empty stream."""
    layout = None
    for part in parts:
        if layout is None:
            layout = [(a.dtype, a.shape[1:]) for a in part]
        bucket = rng.integers(n_buckets, size=len(part[0]))
        order = np.argsort(bucket, kind="stable")
        bounds = np.searchsorted(bucket[order], np.arange(n_buckets + 1))
        for b in np.flatnonzero(np.diff(bounds)):
            rows = order[bounds[b] : bounds[b + 1]]
            for index, array in enumerate(part):
                with open(folder / f"{b}.{index}", "ab") as file:
                    np.ascontiguousarray(array[rows]).tofile(file)
    return layout


def _read_bucket(folder: Path, bucket: int, layout) -> tuple | None:
    if layout is None or not os.path.exists(folder / f"{bucket}.0"):
        return None
    arrays = []
    for index, (dtype, shape) in enumerate(layout):
        values = np.fromfile(folder / f"{bucket}.{index}", dtype=dtype)
        arrays.append(values.reshape(-1, *shape))
    return tuple(arrays)


@dataclass(frozen=True)
class ShuffleBuffer:
    """A shuffle buffer of ``rows`` rows, for a stream that cannot be rewritten.

    Args:
        rows: the rows held back and mixed with each incoming chunk. Defaults to 10,000.
    """

    rows: int = 10_000

    def __post_init__(self) -> None:
        check_integer("rows", self.rows, low=1)

    def apply(self, parts, n_rows: int, rng: np.random.Generator):
        """Yield the stream's rows, each chunk mixed with the buffer (see the module)."""
        buffer = None
        for part in parts:
            pool = part if buffer is None else tuple(map(_join, buffer, part))
            order = rng.permutation(len(pool[0]))
            leave = len(order) - self.rows
            if leave > 0:
                yield tuple(a[order[:leave]] for a in pool)
            buffer = tuple(a[order[max(leave, 0) :]] for a in pool)
        if buffer is not None and len(buffer[0]):
            order = rng.permutation(len(buffer[0]))
            yield tuple(a[order] for a in buffer)


def _join(first: np.ndarray, second: np.ndarray) -> np.ndarray:
    return np.concatenate([first, second])


@dataclass(frozen=True)
class InOrder:
    """The stream's own order (``shuffle=False``)."""

    def apply(self, parts, n_rows: int, rng: np.random.Generator):
        """Yield the parts unchanged."""
        yield from parts


def check_order(shuffle):
    """The order of a stream from fit's ``shuffle``: True is an :class:`ExternalShuffle`,
    False :class:`InOrder`, or an order object itself."""
    if shuffle is True:
        return ExternalShuffle()
    if shuffle is False or shuffle is None:
        return InOrder()
    if callable(getattr(shuffle, "apply", None)):
        return shuffle
    raise TypeError(
        f"shuffle for a streamed fit must be True (external shuffle), False (file order), "
        f"mk.data.ExternalShuffle(...) or mk.data.ShuffleBuffer(...); received {shuffle!r}."
    )


__all__ = ["ExternalShuffle", "InOrder", "ShuffleBuffer", "check_order"]
