"""Showing and recording progress: a progress bar or lines, and a CSV log of every epoch."""

from __future__ import annotations

import csv
import os
import sys
import time

from ..persistence.atomic import write_atomically
from .callbacks import Callback, format_value


class CSVLogger(Callback):
    """Write one CSV row per epoch: ``epoch`` (counted from 1) and every log value.

    The columns are fixed by the first epoch's logs; a later missing value is left empty and a
    key that appears later is not written. Each row is flushed, so the file can be watched
    while training runs.

    A file already at ``path`` when the fit begins is never replaced unasked: it is a
    FileExistsError unless ``append=True`` (add this fit's rows) or ``overwrite=True``
    (replace it). A resumed fit (``fit(resume=...)``) appends to the log its interrupted run
    wrote, after removing the rows at its end that run wrote past its last checkpoint (and a
    row the interruption cut short): the resumed fit runs those epochs again, so the log holds
    each epoch once. A missing folder is created, as ModelCheckpoint does.

    Args:
        path: the file to write.
        append: add rows to an existing file, writing the header only if it is empty or new.
        separator: the field delimiter.
        overwrite: replace a file that is already there (Keras's default, asked for here).
    """

    def __init__(
        self,
        path: str | os.PathLike,
        append: bool = False,
        separator: str = ",",
        overwrite: bool = False,
    ) -> None:
        self.path, self.append, self.separator = os.fspath(path), append, separator
        self.overwrite = bool(overwrite)
        self._file = self._writer = None

    def on_train_begin(self, logs=None):
        resumed = bool(self.params.get("resumed"))
        append = self.append or resumed
        exists = os.path.exists(self.path)
        if exists and not (append or self.overwrite):
            raise FileExistsError(
                f"CSVLogger would replace {self.path!r}, which was there before this fit. "
                f"Pass append=True to add this fit's rows to it, overwrite=True to replace it, "
                f"or another path."
            )
        if exists and resumed:
            self._drop_rows_after(self.params.get("resumed_at", 0))
        self._has_header = append and exists and os.path.getsize(self.path) > 0
        os.makedirs(os.path.dirname(self.path) or ".", exist_ok=True)
        self._file = open(self.path, "a" if append else "w", newline="", encoding="utf-8")
        self._writer = None

    def _drop_rows_after(self, epochs: int) -> None:
        """Remove the trailing rows of epochs past ``epochs`` (the epochs the checkpoint holds,
        so a row's ``epoch`` column, counted from 1, is > ``epochs``) and a last row cut short;
        the rows before them, and the header, stay as they are."""
        with open(self.path, newline="", encoding="utf-8") as stream:
            lines = stream.read().splitlines(keepends=True)
        kept = len(lines)
        while kept and (
            not lines[kept - 1].endswith("\n")
            or _row_epoch(lines[kept - 1], self.separator) > epochs
        ):
            kept -= 1
        if kept < len(lines):
            text = "".join(lines[:kept]).encode("utf-8")
            write_atomically(self.path, lambda stream: stream.write(text))

    def on_epoch_end(self, epoch, logs=None):
        row = {"epoch": epoch + 1, **{k: float(v) for k, v in (logs or {}).items()}}
        if self._writer is None:
            self._writer = csv.DictWriter(
                self._file,
                fieldnames=list(row),
                restval="",
                extrasaction="ignore",
                delimiter=self.separator,
            )
            if not self._has_header:
                self._writer.writeheader()
        self._writer.writerow(row)
        self._file.flush()

    def on_train_end(self, logs=None):
        if self._file is not None:
            self._file.close()
            self._file = self._writer = None


def _row_epoch(line: str, separator: str) -> int:
    """The ``epoch`` column of a CSV row; -1 for a line that is not a row (the header)."""
    try:
        return int(line.split(separator, 1)[0])
    except ValueError:
        return -1


class ProgressLogger(Callback):
    """Show training progress: a bar on a terminal, one line per epoch elsewhere.

    On an interactive terminal (``sys.stdout.isatty()`` and no ``CI`` environment variable) a
    tqdm bar runs over each epoch's batches with the running mean loss beside it. Otherwise,
    or if tqdm is not installed, each epoch prints one line:
    ``Epoch 3/20 - loss: 0.1234 - val_loss: 0.2000 - 0.40s``: every log value except the
    diagnostics (``lr``, ``time``, ``grad_norm*``), values below 1e-3 in scientific notation,
    and the epoch's time (``logs["time"]`` if the trainer gives it). ``verbose=0`` prints
    nothing and costs nothing per batch.
    """

    #: Log keys left out of the progress display.
    hidden = frozenset({"lr", "time", "grad_norm", "grad_norm_max", "grad_norm_min"})

    def __init__(self, verbose: int = 1) -> None:
        self.verbose = verbose
        self._bar, self._use_bar, self._last = None, False, None
        self._start = time.perf_counter()

    @property
    def wants_batches(self) -> bool:
        return self._use_bar

    def on_train_begin(self, logs=None):
        self._use_bar = bool(self.verbose) and _interactive() and _tqdm() is not None
        self._last = self.params.get("epochs")

    def on_epoch_begin(self, epoch, logs=None):
        self._start = time.perf_counter()
        if self._use_bar:
            self._bar = _tqdm()(
                total=self.params.get("steps"),
                desc=self._title(epoch),
                file=sys.stdout,
                leave=True,
                dynamic_ncols=True,
            )
            self._total, self._count = 0.0, 0

    def on_batch_end(self, batch, logs=None):
        if self._bar is None:
            return
        self._total += (logs or {}).get("loss", 0.0)
        self._count += 1
        self._bar.set_postfix_str(f"loss: {self._total / self._count:.4f}", refresh=False)
        self._bar.update(1)

    def on_epoch_end(self, epoch, logs=None):
        if not self.verbose:
            return
        logs = logs or {}
        values = " - ".join(
            f"{k}: {format_value(v)}"
            for k, v in logs.items()
            if k not in self.hidden and not k.startswith("grad_norm/")
        )
        if self._bar is not None:
            self._bar.set_postfix_str(values, refresh=True)
            self._bar.close()
            self._bar = None
        else:
            seconds = logs.get("time", time.perf_counter() - self._start)
            print(f"{self._title(epoch)} - {values} - {seconds:.2f}s", file=sys.stdout, flush=True)

    def on_train_end(self, logs=None):
        if self._bar is not None:  # training stopped mid-epoch
            self._bar.close()
            self._bar = None

    def _title(self, epoch: int) -> str:
        return f"Epoch {epoch + 1}" + ("" if self._last is None else f"/{self._last}")


def _interactive() -> bool:
    ci = os.environ.get("CI", "").strip().lower()
    isatty = getattr(sys.stdout, "isatty", None)
    return bool(isatty and isatty()) and ci in ("", "0", "false")


def _tqdm():
    try:
        from tqdm import tqdm
    except ImportError:
        return None
    return tqdm


__all__ = ["ProgressLogger", "CSVLogger"]
