"""Ensemble selection from a search's trials (Caruana et al. 2004).

A search has fitted and cross-validated many configurations and kept each one's out-of-fold
predictions. Averaging a few of them usually predicts better than the single winner, whose
choice among near-equal trials is partly luck (glass, 171 training rows: the winner of 271
trials scores 0.51 balanced accuracy on the test split, an ensemble of 8 of them 0.65).

Selection (Caruana, Niculescu-Mizil, Crew & Ksikes, "Ensemble selection from libraries of
models", ICML 2004): forward stepwise with replacement. Start from the empty ensemble; at step
s = 1..S add the trial i whose average

    P_s = (Σ_{j ∈ chosen} P_j + P_i) / s          P_i: trial i's out-of-fold predictions

scores highest on the search's own score, and keep the step that scores highest. A trial chosen
c times has weight c / s*. Ties — common on small data, where a count-based score such as
accuracy moves in steps of one row — go to the lower smooth, proper loss: the mean
−log p(true class) for classes, the mean squared error for values (``Scorer.row_losses``).
Step 1 is the best single trial, so the ensemble never scores below it out of fold.

Measured on the 20 tasks of benchmarks/bench_auto.py (the same 30 s searches, 2026-12-04),
choosing on the score with the loss as tie-break against choosing on the loss alone: equal on
the 7 regressions (R² orders as the squared error does), and on the 13 classifications up to
+0.05 balanced accuracy (white wine 0.287 → 0.337, pima 0.760 → 0.778, red wine 0.329 → 0.348)
and at worst −0.012 (glass); the loss alone pulls imbalanced classes towards the frequent ones.

The selection looks at the same rows it is then scored on, so the ensemble's out-of-fold score
is optimistic, as the naive best is; the untouched test split is its honest score.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ..ensemble import Ensemble

__all__ = ["Ensemble", "select"]  # the model lives in mlpkit.ensemble, with its model file


def select(
    oof: np.ndarray,
    score: Callable[[np.ndarray], float],
    loss: Callable[[np.ndarray], float],
    size: int,
) -> np.ndarray:
    """(n_trials,) how many times each trial is chosen in ``size`` steps of forward selection
    with replacement, maximising ``score`` of the averaged predictions (ties: the lower
    ``loss``), cut at the best step.

    Args:
        oof: (n_trials, n_rows, ...) the trials' out-of-fold predictions on the same rows.
        score: the score of one (n_rows, ...) array of predictions (higher is better).
        loss: the loss of one such array (lower is better), which breaks ties of ``score``.
        size: the number of steps S (≥ 1).
    """
    counts = np.zeros(len(oof), dtype=np.int64)
    total = np.zeros_like(oof[0], dtype=np.float64)
    best_key, best_counts = None, counts.copy()
    for step in range(1, size + 1):
        keys = [(-score(p), loss(p)) for p in ((total + candidate) / step for candidate in oof)]
        chosen = min(range(len(oof)), key=keys.__getitem__)
        counts[chosen] += 1
        total += oof[chosen]
        if best_key is None or keys[chosen] < best_key:
            best_key, best_counts = keys[chosen], counts.copy()
    return best_counts
