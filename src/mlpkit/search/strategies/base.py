"""The strategy contract: a finished trial as strategies see it, and what a strategy proposes.

Holds :class:`Observation` (number, config, value, status, values), the :class:`Strategy` base
class, whose ``propose(start, n, history)`` returns the configurations of trials ``start ..
start + n - 1`` as a pure function of (space, seed, options, start, n, history), and
:func:`derive_seed`, the seed of the batch starting at ``start``.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np

from ..._checks import check_integer
from ...exceptions import ConfigError
from ..space import Space

STATUSES = ("complete", "pruned", "failed")


@dataclass(frozen=True)
class Observation:
    """A finished trial as the strategies see it.

    Attributes:
        number: the trial number.
        config: its configuration (from the space; JSON round trips are fine).
        value: its score, larger is better; None when it failed.
        status: "complete", "pruned" or "failed".
        values: for two objectives, e.g. (score, -size), each larger-is-better.
    """

    number: int
    config: Mapping[str, Any]
    value: float | None
    status: str = "complete"
    values: Sequence[float] | None = None

    def __post_init__(self):
        if self.status not in STATUSES:
            raise ConfigError(
                f"Observation status must be one of {', '.join(STATUSES)}; received "
                f"status={self.status!r} (trial {self.number})."
            )
        if self.status == "complete" and self.value is None and self.values is None:
            raise ConfigError(
                f"Observation of complete trial {self.number} needs value= (or values= for two "
                "objectives); record a trial without a score as status='failed'."
            )


def derive_seed(seed: int, start: int) -> int:
    """A 32-bit seed for the batch starting at ``start``: SeedSequence([seed, start])."""
    return int(np.random.SeedSequence([seed, start]).generate_state(1)[0])


class Strategy(ABC):
    """Propose configurations of trials ``start .. start + n - 1`` from the history."""

    name: ClassVar[str]
    n_total: int | None = None  # how many trials there are to run (grid); None = no limit

    def __init__(self, space: Space | Mapping, seed: int):
        self.space = space if isinstance(space, Space) else Space(space)
        self.seed = check_integer("seed", seed, owner=f"Strategy {self.name!r}")

    def propose(self, start: int, n: int, history: Sequence[Observation] = ()) -> list[dict]:
        """The configurations of trials ``start`` to ``start + n - 1``.

        Args:
            start: the first trial's number.
            n: how many configurations.
            history: finished trials (any order; sorted by number here).
        """
        start = check_integer("start", start, owner=f"Strategy {self.name!r}")
        n = check_integer("n", n, owner=f"Strategy {self.name!r}")
        return self._propose(start, n, sorted(history, key=lambda obs: obs.number))

    @abstractmethod
    def _propose(self, start: int, n: int, history: list[Observation]) -> list[dict]: ...
