r"""Learning-rate schedules: η(t), a learning rate for each step t = 0, 1, 2, ...

A schedule is a frozen dataclass. It holds only its hyperparameters, and calling it with a
step returns that step's learning rate: ``CosineDecay(0.1, decay_steps=50)(10)``. Every
schedule is a closed form in t, so nothing is carried from one call to the next, and η(t)
does not depend on which steps were asked for before. The values are those of the
``torch.optim.lr_scheduler`` twin named in each docstring. Torch builds them by multiplying
lr step after step; here each one is computed directly, so they agree to rounding.

``per`` says what t counts: ``"epoch"`` (the default) means t is the number of epochs
completed, and ``"batch"`` means it is the number of updates made so far. Step sizes,
decay lengths, warm-up lengths and ``Join`` boundaries are in that unit.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, field, fields
from numbers import Integral

from ._checks import check_fraction, check_integer, check_positive
from .exceptions import ConfigError
from .registry import resolve

#: The units a schedule's step may count.
UNITS = ("epoch", "batch")


@dataclass(frozen=True)
class Schedule:
    """Base class: η(t) for t = 0, 1, 2, ... Subclasses write ``_value(t)``.

    Args:
        per: the unit of t: ``"epoch"`` (t epochs completed) or ``"batch"`` (t updates
            made). Defaults to ``"epoch"``.
    """

    per: str = field(default="epoch", kw_only=True)
    name = "schedule"

    def __post_init__(self) -> None:
        if self.per not in UNITS:
            raise ConfigError(
                f"per must be 'epoch' or 'batch'; received per={self.per!r}. Pass per='batch' "
                f"to step the schedule after every update, per='epoch' after every epoch."
            )

    def __call__(self, step: int) -> float:
        """The learning rate at ``step``, counted from 0 in units of ``per``."""
        if not isinstance(step, Integral) or isinstance(step, bool):
            raise TypeError(f"step must be an integer; received step={step!r}.")
        if step < 0:
            raise ValueError(f"step must be >= 0 (steps count from 0); received step={step!r}.")
        return float(self._value(int(step)))

    def _value(self, t: int) -> float:
        raise NotImplementedError

    def get_config(self) -> dict:
        """``{"name": ..., **constructor arguments}``; ``get(config)`` rebuilds the schedule."""
        return {"name": self.name, **{f.name: getattr(self, f.name) for f in fields(self)}}


@dataclass(frozen=True)
class Constant(Schedule):
    """η(t) = η. ``torch.optim.lr_scheduler.ConstantLR(factor=1.0)``, or no scheduler.

    Args:
        learning_rate: η, a positive number.
        per: the unit of t, as in :class:`Schedule`. Defaults to ``"epoch"``.
    """

    learning_rate: float
    name = "constant"

    def __post_init__(self) -> None:
        super().__post_init__()
        check_positive("learning_rate", self.learning_rate)

    def _value(self, t: int) -> float:
        return self.learning_rate


@dataclass(frozen=True)
class StepDecay(Schedule):
    """η(t) = η₀ · factor^⌊t / step_size⌋: multiply by ``factor`` every ``step_size`` steps.

    ``torch.optim.lr_scheduler.StepLR(step_size, gamma=factor)``.

    Args:
        initial_learning_rate: η₀, a positive number.
        step_size: steps between two decays, a positive integer.
        factor: the multiplier, in (0, 1]. Defaults to 0.1.
        per: the unit of t, as in :class:`Schedule`. Defaults to ``"epoch"``.
    """

    initial_learning_rate: float
    step_size: int
    factor: float = 0.1
    name = "step_decay"

    def __post_init__(self) -> None:
        super().__post_init__()
        check_positive("initial_learning_rate", self.initial_learning_rate)
        check_integer("step_size", self.step_size, low=1)
        check_fraction("factor", self.factor, interval="(0, 1]")

    def _value(self, t: int) -> float:
        return self.initial_learning_rate * self.factor ** (t // self.step_size)


@dataclass(frozen=True)
class ExponentialDecay(Schedule):
    """η(t) = η₀ · e^(−rate·t).

    ``torch.optim.lr_scheduler.ExponentialLR(gamma=math.exp(-rate))``.

    Args:
        initial_learning_rate: η₀, a positive number.
        rate: k, a non-negative number; η falls by a factor e every 1/k steps.
        per: the unit of t, as in :class:`Schedule`. Defaults to ``"epoch"``.
    """

    initial_learning_rate: float
    rate: float
    name = "exponential_decay"

    def __post_init__(self) -> None:
        super().__post_init__()
        check_positive("initial_learning_rate", self.initial_learning_rate)
        check_positive("rate", self.rate, allow_zero=True)

    def _value(self, t: int) -> float:
        return self.initial_learning_rate * math.exp(-self.rate * t)


@dataclass(frozen=True)
class InverseTimeDecay(Schedule):
    """η(t) = η₀ / (1 + rate·t).

    ``torch.optim.lr_scheduler.LambdaLR(lr_lambda=lambda t: 1 / (1 + rate * t))``.

    Args:
        initial_learning_rate: η₀, a positive number.
        rate: k, a non-negative number; η is halved at t = 1/k.
        per: the unit of t, as in :class:`Schedule`. Defaults to ``"epoch"``.
    """

    initial_learning_rate: float
    rate: float
    name = "inverse_time_decay"

    def __post_init__(self) -> None:
        super().__post_init__()
        check_positive("initial_learning_rate", self.initial_learning_rate)
        check_positive("rate", self.rate, allow_zero=True)

    def _value(self, t: int) -> float:
        return self.initial_learning_rate / (1 + self.rate * t)


@dataclass(frozen=True)
class CosineDecay(Schedule):
    """η(t) = η_min + (η₀ − η_min) · (1 + cos(π·t/T)) / 2 for t ≤ T, and η_min after.

    ``torch.optim.lr_scheduler.CosineAnnealingLR(T_max=T, eta_min=η_min)`` for t ≤ T. Torch
    then climbs back up the cosine; this schedule stays at η_min. Loshchilov & Hutter,
    "SGDR: Stochastic Gradient Descent with Warm Restarts", ICLR 2017.

    Args:
        initial_learning_rate: η₀, a positive number.
        decay_steps: T, the steps from η₀ down to η_min, a positive integer.
        final_learning_rate: η_min, a non-negative number. Defaults to 0.0.
        per: the unit of t, as in :class:`Schedule`. Defaults to ``"epoch"``.
    """

    initial_learning_rate: float
    decay_steps: int
    final_learning_rate: float = 0.0
    name = "cosine_decay"

    def __post_init__(self) -> None:
        super().__post_init__()
        check_positive("initial_learning_rate", self.initial_learning_rate)
        check_integer("decay_steps", self.decay_steps, low=1)
        check_positive("final_learning_rate", self.final_learning_rate, allow_zero=True)

    def _value(self, t: int) -> float:
        eta_min, progress = self.final_learning_rate, min(t, self.decay_steps) / self.decay_steps
        cosine = (1 + math.cos(math.pi * progress)) / 2
        return eta_min + (self.initial_learning_rate - eta_min) * cosine


@dataclass(frozen=True)
class LinearWarmup(Schedule):
    """η(t) = η · (s + (1 − s) · min(t, W) / W): from s·η at t = 0 up to η at t = W, then η.

    ``torch.optim.lr_scheduler.LinearLR(start_factor=s, end_factor=1.0, total_iters=W)``,
    which needs s > 0. Goyal et al., "Accurate, Large Minibatch SGD: Training ImageNet in
    1 Hour", 2017. Put it before a decay with :class:`Join`.

    Args:
        learning_rate: η, reached at the end of the warm-up, a positive number.
        warmup_steps: W, a positive integer.
        start_factor: s, in [0, 1]. Defaults to 0.0 (start from η = 0).
        per: the unit of t, as in :class:`Schedule`. Defaults to ``"epoch"``.
    """

    learning_rate: float
    warmup_steps: int
    start_factor: float = 0.0
    name = "linear_warmup"

    def __post_init__(self) -> None:
        super().__post_init__()
        check_positive("learning_rate", self.learning_rate)
        check_integer("warmup_steps", self.warmup_steps, low=1)
        check_fraction("start_factor", self.start_factor, interval="[0, 1]")

    def _value(self, t: int) -> float:
        s, progress = self.start_factor, min(t, self.warmup_steps) / self.warmup_steps
        return self.learning_rate * (s + (1 - s) * progress)


@dataclass(frozen=True)
class Join(Schedule):
    """η(t) = ηᵢ(t − bᵢ₋₁) for bᵢ₋₁ ≤ t < bᵢ: one schedule after another, each restarted at 0.

    With b₋₁ = 0 and bₙ = ∞. ``torch.optim.lr_scheduler.SequentialLR(schedulers,
    milestones=boundaries)``; ``optax.join_schedules``. Warm-up then cosine decay:
    ``Join([LinearWarmup(0.1, 5), CosineDecay(0.1, 95)], boundaries=[5])``.

    Args:
        schedules: the parts, in order: schedules, or their names or configs (as for
            :func:`get`). Each must count steps in this schedule's ``per``.
        boundaries: the steps bᵢ where part i + 1 takes over, increasing positive integers,
            one fewer than ``schedules``.
        per: the unit of t, shared by all parts. Defaults to ``"epoch"``.
    """

    schedules: Sequence[Schedule]
    boundaries: Sequence[int]
    name = "join"

    def __post_init__(self) -> None:
        super().__post_init__()
        # frozen: store the normalised tuples the way dataclasses' own __init__ does
        object.__setattr__(self, "schedules", tuple(get(part) for part in self.schedules))
        object.__setattr__(self, "boundaries", tuple(self.boundaries))
        _check_boundaries(self.boundaries, len(self.schedules))
        for index, part in enumerate(self.schedules):
            if part.per != self.per:
                raise ConfigError(
                    f"Join parts must share its per={self.per!r}; received schedules[{index}]="
                    f"{part!r}. Pass per={part.per!r} to Join or build the part with "
                    f"per={self.per!r}."
                )

    def _value(self, t: int) -> float:
        index = bisect_right(self.boundaries, t)
        start = self.boundaries[index - 1] if index else 0
        return self.schedules[index](t - start)

    def get_config(self) -> dict:
        """The parts' configs nested under ``"schedules"``; ``get(config)`` rebuilds them."""
        return {
            "name": self.name,
            "schedules": [part.get_config() for part in self.schedules],
            "boundaries": list(self.boundaries),
            "per": self.per,
        }


