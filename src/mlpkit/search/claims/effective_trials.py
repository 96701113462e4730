"""The effective number of independent trials among N correlated ones.

Holds :func:`effective_n`: from the eigenvalues λ of the correlation matrix of the trials'
per-row losses, shape ``(n_rows, n_trials)``, N_eff = (Σ √λ)² / Σ λ (Galwey 2009, the
default) or the participation ratio (Σ λ)² / Σ λ².
"""

from __future__ import annotations

import numpy as np

from ...exceptions import ConfigError
from .inputs import numeric


def effective_n(losses, method="galwey") -> float:
    """The effective number of independent trials, from the correlation of their losses.

    ``losses`` is L (n_rows × N), each trial's out-of-fold loss on each row. Two trials whose
    per-row losses move together make the same luck; with λ₁..λ_N the eigenvalues of the N × N
    correlation matrix of L's columns (Σλ = N):

        "galwey":              N_eff = (Σᵢ √λᵢ)² / Σᵢ λᵢ
        "participation_ratio": N_eff = (Σᵢ λᵢ)² / Σᵢ λᵢ²

    Both are 1 for N identical trials and N for uncorrelated ones, and lie in [1, N]. Galwey's
    (2009, "A new measure of the effective number of tests, a practical tool for comparing
    families of non-independent significance tests", Genetic Epidemiology 33:559–568) is the
    default: continuous in the eigenvalues (unlike Li & Ji 2005's), less biased by sampling
    noise than the participation ratio (N/(1 + (N − 1)/n_rows) for independent trials) and
    larger for correlated trials, so that the :func:`expected_max` of N_eff does not understate
    luck. For N trials of equal correlation ρ: Galwey's gives ((1 + (N−1)ρ)^½ + (N−1)(1−ρ)^½)²/N,
    the participation ratio N/(1 + (N−1)ρ²). A trial whose losses are constant is correlated 1
    with the other constant trials of the same loss and 0 with the rest.

    Args:
        losses: (n_rows, n_trials) finite per-row losses (or scores: the sign does not matter).
        method: "galwey" or "participation_ratio".

    Example:
        >>> rng = np.random.default_rng(0)
        >>> base = rng.normal(size=(500, 1))
        >>> round(effective_n(np.hstack([base] * 10)), 6)                    # 10 copies
        1.0
        >>> round(effective_n(rng.normal(size=(5000, 10))), 1)              # independent
        10.0
    """
    if method not in ("galwey", "participation_ratio"):
        raise ConfigError(
            f"effective_n method must be 'galwey' or 'participation_ratio'; received "
            f"method={method!r}."
        )
    what = "a (n_rows, n_trials) matrix, one column per trial"
    losses = numeric("effective_n", "losses", losses, (2,), what)
    if losses.shape[0] < 2:
        raise ConfigError(
            f"effective_n losses must have at least 2 rows to correlate; shape {losses.shape}."
        )
    eigenvalues = np.linalg.eigvalsh(_correlation(losses))
    eigenvalues[eigenvalues < 1e-12 * eigenvalues[-1]] = 0.0  # round-off of exact zeros
    if method == "galwey":
        return float(np.sum(np.sqrt(eigenvalues)) ** 2 / np.sum(eigenvalues))
    return float(np.sum(eigenvalues) ** 2 / np.sum(eigenvalues**2))


def _correlation(losses: np.ndarray) -> np.ndarray:
    """(N, N) Pearson correlation of the columns; constant columns as :func:`effective_n` says."""
    constant = np.ptp(losses, axis=0) == 0
    centred = losses[:, ~constant] - losses[:, ~constant].mean(axis=0)
    centred /= np.linalg.norm(centred, axis=0)
    corr = np.zeros((losses.shape[1],) * 2)
    corr[np.ix_(~constant, ~constant)] = centred.T @ centred
    levels = losses[0, constant]
    corr[np.ix_(constant, constant)] = levels[:, None] == levels[None, :]
    np.fill_diagonal(corr, 1.0)
    return corr
