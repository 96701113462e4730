"""The exceptions and warnings mlpkit raises, so callers can catch them by kind."""

from sklearn.exceptions import NotFittedError


class ConfigError(ValueError):
    """A constructor or ``fit`` argument is invalid: a wrong name, range or combination."""


class DivergenceWarning(RuntimeWarning):
    """Training stopped because the loss or the weights became NaN or infinite."""


class OutputOverflowError(OverflowError):
    """The network's outputs for finite inputs are ±∞ or NaN: a layer left the floating-point
    range (see :mod:`mlpkit.overflow`, which names the layer and the likely cause)."""


class NoTrialCompletedError(RuntimeError):
    """A search ended with no complete trial, so there is no winner to report.

    Attributes:
        failures: the failed trials' errors as the ledger keeps them (``"ValueError: ..."``),
            in trial order; empty when none failed (the time budget ended first).
        n_trials: how many trials the search holds.
    """

    def __init__(self, message: str, failures=(), n_trials: int = 0) -> None:
        super().__init__(message)
        self.failures = list(failures)
        self.n_trials = n_trials


__all__ = [
    "ConfigError",
    "DivergenceWarning",
    "NoTrialCompletedError",
    "NotFittedError",
    "OutputOverflowError",
]
