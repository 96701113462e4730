"""``[model]`` in and out: check it with the estimators' own checks, build the model, and
write any model's configuration back (:func:`config_of`).

An estimator is built as ``MLPClassifier(**parameters)`` from the keys of the same names; a
network (``layers = [...]``) as ``Sequential([deserialize(layer) ...], ...)``, each layer
written in the file as one table: its class and its ``get_config()`` arguments,
``{class = "Dense", units = 16, activation = "relu"}`` (``{class = ..., config = {...}}`` is
read too). ``config_of(build(values)) == values`` for every valid section: the round trip.
"""

from __future__ import annotations

import copy
import re

from ..data.preprocessor import Preprocessor
from ..data.state import plain
from ..estimators import MLPClassifier
from ..exceptions import ConfigError
from ..layers import LAYERS, Residual, deserialize
from ..layers.activations import activation_name
from ..network import Sequential
from .components import (
    arguments_problem,
    callback_table,
    make_callback,
    preprocessor_from,
    preprocessor_table,
    run_parameter_checks,
)
from .errors import Issue
from .kinds import one_of, rephrase, suggestion
from .model_keys import ESTIMATORS
from .signatures import defaults, with_tuples


# -- checking ----------------------------------------------------------------------------------
def check_model(values: dict, given: set[str]) -> list[Issue]:
    """The problems of a ``[model]`` section whose keys passed their own checks (a key that
    did not is at its default): the estimator's parameter checks, or the layers'. ``given``
    are the keys the file or ``--set`` wrote (only they are blamed)."""
    if "layers" in values:
        return _network_issues(values)
    kind = values["kind"]
    issues = []
    for cls in [ESTIMATORS[kind]] if kind in ESTIMATORS else list(ESTIMATORS.values()):
        default = defaults(cls)
        blamed = {i.path[0] for i in issues if i.path}  # blamed once, for both estimators
        checked = {k: default[k] if k in blamed else v for k, v in values.items() if k in default}
        issues += _parameter_issues(cls, checked, given)
    return issues


def _parameter_issues(cls, values: dict, given: set[str]) -> list[Issue]:
    """The estimator's own parameter checks, one problem per culprit: after each complaint
    the keys it names go back to their defaults and the checks run again."""
    default = defaults(cls)
    params = {name: values[name] for name in default}
    issues = []
    for _ in range(len(params)):
        try:
            run_parameter_checks(cls(**estimator_arguments(params)))
            return issues
        except ConfigError as error:
            named = _names_in(str(error), params)
            blamed = [name for name in named if name in given and params[name] != default[name]]
            if not blamed:
                return [*issues, Issue((), rephrase(str(error)))]
            value = params[blamed[0]]
            issues.append(Issue((blamed[0],), rephrase(str(error)) + _hint(value, error), value))
            params.update({name: default[name] for name in blamed})
    return issues


def _hint(value, error: ConfigError) -> str:
    """A did-you-mean among the quoted names of the estimator's message (its options)."""
    if not isinstance(value, str):
        return ""
    options = [name for name in re.findall(r"'([\w-]+)'", str(error)) if name != value]
    return suggestion(value, options).replace("; did", " Did")


def _names_in(message: str, names) -> list[str]:
    """The parameter names a message mentions, in the order it mentions them."""
    words = re.findall(r"[A-Za-z_]\w*", message)
    return list(dict.fromkeys(word for word in words if word in names))


def _network_issues(values: dict) -> list[Issue]:
    if not values["layers"]:
        return [
            Issue(
                ("layers",), 'expected at least one layer, e.g. [{class = "Dense", units = 1}]', []
            )
        ]
    issues = []
    for index, entry in enumerate(values["layers"]):
        issues += _layer_issues(entry, ("layers", index))
    if issues:
        return issues
    network = build_network(values)
    kind, found = values["kind"], output_kind(network)
    if kind != "auto" and kind != found:
        name = activation_name(network.output_activation) if network.output_activation else "linear"
        issues.append(
            Issue(
                ("kind",),
                f"the last layer's activation is {name!r}, so the network is a {found}; a "
                f"classifier ends in 'sigmoid' or 'softmax'. Change the last layer or kind.",
                kind,
            )
        )
    return issues


def _layer_issues(entry: dict, path: tuple) -> list[Issue]:
    nested = as_nested(entry)
    cls = LAYERS.get(nested["class"])
    if cls is None:
        hint = suggestion(nested["class"], LAYERS)
        message = f"unknown layer class; expected one of {one_of(LAYERS)}{hint}"
        return [Issue((*path, "class"), message, nested["class"])]
    problem = arguments_problem(nested["class"], cls, nested["config"], path)
    if problem is not None:
        return [Issue(problem.path, str(problem), nested["config"][problem.path[-1]])]
    if cls is Residual:
        inner = nested["config"].get("layers", [])
        found = [i for j, e in enumerate(inner) for i in _layer_issues(e, (*path, "layers", j))]
        if found:
            return found
    try:
        deserialize(nested)
    except (ConfigError, ValueError, TypeError) as error:
        named = _names_in(str(error), nested["config"])
        if named:  # the argument the layer refuses
            return [Issue((*path, named[0]), rephrase(str(error)), nested["config"][named[0]])]
        return [Issue(path, rephrase(str(error)), entry)]
    return []


