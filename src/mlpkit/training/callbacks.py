"""Callbacks: code that runs at fixed points of training, and the History every fit returns.

The protocol: a :class:`Callback` may override any of

    set_data(X, y)            before set_params: the rows this fit trains on (the network's
                              inputs and targets, after any validation split; both None
                              when the data is streamed from a file)
    set_params(params)        before on_train_begin: {"first_epoch": index of this fit's
                              first epoch, "epochs": the epoch count it ends at (first_epoch
                              + epochs asked for), "steps": batches per epoch,
                              "resumed": whether it resumes a checkpoint,
                              "resumed_at": the epochs the checkpoint holds, or None}
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

Here: the protocol, :class:`History`, and :class:`Monitor` / :class:`MonitorCallback` (watching
one logged quantity for improvement). The built-in callbacks live beside it: ``stopping.py``
(EarlyStopping, TerminateOnNaN), ``rules.py`` (the stopping rules), ``progress.py``
(ProgressLogger, CSVLogger), ``checkpoint.py`` (ModelCheckpoint), ``plateau.py``
(ReduceLROnPlateau).
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Iterable, Mapping
from types import MappingProxyType
from typing import Any

from .._checks import check_positive
from ..exceptions import ConfigError
from .state import Stateful

Logs = Mapping[str, float]


class Callback(Stateful):
    """Base class: every hook does nothing. ``get_state()``/``set_state()`` save and restore
    the attributes named in ``state_attributes`` (plain values; see :mod:`.state`), which a
    resumed fit needs."""

    model: Any = None
    params: Mapping[str, Any] = MappingProxyType({})

    def set_model(self, model: Any) -> None:
        self.model = model

    def set_data(self, X: Any, y: Any) -> None:
        """Receive the rows this fit trains on (both None when they are streamed)."""

    def set_params(self, params: Mapping[str, Any]) -> None:
        """Receive the fit's settings: ``first_epoch``, ``epochs``, ``steps`` (per epoch),
        ``resumed``, ``resumed_at``."""
        self.params = dict(params)

    @property
    def wants_batches(self) -> bool:
        """Whether the batch hooks must be called: by default, if this class overrides one."""
        cls = type(self)
        return (
            cls.on_batch_begin is not Callback.on_batch_begin
            or cls.on_batch_end is not Callback.on_batch_end
        )

    def on_train_begin(self, logs=None): ...
    def on_train_end(self, logs=None): ...
    def on_epoch_begin(self, epoch, logs=None): ...
    def on_epoch_end(self, epoch, logs=None): ...
    def on_batch_begin(self, batch, logs=None): ...
    def on_batch_end(self, batch, logs=None): ...


class History(Callback):
    """What a fit returns: ``history[name]`` is a list with one value per completed epoch.

    Attributes:
        history: ``{"loss": [...], "val_loss": [...], ...}``; ``loss`` and the training metrics
            are running means over each epoch's batches (see ``mlpkit.training.epoch``).
        epoch: the indices of the completed epochs (they continue across fit calls).
        stop_reason: why training ended, in words ("max epochs (10) reached", or the rule that
            fired, or the divergence message).
        loss_units: what ``loss``/``val_loss`` are measured in when not the target's own
            units (e.g. "standardised target units"; the metrics always are), else None.
        diverged: None, or where training diverged: ``{"epoch", "batch", "what", "value"}``;
            that epoch is recorded with its batches so far, its non-finite value as it was.
        resumed_at: the epochs already trained when this fit resumed a checkpoint (it ran the
            epochs from there on), or None when it started from the beginning.
    """

    state_attributes = ("history", "epoch", "diverged")

    def __init__(self) -> None:
        self.history: dict[str, list[float]] = {}
        self.epoch: list[int] = []
        self.stop_reason: str | None = None
        self.loss_units: str | None = None
        self.diverged: dict | None = None
        self.resumed_at: int | None = None

    def on_epoch_end(self, epoch, logs=None):
        self.epoch.append(epoch)
        for key, value in (logs or {}).items():
            self.history.setdefault(key, []).append(value)

    def __repr__(self) -> str:
        return (
            f"History(epochs={len(self.epoch)}, keys={list(self.history)}, "
            f"stop_reason={self.stop_reason!r})"
        )


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

    def set_data(self, X: Any, y: Any) -> None:
        for c in self.callbacks:
            if hasattr(c, "set_data"):
                c.set_data(X, y)

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
def format_value(value: float) -> str:
    """Four decimals, as in the epoch lines; scientific for tiny magnitudes such as an lr."""
    return f"{value:.2e}" if 0 < abs(value) < 1e-3 else f"{value:.4f}"


# -- monitoring a log key -------------------------------------------------------------------------
class Monitor(Stateful):
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

    def __init__(
        self, owner: str, monitor: str, mode: str = "auto", min_delta: float = 0.0
    ) -> None:
        if not isinstance(monitor, str) or not monitor:
            raise ConfigError(
                f"{owner} monitor must be a log key such as 'val_loss', got monitor={monitor!r}."
            )
        if mode not in ("auto", "min", "max"):
            raise ConfigError(f"{owner} mode must be 'auto', 'min' or 'max', got mode={mode!r}.")
        self.owner, self.monitor = owner, monitor
        self.min_delta = check_positive("min_delta", min_delta, allow_zero=True, owner=owner)
        if mode == "auto":
            mode = "max" if any(s in monitor.lower() for s in ("acc", "auc")) else "min"
        self.mode = mode
        self.reset()

    state_attributes = ("best", "best_epoch")

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
                f"monitor=, or validation_data= to fit for 'val_*' keys.",
                stacklevel=3,
            )
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

    def __init__(
        self, monitor: str = "val_loss", mode: str = "auto", min_delta: float = 0.0
    ) -> None:
        self.tracker = Monitor(type(self).__name__, monitor, mode, min_delta)
        self.monitor, self.mode, self.min_delta = monitor, self.tracker.mode, min_delta

    @property
    def best(self) -> float:
        return self.tracker.best

    state_attributes = ("tracker",)

    def on_train_begin(self, logs=None):
        self.tracker.reset()


__all__ = ["Callback", "CallbackList", "History", "Monitor", "MonitorCallback"]
