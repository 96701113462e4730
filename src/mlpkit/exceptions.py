"""The exceptions and warnings mlpkit raises, so callers can catch them by kind."""

from sklearn.exceptions import NotFittedError


class ConfigError(ValueError):
    """A constructor or ``fit`` argument is invalid: a wrong name, range or combination."""


class DivergenceWarning(RuntimeWarning):
    """Training stopped because the loss or the weights became NaN or infinite."""


__all__ = ["ConfigError", "DivergenceWarning", "NotFittedError"]
