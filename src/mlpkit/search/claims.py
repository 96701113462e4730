"""Claims that carry their denominators: how much of a search's best score is luck.

A search that reports the maximum of N cross-validated scores reports luck as well as skill: on
labels that are pure noise the best of 50 random trials scores well above chance. Each function
here qualifies that maximum from what a search stores (its trials' out-of-fold predictions or
per-row losses):

* :func:`bbc_cv`: the winner's score corrected for the selection (bootstrap bias-corrected CV);
* :func:`expected_max` fed by :func:`null_spread` (of :func:`permuted_scores`): the best of N
  expected when there is no signal at all;
* :func:`pbo_cscv`: the probability that the in-sample best is below the median out of sample;
* :func:`permutation_pvalue`: the search's best against the bests under permuted labels;
* :func:`effective_n`: how many independent trials N correlated ones amount to.

Shapes: trials' predictions and per-row scores for :func:`bbc_cv` are stacked per configuration,
``(n_configs, n_rows, ...)``; the matrices of :func:`pbo_cscv` and :func:`effective_n` have one
column per trial, ``(n_rows, n_trials)``, as in their papers. Pure NumPy/SciPy functions: they
take arrays and return numbers and know nothing of the search.
"""

from __future__ import annotations

import functools
import itertools
import math
from dataclasses import dataclass

import numpy as np
from scipy import stats

from .._checks import check_fraction, check_integer, check_positive, is_real
from ..exceptions import ConfigError

# Bootstrap samples are drawn in chunks of at most this many row indices (32 MB of int64).
CHUNK_ENTRIES = 1 << 22
# C(20, 10) = 184,756: the largest n_partitions pbo_cscv accepts is 20.
MAX_COMBINATIONS = 200_000


# -- validation ---------------------------------------------------------------------------------


def _numeric(owner: str, name: str, value, ndims: tuple, what: str) -> np.ndarray:
    """``value`` as a float array with ``ndim`` in ``ndims``, non-empty and finite."""
    try:
        array = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise ConfigError(
            f"{owner} {name} must be {what}; received a {type(value).__name__} that is not a "
            f"rectangular array of numbers (rows of unequal length?)."
        ) from None
    if array.ndim not in ndims or array.size == 0:
        raise ConfigError(f"{owner} {name} must be {what}; received shape {array.shape}.")
    _check_finite(owner, name, array)
    return array


def _check_finite(owner: str, name: str, array: np.ndarray) -> None:
    bad = ~np.isfinite(array)
    if bad.any():
        where = tuple(int(i) for i in np.argwhere(bad)[0])
        raise ConfigError(
            f"{owner} {name} must be finite; {name}[{', '.join(map(str, where))}] is "
            f"{array[where]} ({int(bad.sum())} such entries). Leave failed trials out first."
        )


def _predictions(owner: str, oof, y) -> tuple[np.ndarray, np.ndarray]:
    """Stacked out-of-fold predictions (n_configs, n_rows[, k]) and labels (n_rows, ...)."""
    try:
        oof = np.asarray(oof)
    except ValueError:
        raise ConfigError(
            f"{owner} oof must stack into one array (n_configs, n_rows) or (n_configs, n_rows, "
            "n_classes); the configurations' predictions have different shapes."
        ) from None
    if oof.ndim not in (2, 3) or 0 in oof.shape:
        raise ConfigError(
            f"{owner} oof must have shape (n_configs, n_rows) or (n_configs, n_rows, n_classes); "
            f"received shape {oof.shape}. Stack one row of out-of-fold predictions per config."
        )
    y = np.asarray(y)
    if y.ndim == 0 or len(y) != oof.shape[1]:
        raise ConfigError(
            f"{owner} y must have one entry per row of oof ({oof.shape[1]}); received shape "
            f"{y.shape}."
        )
    if oof.dtype.kind in "fc":
        _check_finite(owner, "oof", oof)
    return oof, y


def _generator(owner: str, random_state) -> np.random.Generator:
    """An int, None (fresh entropy) or a Generator becomes a Generator."""
    if random_state is None or isinstance(random_state, np.random.Generator):
        return np.random.default_rng(random_state)
    if isinstance(random_state, (int, np.integer)) and not isinstance(random_state, bool):
        if random_state >= 0:
            return np.random.default_rng(random_state)
    raise ConfigError(
        f"{owner} random_state must be an int >= 0, None or a numpy.random.Generator; received "
        f"random_state={random_state!r}."
    )


