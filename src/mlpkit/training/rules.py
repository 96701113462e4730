"""Stopping rules: the criteria that EarlyStopping (``stopping.py``) combines.

A rule is a small object with ``reset()`` (called at train begin) and
``check(epoch, logs) -> str | None``, called once per epoch with that epoch's logs. It returns
None, or, when it fires, the reason in words with the numbers that made it fire. Rules only
read the logs, so they cost a few Python operations per epoch and nothing per batch.

``epoch`` is the network's epoch index (from 0, continuing across fits); reasons count epochs
from 1, like the progress lines. "Consecutive" and "in this fit" refer to the epochs since the
last ``reset()``.

Prechelt's criteria (:class:`GeneralizationLoss`, :class:`ProgressQuotient`,
:class:`ValidationIncrease`) follow L. Prechelt, "Early Stopping — But When?", in *Neural
Networks: Tricks of the Trade*, LNCS 1524, Springer, 1998, pp. 55-69, with the epoch's mean
training loss as E_tr and the validation loss as E_va. They assume positive losses.
"""

from __future__ import annotations

import inspect
import math
import time
import warnings
from collections import deque
from collections.abc import Mapping
from typing import Any

from .._checks import check_integer, check_positive
from ..exceptions import ConfigError
from .callbacks import Monitor
from .state import Stateful

Logs = Mapping[str, float]


class StoppingRule(Stateful):
    """Base class: a criterion checked at the end of every epoch.

    Subclasses store their arguments under the same names, call ``self.reset()`` at the end
    of ``__init__``, implement :meth:`check`, and name what ``reset`` resets in
    ``state_attributes`` (saved and restored by a resumed fit).
    """

    def reset(self) -> None:
        """Forget everything seen so far (called by EarlyStopping at train begin)."""
        self._warned: set[str] = set()

    def check(self, epoch: int, logs: Logs) -> str | None:
        """Return why training should stop after ``epoch``, or None to go on."""
        raise NotImplementedError

    def _read(self, logs: Logs, key: str) -> float | None:
        """``logs[key]``, or None with one warning per fit when the key is missing."""
        if key in logs:
            return float(logs[key])
        if key not in self._warned:
            self._warned.add(key)
            warnings.warn(
                f"{type(self).__name__} needs {key!r}, which is not in the logs, so it is "
                f"skipped. Available keys: {', '.join(logs) or '(none)'}.",
                stacklevel=3,
            )
        return None

    def get_config(self) -> dict[str, Any]:
        """The constructor arguments, by name."""
        names = inspect.signature(type(self).__init__).parameters
        return {name: getattr(self, name) for name in names if name != "self"}

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({args})"


def _excess(value: float, reference: float) -> float:
    """value / reference - 1, read as +inf or 0 when reference is 0 (Prechelt's ratios)."""
    if reference > 0:
        return value / reference - 1.0
    return math.inf if value > reference else 0.0


class NoImprovement(StoppingRule):
    """Fire when ``monitor`` has not improved for ``patience`` epochs in a row, as Keras's
    ``EarlyStopping`` does.

    An epoch improves if its value beats the best so far by more than ``min_delta``
    (``value < best - min_delta`` in min mode, ``value > best + min_delta`` in max mode; mode
    "auto" is max for names containing "acc" or "auc", else min). The rule fires on the
    ``patience``-th consecutive epoch without improvement, that is ``patience`` epochs after
    the best one (``patience=0`` fires on the first epoch without improvement, as Keras).
    scikit-learn's ``n_iter_no_change`` counts differently (it stops on the
    ``n_iter_no_change + 1``-th bad epoch); the estimators translate it.

    Reason: ``"no improvement in val_loss beyond min_delta=0 for 3 epochs (patience=3); best
    0.1234 at epoch 5, now 0.1300"``.
    """

    def __init__(
        self,
        monitor: str = "val_loss",
        patience: int = 0,
        min_delta: float = 0.0,
        mode: str = "auto",
    ) -> None:
        self.tracker = Monitor("NoImprovement", monitor, mode, min_delta)
        self.monitor, self.min_delta, self.mode = monitor, min_delta, mode
        self.patience = check_integer("patience", patience, owner="NoImprovement")
        self.reset()

    state_attributes = ("tracker", "wait")

    def reset(self) -> None:
        super().reset()
        self.tracker.reset()
        self.wait = 0

    def check(self, epoch: int, logs: Logs) -> str | None:
        value = self.tracker.read(logs)
        if value is None:
            return None
        if self.tracker.update(epoch, value):
            self.wait = 0
            return None
        self.wait += 1
        if self.wait < max(self.patience, 1):
            return None
        best = self.tracker
        seen = (
            "no finite value yet"
            if best.best_epoch is None
            else f"best {best.best:.4f} at epoch {best.best_epoch + 1}"
        )
        return (
            f"no improvement in {self.monitor} beyond min_delta={self.min_delta:g} for "
            f"{self.wait} epochs (patience={self.patience}); {seen}, now {value:.4f}"
        )


