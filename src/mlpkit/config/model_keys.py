"""The keys of ``[model]``: every parameter of mk.MLPClassifier / mk.MLPRegressor by its own
name, or (with ``layers``) the arguments of mk.Sequential.

Defaults are read from the signatures (``inspect``), so a parameter added to an estimator is a
key at once; this module only says which TOML types each parameter takes when its default does
not tell (``random_state = "none"`` or an integer, ...) and what each key means in one line.
Ranges and names are the estimators' own checks (see :mod:`mlpkit.config.model`).
"""

from __future__ import annotations

from functools import cache

from ..estimators import MLPClassifier, MLPRegressor
from ..network import Sequential
from ..targets import check_target_scaler
from .components import check_activations, check_callbacks, check_component, make_preprocessor
from .kinds import (
    BOOL,
    COMPONENT,
    COMPONENTS,
    INTEGER,
    NUMBER,
    TABLE,
    TEXT,
    TEXTS,
    Field,
    Kind,
    choice,
    either,
    kind_of_default,
    list_of,
    nullable,
)
from .signatures import defaults

KINDS = ("classifier", "regressor", "auto")
ESTIMATORS = {"classifier": MLPClassifier, "regressor": MLPRegressor}
#: The parameters of Sequential that are not the layers, as keys of [model] with ``layers``.
NETWORK_KEYS = ("random_state", "dtype", "regularizer", "preprocessor", "target_scaler")

PREPROCESSOR = nullable(either(choice("auto"), TABLE))
LAYER_TABLES = list_of(
    Kind("a table with a class", lambda v: isinstance(v, dict) and "class" in v),
    what='an array of tables with a class, e.g. [{class = "Dense", units = 16}]',
)

#: TOML kinds of the parameters whose default does not say it.
DECLARED = {
    "hidden_layer_sizes": either(INTEGER, list_of(INTEGER, tuple, "an array of integers")),
    "activation": either(TEXT, TEXTS),
    "optimizer": nullable(COMPONENT),
    "batch_size": either(choice("auto"), INTEGER),
    "random_state": nullable(INTEGER),
    "early_stopping": either(choice("auto"), BOOL),
    "kernel_initializer": nullable(COMPONENT),
    "clip_norm": nullable(NUMBER),
    "lr_schedule": nullable(Kind("a table with a name", lambda v: isinstance(v, dict))),
    "preprocessor": PREPROCESSOR,
    "callbacks": nullable(COMPONENTS),
    "class_weight": nullable(either(choice("balanced"), TABLE)),
    "loss": COMPONENT,
    "dtype": choice("float32", "float64"),
    "layers": LAYER_TABLES,
    "regularizer": nullable(COMPONENT),
    "target_scaler": nullable(TEXT),
}

MEANINGS = {
    "kind": '"classifier", "regressor" or "auto" (from the target column)',
    "hidden_layer_sizes": "units of each hidden layer, e.g. [64, 32]",
    "activation": "hidden activation, or one per hidden layer",
    "solver": '"adam", "sgd" or "lbfgs" (full-batch L-BFGS)',
    "optimizer": 'an mk.optim optimizer by name or {name = "rmsprop", ...}; "none": solver decides',
    "alpha": "elastic-net penalty strength (L2 when l1_ratio = 0)",
    "l1_ratio": "share of alpha that is L1",
    "l1": "an extra L1 (lasso) strength; exact zeros",
    "batch_size": 'rows per mini-batch; "auto": min(200, rows)',
    "learning_rate": '"constant", "invscaling" or "adaptive" (SGD)',
    "learning_rate_init": "the initial learning rate",
    "power_t": "exponent of invscaling",
    "max_iter": "the most epochs (L-BFGS: iterations)",
    "shuffle": "reshuffle the rows every epoch",
    "random_state": 'the one seed of the model; "none": a fresh one each run',
    "tol": "the least improvement that counts",
    "verbose": "1 prints progress",
    "warm_start": "continue from the previous fit",
    "momentum": "SGD momentum",
    "nesterovs_momentum": "Nesterov momentum for SGD",
    "beta_1": "Adam: decay of the first moment",
    "beta_2": "Adam: decay of the second moment",
    "epsilon": "Adam: added to the denominator",
    "early_stopping": '"auto": a validation split from 10,000 rows on; true or false',
    "validation_fraction": "share of training rows held out for early stopping",
    "n_iter_no_change": "epochs without improvement before stopping",
    "max_fun": "L-BFGS: the most loss evaluations",
    "dropout": "fraction of hidden units dropped while training",
    "batch_norm": "batch normalisation after each hidden layer",
    "kernel_initializer": 'weights initializer by name or table; "none": by activation',
    "clip_norm": 'clip the gradient to this global L2 norm; "none": no clipping',
    "lr_schedule": 'a learning-rate schedule table, e.g. {name = "cosine_decay", ...}',
    "scale_inputs": "standardise the inputs with training statistics",
    "preprocessor": '"auto" (fill gaps, one-hot text), "none" (numbers only) or a table',
    "callbacks": 'extra callbacks, e.g. [{name = "TerminateOnNaN"}]',
    "dtype": '"float64" or "float32" (about twice as fast)',
    "class_weight": '"balanced", {label = weight, ...} or "none"',
    "loss": '"mse", "mae" or "huber"',
    "scale_target": "standardise the target for training",
    "layers": 'the network, e.g. [{class = "Dense", units = 16, activation = "relu"}]',
    "regularizer": 'a penalty on every kernel, e.g. {name = "l2", l2 = 1e-4}',
    "target_scaler": '"auto", "standard", "minmax", "tanh" or "none" (regression)',
}


#: Checks of the keys that name components, by their registries and owners.
CHECKS = {
    "activation": check_activations,
    "optimizer": lambda v: check_component("optimizer", v),
    "kernel_initializer": lambda v: check_component("kernel_initializer", v),
    "lr_schedule": lambda v: check_component("lr_schedule", v),
    "loss": lambda v: check_component("loss", v),
    "regularizer": lambda v: check_component("regularizer", v),
    "preprocessor": make_preprocessor,
    "callbacks": check_callbacks,
    "target_scaler": check_target_scaler,
}


def field_for(name: str, default) -> Field:
    kind = DECLARED.get(name) or kind_of_default(default)
    return Field(kind, default, MEANINGS.get(name, ""), check=CHECKS.get(name))


@cache
def estimator_fields(kind: str) -> dict[str, Field]:
    """``kind`` then every parameter of the estimator of ``kind`` ("auto": of both)."""
    names = {"kind": Field(choice(*KINDS), "auto", MEANINGS["kind"])}
    classes = [ESTIMATORS[kind]] if kind in ESTIMATORS else list(ESTIMATORS.values())
    for cls in classes:
        for name, default in defaults(cls).items():
            names.setdefault(name, field_for(name, default))
    return names


@cache
def network_fields() -> dict[str, Field]:
    """``kind``, ``layers`` and the other arguments of mk.Sequential."""
    found = defaults(Sequential)
    names = {"kind": Field(choice(*KINDS), "auto", MEANINGS["kind"])}
    names["layers"] = Field(LAYER_TABLES, [], MEANINGS["layers"])
    names.update({name: field_for(name, found[name]) for name in NETWORK_KEYS})
    return names


def estimator_only(kind: str) -> set[str]:
    """The parameters of one estimator that the other does not take."""
    other = "regressor" if kind == "classifier" else "classifier"
    return set(defaults(ESTIMATORS[kind])) - set(defaults(ESTIMATORS[other]))
