"""A callback that records a plain ``fit`` in the ledger when training ends.

>>> import numpy as np, mlpkit as mk
>>> from mlpkit.ledger import LedgerCallback, open_ledger
>>> ledger = open_ledger(None)
>>> X, y = np.random.default_rng(0).normal(size=(32, 3)), np.arange(32.0) % 2
>>> net = mk.Sequential([mk.layers.Dense(1, activation="sigmoid")], random_state=0)
>>> history = net.fit(X, y, loss="binary_cross_entropy", epochs=3,
...                   callbacks=[LedgerCallback(ledger)])
>>> [(run["stop_reason"], run["fingerprint"] is not None) for run in mk.ledger.runs(ledger)]
[('max epochs (3) reached', True)]
"""

from __future__ import annotations

import sys
import time

from ..training.callbacks import Callback
from .provenance import fingerprint
from .records import jsonable
from .store import Ledger, open_ledger


class LedgerCallback(Callback):
    """Records each fit it takes part in as one run of the ledger (``search_id`` None).

    What is recorded: the configuration (the network's ``get_config()``, the loss's and the
    optimizer's configs, and the fit's epochs and steps), the per-epoch history (the logged
    values, and ``epoch``: the epochs' indices, which continue across fits), the stop reason,
    the duration, the versions (``provenance.environment``), the data fingerprint, and the
    status: "complete", or "failed" with the error when training raised.

    The fingerprint is that of the rows the fit trains on, as the training loop hands them to
    its callbacks (:meth:`set_data`): the network's inputs and targets, so for an estimator
    they are its preprocessed rows, after any validation split. Give the data yourself,
    ``LedgerCallback(ledger, X, y)``, to record the fingerprint of the table as you hold it
    instead (as a search records it, so the two can be matched). A fit streamed from a file
    records no fingerprint (None).

    Args:
        ledger: a ledger location (path or URL, opened for each record, so the callback can be
            copied and cloned with an estimator) or an open :class:`~mlpkit.ledger.Ledger`.
        X, y: the data whose fingerprint every run records (default: each fit's own rows).

    Attributes:
        run_ids: the ids of the runs recorded, one per fit; ``run_id`` is the last one.
    """

    def __init__(self, ledger, X=None, y=None) -> None:
        self.ledger = ledger
        self.given = X is not None
        self.fingerprint = fingerprint(X, y) if self.given else None
        self.run_ids: list[str] = []
        self.started = self.clock = None
        self.history: dict[str, list] = {}

    @property
    def run_id(self) -> str | None:
        return self.run_ids[-1] if self.run_ids else None

    def set_data(self, X, y=None) -> None:
        """The fit's rows (the training loop's hook): their fingerprint, unless the data was
        given when the callback was made; None for streamed rows."""
        if not self.given:
            self.fingerprint = None if X is None else fingerprint(X, y)

    def on_train_begin(self, logs=None):
        self.started, self.clock = time.time(), time.perf_counter()
        self.history = {}

    def on_epoch_end(self, epoch, logs=None):
        self.history.setdefault("epoch", []).append(epoch)
        for name, value in (logs or {}).items():
            self.history.setdefault(name, []).append(value)

    def on_train_end(self, logs=None):
        self.run_ids.append(self.write(self.record()))

    def record(self) -> dict:
        """The run as :meth:`~mlpkit.ledger.Ledger.record_fit` takes it."""
        net = self.model
        stop_reason = getattr(net, "stop_reason", None)
        record = {
            "config": jsonable(self.config(net)),
            "history": jsonable(self.history),
            "stop_reason": stop_reason,
            "fingerprint": self.fingerprint,
            "started": self.started,
            "duration": time.perf_counter() - self.clock,
            "status": "complete",
        }
        if stop_reason is None:  # the trainer sets one whenever the epochs end normally
            error = sys.exc_info()[1]
            record["status"] = "failed"
            record["error"] = (
                f"{type(error).__name__}: {error}"
                if error is not None
                else "training ended without a stop reason (interrupted)"
            )
        return record

    def config(self, net) -> dict:
        """The network's, loss's and optimizer's configurations and the fit's settings."""
        loss, optimizer = getattr(net, "loss", None), getattr(net, "optimizer", None)
        return {
            "network": net.get_config(),
            "loss": None if loss is None else loss.get_config(),
            "optimizer": None if optimizer is None else optimizer.get_config(),
            "fit": dict(self.params),
        }

    def write(self, record: dict) -> str:
        if isinstance(self.ledger, Ledger):
            return self.ledger.record_fit(record)
        with open_ledger(self.ledger) as ledger:
            return ledger.record_fit(record)

    def __repr__(self) -> str:
        url = self.ledger.url if isinstance(self.ledger, Ledger) else self.ledger
        return f"LedgerCallback({url!r})"
