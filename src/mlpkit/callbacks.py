"""Public home of the callbacks and stopping rules: ``mk.callbacks.EarlyStopping`` etc.

Callbacks hook into training (see :mod:`mlpkit.training.callbacks` for the protocol);
stopping rules (:mod:`mlpkit.training.rules`) are the criteria :class:`EarlyStopping`
(:mod:`mlpkit.training.stopping`) combines. ``Ledger`` records a plain fit in the experiment
ledger (:mod:`mlpkit.ledger`).
"""

from .ledger.callback import LedgerCallback as Ledger
from .training import rules
from .training.callbacks import Callback, CallbackList, History, Monitor, MonitorCallback
from .training.checkpoint import ModelCheckpoint
from .training.plateau import ReduceLROnPlateau
from .training.progress import CSVLogger, ProgressLogger
from .training.resume import Checkpoint
from .training.rules import *  # noqa: F403 (the stopping rules, listed in rules.__all__)
from .training.stopping import EarlyStopping, TerminateOnNaN

__all__ = [
    "Callback",
    "CallbackList",
    "History",
    "Monitor",
    "MonitorCallback",
    "EarlyStopping",
    "ReduceLROnPlateau",
    "ModelCheckpoint",
    "Checkpoint",
    "CSVLogger",
    "TerminateOnNaN",
    "ProgressLogger",
    "Ledger",
    *rules.__all__,
]
