"""Callbacks: code that runs at fixed points of training, and the History every fit returns.

The protocol: a :class:`Callback` may override any of

    on_train_begin(logs)      once, before the first epoch
    on_epoch_begin(epoch)     epoch counts from 0
    on_batch_begin(batch)     batch counts from 0 within the epoch
    on_batch_end(batch, logs) logs = {"loss": the batch loss}
    on_epoch_end(epoch, logs) logs = {"loss": ..., "val_loss": ..., ...} for the epoch
    on_train_end(logs)

and reads the network through ``self.model``. To stop training, a callback sets
``self.model.stop_training = True`` and may set ``self.model.stop_reason`` to say why.
Batch hooks are only called for callbacks that override them, so they cost nothing otherwise.
"""

from __future__ import annotations


class Callback:
    """Base class: every hook does nothing."""

    model = None

    def set_model(self, model) -> None:
        self.model = model

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
        return f"History(epochs={len(self.epoch)}, keys={list(self.history)}, stop_reason={self.stop_reason!r})"


class CallbackList:
    """Calls a hook on every callback in order; batch hooks only on those that override them."""

    def __init__(self, callbacks, model) -> None:
        self.callbacks = list(callbacks)
        for callback in self.callbacks:
            callback.set_model(model)
        self._batch_callbacks = [
            c for c in self.callbacks
            if type(c).on_batch_begin is not Callback.on_batch_begin
            or type(c).on_batch_end is not Callback.on_batch_end
        ]

    @property
    def wants_batches(self) -> bool:
        return bool(self._batch_callbacks)

    def on_train_begin(self, logs=None):
        for c in self.callbacks:
            c.on_train_begin(logs)

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