SCHEDULES: dict[str, type[Schedule]] = {
    cls.name: cls
    for cls in (
        Constant,
        StepDecay,
        ExponentialDecay,
        InverseTimeDecay,
        CosineDecay,
        LinearWarmup,
        Join,
    )
}


def get(identifier) -> Schedule:
    """Resolve ``{"name": "step_decay", "initial_learning_rate": 0.1, "step_size": 10}``
    or a Schedule (used as is)."""
    return resolve(
        "schedule",
        SCHEDULES,
        identifier,
        Schedule,
        ", or pass an object such as mk.schedules.CosineDecay(0.1, decay_steps=100)",
    )


def _check_boundaries(boundaries: tuple, n_schedules: int) -> None:
    if n_schedules == 0:
        raise ConfigError("schedules must hold at least one schedule; received schedules=[].")
    if len(boundaries) != n_schedules - 1:
        raise ConfigError(
            f"boundaries must have one entry fewer than schedules ({n_schedules}); received "
            f"boundaries={list(boundaries)!r}. Give the step where each part after the first "
            f"takes over."
        )
    positive = all(
        isinstance(b, Integral) and not isinstance(b, bool) and b > 0 for b in boundaries
    )
    if not positive or any(b >= after for b, after in zip(boundaries, boundaries[1:])):
        raise ConfigError(
            f"boundaries must be strictly increasing positive integers; received "
            f"boundaries={list(boundaries)!r}."
        )


__all__ = [
    "Schedule",
    "Constant",
    "StepDecay",
    "ExponentialDecay",
    "InverseTimeDecay",
    "CosineDecay",
    "LinearWarmup",
    "Join",
    "SCHEDULES",
    "UNITS",
    "get",
]
