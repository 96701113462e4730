r"""Losses: a value to minimise and its gradient with respect to the network's output.

Notation: a batch of n samples, k outputs; ŷ the prediction (n, k), y the target (n, k).
Every loss is a mean: over the batch, and over the outputs for mse/mae/huber and binary
cross-entropy, as PyTorch's ``reduction="mean"`` does.

The cross-entropies are computed **from the logits** z of the output layer, whose sigmoid or
softmax is then skipped in training (``Loss.logits_activation``). This is exact, never takes the
log of 0, and its gradient is the fused p − y.
"""

from __future__ import annotations

import numpy as np

from . import kernels
from ._checks import check_positive
from ._workspace import Workspaces
from .exceptions import ConfigError
from .layers.activations import Activation, Sigmoid, Softmax
from .registry import resolve


class Loss(Workspaces):
    """Base class: ``prepare_targets`` checks y once per fit; ``value_and_grad`` runs per batch."""

    name = "loss"
    #: The output activation this loss is fused with (computed from its logits), if any.
    logits_activation: type[Activation] | None = None

    def prepare_targets(self, y, n_outputs: int, dtype) -> np.ndarray:
        """Check targets against the output layer and return them as a (n, k) float array."""
        y = np.asarray(y)
        if y.ndim == 1 and n_outputs == 1:
            y = y.reshape(-1, 1)
        if y.ndim != 2 or y.shape[1] != n_outputs:
            raise ValueError(
                f"y has shape {y.shape} but the output layer has {n_outputs} unit(s); pass y of "
                f"shape (n_samples, {n_outputs})" + (" or (n_samples,)." if n_outputs == 1 else ".")
            )
        return _as_float_targets(y, dtype)

    def value_and_grad(
        self, out: np.ndarray, y: np.ndarray, *, training: bool = True, weights=None
    ) -> tuple[float, np.ndarray]:
        """The batch loss and dL/d(out), where ``out`` is ŷ, or z for a logits loss.

        With per-row ``weights`` wᵢ ≥ 0 (sample weights), the loss is the weighted mean
        Σ pᵢℓᵢ of the rows' losses ℓᵢ, pᵢ = wᵢ / Σ wᵢ, and each row's gradient is scaled by
        pᵢ·n. In training the gradient is written into a workspace reused on the next batch.
        """
        value, grad = self._value_and_grad(out, y, training=training)
        if weights is None:
            return value, grad
        total = float(weights.sum())
        if total <= 0:
            return 0.0, np.multiply(grad, 0, out=grad)
        # pᵢ ≤ 1: a product wᵢℓᵢ overflows for large finite factors, Σ pᵢℓᵢ ≤ max ℓᵢ never
        shares = (weights / total).astype(grad.dtype, copy=False)
        value = float(np.dot(shares, self.rows(out, y)))
        grad *= (shares * out.shape[0])[:, None]
        return value, grad

    def _value_and_grad(self, out, y, *, training):
        raise NotImplementedError

    def rows(self, out: np.ndarray, y: np.ndarray) -> np.ndarray:
        """Each row's loss ℓᵢ, shape (n,): the batch loss is their mean."""
        raise NotImplementedError

    def fused_with(self, output_activation) -> bool:
        """Whether this loss is computed from the logits of the network's output activation
        (``output_activation``, None for a linear output). A loss fused with an activation
        (:attr:`logits_activation`) on a network that ends in another one is a ConfigError
        that says which activation to use."""
        wanted = self.logits_activation
        if wanted is None:
            return False
        if not isinstance(output_activation, wanted):
            found = "linear" if output_activation is None else type(output_activation).__name__
            raise ConfigError(
                f"The {self.name} loss is computed from the logits of a "
                f"{wanted.__name__.lower()} output layer, but the last layer's activation is "
                f"{found.lower()}. Use activation="
                f'"{wanted.__name__.lower()}" on the output layer.'
            )
        return True

    def value(self, out: np.ndarray, y: np.ndarray) -> float:
        """The loss alone (evaluation): nothing is kept for the next call."""
        return self.value_and_grad(out, y, training=False)[0]

    def get_config(self) -> dict:
        return {"name": self.name}

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


def _as_float_targets(y: np.ndarray, dtype) -> np.ndarray:
    y = _numeric_if_possible(y)
    if not np.issubdtype(y.dtype, np.number) and y.dtype != bool:
        raise TypeError(
            f"y must be numeric; got dtype {y.dtype}. Encode labels as numbers first "
            f"(e.g. sklearn.preprocessing.LabelEncoder) or use mk.MLPClassifier."
        )
    y = y.astype(dtype, copy=False)
    if not np.all(np.isfinite(y)):
        bad = np.argwhere(~np.isfinite(y))[0]
        raise ValueError(f"y contains NaN or infinity (first at row {bad[0]}); remove or fill it.")
    return y


