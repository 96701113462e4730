"""Bayesian optimisation with a Gaussian process on scikit-learn, by expected improvement.

Holds :class:`GaussianProcess` (optuna's GPSampler needs torch, which mlpkit does not depend
on), :func:`fit_gp`, the GaussianProcessRegressor with a Matérn 5/2 kernel, and
:func:`log_expected_improvement`, log EI finite where EI underflows (Ament et al. 2023):

    EI(x) = (mu(x) - y_best - xi) Phi(z) + sigma(x) phi(z),   z = (mu - y_best - xi) / sigma
"""

from __future__ import annotations

import warnings

import numpy as np

from ..._checks import check_integer, is_real
from ...exceptions import ConfigError
from .base import Strategy, derive_seed
from .nonadaptive import Random


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
