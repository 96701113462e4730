"""mlpkit: feed-forward neural networks from first principles in NumPy.

import mlpkit as mk
net = mk.Sequential([mk.layers.Dense(4, activation="tanh"),
                     mk.layers.Dense(1, activation="sigmoid")], random_state=0)
net.fit(X, y, loss="binary_cross_entropy", optimizer=mk.optim.Adam(0.05), epochs=500)
"""

from . import callbacks, data, export, initializers, layers, losses, optim, regularizers, schedules
from .estimators import MLPClassifier, MLPRegressor
from .exceptions import ConfigError, DivergenceWarning, NotFittedError
from .network import Sequential
from .perceptron import Perceptron
from .serialization import load

__version__ = "0.1.0"

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
    "ConfigError",
    "DivergenceWarning",
    "NotFittedError",
    "__version__",
]