def _call_score(owner: str, score, y_true, pred, where: str) -> float:
    value = score(y_true, pred)
    if not is_real(value):
        raise ConfigError(
            f"{owner} score returned {value!r} on {where}; it must return a finite number for "
            f"any subset of rows (a score undefined on some subsets, such as ROC AUC on rows "
            f"of one class, cannot be bootstrapped: use a per-row loss through per_row)."
        )
    return float(value)


# -- bootstrap bias-corrected cross-validation ---------------------------------------------------


@dataclass(frozen=True)
class BBCResult:
    """The selection-corrected score of a search's winner (:func:`bbc_cv`).

    Attributes:
        estimate: mean over bootstrap samples of the out-of-bag score of the in-bag winner.
        low, high: the alpha/2 and 1 − alpha/2 percentiles of those out-of-bag scores.
        naive: the best configuration's score on all rows: the uncorrected maximum.
        oob_best: mean over the same samples of the best score on the out-of-bag rows, the
            configuration chosen on those rows themselves: the uncorrected maximum computed
            the same way as ``estimate``, so that ``estimate <= oob_best`` always.
        n_bootstrap: bootstrap samples used (those with at least one out-of-bag row).
        chosen: how many samples chose each configuration, one count per configuration.
        alpha: one minus the interval's nominal coverage.
    """

    estimate: float
    low: float
    high: float
    naive: float
    oob_best: float
    n_bootstrap: int
    chosen: tuple[int, ...]
    alpha: float


def bbc_cv(
    oof=None, y=None, score=None, n_bootstrap=1000, random_state=0, alpha=0.05, *, per_row=None
) -> BBCResult:
    """Bootstrap bias-corrected cross-validation: the winner's score without the winner's luck.

    The configurations' out-of-fold predictions are pooled over the folds, P[c, i] for
    configuration c and row i. For each of B bootstrap samples b (n row indices drawn with
    replacement; the out-of-bag rows Oᵦ are those never drawn):

        cᵦ = argmax_c score(y[b], P[c, b])          the winner chosen in-bag
        sᵦ = score(y[Oᵦ], P[cᵦ, Oᵦ])                  scored on rows it was not chosen on
        estimate = meanᵦ sᵦ,   [low, high] = the alpha/2 and 1 − alpha/2 percentiles of sᵦ

    The whole selection is repeated inside each sample, so the estimate carries no optimism
    from choosing the maximum; no model is refitted (Tsamardinos, Greasidou & Borboudakis 2018,
    "Bootstrapping the out-of-sample predictions for efficient and accurate cross-validation",
    Machine Learning 107:1895–1922). It is slightly conservative, and the percentile interval
    (of scores on about 0.368·n rows each) wider than the estimate's own uncertainty. Ties
    in-bag go to the lowest-numbered configuration.

    What the estimate is compared with must be computed the same way. ``naive`` (the best
    pooled score on all rows, the paper's "CV" estimate) is not a bound: when one configuration
    wins every sample the selection costs nothing, and the estimate is that configuration's
    mean over out-of-bag rows, which differs from its score on all rows by bootstrap noise
    (either way, about 0.04·sd/√n for B = 1000). The like-with-like uncorrected maximum is

        oob_best = meanᵦ max_c score(y[Oᵦ], P[c, Oᵦ])    chosen on the rows it is scored on

    and since sᵦ is one of the scores maximised, ``estimate <= oob_best`` holds exactly;
    ``oob_best − estimate`` is what the selection cost.

    Fast path: when the score is a mean over rows of a per-row score (accuracy = mean of
    1[ŷᵢ = yᵢ]; minus a mean loss = mean of −ℓᵢ), pass that matrix as ``per_row`` instead of
    ``oof, y, score``: with mᵦᵢ the count of row i in sample b, the in-bag scores of every
    configuration are one matrix product, score(c, b) = Σᵢ mᵦᵢ·R[c, i] / n; 1000 samples × 50
    configurations × 1000 rows take a fraction of a second. The same ``random_state`` draws the
    same samples in both paths.

    Args:
        oof: (n_configs, n_rows) predicted labels or values, or (n_configs, n_rows, n_classes)
            predicted probabilities, pooled out of fold; a list of per-configuration arrays.
        y: (n_rows,) or (n_rows, n_outputs) true targets.
        score: ``score(y_true, pred) -> float``, larger is better, called once per
            configuration per sample.
        n_bootstrap: bootstrap samples B.
        random_state: int, None or ``numpy.random.Generator`` drawing the samples.
        alpha: the interval covers 1 − alpha.
        per_row: (n_configs, n_rows) per-row scores, larger is better, instead of ``oof``,
            ``y`` and ``score``; pass minus a per-row loss, and the estimate is minus its mean.

    Returns:
        A :class:`BBCResult`, in the units of ``score`` (or of the mean of ``per_row``).

    Example:
        >>> rng = np.random.default_rng(0)
        >>> y = rng.integers(0, 2, 300)                    # labels with no signal
        >>> oof = rng.integers(0, 2, (50, 300))            # 50 configurations guessing
        >>> result = bbc_cv(per_row=(oof == y).astype(float), n_bootstrap=500)
        >>> bool(result.naive > 0.55), bool(abs(result.estimate - 0.5) < 0.03)
        (True, True)
    """
    n_bootstrap = check_integer("n_bootstrap", n_bootstrap, low=1, owner="bbc_cv")
    alpha = check_fraction("alpha", alpha, interval="(0, 1)", owner="bbc_cv")
    rng = _generator("bbc_cv", random_state)
    if per_row is not None:
        if oof is not None or y is not None or score is not None:
            raise ConfigError(
                "bbc_cv takes either per_row or (oof, y, score); received both. Drop oof, y "
                "and score when per_row holds the per-row scores."
            )
        return _bbc_per_row(_per_row_scores(per_row), n_bootstrap, rng, alpha)
    missing = [name for name, value in [("oof", oof), ("y", y)] if value is None]
    if missing or not callable(score):
        missing += [] if callable(score) else [f"a callable score (received score={score!r})"]
        raise ConfigError(
            f"bbc_cv needs oof, y and a callable score(y_true, pred), or per_row; missing: "
            f"{', '.join(missing)}."
        )
    oof, y = _predictions("bbc_cv", oof, y)
    return _bbc_scored(oof, y, score, n_bootstrap, rng, alpha)


