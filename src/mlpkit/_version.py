"""mlpkit's version (one place; the package, model files and reports read it)."""

__version__ = "0.2.0"
