"""The experiment ledger: a record of every trial of every search, and of plain fits.

Each run is stored with what is needed to trust and repeat it: its configuration and hash,
seed, data fingerprint, software versions, folds, per-epoch history, stop reason, per-fold
scores, out-of-fold predictions, duration, worker and status. SQLite is the embedded default
(one file, safe for many processes); PostgreSQL serves workers on many machines.

- :func:`open_ledger` (module ``store``): the :class:`Ledger` the search and its workers write.
- :func:`runs` (``mk.runs``, module ``query``): read it back, filter, sort, export to pandas and
  MLflow.
- :func:`fingerprint`, :func:`environment` (module ``provenance``): what a run was made from.
- :class:`LedgerCallback` (module ``callback``): records a plain ``fit``.
"""

from .callback import LedgerCallback
from .provenance import environment, fingerprint
from .query import Runs, runs
from .store import Ledger, open_ledger

__all__ = [
    "Ledger",
    "LedgerCallback",
    "Runs",
    "environment",
    "fingerprint",
    "open_ledger",
    "runs",
]
