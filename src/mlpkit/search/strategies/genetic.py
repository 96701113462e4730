"""The genetic strategy: NSGA-II (optuna's NSGAIISampler; Deb et al. 2002).

Holds :class:`Genetic`: tournament selection by rank and crowding, uniform crossover,
mutation by resampling; the history's complete trials form the generations in trial order
(``population_size`` trials each).
"""

from __future__ import annotations

from ..._checks import check_fraction, check_integer
from .optuna_study import OptunaStrategy


class Genetic(OptunaStrategy):
    """NSGA-II (optuna's NSGAIISampler; Deb et al. 2002), for one or two objectives.

    Generation g holds the complete trials ranked ``g * population_size`` to
    ``(g + 1) * population_size - 1`` in trial-number order (the first generation is random).
    The parents of a generation are the best ``population_size`` of the previous generation and
    its parents, by non-dominated rank, then crowding distance. Each child is, with probability
    ``crossover_prob``, a uniform crossover of two parents picked by binary tournament
    (dominance), else a copy of a random parent; then each parameter is resampled at random
    with probability ``mutation_prob`` (None: 1 / number of parameters). Parameters outside the
    parents' common search space (another branch, a deeper layer) are drawn at random.

    Args:
        population_size: trials per generation.
        crossover_prob: probability that a child is a crossover.
        mutation_prob: probability of resampling each parameter, or None.
        objectives: 1, or 2 with ``Observation.values=(score, -size)``.
    """

    name = "genetic"

    def __init__(
        self, space, seed, *, population_size=20, crossover_prob=0.9, mutation_prob=None,
        objectives=1,
    ):  # fmt: skip
        super().__init__(space, seed, objectives=objectives)
        owner = "Strategy 'genetic'"
        self.population_size = check_integer("population_size", population_size, low=2, owner=owner)
        self.crossover_prob = check_fraction(
            "crossover_prob", crossover_prob, interval="[0, 1]", owner=owner
        )
        self.mutation_prob = mutation_prob
        if mutation_prob is not None:
            self.mutation_prob = check_fraction(
                "mutation_prob", mutation_prob, interval="[0, 1]", owner=owner
            )

    def sampler(self, optuna, seed):
        return optuna.samplers.NSGAIISampler(
            population_size=self.population_size, crossover_prob=self.crossover_prob,
            mutation_prob=self.mutation_prob, seed=seed,
        )  # fmt: skip

    def system_attrs(self, history):
        # optuna reads a trial's generation from the system attribute "<Sampler>:generation";
        # a trial told from outside has none, so it is set here from the trial's rank.
        key, rank, attrs = "NSGAIISampler:generation", 0, []
        for obs in history:
            attrs.append({key: rank // self.population_size} if obs.status == "complete" else {})
            rank += obs.status == "complete"
        return attrs
