"""``solver="lbfgs"``: full-batch L-BFGS over the network's flat parameter buffer.

The objective is the one the mini-batch trainer descends, on all training rows at once:

    J(θ) = Σᵢ wᵢ ℓ(f(xᵢ; θ), yᵢ) / Σᵢ wᵢ + Ω(θ)

(wᵢ = 1 without sample weights; Ω the network's penalty), with its gradient from one
forward/backward pass. ``scipy.optimize.minimize(method="L-BFGS-B", jac=True)`` drives it through
the network's public interface only: ``params``/``grads``, ``forward``/``backward``,
``penalty()``, ``trainable_mask()`` and the fit preparation
(:func:`mlpkit.training.preparation.prepare_fit`), so preprocessing, labels and target scaling
are those of every other fit. As scikit-learn's, it stops after ``max_iter`` iterations,
``max_fun`` evaluations of J, or when the projected gradient's largest entry is below ``tol``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import minimize

from .. import losses
from ..training.preparation import prepare_fit


@dataclass
class LbfgsResult:
    """What a run left: iterations, J after each, evaluations, and scipy's message."""

    n_iter: int
    loss_curve: list = field(default_factory=list)
    n_fun: int = 0
    message: str = ""


def fit_lbfgs(net, X, y, loss, *, sample_weight=None, classes=None, max_iter, max_fun, tol):
    """Fit ``net`` (built or not) on X, y by L-BFGS from its current weights."""
    loss = losses.get(loss)
    net.loss = loss
    logits = loss.fused_with(net.output_activation)
    train, _ = prepare_fit(net, X, y, loss, sample_weight=sample_weight, classes=classes)
    objective = Objective(net, loss, train, logits)
    curve: list[float] = []
    result = minimize(
        objective,
        net.params.astype(np.float64),
        method="L-BFGS-B",
        jac=True,
        callback=lambda intermediate_result: curve.append(float(intermediate_result.fun)),
        options={"maxiter": max_iter, "maxfun": max_fun, "gtol": tol},
    )
    net.params[...] = result.x
    net.epochs_trained += int(result.nit)
    message = result.message if isinstance(result.message, str) else result.message.decode()
    net.stop_reason = f"L-BFGS: {message.lower()} after {result.nit} iterations"
    return LbfgsResult(int(result.nit), curve, int(result.nfev), net.stop_reason)


class Objective:
    """J(θ) and ∇J(θ) for scipy, in float64, frozen entries with zero gradient."""

    def __init__(self, net, loss, train, logits) -> None:
        self.net, self.loss, self.train, self.logits = net, loss, train, logits
        penalty = net.penalty()
        self.penalty = penalty if penalty.active else None
        self.frozen = ~net.trainable_mask()

    def __call__(self, theta: np.ndarray) -> tuple[float, np.ndarray]:
        net, train = self.net, self.train
        params = net.params
        params[...] = theta
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            out = net.forward(train.X, training=True, logits=self.logits)
            value, grad = self.loss.value_and_grad(out, train.y, weights=train.weights)
            net.backward(grad, logits=self.logits)
        grads = net.grads
        if self.penalty is not None:
            value += self.penalty.value(params)
            self.penalty.add_gradient(params, grads, nonsmooth=True)  # no proximal step here
        grads[self.frozen] = 0
        return float(value), grads.astype(np.float64)
