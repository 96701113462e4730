"""Check a space's numeric ranges against the estimator before any trial runs.

A range that reaches values the estimator refuses (``alpha=Uniform(-1, -0.5)``) would
otherwise be found only as each trial fails, late and once per trial. For an estimator with a
data-free ``check_params()`` (mlpkit's estimators), :func:`check_bounds` sets each top-level
Uniform, LogUniform or IntUniform parameter to its low and its high end and runs that check.

An end is blamed only when it is refused both on the estimator as given (that parameter alone
changed) and in every one of a few sampled configurations of the rest of the space (that
parameter held at the end): a value refused only in combination with another parameter's value
(``dropout`` with ``solver="lbfgs"``) is the trials' business, not the range's.
"""

from __future__ import annotations

import numpy as np

from ..exceptions import ConfigError
from .distributions import IntUniform, Uniform
from .space import Space
from .trial import Model

N_SAMPLES = 3  # sampled configurations of the rest of the space an end must also fail in


def check_bounds(space: Space, model: Model, seed: int) -> None:
    """Refuse a range whose low or high end the estimator's ``check_params`` always refuses.

    Raises:
        ConfigError: naming the space entry, the refused end and the estimator's own reason.
    """
    if not hasattr(model.estimator, "check_params"):
        return
    parameters = set(space.parameters())
    for dim in space.dimensions():
        ranged = isinstance(dim.distribution, (Uniform, IntUniform))
        if ranged and dim.path == dim.name and dim.name in parameters:
            for end in (dim.distribution.low, dim.distribution.high):
                _check_end(space, model, seed, dim, end)


def _check_end(space: Space, model: Model, seed: int, dim, end) -> None:
    reason = _refusal(model, {dim.name: end}, seed)
    if reason is None:
        return
    rng = np.random.default_rng([seed, 3])
    for _ in range(N_SAMPLES):
        config = space.walk(lambda d: end if d.path == dim.path else d.distribution.sample(rng))
        if _refusal(model, space.assemble(config), seed) is None:
            return
    owner = type(model.estimator).__name__
    raise ConfigError(
        f"Search space entry {dim.name!r} = {dim.distribution!r} reaches {dim.name}={end!r}, "
        f"which {owner} refuses: {reason} Narrow the range to values {owner} accepts, so that "
        "the trials do not fail one by one."
    )


def _refusal(model: Model, params: dict, seed: int) -> str | None:
    """The estimator's reason for refusing ``params`` (None: accepted)."""
    try:
        model.build(params, seed).check_params()
    except (ValueError, TypeError) as error:
        return str(error)
    return None
