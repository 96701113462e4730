"""The ledger record of a ``mlpkit train`` run: ``mk.callbacks.Ledger``'s plain-fit record,
written once the held-out score is known (imported only when a run has a ledger)."""

from __future__ import annotations

from ..ledger import LedgerCallback


class RunRecorder(LedgerCallback):
    """``mk.callbacks.Ledger`` that writes when :meth:`finish` is called (once the held-out
    score is known) instead of at the end of training."""

    pending: dict | None = None

    def on_train_end(self, logs=None):
        self.pending = self.record()

    def finish(self, score=None, run=None) -> str | None:
        """Write the pending record, with ``score`` and the run configuration ``run``."""
        from mlpkit.ledger.records import jsonable

        if self.pending is None:
            return None
        record = {**self.pending, "score": score}
        record["config"] = {**record["config"], "run": jsonable(run)}
        self.run_ids.append(self.write(record))
        self.pending = None
        return self.run_id
