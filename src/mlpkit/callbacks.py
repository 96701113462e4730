"""Public home of the callbacks: ``mk.callbacks.Callback``, ``mk.callbacks.History``."""

from .training.callbacks import Callback, History

__all__ = ["Callback", "History"]
