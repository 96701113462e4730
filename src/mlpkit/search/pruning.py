"""Stopping hopeless trials early, from their first folds' scores.

A trial is compared with the *same folds* of the trials before it: after fold k its running
score, the mean of its folds 0..k, is set against the running scores at fold k of the trials of
earlier proposal batches (never of its own batch, whose results depend on which worker finished
first: so a search prunes the same trials whatever its number of workers). Larger is better.

* :class:`MedianPruner` (Optuna's rule): prune when the running score is below the median of
  the reference trials' running scores at fold k, once ``n_startup`` trials are there to
  compare with and after ``n_warmup`` folds.
* :class:`SuccessiveHalving` (Jamieson & Talwalkar 2016; Li et al. 2018, asynchronous): the
  folds are the budget; at the rungs ``min_folds · ηⁱ`` a trial goes on only if its running
  score is in the top 1/η of the reference trials' running scores at that rung.
"""

from __future__ import annotations

import numpy as np

from .._checks import check_integer
from ..exceptions import ConfigError
from ..training.callbacks import Callback
from .trial import Pruned


def running_scores(fold_scores) -> np.ndarray:
    """Mean of folds 0..k for each k: (n_folds,)."""
    scores = np.asarray(fold_scores, dtype=np.float64)
    return np.cumsum(scores) / np.arange(1, len(scores) + 1)


class _Pruner:
    """Holds the earlier trials' fold scores and per-fold histories; ``check`` (after a fold)
    and the :class:`EpochPruning` callback (after an epoch) raise :class:`Pruned` or return."""

    def __init__(self, epochs: bool) -> None:
        self.epochs = bool(epochs)
        self.reference: list[list[float]] = []
        self.histories: list[list[dict]] = []

    def with_reference(self, fold_scores, histories=()) -> _Pruner:
        """A copy comparing against earlier trials: their fold scores and, per fold, their
        per-epoch histories ({"loss": [...], "val_loss": [...]})."""
        pruner = type(self).__new__(type(self))
        pruner.__dict__.update(
            self.__dict__, reference=list(fold_scores), histories=list(histories)
        )
        return pruner

    def peers_at(self, k: int) -> np.ndarray:
        """The reference trials' running scores at fold k (those that reached it)."""
        return np.array([running_scores(s)[k] for s in self.reference if len(s) > k])

    def check(self, fold_scores, outcome=None) -> None:
        k = len(fold_scores) - 1
        if self.should_prune(running_scores(fold_scores)[k], self.peers_at(k), k + 1, "fold"):
            raise Pruned(outcome)

    def epoch_peers(self, k: int, key: str, epoch: int) -> np.ndarray:
        """Minus the reference trials' logged ``key`` (a loss) at this epoch of fold k."""
        return np.array(
            [
                -h[k][key][epoch]
                for h in self.histories
                if len(h) > k and len(h[k].get(key, ())) > epoch
            ]
        )

    def epoch_callback(self, k: int):
        """The callback that prunes fold k from its per-epoch losses (None when ``epochs`` is
        off)."""
        return EpochPruning(self, k) if self.epochs else None

    def get_config(self) -> dict:
        raise NotImplementedError


class EpochPruning(Callback):
    """Within fold k, after each epoch: its loss (``val_loss`` when the fit holds out
    validation rows, else ``loss``) against the earlier trials' at the same fold and epoch."""

    def __init__(self, pruner: _Pruner, fold: int) -> None:
        self.pruner, self.fold, self.seen = pruner, fold, 0

    def on_epoch_end(self, epoch, logs) -> None:
        key = "val_loss" if "val_loss" in logs else "loss"
        peers = self.pruner.epoch_peers(self.fold, key, self.seen)
        self.seen += 1
        if self.pruner.should_prune(-float(logs[key]), peers, self.seen, "epoch"):
            raise Pruned(None)


class MedianPruner(_Pruner):
    """Prune below the median of the earlier trials at the same fold (or fold and epoch).

    Args:
        n_startup: compare only once this many earlier trials reached the fold (epoch).
        n_warmup: never prune before this many folds are done.
        n_warmup_epochs: never prune within a fold before this many epochs.
        epochs: also prune within a fold, from the per-epoch losses (mlpkit estimators).
    """

    def __init__(
        self, n_startup: int = 5, n_warmup: int = 1, n_warmup_epochs: int = 10, epochs=True
    ) -> None:
        super().__init__(epochs)
        self.n_startup = check_integer("n_startup", n_startup, low=1, owner="MedianPruner")
        self.n_warmup = check_integer("n_warmup", n_warmup, low=1, owner="MedianPruner")
        self.n_warmup_epochs = check_integer(
            "n_warmup_epochs", n_warmup_epochs, low=1, owner="MedianPruner"
        )

    def should_prune(self, score: float, peers: np.ndarray, done: int, unit: str) -> bool:
        warmup = self.n_warmup if unit == "fold" else self.n_warmup_epochs
        if done < warmup or len(peers) < self.n_startup:
            return False
        return bool(score < np.median(peers))

    def get_config(self) -> dict:
        settings = ("n_startup", "n_warmup", "n_warmup_epochs", "epochs")
        return {"median": {name: getattr(self, name) for name in settings}}


class SuccessiveHalving(_Pruner):
    """Keep the top 1/η at the rungs min_folds·ηⁱ (folds done) and min_epochs·ηⁱ (epochs).

    Args:
        reduction: η ≥ 2.
        min_folds: the first rung in folds done.
        min_epochs: the first rung in epochs within a fold.
        n_startup: compare only once this many earlier trials reached the rung.
        epochs: also prune within a fold, from the per-epoch losses (mlpkit estimators).
    """

    def __init__(
        self,
        reduction: int = 3,
        min_folds: int = 1,
        min_epochs: int = 9,
        n_startup: int = 3,
        epochs=True,
    ) -> None:
        super().__init__(epochs)
        owner = "SuccessiveHalving"
        self.reduction = check_integer("reduction", reduction, low=2, owner=owner)
        self.min_folds = check_integer("min_folds", min_folds, low=1, owner=owner)
        self.min_epochs = check_integer("min_epochs", min_epochs, low=1, owner=owner)
        self.n_startup = check_integer("n_startup", n_startup, low=1, owner=owner)

    def is_rung(self, done: int, first: int) -> bool:
        rung = first
        while rung < done:
            rung *= self.reduction
        return rung == done

    def should_prune(self, score: float, peers: np.ndarray, done: int, unit: str) -> bool:
        first = self.min_folds if unit == "fold" else self.min_epochs
        if not self.is_rung(done, first) or len(peers) < self.n_startup:
            return False
        return bool(score < np.quantile(peers, 1.0 - 1.0 / self.reduction))

    def get_config(self) -> dict:
        settings = ("reduction", "min_folds", "min_epochs", "n_startup", "epochs")
        return {"successive_halving": {name: getattr(self, name) for name in settings}}


PRUNERS = {"median": MedianPruner, "successive_halving": SuccessiveHalving}


def make_pruner(pruner) -> _Pruner | None:
    """None, a pruner, or a name of :data:`PRUNERS` (with its defaults)."""
    if pruner is None or isinstance(pruner, _Pruner):
        return pruner
    if isinstance(pruner, str) and pruner in PRUNERS:
        return PRUNERS[pruner]()
    raise ConfigError(
        f"Search pruner must be None, 'median', 'successive_halving' or a pruner object; "
        f"received pruner={pruner!r}."
    )
