r"""Weight penalties: L1, L2, the elastic net and the group lasso.

A regularizer attached to parameters w adds to the loss

    Ω(w) = λ₁ Σ|w| + λ₂ Σ w² + λ_g Σᵢ ‖W_i,:‖₂

(Keras's convention: no ½ on the L2 term; the group term is :class:`GroupLasso`, whose groups
are the rows of a kernel W of shape (n_in, n_out): row i holds input i's outgoing weights).

How each part is minimised:

- **L2** is smooth: its gradient 2λ₂w is added to the loss gradient before the optimizer step.
- **L1 and the group lasso** are not differentiable at 0, and a gradient step (adding the
  subgradient λ₁ sign(w)) never lands on 0: the weights of useless inputs would hover within a
  step of it. They are applied instead as a *proximal* step right after every optimizer step
  (forward–backward splitting; Duchi & Singer 2009, "Efficient Online and Batch Learning Using
  Forward Backward Splitting", JMLR 10; Parikh & Boyd 2014, "Proximal Algorithms", ch. 6),
  with η the learning rate of that step:

      L1 (soft-thresholding):        w   ← sign(w) · max(|w| − η λ₁, 0)
      group lasso (block shrinkage): W_i ← W_i · max(0, 1 − η λ_g / ‖W_i‖₂)

  so weights (or whole rows: whole inputs) become **exactly 0** and stay there while the data
  gradient cannot pull them out. :func:`input_norms` reads off which inputs a kernel still uses.

**Adaptive optimizers.** The L1 threshold is taken in the optimizer's own metric: with D the
per-coordinate factor its step applies to the gradient (``Optimizer.preconditioner``: 1 for SGD,
1/(√v̂ + ε) for Adam and AdamW, 1/(√v + ε) for RMSprop, 1/(√Σg² + ε) for Adagrad), the step is
w ← sign(w)·max(|w| − η·λ₁·D, 0), the proximal step of a diagonally preconditioned gradient
method (Yun, Lozano & Yang 2021, "Adaptive Proximal Gradient Methods for Structured Neural
Networks", NeurIPS). So λ₁ means the same for every optimizer — a weight stays at 0 while the
data gradient's pull |g| is at most λ₁ — and one λ₁ zeroes the same useless inputs under SGD,
Adam, AdamW, RMSprop and Adagrad (tested). With mini-batches and an optimizer that does not
average the gradient (plain RMSprop, SGD with momentum carrying old steps), a useless weight is
pushed off 0 whenever one batch's noisy gradient exceeds λ₁. The group lasso's threshold stays
η·λ_g (its rows mix coordinates of different D). The penalty *value* is the same Ω in every case
and is logged apart from the data loss.

Where they apply: ``Dense(kernel_regularizer=..., bias_regularizer=...)`` per layer, and
``Sequential(regularizer=...)`` for every kernel of the network that has none of its own. Biases,
PReLU slopes and BatchNorm's γ, β are not penalised unless a layer's ``bias_regularizer`` asks,
and frozen layers (``trainable = False``) never are. The network turns all of this into
coefficient arrays over its flat buffer once per fit (:class:`Penalty`), so a step adds the L2
gradient and applies the soft-thresholding with a few whole-buffer operations.
"""

from __future__ import annotations

import numpy as np

from ._checks import check_fraction, check_positive
from .registry import resolve


# -- the proximal operators and the group norms: one implementation, used by the classes below --
def soft_threshold(w: np.ndarray, threshold, out: np.ndarray | None = None) -> np.ndarray:
    """prox of t·Σ|w|: ``w − clip(w, −t, t)`` = sign(w)·max(|w| − t, 0), elementwise.

    Args:
        w: any shape.
        threshold: t ≥ 0, a number or an array broadcasting against ``w``.
        out: where to write the result (may be ``w`` itself). Defaults to a new array.

    Entries with |w| ≤ t become exactly +0.0; entries with t = 0 are returned unchanged.
    """
    t = np.asarray(threshold, dtype=w.dtype)
    clipped = np.clip(w, -t, t)
    return np.subtract(w, clipped, out=out)


