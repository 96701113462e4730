"""Every hyperparameter of MLPClassifier and MLPRegressor checked without data.

:func:`check_params` is what ``estimator.check_params()`` runs, and what ``fit`` runs first.
Each failure is a :class:`~mlpkit.exceptions.ConfigError` naming the estimator, the parameter,
the value received and what is allowed, e.g. ``MLPClassifier beta_1 must be in [0, 1);
received beta_1=1.5.`` The checks are scikit-learn's ranges where scikit-learn has the
parameter (``sklearn.neural_network.MLPClassifier._parameter_constraints``) and mlpkit's own
for the rest; combinations (``solver``, ``optimizer``, ``learning_rate``) are
:func:`mlpkit.estimators.solvers.check_solver`'s.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from numbers import Integral

import numpy as np

from .. import initializers, losses, optim, schedules
from .._checks import check_fraction, check_integer, check_positive, is_real
from ..data.preprocessor import Preprocessor
from ..exceptions import ConfigError
from ..layers import activations
from . import solvers

#: Parameters that take True or False (NumPy booleans too).
FLAGS = (
    "shuffle",
    "warm_start",
    "nesterovs_momentum",
    "batch_norm",
    "scale_inputs",
    "scale_target",
)
REGRESSION_LOSSES = ("mse", "mae", "huber")


def check_params(estimator) -> tuple[int, ...]:
    """Check every hyperparameter of ``estimator``; return the hidden layer sizes as a tuple.

    Raises:
        ConfigError: a parameter of the wrong kind, out of its range, or contradicting another.
    """
    owner = type(estimator).__name__
    sizes = hidden_sizes(estimator.hidden_layer_sizes, owner)
    _check_numbers(estimator, owner)
    _check_flags(estimator, owner)
    _check_choices(estimator, owner, len(sizes))
    _check_components(estimator, owner)
    solvers.check_solver(estimator)
    if estimator.solver == "lbfgs" and estimator.dropout:
        raise ConfigError(
            f"solver='lbfgs' needs a deterministic objective; dropout={estimator.dropout} makes "
            f"every evaluation differ. Use dropout=0 or solver='adam'."
        )
    return sizes


def hidden_sizes(sizes, owner: str) -> tuple[int, ...]:
    """``hidden_layer_sizes`` (an int or a sequence of ints ≥ 1) as a tuple."""
    if isinstance(sizes, Integral) and not isinstance(sizes, bool):
        sizes = (sizes,)
    if isinstance(sizes, (str, bytes)) or not isinstance(sizes, (Sequence, np.ndarray)):
        raise _fail(owner, "hidden_layer_sizes", "an int or a sequence of ints >= 1", sizes)
    for size in sizes:
        check_integer("hidden_layer_sizes entry", size, low=1, owner=owner)
    return tuple(int(size) for size in sizes)


def _check_numbers(est, owner: str) -> None:
    """The numeric parameters, in scikit-learn's ranges where it has them."""
    check_positive("alpha", est.alpha, allow_zero=True, owner=owner)
    check_fraction("l1_ratio", est.l1_ratio, interval="[0, 1]", owner=owner)
    check_positive("l1", est.l1, allow_zero=True, owner=owner)
    check_positive("learning_rate_init", est.learning_rate_init, owner=owner)
    check_positive("power_t", est.power_t, allow_zero=True, owner=owner)
    check_integer("max_iter", est.max_iter, low=1, owner=owner)
    check_positive("tol", est.tol, allow_zero=True, owner=owner)
    check_fraction("momentum", est.momentum, interval="[0, 1]", owner=owner)
    check_fraction("beta_1", est.beta_1, interval="[0, 1)", owner=owner)
    check_fraction("beta_2", est.beta_2, interval="[0, 1)", owner=owner)
    check_positive("epsilon", est.epsilon, owner=owner)
    check_fraction("validation_fraction", est.validation_fraction, interval="(0, 1)", owner=owner)
    check_integer("n_iter_no_change", est.n_iter_no_change, low=1, owner=owner)
    check_integer("max_fun", est.max_fun, low=1, owner=owner)
    check_fraction("dropout", est.dropout, interval="[0, 1)", owner=owner)
    if not (isinstance(est.verbose, Integral) and est.verbose >= 0):
        raise _fail(owner, "verbose", "an integer >= 0 (or a bool)", est.verbose)
    if est.batch_size != "auto":
        check_integer("batch_size", est.batch_size, low=1, owner=owner)
    if est.clip_norm is not None:
        check_positive("clip_norm", est.clip_norm, owner=owner)


def _check_flags(est, owner: str) -> None:
    for name in FLAGS:
        value = getattr(est, name, False)
        if not isinstance(value, (bool, np.bool_)):
            raise _fail(owner, name, "True or False", value)
    if est.early_stopping != "auto" and not isinstance(est.early_stopping, (bool, np.bool_)):
        raise _fail(owner, "early_stopping", "'auto', True or False", est.early_stopping)


