r"""``mk.lr_find``: the loss against an exponentially growing learning rate (Smith 2017).

Over a short run of ``n_steps`` updates, step i uses η_i = η_min · (η_max/η_min)^(i/(n_steps−1))
and records the batch loss ℓ_i it was taken on. The curve is smoothed as fastai does,
s_i = (β·m_{i−1} + (1−β)·ℓ_i) / (1 − β^(i+1)) (an exponential moving average with its bias
corrected), and the run stops early once s_i > ``stop_factor`` · min s or ℓ is not finite.

Suggested rate: one tenth of the rate at the lowest smoothed loss (fastai's ``lr_min``: the
minimum itself is already too high to train at). ``steepest`` is the rate where s falls fastest
against log η (fastai's ``lr_steep``).

The run trains a twin of the network (:mod:`.twin`), so the network's weights, optimizer state
and random streams are exactly as they were: restored bit for bit by never being touched.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass

import numpy as np

from .._checks import check_integer, check_positive
from .._validation import n_rows
from ..exceptions import ConfigError
from ..training.callbacks import Callback
from .twin import check_fused_output, network_of, resolve_loss, twin


@dataclass(frozen=True)
class ExponentialRamp:
    """η(t) = η_min · (η_max/η_min)^(t/(n−1)) for update t = 0 … n−1 (then η_max)."""

    min_lr: float
    max_lr: float
    n_steps: int
    per = "batch"

    def __call__(self, step: int) -> float:
        fraction = min(step / max(self.n_steps - 1, 1), 1.0)
        return self.min_lr * (self.max_lr / self.min_lr) ** fraction


@dataclass
class LRFinderResult:
    """The learning-rate finder's curve and suggestions.

    Attributes:
        lrs, losses: the learning rate of each update and the batch loss it was taken on.
        smoothed: the bias-corrected moving average of ``losses`` (β = ``smoothing``).
        suggested: one tenth of the rate at the lowest smoothed loss.
        steepest: the rate where the smoothed loss falls fastest against log η.
        stop_reason: why the run ended.
    """

    lrs: np.ndarray
    losses: np.ndarray
    smoothed: np.ndarray
    suggested: float
    steepest: float
    stop_reason: str

    def plot(self, path=None, *, title=None, overwrite=False):
        """The curve (:func:`mlpkit.plots.lr_finder`)."""
        from ..plots import lr_finder

        return lr_finder(self, path, title=title, overwrite=overwrite)

    def __repr__(self) -> str:
        return (
            f"LRFinderResult(suggested={self.suggested:.3g}, steepest={self.steepest:.3g}, "
            f"steps={len(self.lrs)}, stop_reason={self.stop_reason!r})"
        )


class _Recorder(Callback):
    """Record (η, loss) of every update; stop at ``n_steps`` or when the loss blows up."""

    def __init__(self, n_steps: int, smoothing: float, stop_factor: float) -> None:
        self.n_steps, self.beta, self.stop_factor = n_steps, smoothing, stop_factor
        self.lrs, self.losses, self.smoothed = [], [], []
        self.average, self.reason = 0.0, f"{n_steps} steps done"

    def on_batch_end(self, batch, logs=None):
        loss = float(logs["loss"])
        self.lrs.append(self.model.optimizer.last_learning_rate)
        self.losses.append(loss)
        self.average = self.beta * self.average + (1 - self.beta) * loss
        self.smoothed.append(self.average / (1 - self.beta ** len(self.losses)))
        if not math.isfinite(loss) or self.smoothed[-1] > self.stop_factor * min(self.smoothed):
            self.reason = f"the loss blew up at learning rate {self.lrs[-1]:.3g}"
            self.model.stop_training = True
        elif len(self.losses) >= self.n_steps:
            self.model.stop_training = True


def lr_find(
    model,
    X,
    y,
    loss=None,
    *,
    min_lr: float = 1e-7,
    max_lr: float = 10.0,
    n_steps: int = 100,
    batch_size: int | None = 32,
    optimizer=None,
    smoothing: float = 0.98,
    stop_factor: float = 4.0,
) -> LRFinderResult:
    """Train a copy of the network for ``n_steps`` updates at exponentially growing rates.

    Args:
        model: an ``mk.Sequential`` (built or not) or a fitted mlpkit estimator.
        X, y, loss, batch_size: as ``fit`` takes them (loss defaults to the network's).
        min_lr, max_lr: the first and last learning rate, 0 < min_lr < max_lr.
        n_steps: updates in the run (the data is cycled through as often as needed).
        optimizer: the optimizer (a name, config or object) whose learning rate is ramped;
            defaults to the network's kind of optimizer (fresh state), or SGD.
        smoothing: β of the moving average, in [0, 1).
        stop_factor: stop once the smoothed loss exceeds this multiple of its minimum.

    Returns:
        LRFinderResult: ``lrs``, ``losses``, ``smoothed``, ``suggested``, ``steepest``;
        ``.plot()`` draws the curve.
    """
    check_positive("min_lr", min_lr, owner="lr_find")
    if not max_lr > min_lr:
        raise ConfigError(f"lr_find max_lr must exceed min_lr={min_lr!r}, got max_lr={max_lr!r}.")
    check_integer("n_steps", n_steps, low=5, owner="lr_find")
    if not 0 <= smoothing < 1:
        raise ConfigError(f"lr_find smoothing must be in [0, 1), got smoothing={smoothing!r}.")
    net = network_of(model, "lr_find")
    loss = resolve_loss(net, loss, "lr_find")
    check_fused_output(net, loss, "lr_find")
    work = twin(net, with_optimizer=False)
    ramped = _ramped_optimizer(net, optimizer, ExponentialRamp(min_lr, max_lr, n_steps))
    recorder = _Recorder(n_steps, smoothing, stop_factor)
    steps = -(-n_rows(X) // (batch_size or n_rows(X)))  # per epoch (fewer if rows drop)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a blow-up is what the finder looks for
        work.fit(
            X,
            y,
            loss=loss,
            optimizer=ramped,
            batch_size=batch_size,
            epochs=-(-n_steps // steps) + 1,  # the recorder stops it at n_steps
            callbacks=[recorder],
        )
    return _result(recorder)


def _ramped_optimizer(net, optimizer, ramp):
    """A fresh optimizer of the chosen kind whose learning rate is the ramp."""
    from .. import optim

    if optimizer is None:
        optimizer = net.optimizer.get_config() if net.optimizer is not None else "sgd"
    chosen = optim.get(optimizer)
    config = {**chosen.get_config(), "learning_rate": ramp}
    return type(chosen)(**{k: v for k, v in config.items() if k != "name"})


def _result(recorder: _Recorder) -> LRFinderResult:
    lrs, losses = np.asarray(recorder.lrs), np.asarray(recorder.losses)
    smoothed = np.asarray(recorder.smoothed)
    if len(lrs) < 3:
        raise ValueError(
            f"lr_find recorded {len(lrs)} step(s) only ({recorder.reason}); lower min_lr."
        )
    best = int(np.nanargmin(smoothed))
    slopes = np.gradient(smoothed, np.log(lrs))
    steepest = int(np.nanargmin(slopes[: max(best, 1) + 1]))
    return LRFinderResult(
        lrs, losses, smoothed, float(lrs[best] / 10), float(lrs[steepest]), recorder.reason
    )


__all__ = ["ExponentialRamp", "LRFinderResult", "lr_find"]
