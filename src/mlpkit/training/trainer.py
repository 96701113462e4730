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

from ..data.streaming.quality import OrderCheck, warn_if_ordered
from ..exceptions import ConfigError, DivergenceWarning
from ..kernels import memory
from .blowup import BlowUpGuard, check_magnitudes
from .callbacks import CallbackList, History, Monitor
from .epoch import EpochOutputs, EpochStats, block_squares, layer_blocks
from .preparation import Dataset
from .progress import ProgressLogger
from .resume import (
    Checkpoint,
    array_fingerprint,
    callback_states,
    check_identity,
    fit_identity,
    restore_network,
    set_callback_states,
)


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
        checkpoint=None,
        resume=None,
    ):
        self.net, self.loss, self.optimizer = net, loss, optimizer
        self.batch_size, self.shuffle, self.verbose = batch_size, shuffle, verbose
        trainable = net.trainable_mask()
        penalty = net.penalty(trainable)
        self.penalty = penalty if penalty.active else None
        self.clip = optimizer.clipping(clip_value, clip_norm)
        self.metrics = tuple(metrics)
        self.history = History()
        callbacks = _check_callbacks(callbacks)
        self.user_callbacks = [type(callback).__name__ for callback in callbacks]
        self.checkpoint = _find_checkpoint(callbacks, checkpoint, resume)
        self.resume = resume
        self.callbacks = CallbackList([self.history, *callbacks, ProgressLogger(verbose)], net)
        self.logits = loss.fused_with(net.output_activation)
        self.frozen = None if trainable.all() else ~trainable
        self.frozen_values = None if self.frozen is None else net.params.copy()
        self.blocks = layer_blocks(net)
        self.best_loss = Monitor("divergence guard", "loss", "min")
        self.guard = BlowUpGuard()

    # -- fit -----------------------------------------------------------------------------------
    def fit(self, train, validation=None, *, epochs: int) -> History:
        """Train on ``train`` for ``epochs`` epochs, scoring ``validation`` (or None) after
        each; each is a :class:`~mlpkit.training.preparation.Dataset` in memory or a
        :class:`~mlpkit.training.streamed.StreamedData` read chunk by chunk (its batches come
        from its own order, its first epoch's order is checked; no training metrics). With a
        checkpoint to resume from, the network is first restored and only the interrupted
        fit's remaining epochs run; the fit must be called as the interrupted one was (same
        ``epochs``, data, network, optimizer, loss, ...), or a ConfigError says what differs."""
        streamed = not isinstance(train, Dataset)
        n = train.n_rows if streamed else train.X.shape[0]
        batch = n if self.batch_size is None else min(self.batch_size, n)
        self._check_batch_sizes(n, batch)
        net = self.net
        net.stop_training, net.stop_reason = False, None
        self.fallback, self.fallback_epoch = net.snapshot(), None
        self.start = self.fallback
        self.order_check = OrderCheck() if streamed else None
        if not streamed:
            check_magnitudes(train.X, train.y, regression=self.loss.logits_activation is None)
        self.callbacks.set_data(*((None, None) if streamed else (train.X, train.y)))
        self.identity = self._identity(train, validation, epochs) if self.checkpoint else None
        resumed = self._begin(epochs, steps=-(-n // batch))
        try:
            with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
                if resumed is not None and resumed["stop_training"]:
                    net.stop_training, net.stop_reason = True, resumed["stop_reason"]
                else:
                    self._epochs(train, batch, net.epochs_trained, validation)
        finally:
            self.callbacks.on_train_end()
        self.history.stop_reason, self.history.loss_units = net.stop_reason, net.loss_units
        self.history.n_rows = n  # the rows of one epoch (a stream's after its holdout)
        return self.history

    def _identity(self, train, validation, epochs: int) -> dict:
        """What a fit resuming this one's checkpoint must match (see :mod:`.resume`)."""
        return fit_identity(
            network=self.net.get_config(),
            optimizer=self.optimizer.get_config(),
            loss=self.loss.get_config(),
            batch_size=self.batch_size,
            epochs=epochs,
            shuffle=self.shuffle,
            clipping=list(self.clip),
            callbacks=self.user_callbacks,
            data=_fingerprint(train),
            validation_data=_fingerprint(validation),
        )

    def _begin(self, epochs: int, steps: int) -> dict | None:
        """Restore a checkpoint if there is one, set the fit's epoch range, and begin the
        callbacks (then give them their saved state); the saved fit state or None."""
        resumed = self._resume()
        first_epoch = self.net.epochs_trained if resumed is None else resumed["first_epoch"]
        self.end_epoch = first_epoch + epochs if resumed is None else resumed["end_epoch"]
        self.first_epoch = first_epoch
        self.callbacks.set_params(
            {
                "epochs": self.end_epoch,
                "first_epoch": first_epoch,
                "steps": steps,
                "resumed": resumed is not None,
                "resumed_at": self.history.resumed_at,
            }
        )
        self.callbacks.on_train_begin()
        if resumed is not None:
            self._restore_fit(resumed)
        return resumed

    # -- resuming ------------------------------------------------------------------------------
    def get_state(self) -> dict:
        """The fit's state beyond the network: what a resumed fit needs to end identically."""
        net = self.net
        return {
            "first_epoch": self.first_epoch,
            "end_epoch": self.end_epoch,
            "stop_training": bool(net.stop_training),
            "stop_reason": net.stop_reason,
            "trainer": {
                "best_loss": self.best_loss.get_state(),
                "guard": self.guard.get_state(),
                "fallback": self.fallback,
                "fallback_epoch": self.fallback_epoch,
                "start": self.start,
            },
            "identity": self.identity,
            "callback_names": [type(c).__name__ for c in self.callbacks.callbacks],
            "callbacks": callback_states(self.callbacks.callbacks),
        }

    def _resume(self) -> dict | None:
        """Restore the network from the checkpoint, if there is one and this fit is the one
        that wrote it (else a ConfigError); its fit state or None. ``fit(resume=folder)``
        with no checkpoint there warns that the fit starts from the beginning."""
        saved = None if self.checkpoint is None else self.checkpoint.read()
        self.history.resumed_at = None
        if saved is None:
            if self.resume is not None:
                warnings.warn(
                    f"fit(resume={self.resume!r}) found no checkpoint "
                    f"({self.checkpoint.path!r} does not exist), so this fit starts from the "
                    f"beginning and checkpoints there.",
                    UserWarning,
                    stacklevel=5,
                )
            return None
        document, arrays, state = saved
        check_identity(state.get("identity"), self.identity, self.checkpoint.path)
        restore_network(self.net, document, arrays)
        self.history.resumed_at = self.net.epochs_trained
        return state

    def _restore_fit(self, state: dict) -> None:
        trainer = state["trainer"]
        self.best_loss.set_state(trainer["best_loss"])
        self.guard.set_state(trainer["guard"])
        self.fallback, self.fallback_epoch = trainer["fallback"], trainer["fallback_epoch"]
        self.start = trainer["start"]
        set_callback_states(
            self.callbacks.callbacks, state["callbacks"], state.get("callback_names")
        )

    def _save(self) -> None:
        if self.checkpoint is not None:
            self.checkpoint.write(self.net.to_document(), self.get_state())

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

    def _epochs(self, train, batch, first_epoch, validation) -> None:
        """Run the epochs; overflow is not warned about here because the step itself checks
        that the loss and the gradient are finite and stops with a DivergenceWarning if not."""
        net = self.net
        for epoch in range(first_epoch, self.end_epoch):
            self.callbacks.on_epoch_begin(epoch)
            started = time.perf_counter()
            ran = self._run_epoch(train, batch, epoch)
            if ran is None:
                break
            logs, outputs = ran
            if not net.is_finite():  # the epoch's last update overflowed the weights
                self._stop_diverged(_Diverged("weights", math.inf), epoch, None, logs)
                break
            self.guard.epoch_end(epoch, logs["loss"])
            if self.best_loss.update(epoch, logs["loss"]):
                self.fallback, self.fallback_epoch = net.snapshot(), epoch
            logs.update(self._scores(train, outputs, validation))
            logs["time"] = time.perf_counter() - started
            net.epochs_trained = epoch + 1
            self.callbacks.on_epoch_end(epoch, logs)
            if net.stop_training:
                net.stop_reason = (
                    net.stop_reason or f"stopped by a callback after epoch {epoch + 1}"
                )
            self._save()
            if net.stop_training:
                break
        else:
            net.stop_reason = f"max epochs ({self.end_epoch}) reached"

    def _batches(self, X, y, weights, batch: int):
        """Yield the epoch's (rows, X, y, weights) batches, ``rows`` the row indices:
        consecutive rows, or a fresh seeded shuffle of them gathered batch by batch into reused
        buffers (cheaper than permuting all of X). ``weights`` is None without sample weights."""
        n = X.shape[0]
        if not self.shuffle:
            for start in range(0, n, batch):
                rows = slice(start, start + batch)
                w = None if weights is None else weights[rows]
                yield np.arange(start, min(start + batch, n)), X[rows], y[rows], w
            return
        order = self.net.rngs["shuffle"].permutation(n)
        buffers = {}
        for start in range(0, n, batch):
            rows = order[start : start + batch]
            if rows.size not in buffers:
                buffers[rows.size] = (
                    memory.empty((rows.size, X.shape[1]), X.dtype),
                    memory.empty((rows.size, y.shape[1]), y.dtype),
                )
            X_batch, y_batch = buffers[rows.size]
            np.take(X, rows, axis=0, out=X_batch, mode="clip")
            np.take(y, rows, axis=0, out=y_batch, mode="clip")
            yield rows, X_batch, y_batch, None if weights is None else weights[rows]

    def _run_epoch(self, train, batch: int, epoch: int):
        """Train on every batch: ``(logs, outputs)``, or None if training diverged (the
        partial epoch is then recorded in the History)."""
        callbacks, stats = self.callbacks, EpochStats(key for key, _ in self.blocks)
        outputs, check = None, self.order_check
        if isinstance(train, Dataset):
            if self.metrics:
                outputs = EpochOutputs(train.X.shape[0], train.y.shape[1], train.y.dtype)
            batches = self._batches(train.X, train.y, train.weights, batch)
        else:  # a stream: training metrics would need every output kept (validation has them)
            batches = train.batches(batch, self.shuffle, self.net.rngs["shuffle"])
        for index, (rows, X_batch, y_batch, w_batch) in enumerate(batches):
            if check is not None:
                check.add(y_batch)
            if callbacks.wants_batches:
                callbacks.on_batch_begin(index)
            try:
                value, penalty, norms, out = self._step(X_batch, y_batch, w_batch)
            except _Diverged as diverged:
                self._stop_diverged(diverged, epoch, index, self._partial_logs(stats, diverged))
                return None
            norm = math.sqrt(norms.sum())
            stats.add(len(rows), value, penalty, norm, np.sqrt(norms))
            if outputs is not None:
                outputs.add(rows, self.net.output_activation.forward(out) if self.logits else out)
            if callbacks.wants_batches:
                callbacks.on_batch_end(index, {"loss": value, "grad_norm": norm})
                if self.net.stop_training:  # a batch hook asked to stop: end this epoch now
                    break
        if check is not None:  # the first epoch's order is checked once, then no more
            warn_if_ordered(check.report(), stacklevel=7)
            self.order_check = None
        logs = stats.logs(with_penalty=self.penalty is not None)
        logs["lr"] = self.optimizer.last_learning_rate
        self.optimizer.epoch += 1  # per-epoch schedules count the optimizer's own epochs
        return logs, outputs

    def _partial_logs(self, stats, diverged) -> dict:
        """The logs of an epoch cut short: its batches so far, and the value that was not
        finite as its loss (or as its gradient norm)."""
        logs = stats.logs(with_penalty=self.penalty is not None)
        logs["loss" if diverged.what == "loss" else "grad_norm"] = diverged.value
        return logs

    def _step(self, X_batch, y_batch, w_batch=None):
        """One update: ``(loss, penalty, per-layer ‖g‖₂², output)`` (before clipping)."""
        net, params, grads = self.net, self.net.params, self.net.grads
        out = net.forward(X_batch, training=True, logits=self.logits)
        value, grad = self.loss.value_and_grad(out, y_batch, weights=w_batch)
        if not math.isfinite(value):
            raise _Diverged("loss", value)
        rule = self.guard.growth(value)
        if rule is not None:
            raise _Diverged("loss", value, rule)
        net.backward(grad, logits=self.logits)
        penalty = 0.0
        if self.penalty is not None:
            penalty = self.penalty.value(params)
            self.penalty.add_gradient(params, grads)
        if self.frozen is not None:  # frozen weights have no gradient (as torch: no .grad)
            grads[self.frozen] = 0
        norms = block_squares(grads, self.blocks)
        norm = math.sqrt(norms.sum())
        if not math.isfinite(norm):
            raise _Diverged("gradient norm", norm)
        self.optimizer.step(params, grads, clip=self.clip, norm=norm)
        if self.penalty is not None:  # proximal steps (L1 to exact zeros), frozen entries excluded
            self.penalty.after_step(params, self.optimizer.last_learning_rate, self.optimizer)
        if self.frozen is not None:
            np.copyto(params, self.frozen_values, where=self.frozen)
        return value, penalty, norms, out

    def _scores(self, train, outputs, validation) -> dict:
        """The training metrics, from the outputs the epoch's batches produced (no extra pass),
        and the validation loss and metrics, from one pass over the validation rows."""
        net, scores = self.net, {}
        if outputs is not None:
            output, rows = outputs.scored()
            targets = train.metric_targets[rows]
            scores.update(net.metric_scores(output, targets, self.metrics))
        if validation is not None:  # a stream is scored chunk by chunk
            if isinstance(validation, Dataset):
                found = net.score(validation, self.loss, self.metrics)
            else:
                found = validation.score(net, self.loss, self.metrics)
            scores.update({f"val_{name}": value for name, value in found.items()})
        return scores

    def _stop_diverged(self, diverged, epoch: int, batch: int | None, logs: dict) -> None:
        """Stop; record the partial epoch in the History (its non-finite value as it was, the
        cut recorded in ``history.diverged``); and put back the weights (and layer state) of
        the epoch with the lowest training loss so far, or those this fit started from."""
        net = self.net
        if diverged.rule is not None:  # grown while finite: every epoch's weights are suspect
            self.fallback, self.fallback_epoch = self.start, None
        net.restore(self.fallback)
        if self.fallback_epoch is None:
            kept = "put back the weights this fit started from"
        else:
            kept = (
                f"put back the weights of epoch {self.fallback_epoch + 1}, the lowest training "
                f"loss so far ({self.best_loss.best:.4g})"
            )
        where = f"epoch {epoch + 1}" + ("" if batch is None else f", batch {batch + 1}")
        self.history.on_epoch_end(epoch, logs)
        self.history.diverged = {
            "epoch": epoch,
            "batch": batch,
            "what": diverged.what,
            "value": diverged.value,
        }
        net.stop_training = True
        net.stop_reason = _divergence_reason(diverged, where, kept)
        warnings.warn(net.stop_reason, DivergenceWarning, stacklevel=6)


def _divergence_reason(diverged, where: str, kept: str) -> str:
    if diverged.rule is not None:
        return f"diverged at {where}: {diverged.rule}; training stopped and {kept}."
    return (
        f"diverged: the {diverged.what} became {diverged.value} at {where}; training "
        f"stopped and {kept}. Lower the learning rate, scale the inputs, or clip the "
        f"gradients (clip_norm=1.0)."
    )


class _Diverged(Exception):
    def __init__(self, what: str, value: float, rule: str | None = None) -> None:
        self.what, self.value, self.rule = what, value, rule


def _fingerprint(data) -> dict | None:
    """The data's fingerprint: its arrays' (in memory), or a stream's row count."""
    if data is None:
        return None
    if not isinstance(data, Dataset):
        return {"streamed_rows": data.n_rows}
    return {
        "X": array_fingerprint(data.X),
        "y": array_fingerprint(data.y),
        "weights": array_fingerprint(data.weights),
    }


def _find_checkpoint(callbacks: list, checkpoint, resume) -> Checkpoint | None:
    """The fit's :class:`Checkpoint`: one among the callbacks, or one made from the
    ``checkpoint=``/``resume=`` folders (``resume`` alone both restores and keeps saving)."""
    found = [c for c in callbacks if isinstance(c, Checkpoint)]
    found += [Checkpoint(c.folder) for c in callbacks if getattr(c, "resumable", False)]
    if checkpoint is not None or resume is not None:
        if resume is not None and checkpoint is not None and resume != checkpoint:
            raise ConfigError(
                f"fit resumes from and checkpoints to one folder; got checkpoint={checkpoint!r} "
                f"and resume={resume!r}."
            )
        found.append(Checkpoint(resume or checkpoint, resume=resume is not None))
    if len(found) > 1:
        raise ConfigError("A fit takes one checkpoint folder; found several Checkpoints.")
    return found[0] if found else None


def _check_callbacks(callbacks) -> list:
    """The callbacks as a list, each checked to be one (not a name, a number or a class)."""
    if callbacks is None:
        return []
    if not isinstance(callbacks, (list, tuple)):
        iterable = hasattr(callbacks, "__iter__") and not isinstance(callbacks, (str, bytes))
        callbacks = list(callbacks) if iterable else [callbacks]  # one callback, or not one
    callbacks = list(callbacks)
    for callback in callbacks:
        if isinstance(callback, type) or not callable(getattr(callback, "on_epoch_end", None)):
            raise TypeError(
                f"callbacks must be callback objects such as mk.callbacks.EarlyStopping(); "
                f"received {callback!r}."
            )
    return callbacks


__all__ = ["Trainer"]
