"""mlpkit: feed-forward neural networks from first principles in NumPy.

import mlpkit as mk
net = mk.Sequential([mk.layers.Dense(4, activation="tanh"),
                     mk.layers.Dense(1, activation="sigmoid")], random_state=0)
net.fit(X, y, loss="binary_cross_entropy", optimizer=mk.optim.Adam(0.05), epochs=500)
"""

from . import (
    callbacks,
    data,
    export,
    initializers,
    layers,
    losses,
    metrics,
    optim,
    regularizers,
    schedules,
    search,
)
from ._version import __version__
from .estimators import MLPClassifier, MLPRegressor
from .evaluation import EvaluationReport, bias_variance, complexity_curve, evaluate, stability
from .exceptions import ConfigError, DivergenceWarning, NotFittedError
from .html_report import report
from .ledger import runs
from .loading import load
from .network import Sequential
from .perceptron import Perceptron


def __getattr__(name):
    """``mk.plots`` is imported on first use, so that ``import mlpkit`` loads no matplotlib."""
    if name == "plots":
        import importlib

        return importlib.import_module(".plots", __name__)
    raise AttributeError(f"module 'mlpkit' has no attribute {name!r}")


__all__ = [
    "Sequential",
    "MLPClassifier",
    "MLPRegressor",
    "Perceptron",
    "load",
    "layers",
    "losses",
    "optim",
    "initializers",
    "callbacks",
    "regularizers",
    "schedules",
    "data",
    "export",
    "metrics",
    "search",
    "runs",
    "plots",
    "evaluate",
    "report",
    "EvaluationReport",
    "stability",
    "complexity_curve",
    "bias_variance",
    "ConfigError",
    "DivergenceWarning",
    "NotFittedError",
    "__version__",
]