# -- building ----------------------------------------------------------------------------------
def estimator_arguments(params: dict) -> dict:
    """Configuration values as estimator arguments: callback tables as callbacks, a
    preprocessor table as a Preprocessor, integer class labels as integers."""
    arguments = {}
    for name, value in params.items():
        value = copy.deepcopy(value)
        if name == "callbacks" and value is not None:
            value = [make_callback(table) for table in value]
        elif name == "preprocessor" and isinstance(value, dict):
            value = preprocessor_from(value)
        elif name == "class_weight" and isinstance(value, dict):
            value = {_label(label): weight for label, weight in value.items()}
        arguments[name] = value
    return arguments


def _label(text: str):
    """A class label from a TOML key: ``"1"`` is the integer 1 (keys are always strings)."""
    return int(text) if re.fullmatch(r"[+-]?\d+", text) else text


def build_estimator(kind: str, values: dict):
    """An unfitted MLPClassifier (``kind="classifier"``) or MLPRegressor from ``[model]``
    (arrays become tuples where the parameter's default is one: ``hidden_layer_sizes``)."""
    cls = ESTIMATORS[kind]
    params = with_tuples(cls, {name: values[name] for name in defaults(cls)})
    return cls(**estimator_arguments(params))


def build_network(values: dict) -> Sequential:
    """An unbuilt mk.Sequential from ``[model]`` with ``layers``."""
    preprocessor = values["preprocessor"]
    if preprocessor == "auto":
        preprocessor = Preprocessor(missing="auto")
    elif isinstance(preprocessor, dict):
        preprocessor = preprocessor_from(preprocessor)
    return Sequential(
        [deserialize(as_nested(entry)) for entry in values["layers"]],
        random_state=values["random_state"],
        dtype=values["dtype"],
        regularizer=copy.deepcopy(values["regularizer"]),
        preprocessor=preprocessor,
        target_scaler=values["target_scaler"],
    )


def output_kind(network: Sequential) -> str:
    """ "classifier" for a network ending in sigmoid or softmax, else "regressor"."""
    output = network.output_activation
    name = activation_name(output) if output is not None else "linear"
    return "classifier" if name in ("sigmoid", "softmax") else "regressor"


def as_nested(entry: dict) -> dict:
    """A layer table as ``deserialize`` reads it: ``{"class": ..., "config": {...}}``."""
    if set(entry) <= {"class", "config"}:
        nested = {"class": entry["class"], "config": dict(entry.get("config", {}))}
    else:
        nested = {
            "class": entry["class"],
            "config": {k: v for k, v in entry.items() if k != "class"},
        }
    if nested["class"] == "Residual" and isinstance(nested["config"].get("layers"), list):
        nested["config"]["layers"] = [as_nested(inner) for inner in nested["config"]["layers"]]
    return copy.deepcopy(nested)


def as_flat(nested: dict) -> dict:
    """A layer's ``{"class", "config"}`` as one table: its class and arguments."""
    config = dict(nested["config"])
    if nested["class"] == "Residual":
        config["layers"] = [as_flat(inner) for inner in config["layers"]]
    return {"class": nested["class"], **plain(config)}


# -- writing back ------------------------------------------------------------------------------
def config_of(model) -> dict:
    """The ``[model]`` section of an estimator or a network (fitted or not).

    ``load_config(file).build_model()`` then ``config_of`` gives back the section as
    ``RunConfig.values["model"]`` holds it, and a file with this section builds the same model.

    Args:
        model: an mk.MLPClassifier, mk.MLPRegressor or mk.Sequential.

    Raises:
        TypeError: another kind of model.
        ConfigError: a parameter holding an object that a file cannot name (a callback with a
            function inside, say).
    """
    if isinstance(model, Sequential):
        config = model.get_config()
        return {
            "kind": output_kind(model),
            "layers": [as_flat(entry) for entry in config["layers"]],
            "random_state": config["random_state"],
            "dtype": config["dtype"],
            "regularizer": config["regularizer"],
            "preprocessor": preprocessor_table(model.preprocessor),
            "target_scaler": config["target_scaler"],
        }
    if not isinstance(model, tuple(ESTIMATORS.values())):
        raise TypeError(
            f"config_of takes an mk.MLPClassifier, mk.MLPRegressor or mk.Sequential; got "
            f"{type(model).__name__}."
        )
    kind = "classifier" if isinstance(model, MLPClassifier) else "regressor"
    params = model.get_params(deep=False)
    return {"kind": kind, **{name: _written(name, params[name]) for name in defaults(type(model))}}


def _written(name: str, value):
    """An estimator argument as the file writes it."""
    if name == "callbacks" and value is not None:
        return [callback_table(callback) for callback in value]
    if name == "preprocessor":
        return preprocessor_table(value)
    if name == "class_weight" and isinstance(value, dict):
        return {str(plain(label)): plain(weight) for label, weight in value.items()}
    if hasattr(value, "get_config"):
        return plain(value.get_config())
    return plain(value)