class GeneralizationGap(StoppingRule):
    """Fire when val_loss exceeds loss by more than ``margin`` for ``patience + 1`` epochs.

    The gap is ``val_loss - loss``, or ``val_loss / loss - 1`` with ``relative=True``. An
    epoch is bad if gap > margin; the rule fires on the ``patience + 1``-th consecutive bad
    epoch (``patience=0``: the first). Note that ``loss`` is the mean over the epoch's batches
    while the weights were changing (and with dropout on), so a small positive gap is normal.

    Reason: ``"generalization gap: val_loss - loss = 0.0512 > margin=0.01 for 3 consecutive
    epochs (patience=2); val_loss 0.1512, loss 0.1000"`` (``val_loss / loss - 1`` if relative).
    """

    def __init__(self, margin: float = 0.0, patience: int = 0, relative: bool = False) -> None:
        self.margin = check_positive("margin", margin, allow_zero=True, owner="GeneralizationGap")
        self.patience = check_integer("patience", patience, owner="GeneralizationGap")
        self.relative = bool(relative)
        self.reset()

    state_attributes = ("count",)

    def reset(self) -> None:
        super().reset()
        self.count = 0

    def check(self, epoch: int, logs: Logs) -> str | None:
        loss, val_loss = self._read(logs, "loss"), self._read(logs, "val_loss")
        if loss is None or val_loss is None:
            return None
        gap = _excess(val_loss, loss) if self.relative else val_loss - loss
        self.count = self.count + 1 if gap > self.margin else 0
        if self.count <= self.patience:
            return None
        what = "val_loss / loss - 1" if self.relative else "val_loss - loss"
        return (
            f"generalization gap: {what} = {gap:.4f} > margin={self.margin:g} for "
            f"{self.count} consecutive epochs (patience={self.patience}); "
            f"val_loss {val_loss:.4f}, loss {loss:.4f}"
        )


class GradientNorm(StoppingRule):
    """Fire on exploding (norm > ``max_norm``) or vanishing (norm < ``min_norm``) gradients.

    Reads ``logs[monitor]``: by default ``"grad_norm"``, the epoch's mean global L2 norm
    ‖∇L‖₂ of the gradient over all parameters; ``"grad_norm_max"`` / ``"grad_norm_min"``
    test the largest / smallest batch norm instead. A NaN norm counts as exploding.

    Reason: ``"exploding gradients: grad_norm 1523 > max_norm=100 at epoch 4"`` or
    ``"vanishing gradients: grad_norm 3.2e-09 < min_norm=1e-06 at epoch 4"``.
    """

    def __init__(
        self,
        max_norm: float | None = None,
        min_norm: float | None = None,
        monitor: str = "grad_norm",
    ) -> None:
        owner = "GradientNorm"
        if max_norm is None and min_norm is None:
            raise ConfigError(
                f"{owner} needs a threshold, got max_norm=None and min_norm=None. "
                f"Pass max_norm= (exploding), min_norm= (vanishing) or both."
            )
        self.max_norm = (
            None if max_norm is None else check_positive("max_norm", max_norm, owner=owner)
        )
        self.min_norm = (
            None if min_norm is None else check_positive("min_norm", min_norm, owner=owner)
        )
        if self.max_norm is not None and self.min_norm is not None and min_norm >= max_norm:
            raise ConfigError(
                f"{owner} min_norm must be below max_norm, got "
                f"min_norm={min_norm!r}, max_norm={max_norm!r}."
            )
        self.monitor = monitor
        self.reset()

    def check(self, epoch: int, logs: Logs) -> str | None:
        norm = self._read(logs, self.monitor)
        if norm is None:
            return None
        if self.max_norm is not None and not norm <= self.max_norm:
            return (
                f"exploding gradients: {self.monitor} {norm:.4g} > "
                f"max_norm={self.max_norm:g} at epoch {epoch + 1}"
            )
        if self.min_norm is not None and norm < self.min_norm:
            return (
                f"vanishing gradients: {self.monitor} {norm:.4g} < "
                f"min_norm={self.min_norm:g} at epoch {epoch + 1}"
            )
        return None


