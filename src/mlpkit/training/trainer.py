"""The training loop: epochs of (shuffled) mini-batches, each a forward pass, a loss, a backward
pass and one optimizer step over the flat parameter buffer.

``batch_size=None`` is full-batch gradient descent, ``1`` stochastic gradient descent and ``k``
mini-batch gradient descent; with ``shuffle=True`` the rows are put in a new seeded order every
epoch, otherwise batches follow the rows' order (the last batch may be smaller).
"""

from __future__ import annotations

import math
import time
import warnings

import numpy as np

from ..exceptions import ConfigError, DivergenceWarning
from ..optim.clipping import global_norm
from .callbacks import CallbackList, History
from .progress import ProgressLogger


class Trainer:
    """Runs ``fit`` for a :class:`~mlpkit.Sequential` with a loss and an optimizer.

    One Trainer serves one ``fit`` call; the network keeps the optimizer, the loss and the
    random streams, so a later fit continues where this one stopped. It reads the network
    through its public interface only: ``params``/``grads``, ``forward``/``backward``,
    ``trainable_mask``, ``penalty``, ``slots``, ``score``, ``snapshot``/``restore``,
    ``is_finite``, ``rngs["shuffle"]``, ``walk``.

    One step: forward → loss (stop if not finite) → backward → + penalty gradient → frozen
    entries' gradients zeroed → global gradient norm (stop if not finite) → optimizer step (the
    one place gradients are clipped) → frozen entries put back. Freezing is one boolean mask over
    the flat buffer (:meth:`~mlpkit.Sequential.trainable_mask`), read by the penalty and by the
    step alike, so neither a penalty, momentum nor AdamW's decay moves a frozen weight.
    """

    def __init__(
        self,
        net,
        loss,
        optimizer,
        *,
        batch_size,
        shuffle,
        callbacks,
        verbose,
        clip_value=None,
        clip_norm=None,
        metrics=(),
    ):
        self.net, self.loss, self.optimizer = net, loss, optimizer
        self.batch_size, self.shuffle, self.verbose = batch_size, shuffle, verbose
        trainable = net.trainable_mask()
        penalty = net.penalty(trainable)
        self.penalty = penalty if penalty.active else None
        self.clip = optimizer.clipping(clip_value, clip_norm)
        self.metrics = tuple(metrics)
        self.history = History()
        self.callbacks = CallbackList(
            [self.history, *_check_callbacks(callbacks), ProgressLogger(verbose)], net
        )
        self.logits = self._fuses_output_activation()
        self.frozen = None if trainable.all() else ~trainable
        self.frozen_values = None if self.frozen is None else net.params.copy()

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
                f'"{wanted.__name__.lower()}" on the output layer.'
            )
        return True

    # -- fit -----------------------------------------------------------------------------------
    def fit(self, train, validation=None, *, epochs: int) -> History:
        """Train on the :class:`~mlpkit.training.preparation.Dataset` ``train`` for ``epochs``
        epochs, scoring ``validation`` (a Dataset or None) after each."""
        X = train.X
        batch = X.shape[0] if self.batch_size is None else min(self.batch_size, X.shape[0])
        self._check_batch_sizes(X.shape[0], batch)
        net = self.net
        net.stop_training, net.stop_reason = False, None
        first_epoch = net.epochs_trained
        self.callbacks.set_params(
            {
                "epochs": first_epoch + epochs,
                "first_epoch": first_epoch,
                "steps": -(-X.shape[0] // batch),
            }
        )
        self._last_finite = net.snapshot()
        self.callbacks.on_train_begin()
        try:
            with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
                self._epochs(train, batch, first_epoch, epochs, validation)
        finally:
            self.callbacks.on_train_end()
        self.history.stop_reason, self.history.loss_units = net.stop_reason, net.loss_units
        return self.history

    def _check_batch_sizes(self, n: int, batch: int) -> None:
        """Fail before training, not mid-epoch, if a layer cannot take the smallest batch."""
        smallest = n % batch or batch
        for layer in self.net.walk():
            if smallest < layer.min_batch_size:
                raise ValueError(
                    f"{layer.name} needs batches of at least {layer.min_batch_size} rows in "
                    f"training, but {n} rows in batches of {batch} leave a last batch of "
                    f"{smallest}. Choose another batch_size (or drop {smallest} row(s))."
                )

    def _epochs(self, train, batch, first_epoch, epochs, validation) -> None:
        """Run the epochs; overflow is not warned about here because the step itself checks
        that the loss and the gradient are finite and stops with a DivergenceWarning if not."""
        net = self.net
        for epoch in range(first_epoch, first_epoch + epochs):
            self.callbacks.on_epoch_begin(epoch)
            started = time.perf_counter()
            logs = self._run_epoch(train, batch, epoch)
            if logs is None:
                break
            if not net.is_finite():  # the epoch's last update overflowed the weights
                self._stop_diverged(_Diverged("weights", math.inf), epoch, None)
                break
            self._last_finite = net.snapshot()
            logs.update(self._scores(train, validation))
            logs["time"] = time.perf_counter() - started
            net.epochs_trained = epoch + 1
            self.callbacks.on_epoch_end(epoch, logs)
            if net.stop_training:
                net.stop_reason = (
                    net.stop_reason or f"stopped by a callback after epoch {epoch + 1}"
                )
                break
        else:
            net.stop_reason = f"max epochs ({first_epoch + epochs}) reached"

    def _batches(self, X, y, weights, batch: int):
        """Yield the epoch's (X, y, weights) batches: consecutive rows, or a fresh seeded
        shuffle of them gathered batch by batch into reused buffers (cheaper than permuting all
        of X). ``weights`` is None without sample weights."""
        n = X.shape[0]
        if not self.shuffle:
            for start in range(0, n, batch):
                rows = slice(start, start + batch)
                yield X[rows], y[rows], None if weights is None else weights[rows]
            return
        order = self.net.rngs["shuffle"].permutation(n)
        buffers = {}
        for start in range(0, n, batch):
            rows = order[start : start + batch]
            if rows.size not in buffers:
                buffers[rows.size] = (
                    np.empty((rows.size, X.shape[1]), X.dtype),
                    np.empty((rows.size, y.shape[1]), y.dtype),
                )
            X_batch, y_batch = buffers[rows.size]
            np.take(X, rows, axis=0, out=X_batch, mode="clip")
            np.take(y, rows, axis=0, out=y_batch, mode="clip")
            yield X_batch, y_batch, None if weights is None else weights[rows]

    def _run_epoch(self, train, batch: int, epoch: int) -> dict | None:
        """Train on every batch; the epoch's logs, or None if training diverged."""
        callbacks, stats = self.callbacks, _EpochStats()
        batches = self._batches(train.X, train.y, train.weights, batch)
        for index, (X_batch, y_batch, w_batch) in enumerate(batches):
            if callbacks.wants_batches:
                callbacks.on_batch_begin(index)
            try:
                value, penalty, norm = self._step(X_batch, y_batch, w_batch)
            except _Diverged as diverged:
                self._stop_diverged(diverged, epoch, index)
                return None
            stats.add(value, penalty, norm)
            if callbacks.wants_batches:
                callbacks.on_batch_end(index, {"loss": value, "grad_norm": norm})
                if self.net.stop_training:  # a batch hook asked to stop: end this epoch now
                    break
        logs = stats.logs(with_penalty=self.penalty is not None)
        logs["lr"] = self.optimizer.last_learning_rate
        logs.update(self._layer_gradient_norms())
        self.optimizer.epoch += 1  # per-epoch schedules count the optimizer's own epochs
        return logs

    def _layer_gradient_norms(self) -> dict[str, float]:
        """‖∂L/∂θ‖₂ of each layer with parameters, from the epoch's last batch as applied (after
        clipping; 0 for frozen layers): ``{"grad_norm/<index>:<Layer>": value}``."""
        grads, norms = self.net.grads, {}
        for slot in self.net.slots:
            key = f"grad_norm/{slot.layer}:{self.net.layers[slot.layer].name}"
            block = grads[slot.offset : slot.stop]
            norms[key] = norms.get(key, 0.0) + float(np.dot(block, block))
        return {key: math.sqrt(value) for key, value in norms.items()}

    def _step(self, X_batch, y_batch, w_batch=None) -> tuple[float, float, float]:
        net, params, grads = self.net, self.net.params, self.net.grads
        out = net.forward(X_batch, training=True, logits=self.logits)
        value, grad = self.loss.value_and_grad(out, y_batch, weights=w_batch)
        if not math.isfinite(value):
            raise _Diverged("loss", value)
        net.backward(grad, logits=self.logits)
        penalty = 0.0
        if self.penalty is not None:
            penalty = self.penalty.value(params)
            self.penalty.add_gradient(params, grads)
        if self.frozen is not None:  # frozen weights have no gradient (as torch: no .grad)
            grads[self.frozen] = 0
        norm = global_norm(grads)
        if not math.isfinite(norm):
            raise _Diverged("gradient norm", norm)
        self.optimizer.step(params, grads, clip=self.clip, norm=norm)
        if self.penalty is not None:  # proximal steps (L1 to exact zeros), frozen entries excluded
            self.penalty.after_step(params, self.optimizer.last_learning_rate)
        if self.frozen is not None:
            np.copyto(params, self.frozen_values, where=self.frozen)
        return value, penalty, norm

    def _scores(self, train, validation) -> dict:
        """Validation loss and the requested metrics on the training and validation data."""
        net = self.net
        scores = net.score(train, self.loss, self.metrics, with_loss=False) if self.metrics else {}
        if validation is not None:
            found = net.score(validation, self.loss, self.metrics)
            scores.update({f"val_{name}": value for name, value in found.items()})
        return scores

    def _stop_diverged(self, diverged, epoch: int, batch: int | None) -> None:
        """Stop, and put back the last finite weights (and layer state) if these are not."""
        net = self.net
        if net.is_finite():
            kept = "the weights before this batch"
        else:
            net.restore(self._last_finite)
            kept = "the weights of the last epoch whose weights were all finite"
        where = f"epoch {epoch + 1}" + ("" if batch is None else f", batch {batch + 1}")
        net.stop_training = True
        net.stop_reason = (
            f"diverged: the {diverged.what} became {diverged.value} at {where}; training "
            f"stopped and kept {kept}. Lower the learning rate, scale the inputs, or clip the "
            f"gradients (clip_norm=1.0)."
        )
        warnings.warn(net.stop_reason, DivergenceWarning, stacklevel=6)


class _Diverged(Exception):
    def __init__(self, what: str, value: float) -> None:
        self.what, self.value = what, value


class _EpochStats:
    """Running sums of one epoch's batch losses, penalties and gradient norms."""

    def __init__(self) -> None:
        self.n, self.loss, self.penalty, self.norm = 0, 0.0, 0.0, 0.0
        self.norm_max, self.norm_min = 0.0, math.inf

    def add(self, loss: float, penalty: float, norm: float) -> None:
        self.n += 1
        self.loss += loss
        self.penalty += penalty
        self.norm += norm
        self.norm_max, self.norm_min = max(self.norm_max, norm), min(self.norm_min, norm)

    def logs(self, with_penalty: bool) -> dict:
        logs = {"loss": self.loss / self.n}
        if with_penalty:
            logs["penalty"] = self.penalty / self.n
        logs.update(
            grad_norm=self.norm / self.n, grad_norm_max=self.norm_max, grad_norm_min=self.norm_min
        )
        return logs


def _check_callbacks(callbacks) -> list:
    """The callbacks as a list, each checked to be one (not a name, a number or a class)."""
    if callbacks is None:
        return []
    if not isinstance(callbacks, (list, tuple)):
        callbacks = [callbacks] if hasattr(callbacks, "on_epoch_end") else callbacks
    callbacks = list(callbacks)
    for callback in callbacks:
        if isinstance(callback, type) or not callable(getattr(callback, "on_epoch_end", None)):
            raise TypeError(
                f"callbacks must be callback objects such as mk.callbacks.EarlyStopping(); "
                f"received {callback!r}."
            )
    return callbacks


__all__ = ["Trainer"]
