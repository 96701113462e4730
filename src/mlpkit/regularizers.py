r"""Weight penalties: L1, L2 and the elastic net, added to the loss and to its gradient.

A regularizer attached to parameters w adds

    Ω(w) = λ₁ Σ|w| + λ₂ Σ w²,      ∂Ω/∂w = λ₁ sign(w) + 2λ₂ w

to the loss (Keras's convention: no ½ on the L2 term). L1 drives the weights of useless inputs
to (near) zero — with gradient steps they hover within about one step of 0 rather than landing
on it exactly; L2 shrinks every weight in proportion and leaves them clearly non-zero.

Where they apply: ``Dense(kernel_regularizer=..., bias_regularizer=...)`` per layer, and
``Sequential(regularizer=...)`` for every kernel of the network that has none of its own. Biases,
PReLU slopes and BatchNorm's γ, β are not penalised unless a layer's ``bias_regularizer`` asks,
and frozen layers (``trainable = False``) never are. The network turns all of this into two
coefficient arrays over its flat buffer once per fit (:class:`Penalty`), so a step adds the
penalty's gradient with a few whole-buffer operations.
"""

from __future__ import annotations

import numpy as np

from ._checks import check_fraction, check_positive
from .registry import resolve


class Regularizer:
    """Ω(w) = l1·Σ|w| + l2·Σw².

    Args:
        l1: λ₁ ≥ 0. Defaults to 0.
        l2: λ₂ ≥ 0. Defaults to 0.
    """

    name = "l1_l2"

    def __init__(self, l1: float = 0.0, l2: float = 0.0) -> None:
        self.l1 = check_positive("l1", l1, allow_zero=True)
        self.l2 = check_positive("l2", l2, allow_zero=True)

    def __call__(self, w: np.ndarray) -> float:
        return self.l1 * float(np.abs(w).sum()) + self.l2 * float(np.vdot(w, w))

    def gradient(self, w: np.ndarray) -> np.ndarray:
        return self.l1 * np.sign(w) + 2 * self.l2 * w

    def get_config(self) -> dict:
        return {"name": self.name, "l1": self.l1, "l2": self.l2}

    def __repr__(self) -> str:
        return f"{type(self).__name__}(l1={self.l1}, l2={self.l2})"


L1L2 = Regularizer


class L1(Regularizer):
    """Ω(w) = l1·Σ|w| (lasso). ``l1`` defaults to 0.01."""

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


REGULARIZERS = {cls.name: cls for cls in (Regularizer, L1, L2, ElasticNet)}


def get(identifier) -> Regularizer | None:
    """Resolve ``None``, ``"l2"``, ``{"name": "l1", "l1": 1e-3}`` or a Regularizer."""
    if identifier is None:
        return None
    return resolve("regularizer", REGULARIZERS, identifier, Regularizer)


class Penalty:
    """The weight penalty of a whole network, as coefficient arrays over its flat buffer.

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
        for slot in slots:
            regularizer = layers[slot.layer].regularizer_for(slot.spec.name)
            if regularizer is None and slot.spec.regularize:
                regularizer = default
            if regularizer is not None:
                l1[slot.offset : slot.stop] = regularizer.l1
                l2[slot.offset : slot.stop] = regularizer.l2
        l1[~trainable], l2[~trainable] = 0, 0
        self.l1 = l1 if l1.any() else None
        self.l2 = l2 if l2.any() else None
        self._scratch = np.empty(size, dtype=dtype)

    @property
    def active(self) -> bool:
        return self.l1 is not None or self.l2 is not None

    def value(self, params: np.ndarray) -> float:
        """Ω = Σ λ₁|w| + Σ λ₂w² over the whole buffer."""
        total, tmp = 0.0, self._scratch
        if self.l1 is not None:
            np.abs(params, out=tmp)
            total += float(np.dot(tmp, self.l1))
        if self.l2 is not None:
            np.multiply(params, params, out=tmp)
            total += float(np.dot(tmp, self.l2))
        return total

    def after_step(self, params: np.ndarray, learning_rate: float) -> None:
        """What the penalty does to the parameters after each optimizer step (nothing yet)."""

    def add_gradient(self, params: np.ndarray, grads: np.ndarray) -> None:
        """grads += λ₁ sign(w) + 2λ₂ w, in place."""
        tmp = self._scratch
        if self.l1 is not None:
            np.sign(params, out=tmp)
            tmp *= self.l1
            grads += tmp
        if self.l2 is not None:
            np.multiply(params, self.l2, out=tmp)
            tmp *= 2
            grads += tmp


__all__ = ["Regularizer", "L1L2", "L1", "L2", "ElasticNet", "REGULARIZERS", "get", "Penalty"]
