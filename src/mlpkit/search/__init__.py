"""Hyperparameter search with an honest account of the winner.

A :class:`Space` of distributions (``Choice``, ``Uniform``, ``LogUniform``, ``IntUniform``,
``Layers``) is explored by a strategy (grid, random, TPE, Gaussian process, genetic); every trial
is k-fold cross-validated on folds fixed once per search and recorded in the ledger
(:mod:`mlpkit.ledger`); the result reports the best score together with the number of trials
behind it and selection-corrected estimates of the winner (:mod:`mlpkit.search.claims`).
"""

import importlib

_NAMES = {
    "Choice": "space",
    "Uniform": "space",
    "LogUniform": "space",
    "IntUniform": "space",
    "Layers": "space",
    "Space": "space",
    "make_strategy": "strategies.registry",
    "Search": "search",
    "SearchResult": "search",
    "auto": "automatic",
    "Ensemble": "ensemble",
    "MedianPruner": "pruning",
    "SuccessiveHalving": "pruning",
    "bbc_cv": "claims.bootstrap",
    "expected_max": "claims.expected_maximum",
    "null_spread": "claims.expected_maximum",
    "permuted_scores": "claims.permutation",
    "permutation_pvalue": "claims.permutation",
    "pbo_cscv": "claims.pbo",
    "effective_n": "claims.effective_trials",
}


def __getattr__(name):
    """Load a submodule on first use, so that ``import mlpkit`` pays for none of this. (No
    submodule is named like an exported name: importing it would shadow the name.)"""
    if name in _NAMES:
        module = importlib.import_module(f".{_NAMES[name]}", __name__)
        return getattr(module, name)
    raise AttributeError(f"module 'mlpkit.search' has no attribute {name!r}")


__all__ = sorted(_NAMES)
