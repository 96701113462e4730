"""EarlyStopping, the callback that stops training when its rules fire, and TerminateOnNaN."""

from __future__ import annotations

import sys
from collections.abc import Iterable, Mapping

import numpy as np

from ..exceptions import ConfigError
from .callbacks import Callback, Monitor
from .rules import NoImprovement, NonFiniteLoss, StoppingRule

Logs = Mapping[str, float]


class EarlyStopping(Callback):
    """Stop training when a stopping rule fires; optionally restore the best weights.

    ``EarlyStopping(monitor="val_loss", patience=10)`` stops at the 10th epoch in a row
    without an improvement of val_loss, 10 epochs after the best, as Keras's does (see
    :class:`NoImprovement`). With ``rules=[...]`` any
    :class:`StoppingRule` objects are used instead, combined with ``combine="any"`` (stop when
    one fires) or ``"all"`` (stop when all fire at the same epoch).

    Args:
        monitor, patience, min_delta, mode: the default rule
            ``NoImprovement(monitor, patience, min_delta, mode)``; the best epoch for
            ``restore_best_weights`` is that rule's best (one tracker per key: an improvement
            beyond ``min_delta``), or, with other rules, the best ``monitor`` value.
        rules: the rules to use instead of the default one.
        combine: "any" or "all".
        restore_best_weights: keep a copy of the weights from the epoch with the best
            ``monitor`` value (the first one, on ties) and put it back at the end of training,
            however training ended, when the weights differ from it.
        verbose: 1 prints the reason when stopping and when restoring.

    When it stops, ``model.stop_reason`` (and so ``history.stop_reason``) is
    ``"early stopping: <reason>"``, several reasons joined by ``"; "``; restoring appends
    ``"; restored the weights of epoch 7 (val_loss 0.1234)"``. All state is reset at train
    begin, so one instance can serve several fits.

    Attributes:
        best, best_epoch: the best ``monitor`` value in the current fit and its epoch index.
        stopped_epoch: the epoch index at which training was stopped, or None.
        reasons: the reasons of the rules that fired.
        restored_epoch: the epoch index whose weights were restored, or None.
    """

    state_attributes = (
        "rules",
        "tracker",
        "best_snapshot",
        "stopped_epoch",
        "restored_epoch",
        "reasons",
    )

    def __init__(
        self,
        monitor: str = "val_loss",
        patience: int = 0,
        min_delta: float = 0.0,
        mode: str = "auto",
        rules: Iterable[StoppingRule] | None = None,
        combine: str = "any",
        restore_best_weights: bool = False,
        verbose: int = 0,
    ) -> None:
        self.monitor, self.patience, self.min_delta, self.mode = monitor, patience, min_delta, mode
        if rules is None:
            rules = [NoImprovement(monitor, patience, min_delta, mode)]
        self.rules = list(rules)
        for rule in self.rules:
            if not all(callable(getattr(rule, hook, None)) for hook in ("check", "reset")):
                raise TypeError(
                    f"EarlyStopping rules must be stopping rules such as "
                    f"NoImprovement(patience=5), got {rule!r}."
                )
        if not self.rules:
            raise ConfigError(
                "EarlyStopping rules must not be empty, got rules=[]. Pass None "
                "for the default NoImprovement rule."
            )
        if combine not in ("any", "all"):
            raise ConfigError(
                f"EarlyStopping combine must be 'any' or 'all', got combine={combine!r}."
            )
        self.combine, self.verbose = combine, verbose
        self.restore_best_weights = restore_best_weights
        # One tracker per monitored key: the default rule's, when it watches the same key.
        shared = [r for r in self.rules if isinstance(r, NoImprovement) and r.monitor == monitor]
        self.tracker = shared[0].tracker if shared else Monitor("EarlyStopping", monitor, mode)
        self._own_tracker = not shared
        self.on_train_begin()

    @property
    def best(self) -> float:
        return self.tracker.best

    @property
    def best_epoch(self) -> int | None:
        return self.tracker.best_epoch

    def on_train_begin(self, logs=None):
        for rule in self.rules:
            rule.reset()
        if self._own_tracker:
            self.tracker.reset()
        self.best_snapshot: dict | None = None
        self.stopped_epoch: int | None = None
        self.restored_epoch: int | None = None
        self.reasons: list[str] = []

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        if self._own_tracker:
            value = self.tracker.read(logs) if self.restore_best_weights else None
            if value is not None:
                self.tracker.update(epoch, value)
        reasons = [r for r in (rule.check(epoch, logs) for rule in self.rules) if r]
        if self.restore_best_weights and self.tracker.best_epoch == epoch:
            self.best_snapshot = self.model.snapshot()
        fired = len(reasons) == len(self.rules) if self.combine == "all" else bool(reasons)
        if fired:
            self.stopped_epoch, self.reasons = epoch, reasons
            self.model.stop_training = True
            self.model.stop_reason = "early stopping: " + "; ".join(reasons)
            self._say(self.model.stop_reason)

    def on_train_end(self, logs=None):
        if self.best_snapshot is None or np.array_equal(
            self.model.params, self.best_snapshot["params"]
        ):
            return
        self.model.restore(self.best_snapshot)  # weights and layer state (e.g. BatchNorm's)
        self.restored_epoch = self.best_epoch
        note = (
            f"restored the weights of epoch {self.best_epoch + 1} ({self.monitor} {self.best:.4f})"
        )
        reason = getattr(self.model, "stop_reason", None)
        self.model.stop_reason = f"{reason}; {note}" if reason else note
        self._say(note)

    def _say(self, message: str) -> None:
        if self.verbose:
            print(f"EarlyStopping: {message}", file=sys.stdout, flush=True)


class TerminateOnNaN(Callback):
    """Stop when an epoch's loss or val_loss is NaN or infinite (the :class:`NonFiniteLoss` rule).

    A non-finite *batch* loss or gradient already stops training at once in the trainer itself
    (reason ``"diverged: ..."``; the weights put back are those of the epoch with the lowest
    training loss so far, or those the fit started from), so this callback has
    no batch hook and costs nothing per batch; it adds the check of ``val_loss``. Reason:
    ``"terminated on NaN: non-finite loss: val_loss = inf at epoch 2"``.
    """

    def __init__(self) -> None:
        self.rule = NonFiniteLoss()

    def on_epoch_end(self, epoch, logs=None):
        reason = self.rule.check(epoch, logs or {})
        if reason:
            self.model.stop_training = True
            self.model.stop_reason = f"terminated on NaN: {reason}"


__all__ = ["EarlyStopping", "TerminateOnNaN"]
