"""mlpkit: feed-forward neural networks from first principles in NumPy.

import mlpkit as mk
net = mk.Sequential([mk.layers.Dense(4, activation="tanh"),
                     mk.layers.Dense(1, activation="sigmoid")], random_state=0)
net.fit(X, y, loss="binary_cross_entropy", optimizer=mk.optim.Adam(0.05), epochs=500)
"""

import importlib
import importlib.util

from ._version import __version__

#: Public name → the module it lives in (a submodule when the two are the same name). Each is
#: imported on first use (PEP 562), so ``import mlpkit`` — and so ``mlpkit --version`` and
#: ``mlpkit --help`` — loads neither scikit-learn nor matplotlib until a name needs them.
_LAZY = {
    **{
        name: f".{name}"
        for name in (
            "callbacks",
            "data",
            "diagnostics",
            "export",
            "initializers",
            "layers",
            "losses",
            "metrics",
            "optim",
            "plots",
            "regularizers",
            "schedules",
            "search",
        )
    },
    "MLPClassifier": ".estimators",
    "MLPRegressor": ".estimators",
    "EvaluationReport": ".evaluation",
    "bias_variance": ".evaluation",
    "complexity_curve": ".evaluation",
    "evaluate": ".evaluation",
    "stability": ".evaluation",
    "doctor": ".diagnostics",
    "explain": ".diagnostics",
    "lr_find": ".diagnostics",
    "ConfigError": ".exceptions",
    "DivergenceWarning": ".exceptions",
    "NotFittedError": ".exceptions",
    "report": ".html_report",
    "runs": ".ledger",
    "load": ".loading",
    "freeze": ".frozen",
    "Sequential": ".network",
    "Perceptron": ".perceptron",
}


def __getattr__(name):
    """Import the module behind a public name (or any submodule, e.g. ``mk.kernels``) on first
    use, then keep the name here."""
    where = _LAZY.get(name, f".{name}")
    if name.startswith("_") or importlib.util.find_spec(where, __name__) is None:
        raise AttributeError(f"module 'mlpkit' has no attribute {name!r}")
    module = importlib.import_module(where, __name__)
    value = module if where == f".{name}" else getattr(module, name)
    globals()[name] = value
    return value


def __dir__():
    return sorted({*globals(), *_LAZY})


__all__ = [
    "Sequential",
    "MLPClassifier",
    "MLPRegressor",
    "Perceptron",
    "load",
    "freeze",
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
    "doctor",
    "lr_find",
    "explain",
    "diagnostics",
    "EvaluationReport",
    "stability",
    "complexity_curve",
    "bias_variance",
    "ConfigError",
    "DivergenceWarning",
    "NotFittedError",
    "__version__",
]