def _per_row_scores(per_row) -> np.ndarray:
    what = "a (n_configs, n_rows) matrix of per-row scores"
    per_row = _numeric("bbc_cv", "per_row", per_row, (2,), what)
    if per_row.shape[1] < 2:
        raise ConfigError(f"bbc_cv per_row must have at least 2 rows; shape {per_row.shape}.")
    return per_row


def _bootstrap_samples(n_rows: int, n_bootstrap: int, rng):
    """Row indices drawn with replacement, (n_chunk, n_rows) at a time, B rows in all."""
    chunk = max(1, CHUNK_ENTRIES // n_rows)
    for start in range(0, n_bootstrap, chunk):
        yield rng.integers(0, n_rows, size=(min(chunk, n_bootstrap - start), n_rows))


def _row_counts(samples: np.ndarray, n_rows: int) -> np.ndarray:
    """(n_chunk, n_rows) multiplicity mᵦᵢ of row i in sample b."""
    flat = (samples + n_rows * np.arange(len(samples))[:, None]).ravel()
    return np.bincount(flat, minlength=samples.size).reshape(samples.shape)


def _bbc_per_row(per_row: np.ndarray, n_bootstrap: int, rng, alpha: float) -> BBCResult:
    n_rows = per_row.shape[1]
    oob_scores, oob_bests, winners = [], [], []
    for samples in _bootstrap_samples(n_rows, n_bootstrap, rng):
        counts = _row_counts(samples, n_rows).astype(float)
        winner = (counts @ per_row.T).argmax(axis=1)  # n·in-bag score: same argmax
        out = counts == 0
        n_out = out.sum(axis=1)
        keep = n_out > 0
        every = (out @ per_row.T)[keep] / n_out[keep, None]  # (kept samples, n_configs)
        oob_scores.append(every[np.arange(len(every)), winner[keep]])
        oob_bests.append(every.max(axis=1))
        winners.append(winner[keep])
    naive = float(per_row.mean(axis=1).max())
    return _bbc_result(oob_scores, oob_bests, winners, per_row.shape[0], naive, alpha)


def _bbc_scored(oof: np.ndarray, y: np.ndarray, score, n_bootstrap: int, rng, alpha: float):
    n_configs, n_rows = oof.shape[:2]
    scored = functools.partial(_call_score, "bbc_cv", score)
    oob_scores, oob_bests, winners = [], [], []
    for samples in _bootstrap_samples(n_rows, n_bootstrap, rng):
        for rows in samples:
            out = np.ones(n_rows, dtype=bool)
            out[rows] = False
            if out.any():
                y_in, pred_in = y[rows], oof[:, rows]
                winner = int(np.argmax([scored(y_in, p, "a bootstrap sample") for p in pred_in]))
                every = [scored(y[out], p, "out-of-bag rows") for p in oof[:, out]]
                oob_scores.append(every[winner])
                oob_bests.append(max(every))
                winners.append(winner)
    naive = max(scored(y, oof[c], "all rows") for c in range(n_configs))
    return _bbc_result(oob_scores, oob_bests, winners, n_configs, naive, alpha)


def _bbc_result(oob_scores, oob_bests, winners, n_configs: int, naive: float, alpha: float):
    oob = np.hstack([np.zeros(0), *oob_scores])
    if oob.size == 0:
        raise ConfigError(
            "bbc_cv drew no bootstrap sample with an out-of-bag row; raise n_bootstrap or pass "
            "more rows."
        )
    chosen = np.bincount(np.hstack([np.zeros(0, int), *winners]).astype(int), minlength=n_configs)
    low, high = np.quantile(oob, [alpha / 2, 1 - alpha / 2])
    return BBCResult(
        estimate=float(oob.mean()),
        low=float(low),
        high=float(high),
        naive=naive,
        oob_best=float(np.hstack([np.zeros(0), *oob_bests]).mean()),
        n_bootstrap=int(oob.size),
        chosen=tuple(int(c) for c in chosen),
        alpha=alpha,
    )


# -- the best of N under no signal ---------------------------------------------------------------


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
    scores = _numeric("null_spread", "permuted_scores", permuted_scores, (1, 2), what)
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


def permuted_scores(oof, y, score, n_permutations=100, random_state=0) -> np.ndarray:
    """Each configuration's stored out-of-fold predictions scored against permuted labels.

        S[p, c] = score(y[πₚ], P[c])      πₚ a uniformly random permutation of the rows

    Under permutation the predictions carry no information on the labels, so S is the score's
    distribution with no signal, keeping each configuration's own predictions (their class
    balance, their agreement with each other); the same πₚ for every configuration keeps the
    trials of one permuted search on the same labels. No model is refitted: this is the null
    of "the predictions are independent of the labels", not a search re-run on permuted data
    (which also measures what fitting noise can learn, at n_permutations times the cost). Rows
    must be exchangeable (not a time series).

    Args:
        oof, y, score: as in :func:`bbc_cv`.
        n_permutations: permutations P.
        random_state: int, None or ``numpy.random.Generator``.

    Returns:
        (n_permutations, n_configs) scores, for :func:`null_spread`; ``S.max(axis=1)`` are the
        null bests for :func:`permutation_pvalue`.
    """
    n_permutations = check_integer("n_permutations", n_permutations, low=1, owner="permuted_scores")
    if not callable(score):
        raise ConfigError(f"permuted_scores score must be callable; received score={score!r}.")
    oof, y = _predictions("permuted_scores", oof, y)
    rng = _generator("permuted_scores", random_state)
    scores = np.empty((n_permutations, oof.shape[0]))
    for p in range(n_permutations):
        y_p = y[rng.permutation(len(y))]
        scores[p] = [
            _call_score("permuted_scores", score, y_p, pred, "permuted labels") for pred in oof
        ]
    return scores


def permutation_pvalue(observed_best, null_bests) -> float:
    """The share of no-signal searches whose best reaches the observed best, counting itself.

        p = (1 + #{k : null_bests[k] ≥ observed_best}) / (1 + n)

    with n the number of null bests: the exact p-value of a permutation test whose n
    permutations are drawn at random, never 0 (Phipson & Smyth 2010, "Permutation p-values
    should never be zero", Statistical Applications in Genetics and Molecular Biology 9(1):39).

    Args:
        observed_best: the best score of the search on the true labels.
        null_bests: (n,) the best score of each search on permuted labels.

    Example:
        >>> permutation_pvalue(0.6, [0.5, 0.55, 0.6, 0.7])
        0.6
    """
    if not is_real(observed_best):
        raise ConfigError(
            f"permutation_pvalue observed_best must be a finite number; received "
            f"observed_best={observed_best!r}."
        )
    what = "a flat array of the best score of each permuted search (S.max(axis=1))"
    null = _numeric("permutation_pvalue", "null_bests", null_bests, (1,), what)
    return float((1 + np.count_nonzero(null >= observed_best)) / (1 + null.size))


# -- probability of backtest overfitting ---------------------------------------------------------


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
    perf = _numeric("pbo_cscv", "performance", performance, (2,), what)
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


# -- effective number of trials ------------------------------------------------------------------


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
    losses = _numeric("effective_n", "losses", losses, (2,), what)
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
