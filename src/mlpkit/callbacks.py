"""Public home of the callbacks and stopping rules: ``mk.callbacks.EarlyStopping`` etc.

Callbacks hook into training (see :mod:`mlpkit.training.callbacks` for the protocol);
stopping rules are the criteria :class:`EarlyStopping` combines (see
:mod:`mlpkit.training.stopping`).
"""

from .training.callbacks import Callback, CallbackList, History, Monitor, MonitorCallback
from .training.checkpoint import ModelCheckpoint
from .training.plateau import ReduceLROnPlateau
from .training.progress import CSVLogger, ProgressLogger
from .training.rules import (
    GeneralizationGap,
    GeneralizationLoss,
    GradientNorm,
    MaxEpochs,
    NoImprovement,
    NonFiniteLoss,
    ProgressQuotient,
    StoppingRule,
    TimeBudget,
    ValidationIncrease,
)
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
    "CSVLogger",
    "TerminateOnNaN",
    "ProgressLogger",
    "StoppingRule",
    "NoImprovement",
    "GeneralizationGap",
    "GradientNorm",
    "NonFiniteLoss",
    "MaxEpochs",
    "TimeBudget",
    "GeneralizationLoss",
    "ProgressQuotient",
    "ValidationIncrease",
]
