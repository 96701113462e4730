"""The permutation test of a search: its best against the bests under permuted labels.

Holds :func:`permuted_scores`, S[p, c] = score(y[πₚ], P[c]), each configuration's stored
out-of-fold predictions scored against randomly permuted labels (no model refitted), and
:func:`permutation_pvalue`, p = (1 + #{k : null_bests[k] ≥ observed_best}) / (1 + n)
(Phipson & Smyth 2010, "Permutation p-values should never be zero").
"""

from __future__ import annotations

import numpy as np

from ..._checks import check_integer, is_real
from ...exceptions import ConfigError
from .inputs import call_score, generator, numeric, predictions


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
    oof, y = predictions("permuted_scores", oof, y)
    rng = generator("permuted_scores", random_state)
    scores = np.empty((n_permutations, oof.shape[0]))
    for p in range(n_permutations):
        y_p = y[rng.permutation(len(y))]
        scores[p] = [
            call_score("permuted_scores", score, y_p, pred, "permuted labels") for pred in oof
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
    null = numeric("permutation_pvalue", "null_bests", null_bests, (1,), what)
    return float((1 + np.count_nonzero(null >= observed_best)) / (1 + null.size))