class MeanSquaredError(Loss):
    """L = mean((ŷ − y)²);  dL/dŷ = 2(ŷ − y) / (n·k)."""

    name = "mse"

    def rows(self, out, y):
        return np.square(out - y).mean(axis=1)

    def _value_and_grad(self, out, y, *, training=True):
        grad = self._output("grad", out.shape, out.dtype, training)
        np.subtract(out, y, out=grad)
        value = float(np.vdot(grad, grad)) / grad.size
        grad *= 2.0 / grad.size
        return value, grad


class MeanAbsoluteError(Loss):
    """L = mean|ŷ − y|;  dL/dŷ = sign(ŷ − y) / (n·k)  (0 where ŷ = y)."""

    name = "mae"

    def rows(self, out, y):
        return np.abs(out - y).mean(axis=1)

    def _value_and_grad(self, out, y, *, training=True):
        """Σ|r| = sign(r)·r, a dot product of the gradient's numerator with r (n·k scratch)."""
        r = self._output("residual", out.shape, out.dtype, training)
        grad = self._output("grad", out.shape, out.dtype, training)
        np.subtract(out, y, out=r)
        np.sign(r, out=grad)
        value = float(np.vdot(grad, r)) / grad.size
        grad /= grad.size
        return value, grad


class Huber(Loss):
    """With r = ŷ − y: ℓ(r) = ½r² if |r| ≤ δ else δ(|r| − ½δ);  L = mean ℓ(r);
    dL/dŷ = clip(r, −δ, δ) / (n·k).  Quadratic near 0, linear (robust to outliers) beyond δ."""

    name = "huber"

    def __init__(self, delta: float = 1.0) -> None:
        self.delta = check_positive("delta", delta, owner="Huber")

    def get_config(self):
        return {"name": self.name, "delta": self.delta}

    def rows(self, out, y):
        r = np.abs(out - y)
        return np.where(r <= self.delta, 0.5 * r * r, self.delta * (r - 0.5 * self.delta)).mean(1)

    def _value_and_grad(self, out, y, *, training=True):
        """With c = clip(r, −δ, δ) and the excess e = max(|r| − δ, 0) (both ≥ 0 termwise):
        ℓ(r) = ½c² + δ·e, so L = (½ c·c + δ Σe) / (n·k), sums without cancellation."""
        grad = self._output("grad", out.shape, out.dtype, training)
        excess = self._output("excess", out.shape, out.dtype, training)
        np.subtract(out, y, out=grad)
        np.abs(grad, out=excess)
        excess -= self.delta
        np.maximum(excess, 0, out=excess)
        np.clip(grad, -self.delta, self.delta, out=grad)
        total = 0.5 * float(np.vdot(grad, grad)) + self.delta * float(np.add.reduce(excess, None))
        grad /= grad.size
        return total / grad.size, grad