def input_norms(W: np.ndarray) -> np.ndarray:
    """‖W_i,:‖₂ for each row i of a kernel W of shape (n_in, n_out): shape (n_in,).

    Row i holds the weights leaving input i, so a row norm of exactly 0 means the layer ignores
    input i (what :class:`GroupLasso` drives useless inputs to). Arrays of more dimensions are
    grouped by their first axis; a 1-D array gives |w| (each entry its own group).
    """
    W = np.asarray(W)
    rows = W.reshape(W.shape[0], -1) if W.ndim else W.reshape(1, 1)
    return np.sqrt(np.einsum("ij,ij->i", rows, rows))


def used_inputs(W: np.ndarray) -> np.ndarray:
    """Boolean (n_in,): True for the inputs whose outgoing weights are not all exactly 0."""
    return input_norms(W) > 0


def group_soft_threshold(W: np.ndarray, threshold: float, out: np.ndarray | None = None):
    """prox of t·Σᵢ‖W_i,:‖₂ (block soft-thresholding): W_i ← W_i·max(0, 1 − t/‖W_i‖₂).

    Rows with ‖W_i‖₂ ≤ t become exactly 0; the others shrink towards 0 by t along their own
    direction. Groups are the rows (first axis) as in :func:`input_norms`; ``out`` may be ``W``.
    """
    norms = input_norms(W)
    scale = np.zeros_like(norms)
    np.divide(threshold, norms, out=scale, where=norms > 0)
    np.subtract(1, scale, out=scale)
    scale[norms == 0] = 0
    np.maximum(scale, 0, out=scale)
    shape = (W.shape[0],) + (1,) * (W.ndim - 1)
    return np.multiply(W, scale.astype(W.dtype, copy=False).reshape(shape), out=out)


# -- the regularizers ---------------------------------------------------------------------------
class Regularizer:
    """Ω(w) = l1·Σ|w| + l2·Σw².

    Args:
        l1: λ₁ ≥ 0, applied as a soft-thresholding step after each update. Defaults to 0.
        l2: λ₂ ≥ 0, applied through the gradient. Defaults to 0.
    """

    name = "l1_l2"
    #: λ_g of the group term (only :class:`GroupLasso` sets it).
    group = 0.0

    def __init__(self, l1: float = 0.0, l2: float = 0.0) -> None:
        self.l1 = check_positive("l1", l1, allow_zero=True)
        self.l2 = check_positive("l2", l2, allow_zero=True)

    def __call__(self, w: np.ndarray) -> float:
        return self.l1 * float(np.abs(w).sum()) + self.l2 * float(np.vdot(w, w))

    def gradient(self, w: np.ndarray) -> np.ndarray:
        """∂Ω/∂w = λ₁ sign(w) + 2λ₂w where Ω is differentiable (w ≠ 0 for the L1 part)."""
        return self.l1 * np.sign(w) + 2 * self.l2 * w

    def proximal(self, w: np.ndarray, step: float) -> np.ndarray:
        """The step applied after an update with learning rate ``step``: the prox of
        step·λ₁Σ|w| (soft-thresholding at step·λ₁); the L2 part is in the gradient instead."""
        return soft_threshold(w, step * self.l1)

    def get_config(self) -> dict:
        return {"name": self.name, "l1": self.l1, "l2": self.l2}

    def __repr__(self) -> str:
        return f"{type(self).__name__}(l1={self.l1}, l2={self.l2})"


L1L2 = Regularizer


class L1(Regularizer):
    """Ω(w) = l1·Σ|w| (lasso): soft-thresholding after each step, exact zeros.
    ``l1`` defaults to 0.01."""

    name = "l1"

    def __init__(self, l1: float = 0.01) -> None:
        super().__init__(l1=l1)

    def get_config(self):
        return {"name": self.name, "l1": self.l1}


class L2(Regularizer):
    """Ω(w) = l2·Σw² (ridge, weight decay through the gradient). ``l2`` defaults to 0.01."""

    name = "l2"

    def __init__(self, l2: float = 0.01) -> None:
        super().__init__(l2=l2)

    def get_config(self):
        return {"name": self.name, "l2": self.l2}


