"""How ``solver``, ``optimizer``, ``learning_rate`` and ``early_stopping`` become an optimizer,
its callbacks and a stopping rule.

``solver`` is scikit-learn's spelling ("adam", "sgd", "lbfgs"); ``optimizer`` is mlpkit's wider
choice (any ``mk.optim`` name, config or object). They combine so that scikit-learn code runs
unchanged and mlpkit code keeps working:

- ``optimizer=None`` (default): ``solver`` decides. "adam" is ``mk.optim.Adam`` (``beta_1``,
  ``beta_2``, ``epsilon``), "sgd" is ``mk.optim.SGD`` with ``momentum`` and
  ``nesterovs_momentum``, "lbfgs" is full-batch L-BFGS (:mod:`.lbfgs`).
- ``optimizer`` given: it is the gradient optimizer, ``solver`` must then be "adam" (its
  default) or name the same optimizer; ``solver="lbfgs"`` with an ``optimizer`` is an error.

``learning_rate`` (used with SGD, as in scikit-learn; Adam ignores it):

- "constant": η = ``learning_rate_init`` (or ``lr_schedule``).
- "invscaling": after each epoch η = η₀ / (t + 1)^``power_t``, t the number of training rows
  seen so far (scikit-learn's ``t_``), through the optimizer's ``lr_factor``.
- "adaptive": η is divided by 5 each time two epochs in a row fail to improve the monitored
  loss by ``tol`` (:class:`mlpkit.callbacks.ReduceLROnPlateau`, factor 0.2, patience 1);
  training stops as usual at the ``n_iter_no_change + 1``-th epoch in a row without one.
"""

from __future__ import annotations

from .. import optim
from ..exceptions import ConfigError
from ..training.callbacks import Callback
from ..training.plateau import ReduceLROnPlateau

SOLVERS = ("adam", "sgd", "lbfgs")
LEARNING_RATES = ("constant", "invscaling", "adaptive")


def check_solver(estimator) -> None:
    """Refuse unknown names and contradicting choices, naming the parameters."""
    if estimator.solver not in SOLVERS:
        raise ConfigError(
            f"solver must be one of {SOLVERS}; received solver={estimator.solver!r}. For other "
            f"optimizers pass optimizer= (e.g. optimizer='rmsprop')."
        )
    if estimator.learning_rate not in LEARNING_RATES:
        raise ConfigError(
            f"learning_rate must be one of {LEARNING_RATES}; received "
            f"learning_rate={estimator.learning_rate!r} (the initial rate is "
            f"learning_rate_init)."
        )
    given = estimator.optimizer
    if given is not None and estimator.solver == "lbfgs":
        raise ConfigError(
            f"solver='lbfgs' is full-batch L-BFGS and takes no optimizer; received "
            f"optimizer={given!r}. Drop optimizer= or use solver='adam'/'sgd'."
        )
    if isinstance(given, str) and estimator.solver not in ("adam", given):
        raise ConfigError(
            f"solver={estimator.solver!r} and optimizer={given!r} name different optimizers; "
            f"pass one of them."
        )


def make_optimizer(estimator):
    """The gradient optimizer of a fit (not for ``solver="lbfgs"``)."""
    est = estimator
    lr = est.lr_schedule if est.lr_schedule is not None else est.learning_rate_init
    given = est.optimizer if est.optimizer is not None else est.solver
    if not isinstance(given, str):
        return optim.get(given)
    arguments = {
        "adam": {"beta_1": est.beta_1, "beta_2": est.beta_2, "epsilon": est.epsilon},
        "adamw": {"beta_1": est.beta_1, "beta_2": est.beta_2, "epsilon": est.epsilon},
        "sgd": {
            "momentum": est.momentum,
            "nesterov": bool(est.nesterovs_momentum and est.momentum),
        },
        "rmsprop": {"epsilon": est.epsilon},
    }.get(given, {})
    return optim.get({"name": given, "learning_rate": lr, **arguments})


def rate_callbacks(estimator, optimizer, *, monitor: str, n_train: int) -> list:
    """The callbacks ``learning_rate`` asks for (none for "constant" or a non-SGD optimizer)."""
    if estimator.learning_rate == "constant" or not isinstance(optimizer, optim.SGD):
        return []
    if estimator.learning_rate == "invscaling":
        return [InverseScaling(estimator.power_t, n_train, getattr(estimator, "t_", 0))]
    return [ReduceLROnPlateau(monitor, factor=0.2, patience=1, min_delta=estimator.tol)]


class InverseScaling(Callback):
    """η = η₀ / (t + 1)^power_t after each epoch, t the rows seen so far: ``seen`` before this
    fit (the estimator's ``t_``, so ``partial_fit`` and ``warm_start`` continue the decay) plus
    ``n_rows`` per epoch of this one."""

    def __init__(self, power_t: float, n_rows: int, seen: int = 0) -> None:
        self.power_t, self.n_rows, self.seen = power_t, n_rows, seen

    def on_epoch_end(self, epoch, logs=None):
        self.seen += self.n_rows
        self.model.optimizer.lr_factor = 1.0 / (self.seen + 1) ** self.power_t


#: ``early_stopping="auto"`` holds out a validation split from this many rows on (as
#: scikit-learn's HistGradientBoosting* do): below it, a tenth of the rows is scarce data and
#: stopping on it ends training too soon, so training stops on the training loss as
#: scikit-learn's MLP default does. Measured in benchmarks/bench_quality.py: with the split
#: from 1000 rows on, phoneme (2000 rows) lost 0.031 balanced accuracy to scikit-learn; on the
#: tasks under 1000 rows training without a split scored higher than with one.
AUTO_EARLY_STOPPING_ROWS = 10_000


def early_stopping_on(early_stopping, n_rows: int) -> bool:
    """Whether a fit on ``n_rows`` rows holds out a validation split for early stopping."""
    if early_stopping == "auto":
        return n_rows >= AUTO_EARLY_STOPPING_ROWS
    return bool(early_stopping)