def _check_choices(est, owner: str, n_hidden: int) -> None:
    """The parameters named from a list: activation, dtype, random_state, class_weight, loss."""
    names = est.activation if isinstance(est.activation, (list, tuple)) else [est.activation]
    if isinstance(est.activation, (list, tuple)) and len(names) != n_hidden:
        raise ConfigError(
            f"activation lists {len(names)} names for {n_hidden} hidden layers; give one per "
            f"layer or a single name."
        )
    for name in names:
        _resolves(owner, "activation", est.activation, activations.get, name)
    if str(np.dtype(est.dtype) if _is_dtype(est.dtype) else est.dtype) not in (
        "float32",
        "float64",
    ):
        raise _fail(owner, "dtype", "'float32' or 'float64'", est.dtype)
    _check_random_state(est.random_state, owner)
    if hasattr(est, "class_weight"):
        _check_class_weight(est.class_weight, owner)
    if hasattr(est, "loss"):
        loss = _resolves(owner, "loss", est.loss, losses.get, est.loss)
        if loss.logits_activation is not None:
            raise _fail(owner, "loss", f"a regression loss {REGRESSION_LOSSES}", est.loss)


def _check_random_state(random_state, owner: str) -> None:
    """What seeds the network: None, an int >= 0 (``numpy.random.default_rng`` takes any
    such int; scikit-learn's own estimators stop at 2**32 - 1), or a numpy ``RandomState``
    or ``Generator``."""
    if random_state is None or isinstance(
        random_state, (np.random.RandomState, np.random.Generator)
    ):
        return
    if isinstance(random_state, Integral) and not isinstance(random_state, bool):
        if random_state >= 0:
            return
    raise _fail(
        owner,
        "random_state",
        "None, an int >= 0 (e.g. 0), a numpy.random.RandomState or a numpy.random.Generator",
        random_state,
    )


def _check_class_weight(class_weight, owner: str) -> None:
    if class_weight is None or class_weight == "balanced":
        return
    if not isinstance(class_weight, Mapping) or not all(
        is_real(w) and w >= 0 for w in class_weight.values()
    ):
        raise _fail(
            owner, "class_weight", "None, 'balanced' or a dict {label: weight >= 0}", class_weight
        )


def _check_components(est, owner: str) -> None:
    """Parameters that are objects or their names: optimizer, kernel_initializer,
    lr_schedule, preprocessor, callbacks."""
    if est.optimizer is not None:
        _resolves(owner, "optimizer", est.optimizer, optim.get, est.optimizer)
    if est.kernel_initializer is not None:
        initializer = est.kernel_initializer
        _resolves(owner, "kernel_initializer", initializer, initializers.get, initializer)
    if est.lr_schedule is not None and not callable(est.lr_schedule):
        _resolves(owner, "lr_schedule", est.lr_schedule, schedules.get, est.lr_schedule)
    preprocessor = est.preprocessor
    if isinstance(preprocessor, Preprocessor):
        preprocessor.check_params()  # its message names the parameter and Preprocessor
    elif preprocessor not in (None, "auto"):
        raise _fail(owner, "preprocessor", "None, 'auto' or an mk.data.Preprocessor", preprocessor)
    _check_callbacks(est.callbacks, owner)


def _check_callbacks(callbacks, owner: str) -> None:
    if callbacks is None:
        return
    if not isinstance(callbacks, (list, tuple)):
        raise _fail(owner, "callbacks", "None or a list of mk.callbacks objects", callbacks)
    for index, callback in enumerate(callbacks):
        if isinstance(callback, type) or not callable(getattr(callback, "on_epoch_end", None)):
            raise ConfigError(
                f"{owner} callbacks must be callback objects such as "
                f"mk.callbacks.EarlyStopping(); entry {index} is {callback!r}."
            )


def _resolves(owner: str, name: str, value, get, identifier):
    """``get(identifier)``; an unknown name is the registry's error (it names the kind, the
    value and the choices; the parameter is added when the kind is not its name), a bad
    argument of a config table is re-worded to name the estimator's parameter."""
    try:
        return get(identifier)
    except ConfigError as error:
        if name in str(error):
            raise
        raise ConfigError(f"{error} It is {owner}'s {name}.") from None
    except (TypeError, ValueError) as error:
        raise ConfigError(f"{owner} {name}={value!r} is not valid: {error}") from None


def _is_dtype(value) -> bool:
    try:
        np.dtype(value)
    except TypeError:
        return False
    return True


def _fail(owner: str, name: str, expected: str, value) -> ConfigError:
    return ConfigError(f"{owner} {name} must be {expected}; received {name}={value!r}.")
