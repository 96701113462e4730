"""Strategies: which configurations a search tries next, in fixed batches, reproducibly.

``make_strategy(name, space, seed, **options).propose(start, n, history)`` returns the
configurations of trials ``start .. start + n - 1``. It is a pure function of (space, seed,
options, start, n, history): the same inputs give the same configurations in any process, so
one worker and eight workers build the same ledger. Every strategy *maximises* the value.

- ``"grid"``: every configuration of ``space.grid()``, in order; ``n_total`` is its size.
- ``"random"``: trial i is ``space.sample(np.random.default_rng([seed, i]))``, whatever the
  batches.
- ``"tpe"``: optuna's TPESampler (Bergstra et al. 2011), seeded from (seed, start), in a fresh
  in-memory study per call holding the history; the space is walked define-by-run, so inactive
  parameters (a width beyond the depth, another branch's entries) are absent.
- ``"genetic"``: optuna's NSGAIISampler (Deb et al. 2002): tournament selection by rank and
  crowding, uniform crossover, mutation by resampling; the history's complete trials form the
  generations in trial order (population_size trials each).
- ``"gp"``: Bayesian optimisation with a Gaussian process on scikit-learn (optuna's GPSampler
  needs torch, which mlpkit does not depend on): see :class:`GaussianProcess`.

One module per strategy family: :mod:`.nonadaptive` (grid, random), :mod:`.tpe`,
:mod:`.genetic` (both through :mod:`.optuna_study`), :mod:`.gaussian_process`; the contract in
:mod:`.base`, ``points_to_evaluate`` in :mod:`.enqueued`, the names in :mod:`.registry`.

History: ``Observation(number, config, value, status, values)``. A complete trial is told with
its value; a pruned one as PRUNED (its value, when given, as the intermediate value at step 0);
a failed one as FAIL. The GP learns from complete trials only; grid and random ignore history.

Two objectives (``objectives=2``, tpe and genetic): each complete observation carries
``values=(score, -size)`` (both maximised; the driver negates what is to be made small, e.g. the
number of weights); ``value`` is then ignored.
"""

from .base import Observation, Strategy
from .enqueued import Enqueued
from .gaussian_process import GaussianProcess, log_expected_improvement  # noqa: F401 (tests)
from .genetic import Genetic
from .nonadaptive import Grid, Random
from .registry import make_strategy
from .tpe import TPE

__all__ = [
    "Enqueued", "GaussianProcess", "Genetic", "Grid", "Observation", "Random", "Strategy", "TPE",
    "make_strategy",
]  # fmt: skip