class ElasticNet(Regularizer):
    """Ω(w) = α·(r·Σ|w| + ½(1 − r)·Σw²), scikit-learn's parameterisation, r = ``l1_ratio``.

    Args:
        alpha: α ≥ 0, the overall strength. Defaults to 0.01.
        l1_ratio: r in [0, 1]: 1 is pure L1, 0 pure L2. Defaults to 0.5.
    """

    name = "elastic_net"

    def __init__(self, alpha: float = 0.01, l1_ratio: float = 0.5) -> None:
        check_fraction("l1_ratio", l1_ratio, interval="[0, 1]")
        check_positive("alpha", alpha, allow_zero=True)
        super().__init__(l1=alpha * l1_ratio, l2=alpha * (1 - l1_ratio) / 2)
        self.alpha, self.l1_ratio = float(alpha), float(l1_ratio)

    def get_config(self):
        return {"name": self.name, "alpha": self.alpha, "l1_ratio": self.l1_ratio}


class GroupLasso(Regularizer):
    r"""Ω(W) = λ·Σᵢ ‖W_i,:‖₂ over the rows of a kernel W (n_in, n_out): the group lasso with one
    group per input, its outgoing weights (Yuan & Lin 2006, "Model selection and estimation in
    regression with grouped variables", JRSS B 68; for network inputs: Scardapane et al. 2017,
    "Group sparse regularization for deep neural networks", Neurocomputing 241).

    Applied as block soft-thresholding after each step, W_i ← W_i·max(0, 1 − ηλ/‖W_i‖₂), it
    sets whole rows to exactly 0 — the layer stops using those inputs (:func:`input_norms`).
    Use it on the first layer, ``Dense(kernel_regularizer=GroupLasso(1e-2))``, or network-wide
    (``Sequential(regularizer=GroupLasso(...))``: the rows of a hidden kernel are the previous
    layer's units, so it prunes hidden units too). On a 1-D parameter (a bias) every entry is its
    own group, which is L1.

    Args:
        strength: λ ≥ 0. Defaults to 0.01.
    """

    name = "group_lasso"

    def __init__(self, strength: float = 0.01) -> None:
        super().__init__()
        self.group = check_positive("strength", strength, allow_zero=True)

    @property
    def strength(self) -> float:
        return self.group

    def __call__(self, W: np.ndarray) -> float:
        return self.group * float(input_norms(W).sum())

    def gradient(self, W: np.ndarray) -> np.ndarray:
        """∂Ω/∂W_i = λ·W_i/‖W_i‖₂ for rows with ‖W_i‖₂ > 0; 0 on zero rows (where Ω has a kink)."""
        W = np.asarray(W)
        norms = input_norms(W)
        inverse = np.zeros_like(norms)
        np.divide(self.group, norms, out=inverse, where=norms > 0)
        return W * inverse.reshape((W.shape[0],) + (1,) * (W.ndim - 1))

    def proximal(self, W: np.ndarray, step: float) -> np.ndarray:
        return group_soft_threshold(np.asarray(W), step * self.group)

    def get_config(self):
        return {"name": self.name, "strength": self.group}

    def __repr__(self) -> str:
        return f"GroupLasso(strength={self.group})"


REGULARIZERS = {cls.name: cls for cls in (Regularizer, L1, L2, ElasticNet, GroupLasso)}


def get(identifier) -> Regularizer | None:
    """Resolve ``None``, ``"l2"``, ``{"name": "l1", "l1": 1e-3}`` or a Regularizer."""
    if identifier is None:
        return None
    return resolve("regularizer", REGULARIZERS, identifier, Regularizer)


