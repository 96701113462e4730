"""Callbacks: code that runs at fixed points of training, and the History every fit returns.

The protocol: a :class:`Callback` may override any of

    set_params(params)        before on_train_begin: {"first_epoch": index of this fit's
                              first epoch, "epochs": the epoch count it ends at (first_epoch
                              + epochs asked for), "steps": batches per epoch}
    on_train_begin(logs)      once, before the first epoch (reset per-fit state here)
    on_epoch_begin(epoch)     epoch is the network's epoch index, from 0, continuing across fits
    on_batch_begin(batch)     batch counts from 0 within the epoch
    on_batch_end(batch, logs) logs = {"loss": the batch loss, "grad_norm": its gradient norm}
    on_epoch_end(epoch, logs) logs = {"loss": ..., "val_loss": ..., "lr": ..., ...} for the epoch
    on_train_end(logs)

and reads the network through ``self.model``. To stop training, a callback sets
``self.model.stop_training = True`` and may set ``self.model.stop_reason`` to say why.
Batch hooks are only called for callbacks whose :attr:`Callback.wants_batches` is true (by
default: those that override a batch hook), so they cost nothing otherwise.

Built in here: :class:`History`, :class:`TerminateOnNaN`, :class:`CSVLogger`,
:class:`ModelCheckpoint`, :class:`ReduceLROnPlateau`, :class:`ProgressLogger`; the stopping
rules and :class:`~mlpkit.training.stopping.EarlyStopping` live in ``stopping.py``.
"""

from __future__ import annotations

import csv
import math
import os
import sys
import time
import warnings
from collections.abc import Iterable, Mapping
from types import MappingProxyType
from typing import Any

from ..exceptions import ConfigError

Logs = Mapping[str, float]


class Callback:
    """Base class: every hook does nothing."""

    model: Any = None
    params: Mapping[str, Any] = MappingProxyType({})

    def set_model(self, model: Any) -> None:
        self.model = model

    def set_params(self, params: Mapping[str, Any]) -> None:
        """Receive the fit's settings: ``first_epoch``, ``epochs``, ``steps`` (per epoch)."""
        self.params = dict(params)

    @property
    def wants_batches(self) -> bool:
        """Whether the batch hooks must be called: by default, if this class overrides one."""
        cls = type(self)
        return (cls.on_batch_begin is not Callback.on_batch_begin
                or cls.on_batch_end is not Callback.on_batch_end)

    def on_train_begin(self, logs=None): ...
    def on_train_end(self, logs=None): ...
    def on_epoch_begin(self, epoch, logs=None): ...
    def on_epoch_end(self, epoch, logs=None): ...
    def on_batch_begin(self, batch, logs=None): ...
    def on_batch_end(self, batch, logs=None): ...


class History(Callback):
    """What a fit returns: ``history[name]`` is a list with one value per completed epoch.

    Attributes:
        history: ``{"loss": [...], "val_loss": [...], ...}``; ``loss`` is the mean of the batch
            losses of each epoch.
        epoch: the indices of the completed epochs (they continue across fit calls).
        stop_reason: why training ended, in words ("max epochs (10) reached", or the rule that
            fired, or the divergence message).
    """

    def __init__(self) -> None:
        self.history: dict[str, list[float]] = {}
        self.epoch: list[int] = []
        self.stop_reason: str | None = None

    def on_epoch_end(self, epoch, logs=None):
        self.epoch.append(epoch)
        for key, value in (logs or {}).items():
            self.history.setdefault(key, []).append(value)

    def __repr__(self) -> str:
        return (f"History(epochs={len(self.epoch)}, keys={list(self.history)}, "
                f"stop_reason={self.stop_reason!r})")


def _wants_batches(callback: Any) -> bool:
    wants = getattr(callback, "wants_batches", None)
    return True if wants is None else bool(wants)


