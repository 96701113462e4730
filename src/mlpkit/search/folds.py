"""The folds of a search: cut once, stored in the ledger, the same for every trial.

A search compares trials on the same rows: fold k of one trial holds the same rows as fold k of
every other, so their fold scores can be compared pairwise (pruning) and their out-of-fold
predictions pooled (the selection-corrected estimates). The folds are one integer per row, the
fold in which that row is held out, so they store as one array:

* shuffled k-fold (``StratifiedKFold`` for classes, ``KFold`` otherwise): every row is held out
  once, trained on in the other k − 1 folds;
* time-ordered: the rows keep their order and are cut into k + 1 consecutive blocks; block 0
  (marked −1) is only ever trained on, and fold k is trained on every row before it
  (scikit-learn's ``TimeSeriesSplit``, an expanding window), so no fold sees its future.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from sklearn.model_selection import KFold, StratifiedKFold, TimeSeriesSplit

from .._checks import check_integer
from ..exceptions import ConfigError


@dataclass(frozen=True)
class Folds:
    """The held-out fold of each row: ``assignment`` (n_rows,) int, −1 for rows never held out.

    Attributes:
        assignment: fold index 0..n_splits−1 of each row, or −1 (time-ordered warm-up rows).
        time_ordered: True when fold k trains on the rows before it only.
    """

    assignment: np.ndarray
    time_ordered: bool = False

    @property
    def n_splits(self) -> int:
        return int(self.assignment.max()) + 1

    def rows(self, k: int) -> tuple[np.ndarray, np.ndarray]:
        """(train rows, test rows) of fold k, as sorted row indices."""
        test = np.flatnonzero(self.assignment == k)
        if self.time_ordered:
            return np.arange(test[0]), test
        return np.flatnonzero(self.assignment != k), test

    def tested(self) -> np.ndarray:
        """The rows held out in some fold: those that have an out-of-fold prediction."""
        return np.flatnonzero(self.assignment >= 0)


def make_folds(y, n_splits: int, *, classify: bool, time_ordered: bool, seed: int) -> Folds:
    """Cut the rows of y into ``n_splits`` folds (stratified by class when ``classify``).

    Raises:
        ConfigError: fewer rows than folds.
    """
    n_splits = check_integer("cv", n_splits, low=2, owner="Search")
    labels = np.asarray(y)
    n = len(labels)
    if n < n_splits + int(time_ordered):
        raise ConfigError(
            f"Search cv={n_splits} needs at least {n_splits + int(time_ordered)} training rows; "
            f"received {n}. Use fewer folds or more data."
        )
    assignment = np.full(n, -1, dtype=np.int64)
    if time_ordered:
        splitter = TimeSeriesSplit(n_splits=n_splits)
    elif classify:  # a class rarer than the folds is held out where it can be (scikit-learn warns)
        splitter = StratifiedKFold(n_splits=n_splits, shuffle=True, random_state=seed)
    else:
        splitter = KFold(n_splits=n_splits, shuffle=True, random_state=seed)
    for k, (_, test) in enumerate(splitter.split(np.zeros((n, 1)), labels)):
        assignment[test] = k
    return Folds(assignment, time_ordered)
