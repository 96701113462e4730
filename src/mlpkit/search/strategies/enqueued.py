"""Given configurations first: the first trials of a search chosen by the caller.

Holds :class:`Enqueued`, which wraps another strategy (``points_to_evaluate``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from ...exceptions import ConfigError
from .base import Strategy


class Enqueued(Strategy):
    """Trials 0 .. k−1 are the given configurations, in order; ``inner`` proposes the rest,
    told about those trials as about any other (Optuna's ``enqueue_trial``, the
    ``points_to_evaluate`` of Ray Tune and hyperopt: start from a configuration known to be
    good, e.g. the estimator's defaults).

    A grid is refused: it already tries every configuration, in an order of its own.
    """

    name = "enqueued"

    def __init__(self, inner: Strategy, configs: Sequence[Mapping]):
        super().__init__(inner.space, inner.seed)
        if inner.n_total is not None:
            raise ConfigError(
                f"points_to_evaluate cannot be used with strategy {inner.name!r}: it tries "
                "every configuration of its grid already. Use strategy='random' or 'tpe'."
            )
        self.inner = inner
        self.configs = []
        for k, config in enumerate(configs):
            try:
                self.space.active(config)  # missing or extra names, values out of range
            except ConfigError as error:
                raise ConfigError(f"points_to_evaluate[{k}]: {error}") from None
            self.configs.append(dict(config))

    def _propose(self, start, n, history):
        given = [dict(config) for config in self.configs[start : start + n]]
        rest = n - len(given)
        return given + (self.inner.propose(start + len(given), rest, history) if rest else [])
