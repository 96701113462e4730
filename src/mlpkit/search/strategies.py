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

History: ``Observation(number, config, value, status, values)``. A complete trial is told with
its value; a pruned one as PRUNED (its value, when given, as the intermediate value at step 0);
a failed one as FAIL. The GP learns from complete trials only; grid and random ignore history.

Two objectives (``objectives=2``, tpe and genetic): each complete observation carries
``values=(score, -size)`` (both maximised; the driver negates what is to be made small, e.g. the
number of weights); ``value`` is then ignored.
"""

from __future__ import annotations

import inspect
import warnings
from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np

from .._checks import check_fraction, check_integer, is_real
from ..exceptions import ConfigError
from .space import Choice, Dimension, IntUniform, Space

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


class Grid(Strategy):
    """Every configuration of the space's grid, in order (first name slowest)."""

    name = "grid"

    def __init__(self, space, seed):
        super().__init__(space, seed)
        self.configs = self.space.grid()
        self.n_total = len(self.configs)

    def _propose(self, start, n, history):
        return [dict(config) for config in self.configs[start : start + n]]


class Random(Strategy):
    """Trial i drawn from ``np.random.default_rng([seed, i])``: independent of the batches."""

    name = "random"

    def config(self, number: int) -> dict:
        """Trial ``number``'s configuration."""
        return self.space.sample(np.random.default_rng([self.seed, number]))

    def _propose(self, start, n, history):
        return [self.config(number) for number in range(start, start + n)]


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


class GaussianProcess(Strategy):
    """Bayesian optimisation: a Gaussian process and expected improvement over candidates.

    Trial numbers below ``n_startup_trials`` (or while fewer than 2 trials are complete) are
    the Random strategy's draws. Otherwise the complete trials' values y are fitted by
    scikit-learn's GaussianProcessRegressor on the unit-cube encoding x = space.encode(config)
    (:meth:`~mlpkit.search.space.Space.encode`) with the kernel
    ``k(x, x') = s^2 Matern_5/2(|x - x'| / l) + noise`` (one length scale per coordinate,
    y normalised to mean 0 and variance 1, hyperparameters by maximum marginal likelihood).
    Among ``n_candidates`` configurations drawn from ``default_rng([seed, number, 1])`` the one
    of largest expected improvement (compared as log EI, which stays finite where EI underflows
    to 0 near a converged optimum) wins:

        EI(x) = (mu(x) - y_best - xi) Phi(z) + sigma(x) phi(z),   z = (mu - y_best - xi) / sigma

    with xi = ``xi`` times the standard deviation of y. Within a batch, each chosen point is
    added with the value the model predicts for it ("kriging believer", Ginsbourger et al.
    2010), so the batch spreads out. Candidates already tried are skipped.

    Args:
        n_startup_trials: random trials first.
        n_candidates: candidates scored per proposal.
        xi: exploration margin, in standard deviations of y.
    """

    name = "gp"

    def __init__(self, space, seed, *, n_startup_trials=10, n_candidates=1000, xi=0.01):
        super().__init__(space, seed)
        owner = "Strategy 'gp'"
        self.n_startup_trials = check_integer("n_startup_trials", n_startup_trials, owner=owner)
        self.n_candidates = check_integer("n_candidates", n_candidates, low=1, owner=owner)
        if not is_real(xi) or xi < 0:
            raise ConfigError(f"Strategy 'gp' xi must be a number >= 0; received xi={xi!r}.")
        self.xi = float(xi)
        self.random = Random(self.space, seed)

    def _propose(self, start, n, history):
        complete = [obs for obs in history if obs.status == "complete" and is_real(obs.value)]
        X = [self.space.encode(obs.config) for obs in complete]
        y = [float(obs.value) for obs in complete]
        # the encoding is one-to-one on configurations: its bytes identify a tried one
        seen = {self.space.encode(obs.config).tobytes() for obs in history}
        configs, kernel = [], None
        for number in range(start, start + n):
            if number < self.n_startup_trials or len(y) < 2:
                config = self.random.config(number)
                x = self.space.encode(config)
            else:
                config, x, mean, kernel = self.choose(
                    number, np.array(X), np.array(y), seen, kernel
                )
                X.append(x)
                y.append(mean)  # the believer: the model's own prediction
            configs.append(config)
            seen.add(x.tobytes())
        return configs

    def choose(self, number, X, y, seen, kernel):
        """The candidate of largest expected improvement: (config, x, predicted mean, kernel)."""
        rng = np.random.default_rng([self.seed, number, 1])
        candidates = [self.space.sample(rng) for _ in range(self.n_candidates)]
        codes = np.array([self.space.encode(c) for c in candidates])
        fresh = np.array([code.tobytes() not in seen for code in codes])
        fresh = fresh if fresh.any() else ~fresh
        model = fit_gp(X, y, kernel, derive_seed(self.seed, number))
        mean, std = model.predict(codes, return_std=True)
        score = log_expected_improvement(mean, std, y.max(), self.xi * (y.std() or 1.0))
        best = int(np.argmax(np.where(fresh, score, -np.inf)))
        return candidates[best], codes[best], float(mean[best]), model.kernel_