class NonFiniteLoss(StoppingRule):
    """Fire when the epoch's ``loss`` or ``val_loss`` is NaN or infinite.

    Reason: ``"non-finite loss: val_loss = nan at epoch 4"``.
    """

    def __init__(self) -> None:
        self.reset()

    def check(self, epoch: int, logs: Logs) -> str | None:
        for key in ("loss", "val_loss"):
            if key in logs and not math.isfinite(logs[key]):
                return f"non-finite loss: {key} = {float(logs[key])} at epoch {epoch + 1}"
        return None


class MaxEpochs(StoppingRule):
    """Fire once ``n_epochs`` epochs have completed in this fit.

    Reason: ``"max epochs: 5 epochs completed in this fit (n_epochs=5)"``.
    """

    def __init__(self, n_epochs: int) -> None:
        self.n_epochs = check_integer("n_epochs", n_epochs, low=1, owner="MaxEpochs")
        self.reset()

    state_attributes = ("completed",)

    def reset(self) -> None:
        super().reset()
        self.completed = 0

    def check(self, epoch: int, logs: Logs) -> str | None:
        self.completed += 1
        if self.completed < self.n_epochs:
            return None
        return (
            f"max epochs: {self.completed} epochs completed in this fit (n_epochs={self.n_epochs})"
        )


class TimeBudget(StoppingRule):
    """Fire at the first epoch end at which ``seconds`` of wall-clock time have passed.

    Time is ``time.monotonic()`` since ``reset()`` (train begin). Rules are checked per epoch,
    so a run overshoots its budget by at most one epoch. The state of a resumed fit is the time
    spent training before the interruption: the budget counts training time, not the time the
    fit lay dead between the kill and the resume.

    Reason: ``"time budget: 60.42 s elapsed >= seconds=60 after epoch 12"``.
    """

    state_attributes = ("elapsed",)

    def __init__(self, seconds: float) -> None:
        self.seconds = check_positive("seconds", seconds, owner="TimeBudget")
        self.reset()

    def reset(self) -> None:
        super().reset()
        self.start = time.monotonic()

    @property
    def elapsed(self) -> float:
        """Seconds since train begin (plus those of the fit this one resumed)."""
        return time.monotonic() - self.start

    @elapsed.setter
    def elapsed(self, seconds: float) -> None:
        self.start = time.monotonic() - float(seconds)

    def check(self, epoch: int, logs: Logs) -> str | None:
        elapsed = self.elapsed
        if elapsed < self.seconds:
            return None
        return (
            f"time budget: {elapsed:.2f} s elapsed >= seconds={self.seconds:g} "
            f"after epoch {epoch + 1}"
        )


class GeneralizationLoss(StoppingRule):
    """Prechelt's GL_α: fire when the generalization loss exceeds ``alpha`` percent.

    GL(t) = 100 · (E_va(t) / E_opt(t) − 1), with E_opt(t) = min_{t' ≤ t} E_va(t') the lowest
    validation loss so far; GL_α stops after the first epoch t with GL(t) > α (Prechelt 1998,
    section 2.2; he reports α around 1-5 as useful).

    Reason: ``"generalization loss GL = 7.12 > alpha=5 (Prechelt GL_alpha); val_loss 0.1071,
    lowest 0.1000 at epoch 12"``.
    """

    def __init__(self, alpha: float = 5.0) -> None:
        self.alpha = check_positive("alpha", alpha, allow_zero=True, owner="GeneralizationLoss")
        self.reset()

    state_attributes = ("lowest", "lowest_epoch")

    def reset(self) -> None:
        super().reset()
        self.lowest, self.lowest_epoch = math.inf, None

    def check(self, epoch: int, logs: Logs) -> str | None:
        val_loss = self._read(logs, "val_loss")
        if val_loss is None:
            return None
        if val_loss < self.lowest:
            self.lowest, self.lowest_epoch = val_loss, epoch
        gl = 100.0 * _excess(val_loss, self.lowest)
        if not gl > self.alpha:
            return None
        return (
            f"generalization loss GL = {gl:.2f} > alpha={self.alpha:g} (Prechelt GL_alpha); "
            f"val_loss {val_loss:.4f}, lowest {self.lowest:.4f} at epoch "
            f"{self.lowest_epoch + 1}"
        )