class CallbackList:
    """Calls a hook on every callback in order; batch hooks only on those that want them.

    Which callbacks want batch hooks is decided again after ``on_train_begin``, so a callback
    may switch its batch hooks off for a fit (a progress bar that is not shown does).
    """

    def __init__(self, callbacks: Iterable[Any], model: Any) -> None:
        self.callbacks = list(callbacks)
        for callback in self.callbacks:
            callback.set_model(model)
        self._batch_callbacks = [c for c in self.callbacks if _wants_batches(c)]

    @property
    def wants_batches(self) -> bool:
        return bool(self._batch_callbacks)

    def set_params(self, params: Mapping[str, Any]) -> None:
        for c in self.callbacks:
            if hasattr(c, "set_params"):
                c.set_params(params)

    def on_train_begin(self, logs=None):
        for c in self.callbacks:
            c.on_train_begin(logs)
        self._batch_callbacks = [c for c in self.callbacks if _wants_batches(c)]

    def on_train_end(self, logs=None):
        for c in self.callbacks:
            c.on_train_end(logs)

    def on_epoch_begin(self, epoch, logs=None):
        for c in self.callbacks:
            c.on_epoch_begin(epoch, logs)

    def on_epoch_end(self, epoch, logs=None):
        for c in self.callbacks:
            c.on_epoch_end(epoch, logs)

    def on_batch_begin(self, batch, logs=None):
        for c in self._batch_callbacks:
            c.on_batch_begin(batch, logs)

    def on_batch_end(self, batch, logs=None):
        for c in self._batch_callbacks:
            c.on_batch_end(batch, logs)


# -- argument checks shared with stopping.py ------------------------------------------------------
def _check_int(owner: str, name: str, value: Any, *, low: int = 0) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < low:
        raise ConfigError(f"{owner} {name} must be an integer >= {low}, got {name}={value!r}.")
    return value


def _check_number(owner: str, name: str, value: Any, *, positive: bool = False) -> float:
    ok = isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
    if not ok or value < 0 or (positive and value == 0):
        kind = "positive" if positive else "non-negative"
        raise ConfigError(f"{owner} {name} must be a finite {kind} number, got {name}={value!r}.")
    return float(value)


def _format_value(value: float) -> str:
    """Four decimals, as in the epoch lines; scientific for tiny magnitudes such as an lr."""
    return f"{value:.2e}" if 0 < abs(value) < 1e-3 else f"{value:.4f}"


# -- monitoring a log key -------------------------------------------------------------------------
class Monitor:
    """Track the best value of one log key: the improvement test every monitoring tool shares.

    Args:
        owner: who monitors, for messages (e.g. ``"EarlyStopping"``).
        monitor: the log key, e.g. ``"val_loss"``.
        mode: ``"min"``, ``"max"``, or ``"auto"``: max for names containing ``"acc"`` or
            ``"auc"``, min otherwise (losses and errors).
        min_delta: the least change that counts as an improvement: ``value < best - min_delta``
            in min mode, ``value > best + min_delta`` in max mode. NaN never improves.

    A key missing from the logs warns once per fit (listing the keys there are) and reads as
    None; it never raises, so a misspelt name cannot crash a long run.
    """

    def __init__(self, owner: str, monitor: str, mode: str = "auto",
                 min_delta: float = 0.0) -> None:
        if not isinstance(monitor, str) or not monitor:
            raise ConfigError(f"{owner} monitor must be a log key such as 'val_loss', got "
                              f"monitor={monitor!r}.")
        if mode not in ("auto", "min", "max"):
            raise ConfigError(f"{owner} mode must be 'auto', 'min' or 'max', got mode={mode!r}.")
        self.owner, self.monitor = owner, monitor
        self.min_delta = _check_number(owner, "min_delta", min_delta)
        if mode == "auto":
            mode = "max" if any(s in monitor.lower() for s in ("acc", "auc")) else "min"
        self.mode = mode
        self.reset()

    def reset(self) -> None:
        """Forget the best value (call at train begin)."""
        self.best = math.inf if self.mode == "min" else -math.inf
        self.best_epoch: int | None = None
        self._warned = False

    def read(self, logs: Logs | None) -> float | None:
        """The monitored value in ``logs``, or None (with one warning per fit) if absent."""
        if logs and self.monitor in logs:
            return float(logs[self.monitor])
        if not self._warned:
            self._warned = True
            warnings.warn(
                f"{self.owner} monitor {self.monitor!r} is not in the logs, so it is skipped. "
                f"Available keys: {', '.join(logs or ()) or '(none)'}. Pass one of them as "
                f"monitor=, or validation_data= to fit for 'val_*' keys.", stacklevel=3)
        return None

    def is_improvement(self, value: float) -> bool:
        if self.mode == "min":
            return value < self.best - self.min_delta
        return value > self.best + self.min_delta

    def update(self, epoch: int, value: float) -> bool:
        """Record ``value`` as the best if it improves on it; return whether it did."""
        if not self.is_improvement(value):
            return False
        self.best, self.best_epoch = value, epoch
        return True


