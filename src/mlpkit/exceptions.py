"""The exceptions and warnings mlpkit raises, so callers can catch them by kind."""

from sklearn.exceptions import NotFittedError


class ConfigError(ValueError):
    """A constructor or ``fit`` argument is invalid: a wrong name, range or combination."""


class DivergenceWarning(RuntimeWarning):
    """Training stopped because the loss or the weights became NaN or infinite."""


class OutputOverflowError(OverflowError):
    """The network's outputs for finite inputs are ±∞ or NaN: a layer left the floating-point
    range (see :mod:`mlpkit.overflow`, which names the layer and the likely cause)."""


__all__ = ["ConfigError", "DivergenceWarning", "NotFittedError", "OutputOverflowError"]