def fit_gp(X: np.ndarray, y: np.ndarray, kernel, seed: int):
    """A GaussianProcessRegressor on (X, y); ``kernel`` given = hyperparameters kept as fitted.

    Args:
        X: encoded configurations, shape (n_trials, n_units).
        y: their values, shape (n_trials,).
    """
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.gaussian_process import GaussianProcessRegressor
    from sklearn.gaussian_process.kernels import ConstantKernel, Matern, WhiteKernel

    if kernel is None:
        matern = Matern(
            length_scale=np.full(X.shape[1], 0.5), length_scale_bounds=(1e-2, 1e2), nu=2.5
        )
        noise = WhiteKernel(noise_level=1e-3, noise_level_bounds=(1e-8, 1e-1))
        kernel = ConstantKernel(1.0, (1e-2, 1e2)) * matern + noise
        model = GaussianProcessRegressor(
            kernel, normalize_y=True, n_restarts_optimizer=0, random_state=seed
        )
    else:
        model = GaussianProcessRegressor(kernel, normalize_y=True, optimizer=None)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return model.fit(X, y)


def log_expected_improvement(mean, std, best: float, xi: float) -> np.ndarray:
    """log EI of a maximisation, finite even where EI underflows (Ament et al. 2023).

    ``EI = sigma h(z)`` with ``z = (mu - best - xi) / sigma`` and ``h(z) = phi(z) + z Phi(z)``;
    for z < -1, ``log h(z) = log phi(z) + log(1 + z Phi(z) / phi(z))`` where
    ``Phi(z) / phi(z) = sqrt(pi / 2) erfcx(-z / sqrt(2))``, and ``h(z) ~ phi(z) / z^2`` below
    z = -1000.

    Args:
        mean: predicted means, shape (n_candidates,).
        std: predicted standard deviations, same shape.
    """
    from scipy.special import erfcx
    from scipy.stats import norm

    std = np.maximum(std, 1e-12)
    z = (mean - best - xi) / std
    low = np.minimum(z, -1.0)  # evaluated everywhere, used where z < -1
    ratio = low * np.sqrt(np.pi / 2) * erfcx(-low / np.sqrt(2))
    tail = np.where(low < -1e3, 1 / low**2, 1 + ratio)
    high = np.maximum(z, -1.0)
    log_h = np.where(
        z < -1, norm.logpdf(low) + np.log(tail), np.log(norm.pdf(high) + high * norm.cdf(high))
    )
    return np.log(std) + log_h


STRATEGIES = {cls.name: cls for cls in (Grid, Random, TPE, GaussianProcess, Genetic)}


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


def make_strategy(name: str, space: Space | Mapping, seed: int, **options) -> Strategy:
    """Build a strategy by name: "grid", "random", "tpe", "gp" or "genetic".

    Args:
        name: the strategy.
        space: a Space or a dict name -> distribution or fixed value.
        seed: the search's seed (an integer >= 0).
        **options: the strategy's own options (see each class), e.g. ``population_size``.
    """
    if name not in STRATEGIES:
        raise ConfigError(f"Unknown strategy {name!r}. Choose one of: {', '.join(STRATEGIES)}.")
    cls = STRATEGIES[name]
    known = [
        p for p in inspect.signature(cls.__init__).parameters if p not in ("self", "space", "seed")
    ]
    unknown = sorted(set(options) - set(known))
    if unknown:
        raise ConfigError(
            f"Strategy {name!r} has no option(s) {unknown}; its options: "
            f"{', '.join(known) or 'none'}."
        )
    return cls(space, seed, **options)


__all__ = [
    "Enqueued", "GaussianProcess", "Genetic", "Grid", "Observation", "Random", "Strategy", "TPE",
    "make_strategy",
]  # fmt: skip
