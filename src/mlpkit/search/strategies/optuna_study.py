"""The bridge to optuna's samplers: the history told to a fresh study, then trials asked.

Holds :class:`OptunaStrategy`, the base of the strategies that are optuna samplers (TPE,
genetic): a fresh in-memory study per call, seeded from (seed, start), holding the history;
the space is walked define-by-run, so inactive parameters are absent. A complete trial is
told with its value (or ``values`` for two objectives), a pruned one as PRUNED, a failed one
as FAIL. Also the helpers: :func:`import_optuna`, :func:`quiet`, :func:`optuna_distribution`
and :func:`suggest`.
"""

from __future__ import annotations

import warnings
from abc import abstractmethod
from contextlib import contextmanager

from ..._checks import is_real
from ...exceptions import ConfigError
from ..space import Choice, Dimension, IntUniform
from .base import Observation, Strategy, derive_seed


def import_optuna(strategy: str):
    """Import optuna, or say how to install it."""
    try:
        import optuna
    except ImportError:
        raise ConfigError(
            f"strategy={strategy!r} needs optuna: pip install optuna (or pip install "
            "'mlpkit[search]'); strategies 'grid', 'random' and 'gp' work without it."
        ) from None
    return optuna


@contextmanager
def quiet(optuna):
    """Silence optuna's INFO logging and its warnings for the duration."""
    verbosity = optuna.logging.get_verbosity()
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
            yield
    finally:
        optuna.logging.set_verbosity(verbosity)


def optuna_distribution(optuna, distribution):
    """The optuna twin of a distribution (a Choice by its option indices)."""
    kinds = optuna.distributions
    if isinstance(distribution, Choice):
        return kinds.CategoricalDistribution(list(range(len(distribution.values))))
    make = (
        kinds.IntDistribution if isinstance(distribution, IntUniform) else kinds.FloatDistribution
    )
    return make(distribution.low, distribution.high, log=distribution.log)


def suggest(trial, dim: Dimension):
    """Ask an optuna trial for one dimension's value, define-by-run (named by its path)."""
    path, _, dist = dim
    if isinstance(dist, Choice):
        index = trial.suggest_categorical(path, list(range(len(dist.values))))
        return index if dist.branches else dist.values[index]
    if isinstance(dist, IntUniform):
        return trial.suggest_int(path, dist.low, dist.high, log=dist.log)
    return trial.suggest_float(path, dist.low, dist.high, log=dist.log)


class OptunaStrategy(Strategy):
    """A fresh in-memory optuna study per call: the history told, then ``n`` trials asked."""

    def __init__(self, space, seed, *, objectives: int = 1):
        super().__init__(space, seed)
        if objectives not in (1, 2) or isinstance(objectives, bool):
            raise ConfigError(
                f"Strategy {self.name!r} objectives must be 1 or 2; received "
                f"objectives={objectives!r}. With 2, give each Observation values=(score, -size)."
            )
        self.objectives = objectives

    @abstractmethod
    def sampler(self, optuna, seed: int): ...

    def frozen_trial(self, optuna, obs: Observation, system_attrs: dict):
        """The observation as an optuna FrozenTrial over its active parameters."""
        params, distributions = {}, {}
        for dim, value in self.space.active(obs.config):
            distribution = dim.distribution
            index = isinstance(distribution, Choice) and not distribution.branches
            params[dim.path] = distribution.index(value) if index else value
            distributions[dim.path] = optuna_distribution(optuna, distribution)
        state = optuna.trial.TrialState
        told = {"state": state.FAIL}
        if obs.status == "complete":
            told = {"state": state.COMPLETE, **self.objective_values(obs)}
        elif obs.status == "pruned":
            steps = {0: float(obs.value)} if is_real(obs.value) else {}
            told = {"state": state.PRUNED, "intermediate_values": steps}
        return optuna.trial.create_trial(
            params=params, distributions=distributions, system_attrs=system_attrs, **told
        )

    def objective_values(self, obs: Observation) -> dict:
        """``value=`` or ``values=`` for create_trial, checked."""
        values = [obs.value] if self.objectives == 1 else list(obs.values or ())
        if len(values) != self.objectives or not all(is_real(v) for v in values):
            field = "value" if self.objectives == 1 else "values"
            raise ConfigError(
                f"Observation of trial {obs.number} needs {field} of {self.objectives} finite "
                f"number(s) for strategy {self.name!r}; received value={obs.value!r}, "
                f"values={obs.values!r}."
            )
        return {"values": [float(v) for v in values]}

    def system_attrs(self, history: list[Observation]) -> list[dict]:
        """Per observation, what the sampler expects in a trial's system attributes."""
        return [{} for _ in history]

    def _propose(self, start, n, history):
        optuna = import_optuna(self.name)
        with quiet(optuna):
            study = optuna.create_study(
                sampler=self.sampler(optuna, derive_seed(self.seed, start)),
                directions=["maximize"] * self.objectives,
            )
            for obs, attrs in zip(history, self.system_attrs(history)):
                study.add_trial(self.frozen_trial(optuna, obs, attrs))
            configs = []
            for _ in range(n):
                trial = study.ask()
                configs.append(self.space.walk(lambda dim, trial=trial: suggest(trial, dim)))
            return configs
