"""Under- and over-fitting: error against capacity, and the squared error as bias² + variance.

* :func:`complexity_curve`: training and validation error as the network grows;
* :func:`bias_variance`: a regression network's expected squared error over bootstrap
  resamples, split into bias², variance and noise.
"""

from __future__ import annotations

import numpy as np

from .._checks import check_integer, check_positive
from .._validation import take_rows
from ..exceptions import ConfigError
from .models import is_classifier
from .runs import fit_fresh


def complexity_curve(
    make_network, X_train, y_train, X_val, y_val, *, complexities, fit_kwargs=None
) -> dict:
    """Training and validation error as the network grows: under- and over-fitting in a picture.

    For each c in ``complexities``, ``make_network(c)`` builds a network of that complexity
    (hidden units, depth, ...), which is fitted on the training data; its error on each side is
    the loss ``net.evaluate`` reports (inference mode: no dropout). Training error falls as
    capacity grows; validation error falls, then rises once the network over-fits.

    Args:
        make_network: ``complexity -> mk.Sequential``, a new unfitted network each call.
        X_train, y_train: the data to fit.
        X_val, y_val: held-out data.
        complexities: the values to try, in order.
        fit_kwargs: keyword arguments for ``net.fit`` (``loss`` at least), deep-copied for
            every fit.

    Returns:
        ``{"complexity", "train_error", "val_error", "n_params", "loss_units"}``, lists aligned
        by position; ``loss_units`` is ``net.loss_units`` (the errors' units when the loss is in
        scaled target units, e.g. "standardised target units"; None when in the target's own).
    """
    complexities = list(complexities)
    if not complexities:
        raise ConfigError("complexity_curve complexities must not be empty; received [].")
    fit_kwargs = dict(fit_kwargs or {})
    curve = {"complexity": complexities, "train_error": [], "val_error": [], "n_params": []}
    curve["loss_units"] = None
    for complexity in complexities:
        net = make_network(complexity)
        fit_fresh(net, X_train, y_train, fit_kwargs)
        curve["train_error"].append(float(net.evaluate(X_train, y_train)["loss"]))
        curve["val_error"].append(float(net.evaluate(X_val, y_val)["loss"]))
        curve["n_params"].append(int(net.params.size))
        curve["loss_units"] = net.loss_units
    return curve


def bias_variance(
    make_network,
    X_train,
    y_train,
    X_test,
    y_test,
    *,
    n_bootstrap=20,
    fit_kwargs=None,
    noise=None,
    random_state=0,
) -> dict:
    """Split a regression network's expected squared error into bias², variance and noise.

    Network i (``make_network(i)``, i = 0..n_bootstrap−1) is fitted on a bootstrap resample of
    the training rows (n rows drawn with replacement) and predicts X_test: ŷᵢ(x). With
    ȳ(x) = meanᵢ ŷᵢ(x) and means over the test points x (and outputs):

        expected_error = mean_x meanᵢ (ŷᵢ(x) − y(x))²
                       = mean_x (ȳ(x) − y(x))²  +  mean_x varᵢ ŷᵢ(x)
                       =      bias² + noise      +     variance

    since y = f(x) + ε and E[ε²] = σ². With ``noise`` (σ², if known) bias² = mean_x (ȳ − y)² − σ²
    (an estimate: slightly negative values can occur when the model is nearly unbiased);
    without it, bias² includes the noise, ``noise`` is None and ``note`` says so.

    Args:
        make_network: ``seed -> mk.Sequential`` with a regression (non-sigmoid/softmax) output.
        X_train, y_train: the data resampled.
        X_test, y_test: the points the decomposition is measured at.
        n_bootstrap: resamples (≥ 2); each is one fit.
        fit_kwargs: keyword arguments for ``net.fit`` (``loss`` at least), deep-copied for
            every fit.
        noise: the variance σ² of the target noise, when known.
        random_state: seed of the resampling.

    Returns:
        ``{"bias2", "variance", "noise", "expected_error", "n_bootstrap", "note"}``.
    """
    n_bootstrap = check_integer("n_bootstrap", n_bootstrap, low=2, owner="bias_variance")
    if noise is not None:
        noise = check_positive("noise", noise, allow_zero=True, owner="bias_variance")
    predictions = _bootstrap_predictions(
        make_network, X_train, y_train, X_test, n_bootstrap, dict(fit_kwargs or {}), random_state
    )
    y = np.asarray(y_test, dtype=np.float64).reshape(predictions.shape[1], -1)
    biased = float(np.mean((predictions.mean(axis=0) - y) ** 2))
    note = (
        f"bias2 is net of the given noise variance {noise:g}."
        if noise is not None
        else "noise unknown: bias2 includes the noise variance (pass noise=sigma**2 to split it)."
    )
    return {
        "bias2": biased - (noise or 0.0),
        "variance": float(np.mean(predictions.var(axis=0))),
        "noise": noise,
        "expected_error": float(np.mean((predictions - y) ** 2)),
        "n_bootstrap": n_bootstrap,
        "note": note,
    }


def _bootstrap_predictions(make_network, X, y, X_test, n_bootstrap, fit_kwargs, random_state):
    """Predictions of X_test, shape (n_bootstrap, n_test, n_outputs)."""
    rng = np.random.default_rng(random_state)
    n_rows, predictions = len(y), []
    for index in range(n_bootstrap):
        net = make_network(index)
        if is_classifier(net):
            raise ConfigError(
                "bias_variance decomposes the squared error of a regression network; this one "
                "ends in a sigmoid/softmax layer. Use a linear output."
            )
        rows = rng.integers(0, n_rows, size=n_rows)
        fit_fresh(net, take_rows(X, rows), take_rows(y, rows), fit_kwargs)
        predictions.append(np.asarray(net.predict(X_test), dtype=np.float64))
    return np.stack(predictions)
