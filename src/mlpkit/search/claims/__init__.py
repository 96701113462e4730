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

One module per claim: :mod:`.bootstrap` (BBC-CV), :mod:`.expected_maximum` (the best of N
under no signal), :mod:`.permutation` (the permutation test), :mod:`.pbo` (PBO by CSCV),
:mod:`.effective_trials` (effective N); :mod:`.inputs` checks their arguments.

Shapes: trials' predictions and per-row scores for :func:`bbc_cv` are stacked per configuration,
``(n_configs, n_rows, ...)``; the matrices of :func:`pbo_cscv` and :func:`effective_n` have one
column per trial, ``(n_rows, n_trials)``, as in their papers. Pure NumPy/SciPy functions: they
take arrays and return numbers and know nothing of the search.
"""

from .bootstrap import BBCResult, bbc_cv
from .effective_trials import effective_n
from .expected_maximum import NullSpread, expected_max, null_spread
from .pbo import PBOResult, pbo_cscv
from .permutation import permutation_pvalue, permuted_scores

__all__ = [
    "BBCResult",
    "NullSpread",
    "PBOResult",
    "bbc_cv",
    "effective_n",
    "expected_max",
    "null_spread",
    "pbo_cscv",
    "permutation_pvalue",
    "permuted_scores",
]