class BinaryCrossEntropy(Loss):
    """For a sigmoid output p = σ(z), computed from z:
    L = mean(−y ln p − (1 − y) ln(1 − p)) = mean((max(z, 0) − y·z) + ln(1 + e^(−|z|)));
    dL/dz = (σ(z) − y) / (n·k).  Targets are probabilities in [0, 1] (usually 0/1).
    One compiled pass (:func:`binary_cross_entropy_kernel`) where numba is; else NumPy."""

    name = "binary_cross_entropy"
    logits_activation = Sigmoid

    def prepare_targets(self, y, n_outputs, dtype):
        y = super().prepare_targets(y, n_outputs, dtype)
        if y.size and (y.min() < 0 or y.max() > 1):
            bad = y[(y < 0) | (y > 1)][0]
            raise ValueError(
                f"binary_cross_entropy needs targets in [0, 1]; found {bad:g}. "
                f"Encode the two classes as 0 and 1."
            )
        return y

    def rows(self, z, y):
        e = np.exp(-np.abs(z))
        return ((np.maximum(z, 0) - y * z) + np.log1p(e)).mean(axis=1)

    def _value_and_grad(self, z, y, *, training=True):
        """ℓ = (max(z, 0) − y·z) + ln(1 + e), e = e^(−|z|), the bracket first: it is exactly 0
        where a confident prediction is right, so ℓ keeps its full relative precision there
        (ln(1 + e^(−36)) = 2.3e-16, not 36 − 36 = 0); σ(z) = 1/(1 + e) for z ≥ 0 and
        e/(1 + e) for z < 0 from the same e, as max(e, [z ≥ 0])/(1 + e). 16 passes over the batch
        (one exp), nothing allocated."""
        grad = self._output("grad", z.shape, z.dtype, training)
        fused = kernels.compiled(binary_cross_entropy_kernel)
        if fused is not None:
            return fused(z, y, grad) / z.size, grad
        with kernels.reference_work("binary_cross_entropy", z.size):
            return self._reference(z, y, grad, training), grad

    def _reference(self, z, y, grad, training):
        """The NumPy path of :meth:`_value_and_grad` (the kernel's reference): returns Σℓ/(n·k)."""
        e = self._output("exp", z.shape, z.dtype, training)
        value = self._output("value", z.shape, z.dtype, training)
        np.abs(z, out=e)
        np.negative(e, out=e)
        np.exp(e, out=e)
        np.maximum(z, 0, out=value)
        np.multiply(y, z, out=grad)  # grad is scratch until the gradient is written
        value -= grad
        np.log1p(e, out=grad)
        value += grad
        total = float(np.add.reduce(value, axis=None)) / value.size
        np.greater_equal(z, 0, out=value, casting="unsafe")  # value is scratch from here on
        np.maximum(value, e, out=value)  # σ's numerator: 1 if z ≥ 0 else e
        np.add(e, 1, out=grad)
        np.divide(value, grad, out=grad)
        grad -= y
        grad /= grad.size
        return total


class CategoricalCrossEntropy(Loss):
    """For a softmax output p = softmax(z), computed from z:
    L = mean over samples of −Σₖ yₖ ln pₖ = Σₖ yₖ(logsumexp(z) − zₖ)  (rows of y sum to 1);
    dL/dz = (p − y) / n.  Targets: integer class labels (n,) or one-hot rows (n, k).
    One compiled pass per row (:func:`cross_entropy_kernel`) where numba is; else NumPy."""

    name = "categorical_cross_entropy"
    logits_activation = Softmax

    def prepare_targets(self, y, n_outputs, dtype):
        y = np.asarray(y)
        if y.ndim == 1 or (y.ndim == 2 and y.shape[1] == 1 and n_outputs > 1):
            return _one_hot(y.ravel(), n_outputs, dtype)
        y = super().prepare_targets(y, n_outputs, dtype)
        if y.size and (y.min() < 0 or not np.allclose(y.sum(axis=1), 1, atol=1e-3)):
            raise ValueError(
                "categorical_cross_entropy needs one-hot (or probability) rows that sum to 1, "
                "or integer class labels of shape (n_samples,)."
            )
        return y

    def rows(self, z, y):
        p = np.empty_like(z)
        bracket, rest, _ = _cross_entropy_terms(z, y, p, per_row=True)
        return bracket + np.log1p(rest)

    def _value_and_grad(self, z, y, *, training=True):
        """Per row, with m = max z and the largest term of Σ e^(z−m) (which is 1) kept apart:
        ℓ = Σₖ yₖ(m − zₖ) + ln(1 + Σ_(k≠argmax) e^(zₖ−m)). The first sum has terms of one
        sign (no cancellation, summed over the whole batch at once) and the log1p keeps a
        confident row's full relative precision, where ln Σ e^(z−m) would first round
        1 + 1e-10. 8 passes over the batch, as before (argmax for max, a dot with y)."""
        n = z.shape[0]
        p = self._output("grad", z.shape, z.dtype, training)
        fused = kernels.compiled(cross_entropy_kernel)
        if fused is not None:
            return fused(z, y, p) / n, p
        with kernels.reference_work("cross_entropy", z.size):
            return self._reference(z, y, p), p

    def _reference(self, z, y, p):
        """The NumPy path of :meth:`_value_and_grad` (the kernel's reference): returns L."""
        n = z.shape[0]
        bracket, rest, top = _cross_entropy_terms(z, y, p, per_row=False)
        value = (bracket + float(np.add.reduce(np.log1p(rest), axis=None))) / n
        p.reshape(-1)[top] = 1  # p = e^(z − m), the softmax numerators
        rest += 1
        p /= rest[:, None]
        p -= y
        p *= 1 / n
        return value


