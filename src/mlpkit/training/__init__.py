"""Training: the loop (Trainer) and the callbacks that hook into it."""

from .callbacks import Callback, CallbackList, History
from .stopping import EarlyStopping
from .trainer import Trainer

__all__ = ["Trainer", "Callback", "CallbackList", "History", "EarlyStopping"]