class ProgressQuotient(StoppingRule):
    """Prechelt's PQ_α: fire when generalization loss outweighs training progress.

    Epochs are grouped into strips of k = ``strip`` epochs. At the end of each strip,
    training progress is P_k(t) = 1000 · (Σ_{t'=t−k+1..t} E_tr(t') / (k · min_{t'=t−k+1..t}
    E_tr(t')) − 1), how much the strip's mean training loss lies above its minimum, and the
    rule fires if GL(t) / P_k(t) > α, with GL as in :class:`GeneralizationLoss` (Prechelt
    1998, section 2.2). P_k = 0 (no progress at all) gives PQ = ∞ when GL > 0.

    Reason: ``"progress quotient PQ = GL / P_5 = 7.12 / 3.10 = 2.30 > alpha=0.5 (Prechelt
    PQ_alpha) at the end of the strip ending at epoch 20"``.
    """

    def __init__(self, alpha: float = 0.5, strip: int = 5) -> None:
        self.alpha = check_positive("alpha", alpha, allow_zero=True, owner="ProgressQuotient")
        self.strip = check_integer("strip", strip, low=1, owner="ProgressQuotient")
        self.reset()

    state_attributes = ("lowest", "count", "train_losses")

    def reset(self) -> None:
        super().reset()
        self.lowest, self.count = math.inf, 0
        self.train_losses: deque[float] = deque(maxlen=self.strip)

    def set_state(self, state: dict) -> None:
        super().set_state(state)
        self.train_losses = deque(self.train_losses, maxlen=self.strip)

    def check(self, epoch: int, logs: Logs) -> str | None:
        loss, val_loss = self._read(logs, "loss"), self._read(logs, "val_loss")
        if loss is None or val_loss is None:
            return None
        self.train_losses.append(loss)
        self.lowest = min(self.lowest, val_loss)
        self.count += 1
        if self.count % self.strip:
            return None
        k = self.strip
        progress = 1000.0 * _excess(sum(self.train_losses), k * min(self.train_losses))
        gl = 100.0 * _excess(val_loss, self.lowest)
        pq = gl / progress if progress > 0 else (math.inf if gl > 0 else 0.0)
        if not pq > self.alpha:
            return None
        return (
            f"progress quotient PQ = GL / P_{k} = {gl:.2f} / {progress:.2f} = {pq:.2f} > "
            f"alpha={self.alpha:g} (Prechelt PQ_alpha) at the end of the strip ending at "
            f"epoch {epoch + 1}"
        )


class ValidationIncrease(StoppingRule):
    """Prechelt's UP_s: fire when val_loss rose at the ends of ``strips`` successive strips.

    With strips of k = ``strip`` epochs, UP_1 stops after the first end-of-strip epoch t with
    E_va(t) > E_va(t − k), and UP_s stops after epoch t iff UP_{s−1} stopped after t − k and
    E_va(t) > E_va(t − k) (Prechelt 1998, section 2.2).

    Reason: ``"validation increase UP_2: val_loss rose at the end of 2 successive strips of 5
    epochs: 0.1000 -> 0.1100 -> 0.1300 (epoch 20)"``.
    """

    def __init__(self, strips: int = 3, strip: int = 5) -> None:
        self.strips = check_integer("strips", strips, low=1, owner="ValidationIncrease")
        self.strip = check_integer("strip", strip, low=1, owner="ValidationIncrease")
        self.reset()

    state_attributes = ("count", "run")

    def reset(self) -> None:
        super().reset()
        self.count = 0
        self.run: list[float] = []

    def check(self, epoch: int, logs: Logs) -> str | None:
        val_loss = self._read(logs, "val_loss")
        if val_loss is None:
            return None
        self.count += 1
        if self.count % self.strip:
            return None
        rose = bool(self.run) and val_loss > self.run[-1]
        self.run = [*self.run[-self.strips :], val_loss] if rose else [val_loss]
        if len(self.run) <= self.strips:
            return None
        values = " -> ".join(f"{v:.4f}" for v in self.run)
        return (
            f"validation increase UP_{self.strips}: val_loss rose at the end of "
            f"{self.strips} successive strips of {self.strip} epochs: {values} "
            f"(epoch {epoch + 1})"
        )


__all__ = [
    "StoppingRule",
    "NoImprovement",
    "GeneralizationGap",
    "GradientNorm",
    "NonFiniteLoss",
    "MaxEpochs",
    "TimeBudget",
    "GeneralizationLoss",
    "ProgressQuotient",
    "ValidationIncrease",
]