def _cross_entropy_terms(z: np.ndarray, y: np.ndarray, out: np.ndarray, *, per_row: bool):
    """The parts of the cross-entropy of z (n, k) against y (n, k), m = max of each row:

    - Σₖ yₖ(m − zₖ): per row (n,) if ``per_row``, else its total over the batch (a float);
    - Σ_(k≠argmax) e^(zₖ−m) (n,): the terms of Σ e^(z−m) = 1 + that sum other than the 1;
    - the argmax's flat index into z (n,).

    ``out`` (n, k, C-contiguous) gets e^(z − m) with 0 at the argmax.
    """
    n, k = z.shape
    top = np.argmax(z, axis=1)
    top += np.arange(0, n * k, k)
    np.subtract(z, np.take(z, top)[:, None], out=out)
    if per_row:
        bracket = -np.einsum("ij,ij->i", y, out)
    else:
        bracket = -float(np.vdot(y, out))
    np.exp(out, out=out)
    out.reshape(-1)[top] = 0
    return bracket, np.add.reduce(out, axis=1), top


def binary_cross_entropy_kernel(z, y, grad):
    """One pass of :class:`BinaryCrossEntropy` (numba): writes dL/dz into grad (n, k) and
    returns Σ ℓ, each entry as the NumPy path computes it."""
    n, k = z.shape
    total, scale = 0.0, 1.0 / (n * k)
    for i in range(n):
        for j in range(k):
            zij, yij = z[i, j], y[i, j]
            e = np.exp(-abs(zij))
            total += (max(zij, 0) - yij * zij) + np.log1p(e)
            grad[i, j] = ((1 if zij >= 0 else e) / (1 + e) - yij) * scale
    return total


def cross_entropy_kernel(z, y, p):
    """One pass of :class:`CategoricalCrossEntropy` per row (numba): ℓ = Σₖ yₖ(m − zₖ) +
    ln(1 + Σ_(k≠argmax) e^(zₖ−m)) summed into the return value, (softmax(z) − y)/n into p."""
    n, k = z.shape
    total = 0.0
    for i in range(n):
        top = 0
        for j in range(1, k):
            if z[i, j] > z[i, top]:
                top = j
        m, rest = z[i, top], 0.0
        for j in range(k):
            p[i, j] = np.exp(z[i, j] - m)
            total += y[i, j] * (m - z[i, j])
            if j != top:
                rest += p[i, j]
        total += np.log1p(rest)
        for j in range(k):
            p[i, j] = (p[i, j] / (1 + rest) - y[i, j]) / n
    return total


def _numeric_if_possible(y: np.ndarray) -> np.ndarray:
    """Object arrays of numbers (e.g. from pandas) become float arrays; others stay as they are."""
    if y.dtype == object:
        try:
            return y.astype(np.float64)
        except (TypeError, ValueError):
            return y
    return y


def _one_hot(labels: np.ndarray, n_classes: int, dtype) -> np.ndarray:
    labels = _numeric_if_possible(labels)
    if labels.dtype == bool:
        labels = labels.astype(np.intp)
    if not np.issubdtype(labels.dtype, np.number):
        raise TypeError(
            f"Class labels must be integers 0..{n_classes - 1}; got dtype {labels.dtype}. "
            f"Encode them first (sklearn.preprocessing.LabelEncoder) or use mk.MLPClassifier."
        )
    if labels.size and (not np.all(np.isfinite(labels)) or np.any(labels != np.round(labels))):
        raise ValueError(f"Class labels must be whole numbers 0..{n_classes - 1}.")
    if labels.size and (labels.min() < 0 or labels.max() >= n_classes):
        bad = labels.max() if labels.max() >= n_classes else labels.min()
        raise ValueError(
            f"Class label {bad:g} does not fit the output layer: it has {n_classes} softmax "
            f"units, so labels must be in 0..{n_classes - 1}. Widen the output layer to the "
            f"number of classes."
        )
    encoded = np.zeros((labels.size, n_classes), dtype=dtype)
    encoded[np.arange(labels.size), labels.astype(np.intp)] = 1
    return encoded


LOSSES: dict[str, type[Loss]] = {
    cls.name: cls
    for cls in (
        MeanSquaredError,
        MeanAbsoluteError,
        Huber,
        BinaryCrossEntropy,
        CategoricalCrossEntropy,
    )
}


def get(identifier: str | dict | Loss) -> Loss:
    """Resolve ``"mse"``, ``{"name": "huber", "delta": 2.0}`` or a Loss object to a Loss."""
    return resolve("loss", LOSSES, identifier, Loss)


__all__ = [
    "Loss",
    "MeanSquaredError",
    "MeanAbsoluteError",
    "Huber",
    "BinaryCrossEntropy",
    "CategoricalCrossEntropy",
    "LOSSES",
    "get",
]
