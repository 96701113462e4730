"""The training loop: epochs of (shuffled) mini-batches, each a forward pass, a loss, a backward
pass and one optimizer step over the flat parameter buffer.

``batch_size=None`` is full-batch gradient descent, ``1`` stochastic gradient descent and ``k``
mini-batch gradient descent; with ``shuffle=True`` the rows are put in a new seeded order every
epoch, otherwise batches follow the rows' order (the last batch may be smaller).
"""

from __future__ import annotations

import math
import sys
import time
import warnings

import numpy as np

from .._validation import check_features
from ..exceptions import ConfigError, DivergenceWarning
from .callbacks import CallbackList, History


class Trainer:
    """Runs ``fit`` for a :class:`~mlpkit.Sequential` with a loss and an optimizer.

    One Trainer serves one ``fit`` call; the network keeps the optimizer, the loss and the
    random streams, so a later fit continues where this one stopped.
    """

    def __init__(self, net, loss, optimizer, *, batch_size, shuffle, callbacks, verbose):
        self.net, self.loss, self.optimizer = net, loss, optimizer
        self.batch_size, self.shuffle, self.verbose = batch_size, shuffle, verbose
        self.history = History()
        self.callbacks = CallbackList([self.history, *callbacks], net)
        self.logits = self._fuses_output_activation()

    def _fuses_output_activation(self) -> bool:
        wanted = self.loss.logits_activation
        if wanted is None:
            return False
        output = self.net.output_activation
        if not isinstance(output, wanted):
            raise ConfigError(
                f"The {self.loss.name} loss is computed from the logits of a "
                f"{wanted.__name__.lower()} output layer, but the last layer's activation is "
                f"{type(output).__name__.lower()}. Use activation="
                f"\"{wanted.__name__.lower()}\" on the output layer."
            )
        return True

    # -- fit -----------------------------------------------------------------------------------
    def fit(self, X, y, *, epochs: int, validation_data=None) -> History:
        batch = X.shape[0] if self.batch_size is None else min(self.batch_size, X.shape[0])
        net = self.net
        net.stop_training, net.stop_reason = False, None
        self.callbacks.on_train_begin()
        first_epoch = net.epochs_trained
        for epoch in range(first_epoch, first_epoch + epochs):
            self.callbacks.on_epoch_begin(epoch)
            start_time = time.perf_counter()
            mean_loss = self._run_epoch(X, y, batch, epoch)
            if mean_loss is None:
                break
            logs = {"loss": mean_loss}
            if validation_data is not None:
                logs["val_loss"] = net._loss_value(*validation_data, self.loss)
            net.epochs_trained = epoch + 1
            self.callbacks.on_epoch_end(epoch, logs)
            self._report(epoch, first_epoch + epochs, logs, time.perf_counter() - start_time)
            if net.stop_training:
                break
        else:
            net.stop_reason = f"max epochs ({first_epoch + epochs}) reached"
        self.history.stop_reason = net.stop_reason
        self.callbacks.on_train_end()
        return self.history

    def _batches(self, X, y, batch: int):
        """Yield the epoch's (X, y) batches: consecutive rows, or a fresh seeded shuffle of them
        gathered batch by batch into reused buffers (cheaper than permuting all of X)."""
        n = X.shape[0]
        if not self.shuffle:
            for start in range(0, n, batch):
                yield X[start : start + batch], y[start : start + batch]
            return
        order = self.net._shuffle_rng.permutation(n)
        buffers = {}
        for start in range(0, n, batch):
            rows = order[start : start + batch]
            if rows.size not in buffers:
                buffers[rows.size] = (np.empty((rows.size, X.shape[1]), X.dtype),
                                      np.empty((rows.size, y.shape[1]), y.dtype))
            X_batch, y_batch = buffers[rows.size]
            np.take(X, rows, axis=0, out=X_batch, mode="clip")
            np.take(y, rows, axis=0, out=y_batch, mode="clip")
            yield X_batch, y_batch

    def _run_epoch(self, X, y, batch: int, epoch: int) -> float | None:
        """Train on every batch; the mean batch loss, or None if training diverged."""
        net, loss, optimizer, callbacks = self.net, self.loss, self.optimizer, self.callbacks
        last_finite = net.params.copy()
        total, n_batches = 0.0, 0
        for index, (X_batch, y_batch) in enumerate(self._batches(X, y, batch)):
            if callbacks.wants_batches:
                callbacks.on_batch_begin(index)
            out = net.forward(X_batch, training=True, logits=self.logits)
            value, grad = loss.value_and_grad(out, y_batch)
            if not math.isfinite(value):
                self._stop_diverged(value, epoch, index, last_finite)
                return None
            net.backward(grad, logits=self.logits)
            optimizer.step(net.params, net.grads)
            total += value
            n_batches += 1
            if callbacks.wants_batches:
                callbacks.on_batch_end(index, {"loss": value})
        return total / n_batches

    def _stop_diverged(self, value, epoch, batch, last_finite) -> None:
        net = self.net
        if np.isfinite(net.params).all():
            kept = "the weights before this batch"
        else:
            net.params[...] = last_finite
            kept = f"the weights from the start of epoch {epoch + 1}"
        net.stop_training = True
        net.stop_reason = (
            f"diverged: the loss became {value} at epoch {epoch + 1}, batch {batch + 1}; "
            f"training stopped and kept {kept} (all finite). Lower the learning rate, scale "
            f"the inputs, or clip the gradients."
        )
        warnings.warn(net.stop_reason, DivergenceWarning, stacklevel=4)

    def _report(self, epoch, last_epoch, logs, seconds) -> None:
        if not self.verbose:
            return
        values = " - ".join(f"{k}: {v:.4f}" for k, v in logs.items())
        print(f"Epoch {epoch + 1}/{last_epoch} - {values} - {seconds:.2f}s", file=sys.stdout,
              flush=True)


def split_validation(X, y, fraction: float, rng: np.random.Generator):
    """Hold out ``fraction`` of the rows, chosen at random (seeded), for validation."""
    if not 0 < fraction < 1:
        raise ConfigError(f"validation_split must be in (0, 1); received {fraction!r}.")
    n_val = int(round(X.shape[0] * fraction))
    if n_val < 1 or n_val >= X.shape[0]:
        raise ConfigError(
            f"validation_split={fraction} leaves {n_val} of {X.shape[0]} rows for validation; "
            f"use a fraction that leaves at least one row on each side."
        )
    order = rng.permutation(X.shape[0])
    val, train = np.sort(order[:n_val]), np.sort(order[n_val:])
    return X[train], y[train], X[val], y[val]


def check_fit_arguments(batch_size, epochs) -> None:
    if batch_size is not None and (
        isinstance(batch_size, bool) or not isinstance(batch_size, (int, np.integer))
        or batch_size < 1
    ):
        raise ConfigError(
            f"batch_size must be a positive integer or None (full batch); received "
            f"batch_size={batch_size!r}."
        )
    if isinstance(epochs, bool) or not isinstance(epochs, (int, np.integer)) or epochs < 0:
        raise ConfigError(f"epochs must be a non-negative integer; received epochs={epochs!r}.")


__all__ = ["Trainer", "split_validation", "check_fit_arguments", "check_features"]
