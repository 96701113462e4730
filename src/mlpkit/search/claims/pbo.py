"""The probability of backtest overfitting (PBO), by combinatorially symmetric CV (CSCV).

Holds :func:`pbo_cscv` and its result :class:`PBOResult`: the frequency, over the
C(S, S/2) splits of S row partitions into halves, with which the trial best in sample ranks
at or below the median out of sample, λ = log(ω / (1 − ω)), PBO = #{λ ≤ 0} / C(S, S/2)
(Bailey, Borwein, López de Prado & Zhu 2017, "The probability of backtest overfitting",
Journal of Computational Finance 20(4):39–69). The performance matrix has one column per
trial, ``(n_rows, n_trials)``, as in the paper.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

import numpy as np

from ..._checks import check_integer
from ...exceptions import ConfigError
from .inputs import numeric

# C(20, 10) = 184,756: the largest n_partitions pbo_cscv accepts is 20.
MAX_COMBINATIONS = 200_000


@dataclass(frozen=True)
class PBOResult:
    """The probability of backtest overfitting (:func:`pbo_cscv`).

    Attributes:
        pbo: the share of splits whose in-sample best ranks at or below the median out of sample.
        logits: (n_combinations,) λ of each split; λ > 0: the chosen trial beat the median.
        n_combinations: C(S, S/2), the splits of the S partitions into halves.
        n_partitions: S.
    """

    pbo: float
    logits: np.ndarray
    n_combinations: int
    n_partitions: int


def pbo_cscv(performance, n_partitions=16) -> PBOResult:
    """Probability of backtest overfitting by combinatorially symmetric cross-validation.

    ``performance`` is M (T × N): row t, column n the performance of trial n on row-block t
    (per-row scores of the trials, such as minus each row's out-of-fold loss; or per-fold
    scores). Its rows are cut in S contiguous partitions of near-equal size (sizes differ by at
    most one). For each of the C(S, S/2) ways of taking half the partitions as the training set
    J (the other half J̄ the test set), with R and R̄ each trial's mean performance on J and J̄:

        n* = argmaxₙ Rₙ                       the trial chosen in sample
        ω  = rank of R̄ₙ* among R̄ / (N + 1)   rank 1 = worst, N = best; ties share their mean
        λ  = log(ω / (1 − ω))
        PBO = #{λ ≤ 0} / C(S, S/2)

    PBO is the frequency with which the in-sample winner does no better than the median trial
    out of sample: about 0.5 when no trial is better than another, near 0 when the selection
    finds a truly better one (Bailey, Borwein, López de Prado & Zhu 2017, "The probability of
    backtest overfitting", Journal of Computational Finance 20(4):39–69). Ties in sample go to
    the lowest-numbered trial; N identical trials give PBO = 1 (choosing bought nothing).

    Args:
        performance: (T, N) finite, T ≥ S rows, N ≥ 2 trials.
        n_partitions: S, even, 2 ≤ S ≤ 20 (C(16, 8) = 12,870 splits; C(20, 10) = 184,756).

    Returns:
        A :class:`PBOResult`.
    """
    what = "a (n_rows, n_trials) matrix, one column per trial"
    perf = numeric("pbo_cscv", "performance", performance, (2,), what)
    n_rows, n_trials = perf.shape
    s = _check_partitions(n_partitions, n_rows, n_trials)
    blocks = np.array_split(np.arange(n_rows), s)
    sums = np.stack([perf[b].sum(axis=0) for b in blocks])  # (S, N)
    sizes = np.array([len(b) for b in blocks], dtype=float)
    train = np.array(list(itertools.combinations(range(s), s // 2)))
    in_sample = np.zeros((len(train), s))
    in_sample[np.arange(len(train))[:, None], train] = 1.0
    out_sample = 1.0 - in_sample
    r_in = (in_sample @ sums) / (in_sample @ sizes)[:, None]
    r_out = (out_sample @ sums) / (out_sample @ sizes)[:, None]
    logits = _relative_rank_logits(r_in, r_out)
    return PBOResult(float(np.mean(logits <= 0)), logits, len(train), s)


def _check_partitions(n_partitions, n_rows: int, n_trials: int) -> int:
    s = check_integer("n_partitions", n_partitions, low=2, owner="pbo_cscv")
    if s % 2:
        raise ConfigError(f"pbo_cscv n_partitions must be even; received n_partitions={s}.")
    if math.comb(s, s // 2) > MAX_COMBINATIONS:
        raise ConfigError(
            f"pbo_cscv n_partitions={s} gives {math.comb(s, s // 2):,} splits; use at most 20."
        )
    if n_rows < s:
        raise ConfigError(
            f"pbo_cscv performance has {n_rows} rows, fewer than n_partitions={s}; pass "
            f"per-row scores or lower n_partitions to an even number <= {n_rows}."
        )
    if n_trials < 2:
        raise ConfigError(
            f"pbo_cscv performance must have at least 2 trials (columns) to choose among; "
            f"received {n_trials}."
        )
    return s


def _relative_rank_logits(r_in: np.ndarray, r_out: np.ndarray) -> np.ndarray:
    """λ = logit(ω) of the in-sample winner's out-of-sample rank, one per row of (splits, N)."""
    n_trials = r_in.shape[1]
    chosen = r_out[np.arange(len(r_in)), r_in.argmax(axis=1)][:, None]
    below = (r_out < chosen).sum(axis=1)
    ties = (r_out == chosen).sum(axis=1)  # the winner itself included
    omega = (below + (ties + 1) / 2) / (n_trials + 1)
    return np.log(omega / (1 - omega))
