"""Components named in a configuration file, built and checked by their owners.

A name or a ``{name = ..., ...}`` table goes to the registry of its kind (``mk.optim.get``,
``mk.layers.activations.get``, ...); callbacks are found by class name in ``mk.callbacks``; a
preprocessor table is the arguments of ``mk.data.Preprocessor``. Whatever these refuse is
raised as their own ``ConfigError``; nothing here repeats their rules.
"""

from __future__ import annotations

import copy
import inspect

from .. import callbacks as callbacks_module
from .. import initializers, losses, optim, regularizers, schedules
from ..data.preprocessor import Preprocessor
from ..data.state import plain
from ..exceptions import ConfigError
from ..layers import activations
from ..training.callbacks import Callback
from .kinds import NestedProblem, suggestion
from .signatures import with_tuples

#: Callback classes a file can name: ``callbacks = [{name = "EarlyStopping", patience = 10}]``.
CALLBACKS = {
    name: cls
    for name in callbacks_module.__all__
    if isinstance(cls := getattr(callbacks_module, name), type)
    and issubclass(cls, Callback)
    and name not in ("Callback", "CallbackList", "History", "MonitorCallback", "Ledger")
}

#: What resolves each component key (a name or a table with a name).
REGISTRIES = {
    "optimizer": optim.get,
    "kernel_initializer": initializers.get,
    "lr_schedule": schedules.get,
    "loss": losses.get,
    "regularizer": regularizers.get,
}


def check_component(key: str, value) -> None:
    """Let the registry of ``key`` build ``value`` (a name or a table); raises its ConfigError."""
    if value is None:
        return
    try:
        REGISTRIES[key](copy.deepcopy(value))
    except TypeError as error:  # an argument the component does not take
        raise ConfigError(f"{value!r}: {error}") from None


def check_activations(value) -> None:
    """Every activation name of ``activation`` (one name, or one per hidden layer)."""
    names = value if isinstance(value, list) else [value]
    for index, name in enumerate(names):
        try:
            activations.get(name)
        except ConfigError as error:
            path = (index,) if isinstance(value, list) else ()
            raise NestedProblem(path, str(error), name) from None


def arguments_problem(owner: str, cls, given, path: tuple = ()) -> NestedProblem | None:
    """An argument ``cls`` does not take, with a did-you-mean; None when all are known."""
    known = [p for p in inspect.signature(cls).parameters if p not in ("self", "args", "kwargs")]
    for name in given:
        if name not in known:
            return NestedProblem(
                (*path, name),
                f"{owner} takes no argument {name!r}{suggestion(name, known) or '.'} "
                f"Its arguments: {', '.join(known) or 'none'}.",
            )
    return None


def make_callback(table: dict) -> Callback:
    """A callback from ``{name = "EarlyStopping", patience = 10}``."""
    arguments = {k: v for k, v in table.items() if k != "name"}
    cls = CALLBACKS.get(table["name"])
    if cls is None:
        raise NestedProblem(
            ("name",),
            f"unknown callback; expected one of {', '.join(CALLBACKS)}"
            f"{suggestion(table['name'], CALLBACKS)}",
            table["name"],
        )
    problem = arguments_problem(table["name"], cls, arguments)
    if problem is not None:
        raise problem
    return cls(**copy.deepcopy(arguments))


def check_callbacks(tables) -> None:
    """Build every callback of a ``callbacks`` array; a problem names the element."""
    for index, table in enumerate(tables or ()):
        try:
            make_callback(table)
        except NestedProblem as problem:
            raise NestedProblem((index, *problem.path), str(problem), problem.value) from None
        except (ConfigError, ValueError, TypeError) as error:
            raise NestedProblem((index,), str(error), table) from None


def callback_table(callback) -> dict:
    """The table that :func:`make_callback` turns back into ``callback``: its class name and
    every constructor argument that differs from the default (read from the attribute of the
    same name, as scikit-learn's ``get_params`` does)."""
    table = {"name": type(callback).__name__}
    for parameter in inspect.signature(type(callback)).parameters.values():
        if parameter.name in ("self", "args", "kwargs") or not hasattr(callback, parameter.name):
            continue
        value = plain(getattr(callback, parameter.name))
        if value != plain(parameter.default):
            if not isinstance(value, (bool, int, float, str, list, dict)):
                raise ConfigError(
                    f"This {table['name']} cannot be written to a configuration file: its "
                    f"{parameter.name}={value!r} is an object. Give it in the file by name."
                )
            table[parameter.name] = value
    return table


def make_preprocessor(value):
    """``"auto"``, None, or a ``mk.data.Preprocessor`` from a table of its arguments, with the
    arguments checked by the Preprocessor itself (see :func:`run_parameter_checks`)."""
    if value is None or isinstance(value, str):
        return value
    problem = arguments_problem("Preprocessor", Preprocessor, value)
    if problem is not None:
        raise problem
    preprocessor = preprocessor_from(value)
    try:
        run_parameter_checks(preprocessor)
    except ConfigError as error:
        names = [name for name in value if f"'{name}'" in str(error) or f"{name}=" in str(error)]
        shown = value[names[0]] if names else None
        raise NestedProblem(tuple(names[:1]), str(error), shown) from None
    return preprocessor


def preprocessor_from(table: dict) -> Preprocessor:
    """The ``mk.data.Preprocessor`` of a table of its arguments."""
    return Preprocessor(**with_tuples(Preprocessor, copy.deepcopy(table)))


def preprocessor_table(preprocessor) -> dict | str | None:
    """A preprocessor as the configuration writes it: its arguments as a table."""
    if preprocessor is None or isinstance(preprocessor, str):
        return preprocessor
    return plain(preprocessor.get_params(deep=False))


def run_parameter_checks(estimator) -> None:
    """The estimator's (or Preprocessor's) own ``check_params()``: every parameter checked
    without data, a ConfigError naming the one at fault."""
    estimator.check_params()