class MonitorCallback(Callback):
    """Base for callbacks that act on the improvement of one log key (see :class:`Monitor`).

    Attributes:
        tracker: the :class:`Monitor`; ``tracker.best`` / ``tracker.best_epoch`` are the best
            value and its epoch index in the current fit.
    """

    def __init__(self, monitor: str = "val_loss", mode: str = "auto",
                 min_delta: float = 0.0) -> None:
        self.tracker = Monitor(type(self).__name__, monitor, mode, min_delta)
        self.monitor, self.mode, self.min_delta = monitor, self.tracker.mode, min_delta

    @property
    def best(self) -> float:
        return self.tracker.best

    def on_train_begin(self, logs=None):
        self.tracker.reset()


class TerminateOnNaN(Callback):
    """Stop as soon as a batch loss, or an epoch's loss or val_loss, is NaN or infinite.

    The trainer stops on a non-finite batch loss by itself (reason ``"diverged: ..."``); this
    callback makes the rule explicit and also covers a non-finite ``val_loss``. Reason:
    ``"terminated on NaN: loss = nan at epoch 3, batch 7"`` (no batch for epoch values).
    """

    def on_train_begin(self, logs=None):
        self._epoch = self.params.get("first_epoch", 0)

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch = epoch

    def on_batch_end(self, batch, logs=None):
        value = (logs or {}).get("loss")
        if value is not None and not math.isfinite(value):
            self._stop(f"loss = {value} at epoch {self._epoch + 1}, batch {batch + 1}")

    def on_epoch_end(self, epoch, logs=None):
        for key in ("loss", "val_loss"):
            value = (logs or {}).get(key)
            if value is not None and not math.isfinite(value):
                self._stop(f"{key} = {value} at epoch {epoch + 1}")
                return

    def _stop(self, what: str) -> None:
        self.model.stop_training = True
        self.model.stop_reason = f"terminated on NaN: {what}"


class CSVLogger(Callback):
    """Write one CSV row per epoch: ``epoch`` (counted from 1) and every log value.

    The columns are fixed by the first epoch's logs; a later missing value is left empty and a
    key that appears later is not written. Each row is flushed, so the file can be watched
    while training runs.

    Args:
        path: the file to write.
        append: False (default, as in keras) truncates an existing file at train begin; True
            adds rows to it, and writes the header only if the file is empty or new.
        separator: the field delimiter.
    """

    def __init__(self, path: str | os.PathLike, append: bool = False,
                 separator: str = ",") -> None:
        self.path, self.append, self.separator = os.fspath(path), append, separator
        self._file = self._writer = None

    def on_train_begin(self, logs=None):
        mode = "a" if self.append else "w"
        self._has_header = (self.append and os.path.exists(self.path)
                            and os.path.getsize(self.path) > 0)
        self._file = open(self.path, mode, newline="", encoding="utf-8")
        self._writer = None

    def on_epoch_end(self, epoch, logs=None):
        row = {"epoch": epoch + 1, **{k: float(v) for k, v in (logs or {}).items()}}
        if self._writer is None:
            self._writer = csv.DictWriter(self._file, fieldnames=list(row), restval="",
                                          extrasaction="ignore", delimiter=self.separator)
            if not self._has_header:
                self._writer.writeheader()
        self._writer.writerow(row)
        self._file.flush()

    def on_train_end(self, logs=None):
        if self._file is not None:
            self._file.close()
            self._file = self._writer = None


class ModelCheckpoint(MonitorCallback):
    """Save the network after every epoch, or only when ``monitor`` improves.

    Saving goes through ``model.save(path)``, which writes atomically (a temporary file renamed
    over the target), so an interrupted run never leaves a half-written checkpoint.

    Args:
        path: the file name; it may hold ``{epoch}`` (counted from 1) and any log key with a
            format spec, e.g. ``"ckpt/{epoch:03d}-{val_loss:.4f}.mlpk"``. Missing parent
            directories are created.
        monitor, mode: what ``save_best_only`` compares (see :class:`Monitor`).
        save_best_only: save only in epochs where ``monitor`` reaches a new best.

    Attributes:
        saved: the paths written in the current fit, in order.
    """

    def __init__(self, path: str | os.PathLike, monitor: str = "val_loss",
                 save_best_only: bool = False, mode: str = "auto") -> None:
        super().__init__(monitor, mode)
        self.path, self.save_best_only = os.fspath(path), save_best_only
        self.saved: list[str] = []

    def on_train_begin(self, logs=None):
        super().on_train_begin(logs)
        if not callable(getattr(self.model, "save", None)):
            raise TypeError(f"ModelCheckpoint needs a model with a save(path) method; "
                            f"{type(self.model).__name__} has none.")
        self.saved = []

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        if self.save_best_only:
            value = self.tracker.read(logs)
            if value is None or not self.tracker.update(epoch, value):
                return
        try:
            path = self.path.format(epoch=epoch + 1, **logs)
        except (KeyError, IndexError, ValueError) as error:
            raise ConfigError(
                f"ModelCheckpoint path {self.path!r} cannot be filled from the logs ({error}). "
                f"Available fields: epoch, {', '.join(logs)}.") from None
        os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
        self.model.save(path)
        self.saved.append(path)


