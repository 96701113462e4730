"""The tree-structured Parzen estimator (optuna's TPESampler; Bergstra et al. 2011).

Holds :class:`TPE`: a Bayesian strategy that models the density of good configurations l(x)
and of the rest g(x), and proposes the candidate of largest ratio l(x) / g(x).
"""

from __future__ import annotations

from ..._checks import check_integer
from .optuna_study import OptunaStrategy


class TPE(OptunaStrategy):
    """Tree-structured Parzen estimator (optuna's TPESampler; Bergstra et al. 2011).

    Args:
        n_startup_trials: trials drawn at random before the model is used.
        n_ei_candidates: candidates scored by the density ratio l(x) / g(x) per parameter.
        objectives: 1, or 2 with ``Observation.values``.
    """

    name = "tpe"

    def __init__(self, space, seed, *, n_startup_trials=10, n_ei_candidates=24, objectives=1):
        super().__init__(space, seed, objectives=objectives)
        owner = "Strategy 'tpe'"
        self.n_startup_trials = check_integer("n_startup_trials", n_startup_trials, owner=owner)
        self.n_ei_candidates = check_integer("n_ei_candidates", n_ei_candidates, low=1, owner=owner)

    def sampler(self, optuna, seed):
        return optuna.samplers.TPESampler(
            n_startup_trials=self.n_startup_trials, n_ei_candidates=self.n_ei_candidates, seed=seed
        )
