"""Data larger than memory: a file read in chunks, orders that shuffle it, and their check.

- :class:`FileSource`: a Parquet/CSV file or folder through ``pyarrow.dataset`` (selected
  columns, row groups, bounded read-ahead), for ``Sequential.fit`` and ``mlpkit train``;
- :class:`Holdout`: validation/test rows set apart by a seeded rule (row-id hash, position,
  time order) before anything is learned;
- orders: :class:`ExternalShuffle` (two passes through temporary bucket files: a uniform
  permutation), :class:`ShuffleBuffer` (for a stream that cannot be rewritten);
- :func:`check_shuffle`: warns (:class:`ShuffleWarning`) when rows arrive ordered;
- :class:`Moments`: running mean/variance/min/max, merged chunk by chunk.
"""

from .holdout import Holdout
from .moments import Moments
from .quality import ShuffleReport, ShuffleWarning, batch_balance, check_shuffle
from .shuffle import ExternalShuffle, ShuffleBuffer
from .source import FileSource, StreamError

__all__ = [
    "ExternalShuffle",
    "FileSource",
    "Holdout",
    "Moments",
    "ShuffleBuffer",
    "ShuffleReport",
    "ShuffleWarning",
    "StreamError",
    "batch_balance",
    "check_shuffle",
]