class ReduceLROnPlateau(MonitorCallback):
    """Multiply the learning rate by ``factor`` when ``monitor`` stops improving.

    An epoch is *bad* if ``monitor`` does not improve on its best by more than ``min_delta``.
    After ``patience + 1`` bad epochs in a row (PyTorch's and scikit-learn's count: patience is
    the number of bad epochs tolerated) the rate becomes ``max(lr * factor, min_lr)``; then
    ``cooldown`` epochs pass before bad epochs are counted again.

    The rate is changed through ``model.optimizer.lr_factor``, a multiplier (1.0 at start) that
    the optimizer applies to its learning rate or schedule; the factor is clamped so that the
    rate at the time of a reduction never falls below ``min_lr``. The factor is not reset
    between fits, so a later fit continues at the reduced rate.

    Attributes:
        reductions: ``(epoch index, new learning rate)`` for each reduction in this fit.
    """

    def __init__(self, monitor: str = "val_loss", factor: float = 0.1, patience: int = 10,
                 min_delta: float = 1e-4, cooldown: int = 0, min_lr: float = 0.0,
                 mode: str = "auto") -> None:
        super().__init__(monitor, mode, min_delta)
        owner = "ReduceLROnPlateau"
        if not (isinstance(factor, (int, float)) and not isinstance(factor, bool)
                and 0 < factor < 1):
            raise ConfigError(f"{owner} factor must be in (0, 1), got factor={factor!r}.")
        self.factor = float(factor)
        self.patience = _check_int(owner, "patience", patience)
        self.cooldown = _check_int(owner, "cooldown", cooldown)
        self.min_lr = _check_number(owner, "min_lr", min_lr)
        self.reductions: list[tuple[int, float]] = []

    def on_train_begin(self, logs=None):
        super().on_train_begin(logs)
        self.wait = self.cooldown_counter = 0
        self.reductions = []
        optimizer = getattr(self.model, "optimizer", None)
        if optimizer is None or not hasattr(optimizer, "lr_factor"):
            warnings.warn(f"ReduceLROnPlateau has no effect: the optimizer "
                          f"{type(optimizer).__name__} has no lr_factor.", stacklevel=2)

    def on_epoch_end(self, epoch, logs=None):
        value = self.tracker.read(logs)
        if value is None:
            return
        self.wait = 0 if self.tracker.update(epoch, value) else self.wait + 1
        if self.cooldown_counter > 0:
            self.cooldown_counter -= 1
            self.wait = 0
        if self.wait > self.patience:
            self._reduce(epoch)
            self.cooldown_counter, self.wait = self.cooldown, 0

    def _reduce(self, epoch: int) -> None:
        optimizer = self.model.optimizer
        if not hasattr(optimizer, "lr_factor"):
            return
        lr = optimizer.current_learning_rate()
        new_lr = max(lr * self.factor, self.min_lr)
        if lr > 0 and new_lr < lr * (1 - 1e-9):
            optimizer.lr_factor *= new_lr / lr
            self.reductions.append((epoch, new_lr))


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
            self._bar = _tqdm()(total=self.params.get("steps"), desc=self._title(epoch),
                                file=sys.stdout, leave=True, dynamic_ncols=True)
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
        values = " - ".join(f"{k}: {_format_value(v)}" for k, v in logs.items()
                            if k not in self.hidden)
        if self._bar is not None:
            self._bar.set_postfix_str(values, refresh=True)
            self._bar.close()
            self._bar = None
        else:
            seconds = logs.get("time", time.perf_counter() - self._start)
            print(f"{self._title(epoch)} - {values} - {seconds:.2f}s", file=sys.stdout,
                  flush=True)

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


__all__ = [
    "Callback", "CallbackList", "History", "Monitor", "MonitorCallback", "TerminateOnNaN",
    "CSVLogger", "ModelCheckpoint", "ReduceLROnPlateau", "ProgressLogger",
]
