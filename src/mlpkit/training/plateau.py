"""Lowering the learning rate when a monitored quantity stops improving."""

from __future__ import annotations

import warnings

from .._checks import check_fraction, check_integer, check_positive
from .callbacks import MonitorCallback


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

    state_attributes = ("tracker", "wait", "cooldown_counter", "reductions")

    def __init__(
        self,
        monitor: str = "val_loss",
        factor: float = 0.1,
        patience: int = 10,
        min_delta: float = 1e-4,
        cooldown: int = 0,
        min_lr: float = 0.0,
        mode: str = "auto",
    ) -> None:
        super().__init__(monitor, mode, min_delta)
        owner = "ReduceLROnPlateau"
        self.factor = check_fraction("factor", factor, interval="(0, 1)", owner=owner)
        self.patience = check_integer("patience", patience, owner=owner)
        self.cooldown = check_integer("cooldown", cooldown, owner=owner)
        self.min_lr = check_positive("min_lr", min_lr, allow_zero=True, owner=owner)
        self.reductions: list[tuple[int, float]] = []
        self.wait = self.cooldown_counter = 0

    def on_train_begin(self, logs=None):
        super().on_train_begin(logs)
        self.wait = self.cooldown_counter = 0
        self.reductions = []
        optimizer = getattr(self.model, "optimizer", None)
        if optimizer is None or not hasattr(optimizer, "lr_factor"):
            warnings.warn(
                f"ReduceLROnPlateau has no effect: the optimizer "
                f"{type(optimizer).__name__} has no lr_factor.",
                stacklevel=2,
            )

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


__all__ = ["ReduceLROnPlateau"]
