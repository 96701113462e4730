"""The best of N trials expected when there is no signal at all.

Holds :func:`expected_max`, the expected maximum of N independent draws from N(mean, std²)
(Bailey, Borwein, López de Prado & Zhu 2014; Bailey & López de Prado 2014),

    E[max] ≈ mean + std·max(0, (1 − γ)·Φ⁻¹(1 − 1/N) + γ·Φ⁻¹(1 − 1/(N·e))),

and :func:`null_spread` (result :class:`NullSpread`), the ``mean`` and ``std`` of one trial's
score with no signal that feed it, from the scores of :func:`~.permutation.permuted_scores`,
shape ``(n_permutations, n_trials)``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import stats

from ..._checks import check_positive, is_real
from ...exceptions import ConfigError
from .inputs import numeric


def expected_max(n_trials, mean=0.0, std=1.0) -> float:
    """Expected maximum of N independent draws from N(mean, std²): the best of N by luck alone.

        E[max] ≈ mean + std·max(0, (1 − γ)·Φ⁻¹(1 − 1/N) + γ·Φ⁻¹(1 − 1/(N·e)))

    with γ ≈ 0.5772 the Euler–Mascheroni constant and Φ⁻¹ the standard normal quantile
    (Bailey, Borwein, López de Prado & Zhu 2014, "Pseudo-mathematics and financial
    charlatanism", Notices of the AMS 61(5):458–471; Bailey & López de Prado 2014, "The deflated
    Sharpe ratio", Journal of Portfolio Management 40(5):94–107). An approximation from extreme
    value theory: against the exact ∫ x·N·φ(x)·Φ(x)^(N−1) dx it is 0.044·std low at N = 2 and
    at most 0.036·std high for N ≥ 3 (+2.3% at N = 10, +0.4% at N = 1000). N may be fractional
    (an :func:`effective_n`); between 1 and 2 the formula is up to 0.16·std low, and below
    N ≈ 1.3 it falls under the mean, where the maximum of at least one draw never is, so the
    bracket is floored at 0 (exact at N = 1).

    Args:
        n_trials: N ≥ 1, the number of independent trials.
        mean, std: the mean and standard deviation of one trial's score with no signal
            (:func:`null_spread`).

    Example:
        >>> round(expected_max(100), 2), expected_max(1, mean=0.5, std=0.02)
        (2.53, 0.5)
    """
    if not is_real(n_trials) or n_trials < 1:
        raise ConfigError(
            f"expected_max n_trials must be a number >= 1 (how many trials were run); received "
            f"n_trials={n_trials!r}."
        )
    if not is_real(mean):
        raise ConfigError(f"expected_max mean must be a finite number; received mean={mean!r}.")
    std = check_positive("std", std, allow_zero=True, owner="expected_max")
    gamma = np.euler_gamma
    n = float(n_trials)
    bracket = (1 - gamma) * stats.norm.ppf(1 - 1 / n) + gamma * stats.norm.ppf(1 - 1 / (n * math.e))
    return float(mean + std * max(0.0, bracket))


@dataclass(frozen=True)
class NullSpread:
    """One trial's score with no signal (:func:`null_spread`): feed ``mean, std`` to
    :func:`expected_max`.

    Attributes:
        mean: the mean score over all permutations and trials.
        std: the spread of one trial's score about its search's level (see :func:`null_spread`).
        n_permutations, n_trials: the shape the scores came in.
    """

    mean: float
    std: float
    n_permutations: int
    n_trials: int


def null_spread(permuted_scores) -> NullSpread:
    """The mean and spread of a single trial's score when the labels carry no signal.

    ``permuted_scores`` is S[p, j], the score of trial j under label permutation p, shape
    (n_permutations, n_trials), as :func:`permuted_scores` returns; or flat, (n_scores,), one
    trial's score under each permutation. The trials of one search share its labels, so their
    scores share a level: S[p, j] = aₚ + eₚⱼ. The best of one search is aₚ + maxⱼ eₚⱼ, so the
    spread that feeds :func:`expected_max` is that of e, pooled within permutations:

        mean = mean_{p,j} S[p, j],   std = √(meanₚ varⱼ S[p, j])     (var with ddof = 1)

    With one trial per permutation (flat, or n_trials = 1) there is no level to remove and
    std = the sample standard deviation of all the scores. Constant scores give std = 0.

    Args:
        permuted_scores: (n_permutations, n_trials) or (n_scores,) finite scores.

    Returns:
        A :class:`NullSpread`.
    """
    what = "a (n_permutations, n_trials) matrix or a flat array of scores"
    scores = numeric("null_spread", "permuted_scores", permuted_scores, (1, 2), what)
    if scores.ndim == 1 or scores.shape[1] == 1:
        flat = scores.ravel()
        if flat.size < 2:
            raise ConfigError(
                f"null_spread permuted_scores must hold at least 2 scores to measure a spread; "
                f"received shape {scores.shape}. Score more permutations."
            )
        return NullSpread(float(flat.mean()), float(flat.std(ddof=1)), flat.size, 1)
    within = scores.var(axis=1, ddof=1).mean()
    return NullSpread(float(scores.mean()), float(np.sqrt(within)), *scores.shape)