class Penalty:
    """The weight penalty of a whole network, as coefficient arrays over its flat buffer.

    Per step the trainer calls :meth:`value` (logged), :meth:`add_gradient` (the L2 part) before
    the optimizer step and :meth:`after_step` (the L1 and group soft-thresholding) after it.

    Args:
        slots: the store's slots (layer index, spec, offset).
        layers: the network's layers (their ``regularizer_for(name)``).
        default: the network-wide regularizer for kernels with none of their own, or None.
        dtype: of the buffer.
        trainable: a boolean mask over the buffer; frozen entries (False) are never penalised.
    """

    def __init__(self, slots, layers, default: Regularizer | None, dtype, trainable) -> None:
        size = slots[-1].stop if slots else 0
        l1, l2 = np.zeros(size, dtype=dtype), np.zeros(size, dtype=dtype)
        #: (start, stop, number of rows, λ_g) of each parameter under a group penalty.
        self.groups: list[tuple[int, int, int, float]] = []
        for slot in slots:
            regularizer = layers[slot.layer].regularizer_for(slot.spec.name)
            if regularizer is None and slot.spec.regularize:
                regularizer = default
            if regularizer is None:
                continue
            l1[slot.offset : slot.stop] = regularizer.l1
            l2[slot.offset : slot.stop] = regularizer.l2
            trained = trainable is None or trainable[slot.offset : slot.stop].all()
            if regularizer.group and trained and slot.spec.size:
                rows = slot.spec.shape[0] if slot.spec.shape else 1
                self.groups.append((slot.offset, slot.stop, rows, regularizer.group))
        if trainable is not None:
            l1[~trainable], l2[~trainable] = 0, 0
        self.l1 = l1 if l1.any() else None
        self.l2 = l2 if l2.any() else None
        self._scratch = np.empty(size, dtype=dtype)
        self._bound = np.empty(size, dtype=dtype) if self.l1 is not None else None

    @property
    def active(self) -> bool:
        return self.l1 is not None or self.l2 is not None or bool(self.groups)

    def _blocks(self, params: np.ndarray):
        for start, stop, rows, strength in self.groups:
            yield params[start:stop].reshape(rows, -1), strength

    def value(self, params: np.ndarray) -> float:
        """Ω = Σ λ₁|w| + Σ λ₂w² + Σ λ_g‖W_i,:‖₂ over the whole buffer."""
        total, tmp = 0.0, self._scratch
        if self.l1 is not None:
            np.abs(params, out=tmp)
            total += float(np.dot(tmp, self.l1))
        if self.l2 is not None:
            np.multiply(params, params, out=tmp)
            total += float(np.dot(tmp, self.l2))
        for block, strength in self._blocks(params):
            total += strength * float(input_norms(block).sum())
        return total

    def add_gradient(self, params: np.ndarray, grads: np.ndarray, *, nonsmooth=False) -> None:
        """grads += 2λ₂w, in place: the smooth part. L1 and the group term act in
        :meth:`after_step`, so their subgradients are *not* added — unless ``nonsmooth=True``,
        for solvers with no proximal step (full-batch L-BFGS minimising :meth:`value`): then
        also λ₁ sign(w) and λ_g W_i/‖W_i‖₂ (0 on zero rows)."""
        tmp = self._scratch
        if self.l2 is not None:
            np.multiply(params, self.l2, out=tmp)
            tmp *= 2
            grads += tmp
        if not nonsmooth:
            return
        if self.l1 is not None:
            np.sign(params, out=tmp)
            tmp *= self.l1
            grads += tmp
        for (start, stop, _, strength), (block, _) in zip(self.groups, self._blocks(params)):
            grads[start:stop] += GroupLasso(strength).gradient(block).reshape(-1)

    def after_step(self, params: np.ndarray, learning_rate: float, optimizer=None) -> None:
        """The proximal steps, in place, right after an optimizer step of learning rate η:
        w ← sign(w)·max(|w| − ηλ₁D, 0) over the buffer, D the optimizer's per-coordinate step
        factor (``optimizer.preconditioner``: 1 for SGD or without an optimizer, 1/(√v̂ + ε)
        for Adam, ...), so that L1 thresholds in the metric the optimizer steps in (proximal
        gradient in a diagonal metric); then W_i ← W_i·max(0, 1 − ηλ_g/‖W_i‖₂) for each row of
        each group-penalised kernel.
        Soft-thresholding first and the group step second is the prox of their sum (the sparse
        group lasso's order), should one parameter ever carry both."""
        if self.l1 is not None:
            upper, lower = self._bound, self._scratch
            if optimizer is not None and optimizer.preconditioner(upper):
                upper *= self.l1
                upper *= learning_rate
            else:
                np.multiply(self.l1, learning_rate, out=upper)
            np.negative(upper, out=lower)
            np.clip(params, lower, upper, out=lower)
            params -= lower
        for block, strength in self._blocks(params):
            group_soft_threshold(block, learning_rate * strength, out=block)


__all__ = [
    "Regularizer",
    "L1L2",
    "L1",
    "L2",
    "ElasticNet",
    "GroupLasso",
    "REGULARIZERS",
    "get",
    "Penalty",
    "soft_threshold",
    "group_soft_threshold",
    "input_norms",
    "used_inputs",
]
