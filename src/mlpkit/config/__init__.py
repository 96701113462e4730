"""Run configurations: one TOML file for the whole workflow, in the Python API's vocabulary.

A run configuration names the data, the model, its training, evaluation, search, ledger and
outputs; ``mlpkit train run.toml`` and friends run it. Its keys are the names the Python API
uses: ``[model]`` holds the parameters of mk.MLPClassifier / mk.MLPRegressor (or the layers of
an mk.Sequential), ``[search.space]`` is ``mk.search.Space.from_config``'s form of the same
parameters. Example::

    [data]
    path = "train.csv"            # relative to this file's folder
    target = "Machine failure"
    drop = ["UDI", "Product ID"]

    [model]
    kind = "classifier"
    hidden_layer_sizes = [64, 32]
    alpha = 1e-4
    preprocessor = "auto"
    random_state = 0

    [search]
    strategy = "tpe"
    n_trials = 40

    [search.space]
    alpha = {log_uniform = [1e-6, 1e-2]}

    [ledger]
    url = "runs.sqlite"

The whole file is checked before any data is read, and every problem is one line naming the
file, line, key, value, what was expected and the allowed values::

    run.toml:12: model.optimiser: unknown key; did you mean 'optimizer'?
    run.toml:7: model.alpha = -1: expected a non-negative number

TOML has no null: keys that allow None take the string ``"none"``.

- :func:`load_config` -> :class:`RunConfig` (``values``, ``sources``, ``read_data``, ``split``,
  ``build_model``, ``fit_params``, ``build_search``, ``resolved_text``, ``to_toml``).
- :func:`config_of`: the ``[model]`` section of any estimator or network (the round trip).
- :func:`starter_config`: a starter file for a table (``mlpkit init-config``).
- :class:`ConfigFileError` (a ``ConfigError``: exit 2), :class:`DataFileError` (exit 65),
  :class:`Problem`.
"""

from .errors import ConfigFileError, DataFileError, Problem
from .model import config_of
from .run import Output, RunConfig, load_config
from .starter import starter_config

__all__ = [
    "ConfigFileError",
    "DataFileError",
    "Output",
    "Problem",
    "RunConfig",
    "config_of",
    "load_config",
    "starter_config",
]
