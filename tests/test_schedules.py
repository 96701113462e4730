"""Learning-rate schedules against torch.optim.lr_scheduler, config round trips, bad arguments.

The torch twin drives an SGD optimizer holding one dummy parameter: the learning rate read
from ``param_groups[0]["lr"]`` after construction is η(0), and after the k-th
``scheduler.step()`` it is η(k).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from torch.optim import lr_scheduler

from mlpkit.exceptions import ConfigError

try:
    from mlpkit import schedules
except ImportError:  # until mlpkit/__init__.py exports it
    import mlpkit.schedules as schedules

N_STEPS = 60  # compare t = 0..60
LR = 0.3


def torch_learning_rates(make_scheduler, lr: float = LR, n_steps: int = N_STEPS) -> list[float]:
    """η(0..n_steps) from a torch scheduler built by ``make_scheduler(optimizer)``."""
    optimizer = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=lr)
    scheduler = make_scheduler(optimizer)
    rates = [optimizer.param_groups[0]["lr"]]
    for _ in range(n_steps):
        optimizer.step()  # before scheduler.step(), as torch asks
        scheduler.step()
        rates.append(optimizer.param_groups[0]["lr"])
    return rates


def ours(schedule, n_steps: int = N_STEPS) -> list[float]:
    return [schedule(t) for t in range(n_steps + 1)]


def warmup_then_cosine(optimizer):
    return lr_scheduler.SequentialLR(
        optimizer,
        [
            lr_scheduler.LinearLR(optimizer, start_factor=0.1, end_factor=1.0, total_iters=8),
            lr_scheduler.CosineAnnealingLR(optimizer, T_max=N_STEPS - 8, eta_min=0.01),
        ],
        milestones=[8],
    )


TORCH_TWINS = {  # id -> (our schedule, factory of the torch scheduler)
    "step_decay": (
        schedules.StepDecay(LR, step_size=7, factor=0.5),
        lambda opt: lr_scheduler.StepLR(opt, step_size=7, gamma=0.5),
    ),
    "step_decay_default_factor": (
        schedules.StepDecay(LR, step_size=13),
        lambda opt: lr_scheduler.StepLR(opt, step_size=13),
    ),
    "exponential_decay": (
        schedules.ExponentialDecay(LR, rate=0.07),
        lambda opt: lr_scheduler.ExponentialLR(opt, gamma=math.exp(-0.07)),
    ),
    "inverse_time_decay": (
        schedules.InverseTimeDecay(LR, rate=0.3),
        lambda opt: lr_scheduler.LambdaLR(opt, lambda t: 1 / (1 + 0.3 * t)),
    ),
    "cosine_decay": (
        schedules.CosineDecay(LR, decay_steps=N_STEPS),
        lambda opt: lr_scheduler.CosineAnnealingLR(opt, T_max=N_STEPS),
    ),
    "cosine_decay_to_final": (
        schedules.CosineDecay(LR, decay_steps=N_STEPS, final_learning_rate=0.02),
        lambda opt: lr_scheduler.CosineAnnealingLR(opt, T_max=N_STEPS, eta_min=0.02),
    ),
    "linear_warmup": (
        schedules.LinearWarmup(LR, warmup_steps=10, start_factor=0.1),
        lambda opt: lr_scheduler.LinearLR(opt, start_factor=0.1, total_iters=10),
    ),
    "join_warmup_cosine": (
        schedules.Join(
            [
                schedules.LinearWarmup(LR, warmup_steps=8, start_factor=0.1),
                schedules.CosineDecay(LR, decay_steps=N_STEPS - 8, final_learning_rate=0.01),
            ],
            boundaries=[8],
        ),
        warmup_then_cosine,
    ),
    "constant": (schedules.Constant(LR), lambda opt: lr_scheduler.LambdaLR(opt, lambda t: 1.0)),
}


@pytest.mark.parametrize("schedule, make_scheduler", TORCH_TWINS.values(), ids=TORCH_TWINS)
def test_schedule_equals_its_torch_twin_for_the_first_60_steps(schedule, make_scheduler):
    np.testing.assert_allclose(
        ours(schedule), torch_learning_rates(make_scheduler), rtol=1e-12, atol=0
    )


def test_linear_warmup_from_zero_rises_in_equal_steps_to_the_learning_rate_and_stays():
    warmup = schedules.LinearWarmup(0.4, warmup_steps=4)
    np.testing.assert_allclose(ours(warmup, 6), [0.0, 0.1, 0.2, 0.3, 0.4, 0.4, 0.4], rtol=1e-15)


def test_cosine_decay_stays_at_the_final_learning_rate_after_decay_steps():
    cosine = schedules.CosineDecay(1.0, decay_steps=10, final_learning_rate=0.05)
    assert cosine(5) == pytest.approx(0.525, rel=1e-15)
    assert [cosine(t) for t in (10, 11, 1000)] == [0.05, 0.05, 0.05]


def test_step_decay_changes_only_at_multiples_of_step_size():
    decay = schedules.StepDecay(1.0, step_size=3, factor=0.5)
    assert ours(decay, 7) == [1.0, 1.0, 1.0, 0.5, 0.5, 0.5, 0.25, 0.25]


def test_join_restarts_each_part_at_its_boundary():
    join = schedules.Join(
        [
            schedules.Constant(1.0),
            schedules.StepDecay(2.0, step_size=2),
            schedules.InverseTimeDecay(3.0, rate=1.0),
        ],
        boundaries=[3, 7],
    )
    expected = [1.0, 1.0, 1.0, 2.0, 2.0, 0.2, 0.2, 3.0, 1.5, 1.0]
    np.testing.assert_allclose(ours(join, 9), expected, rtol=1e-15)


def test_a_schedule_returns_a_python_float_and_accepts_numpy_integer_steps():
    value = schedules.ExponentialDecay(0.1, rate=0.5)(np.int64(2))
    assert type(value) is float
    assert value == pytest.approx(0.1 * math.exp(-1.0), rel=1e-15)


# -- configs ------------------------------------------------------------------------------------
def all_schedules() -> list[schedules.Schedule]:
    nested = schedules.Join(
        [
            schedules.Constant(0.1, per="batch"),
            schedules.Join(
                [
                    schedules.Constant(0.2, per="batch"),
                    schedules.ExponentialDecay(0.2, rate=0.1, per="batch"),
                ],
                boundaries=[5],
                per="batch",
            ),
        ],
        boundaries=[3],
        per="batch",
    )
    return [twin for twin, _ in TORCH_TWINS.values()] + [
        schedules.StepDecay(0.1, step_size=100, factor=0.9, per="batch"),
        nested,
    ]


@pytest.mark.parametrize("schedule", all_schedules(), ids=repr)
def test_config_round_trips_through_get(schedule):
    config = schedule.get_config()
    rebuilt = schedules.get(config)
    assert rebuilt == schedule
    assert rebuilt.get_config() == config
    assert ours(rebuilt, 20) == ours(schedule, 20)


def test_join_config_nests_the_configs_of_its_parts():
    join = TORCH_TWINS["join_warmup_cosine"][0]
    config = join.get_config()
    assert config["name"] == "join"
    assert config["boundaries"] == [8]
    assert [part["name"] for part in config["schedules"]] == ["linear_warmup", "cosine_decay"]
    assert config["schedules"][0] == join.schedules[0].get_config()


def test_every_registered_name_is_the_name_in_its_classes_config():
    for name, cls in schedules.SCHEDULES.items():
        assert cls.name == name
    assert set(schedules.SCHEDULES) == {
        "constant",
        "step_decay",
        "exponential_decay",
        "inverse_time_decay",
        "cosine_decay",
        "linear_warmup",
        "join",
    }


def test_get_returns_a_schedule_object_as_it_is():
    cosine = schedules.CosineDecay(0.1, decay_steps=10)
    assert schedules.get(cosine) is cosine


def test_get_of_an_unknown_name_lists_the_registered_ones():
    with pytest.raises(ConfigError, match="Unknown schedule 'cosine'.*cosine_decay"):
        schedules.get("cosine")


def test_repr_shows_the_class_and_every_argument():
    assert repr(schedules.StepDecay(0.1, step_size=5)) == (
        "StepDecay(per='epoch', initial_learning_rate=0.1, step_size=5, factor=0.1)"
    )


# -- the unit of t ------------------------------------------------------------------------------
def test_per_defaults_to_epoch_for_every_schedule():
    for schedule in [twin for twin, _ in TORCH_TWINS.values()]:
        assert schedule.per == "epoch"


def test_per_must_be_epoch_or_batch():
    with pytest.raises(ConfigError, match="per='step'"):
        schedules.Constant(0.1, per="step")


def test_join_parts_must_count_steps_in_its_unit():
    parts = [schedules.LinearWarmup(0.1, 5, per="batch"), schedules.CosineDecay(0.1, 50)]
    with pytest.raises(ConfigError, match=r"schedules\[0\]"):
        schedules.Join(parts, boundaries=[5])
    with pytest.raises(ConfigError, match=r"schedules\[1\]"):
        schedules.Join(parts, boundaries=[5], per="batch")


# -- bad arguments ------------------------------------------------------------------------------
BAD_ARGUMENTS = [  # (factory, the argument the message must name with its value)
    (lambda: schedules.Constant(0.0), "learning_rate=0.0"),
    (lambda: schedules.Constant(-0.1), "learning_rate=-0.1"),
    (lambda: schedules.Constant(float("nan")), "learning_rate=nan"),
    (lambda: schedules.Constant("0.1"), "learning_rate='0.1'"),
    (lambda: schedules.StepDecay(-1.0, step_size=5), "initial_learning_rate=-1.0"),
    (lambda: schedules.StepDecay(0.1, step_size=0), "step_size=0"),
    (lambda: schedules.StepDecay(0.1, step_size=2.5), "step_size=2.5"),
    (lambda: schedules.StepDecay(0.1, step_size=True), "step_size=True"),
    (lambda: schedules.StepDecay(0.1, step_size=5, factor=0.0), "factor=0.0"),
    (lambda: schedules.StepDecay(0.1, step_size=5, factor=1.5), "factor=1.5"),
    (lambda: schedules.ExponentialDecay(0.0, rate=0.1), "initial_learning_rate=0.0"),
    (lambda: schedules.ExponentialDecay(0.1, rate=-0.1), "rate=-0.1"),
    (lambda: schedules.InverseTimeDecay(0.1, rate=-1), "rate=-1"),
    (lambda: schedules.CosineDecay(0.1, decay_steps=-3), "decay_steps=-3"),
    (
        lambda: schedules.CosineDecay(0.1, decay_steps=10, final_learning_rate=-0.01),
        "final_learning_rate=-0.01",
    ),
    (lambda: schedules.LinearWarmup(0.1, warmup_steps=0), "warmup_steps=0"),
    (lambda: schedules.LinearWarmup(0.1, warmup_steps=5, start_factor=-0.5), "start_factor=-0.5"),
    (lambda: schedules.LinearWarmup(0.1, warmup_steps=5, start_factor=2.0), "start_factor=2.0"),
    (lambda: schedules.Join([schedules.Constant(0.1)] * 2, boundaries=[]), "boundaries=[]"),
    (lambda: schedules.Join([schedules.Constant(0.1)] * 2, boundaries=[3, 6]), "boundaries=[3, 6]"),
    (lambda: schedules.Join([schedules.Constant(0.1)] * 3, boundaries=[6, 3]), "boundaries=[6, 3]"),
    (lambda: schedules.Join([schedules.Constant(0.1)] * 3, boundaries=[4, 4]), "boundaries=[4, 4]"),
    (lambda: schedules.Join([schedules.Constant(0.1)] * 2, boundaries=[0]), "boundaries=[0]"),
    (lambda: schedules.Join([], boundaries=[]), "schedules=[]"),
]


@pytest.mark.parametrize("make, named", BAD_ARGUMENTS, ids=[named for _, named in BAD_ARGUMENTS])
def test_bad_argument_raises_config_error_naming_it_and_its_value(make, named):
    with pytest.raises(ConfigError, match=f"received {named}".replace("[", r"\[")):
        make()


def test_config_error_follows_the_house_form():
    with pytest.raises(ConfigError) as error:
        schedules.StepDecay(0.1, step_size=0)
    assert str(error.value) == "step_size must be a positive integer; received step_size=0."


def test_a_negative_step_raises_value_error():
    with pytest.raises(ValueError, match="step=-1"):
        schedules.CosineDecay(0.1, decay_steps=10)(-1)


def test_a_fractional_step_raises_type_error():
    with pytest.raises(TypeError, match="step=1.5"):
        schedules.Constant(0.1)(1.5)
