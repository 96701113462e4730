r"""``mk.explain``: every number of one training step on a tiny batch, each gradient checked.

For each Dense layer (input x (n, n_in), W (n_in, m), b (m,)), forward then backward:

    z = x·W + b                 (n, m)        dL/da = from the layer above (or the loss)
    a = f(z)                    (n, m)        f'(z)                       (n, m)
                                              dL/dz = dL/da ⊙ f'(z)       (n, m)
                                              dL/dW = xᵀ·dL/dz            (n_in, m)
                                              dL/db = Σ_rows dL/dz        (m,)
                                              dL/dx = dL/dz·Wᵀ            (n, n_in)

With a cross-entropy on a sigmoid/softmax output, the loss is computed from z and gives dL/dz
= (a − y)/n directly (fused, as in training): no dL/da is formed there. Then the optimizer's
update, and the new weights.

A convolution shows the same quantities with z = im2col(x)ᵀ·W + b and dL/dx = col2im(dL/dz·Wᵀ).
Every other layer (pooling, recurrent, Flatten, Reshape) shows its output
a, the dL/da it receives, the gradient of each of its parameters (``dL/dU`` of an LSTM, …) and
the dL/dx it passes down — computed by the layer's own backward.

The numbers are computed by the network's own layers, loss and optimizer, in float64 on a twin
(:mod:`.twin`; the network itself does not move), and every gradient is set beside its central
finite difference (:mod:`.finite_differences`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..exceptions import ConfigError
from ..layers.activations import Activation, Softmax, activation_name
from ..layers.batchnorm import BatchNorm
from ..layers.conv import Conv1D, Conv2D
from ..layers.dropout import Dropout
from ..training import preparation
from .explanation import Explanation
from .finite_differences import STEP, central_differences
from .formulas import ACTIVATIONS, activation_formulas, loss_formulas, optimizer_formula
from .twin import check_fused_output, network_of, require_built, resolve_loss, twin

#: Explain mode prints every number: at most this many rows and parameters.
MAX_ROWS, MAX_PARAMETERS = 32, 5000


@dataclass
class Quantity:
    """One named array of the step: its formula, value and finite-difference estimate."""

    name: str
    formula: str
    value: np.ndarray
    check: np.ndarray | None = None

    @property
    def error(self) -> float | None:
        """max |value − check|, or None without a check."""
        return None if self.check is None else float(np.max(np.abs(self.value - self.check)))


@dataclass
class LayerStep:
    """One layer's numbers: forward, backward and update quantities, by name."""

    index: int
    title: str
    forward: list[Quantity] = field(default_factory=list)
    backward: list[Quantity] = field(default_factory=list)
    update: list[Quantity] = field(default_factory=list)

    def __getitem__(self, name: str) -> np.ndarray:
        for quantity in (*self.forward, *self.backward, *self.update):
            if quantity.name == name:
                return quantity.value
        known = [q.name for q in (*self.forward, *self.backward, *self.update)]
        raise KeyError(f"layer {self.index} has no {name!r}; it has {known}.")

    def quantity(self, name: str) -> Quantity:
        return next(q for q in (*self.forward, *self.backward, *self.update) if q.name == name)


def explain(model, X, y, loss=None, *, optimizer=None, check: bool = True):
    """Every intermediate of one forward pass, one backward pass and one update.

    Args:
        model: a built ``mk.Sequential`` (or a fitted estimator's network) of at most
            ``MAX_PARAMETERS`` parameters; any layers but Dropout and BatchNorm (their
            training map is not their inference map, which the checks differentiate).
        X, y: a tiny batch (at most 32 rows), as ``fit`` takes it.
        loss: as ``fit`` takes it; defaults to the network's loss from its last fit.
        optimizer: the update to show (a name, config or ``mk.optim`` object); defaults to
            the network's optimizer with its state, or ``SGD(learning_rate=0.1)``.
        check: set each gradient beside its central finite difference.

    Returns:
        Explanation: ``print`` it, or ``.to_markdown()`` / ``.to_html()``; ``layers[i]["z"]``
        etc. are the arrays.
    """
    net = network_of(model, "explain")
    require_built(net, "explain")
    loss = resolve_loss(net, loss, "explain")
    fused = check_fused_output(net, loss, "explain")
    _check_explainable(net)
    work = twin(net, dtype="float64")
    data = preparation.dataset(work, X, y, loss)
    if data.X.shape[0] > MAX_ROWS:
        raise ConfigError(
            f"explain prints every number of a tiny batch: expected at most {MAX_ROWS} rows, "
            f"got {data.X.shape[0]}. Pass X[:2], y[:2]."
        )
    steps = [LayerStep(i, _title(layer)) for i, layer in enumerate(work.layers)]
    inputs = _forward(work, data.X, fused, steps)
    out = steps[-1]["z"] if fused else steps[-1]["a"]
    value, grad = loss.value_and_grad(out, data.y)
    _backward(work, np.array(grad), fused, steps)
    if check:
        _check_gradients(work, loss, data, inputs, fused, steps)
    penalty = work.penalty()
    omega = _penalty_gradients(work, penalty, steps, check) if penalty.active else None
    chosen = _optimizer(net, optimizer, work.params)
    _update(work, chosen, steps, penalty if penalty.active else None)
    return Explanation(
        data.X, data.y, loss, float(value), fused, steps, chosen, loss_formulas(loss), omega
    )


def _check_explainable(net) -> None:
    for index, layer in enumerate(net.walk()):
        if isinstance(layer, (Dropout, BatchNorm)):
            raise ConfigError(
                f"explain checks each gradient against finite differences of the loss, which "
                f"needs the same map in training and at inference; layer {index} is "
                f"{layer.name}, which differs between them. Explain a network without it."
            )
    if net.params.size > MAX_PARAMETERS:
        raise ConfigError(
            f"explain prints every number: expected at most {MAX_PARAMETERS:,} parameters, "
            f"got {net.params.size:,}. Explain a smaller network."
        )


#: The formulas of a convolution's z, dL/dW and dL/dx (a Dense layer's are the defaults).
CONV_FORMULAS = {
    "z": "z = im2col(x)ᵀ·W + b",
    "dL/dW": "dL/dW = im2col(x)·dL/dz",
    "dL/dx": "dL/dx = col2im(dL/dz·Wᵀ)",
}
DENSE_FORMULAS = {"z": "z = x·W + b", "dL/dW": "dL/dW = xᵀ·dL/dz", "dL/dx": "dL/dx = dL/dz·Wᵀ"}


def _formulas(layer) -> dict:
    return CONV_FORMULAS if isinstance(layer, (Conv1D, Conv2D)) else DENSE_FORMULAS


def _activation_of(layer):
    """The activation a layer ends in (Dense, Conv), or None."""
    inner = getattr(layer, "activation", None)
    return inner if isinstance(inner, Activation) else None


def _title(layer) -> str:
    inner = _activation_of(layer)
    width = getattr(layer, "units", getattr(layer, "filters", None))
    if inner is not None:
        return f"{layer.name}({width}, {activation_name(inner)})"
    return f"{layer.name}({width})" if width is not None else f"{layer.name}()"


def _summary(layer) -> str:
    """The first line of a layer's docstring: its formula in words."""
    return (type(layer).__doc__ or layer.name).strip().splitlines()[0]


def _slots_of(work, index: int):
    """(name, value view, gradient view) of each parameter of layer ``index``."""
    values, gradients = work.parameter_views(index)
    for name, value in values.items():
        yield name, value, gradients[name]


def _forward(work, X, fused, steps) -> list[np.ndarray]:
    """Run the layers in training mode, recording x, z, a; return each layer's input."""
    inputs, x, last = [], X, len(work.layers) - 1
    for index, layer in enumerate(work.layers):
        inputs.append(x)
        step, inner = steps[index], _activation_of(layer)
        if inner is not None:
            f_text, _ = activation_formulas(activation_name(inner))
            z = np.array(layer.forward(x, training=True, logits=True))
            step.forward.append(Quantity("z", _formulas(layer)["z"], z))
            a = np.array(inner.forward(z, training=not (fused and index == last)))
        elif isinstance(layer, Activation):
            f_text, _ = activation_formulas(activation_name(layer))
            a = np.array(layer.forward(x, training=True))
        else:
            f_text, a = _summary(layer), np.array(layer.forward(x, training=True))
        step.forward.append(Quantity("a", f_text, a))
        x = a
    return inputs


def _backward(work, grad, fused, steps) -> None:
    """Backpropagate dL/d(out) through the layers, recording every gradient."""
    last = len(work.layers) - 1
    for index in range(last, -1, -1):
        layer, step = work.layers[index], steps[index]
        inner = _activation_of(layer)
        if inner is None and not isinstance(layer, Activation):
            grad = _through_layer(work, index, layer, grad, step)
            continue
        act = inner if inner is not None else layer
        if fused and index == last:
            dz = grad
            step.backward.append(Quantity("dL/dz", loss_gradient_text(work), dz))
        else:
            dz = _through_activation(act, grad, step)
        if inner is None:
            grad = dz
            continue
        layer.needs_input_grad = True  # the twin's: dL/dx of the first layer is shown too
        grad = np.array(layer.backward(dz, logits=True))
        formulas = _formulas(layer)
        step.backward.append(Quantity("dL/dW", formulas["dL/dW"], np.array(layer.dW)))
        if layer.use_bias:
            step.backward.append(Quantity("dL/db", "dL/db = Σ_rows dL/dz", np.array(layer.db)))
        step.backward.append(Quantity("dL/dx", formulas["dL/dx"], grad))


def _through_layer(work, index, layer, da, step) -> np.ndarray:
    """A layer without an activation of its own: dL/da in, each parameter's gradient and
    dL/dx out, by the layer's own backward (backpropagation through time for a recurrent
    one)."""
    step.backward.append(Quantity("dL/da", "dL/da (from above)", da))
    layer.needs_input_grad = True
    dx = np.array(layer.backward(da))
    for name, _, gradient in _slots_of(work, index):
        text = f"dL/d{name}, by {layer.name}'s backward"
        step.backward.append(Quantity(f"dL/d{name}", text, np.array(gradient)))
    step.backward.append(Quantity("dL/dx", f"dL/dx, by {layer.name}'s backward", dx))
    return dx


def loss_gradient_text(work) -> str:
    """The fused output gradient's formula, naming the output activation."""
    return f"dL/dz = (a − y)/n  (fused with the {activation_name(work.output_activation)})"


def _through_activation(act, da, step) -> np.ndarray:
    """dL/dz = dL/da ⊙ f'(z) by the activation's own backward (softmax: its Jacobian)."""
    _, df_text = activation_formulas(activation_name(act))
    step.backward.append(Quantity("dL/da", "dL/da (from above)", da))
    if not isinstance(act, Softmax):
        fprime = np.array(act.backward(np.ones_like(da)))
        step.backward.append(Quantity("f'(z)", df_text, fprime))
    dz = np.array(act.backward(da))
    step.backward.append(
        Quantity("dL/dz", "dL/dz = dL/da ⊙ f'(z)" if df_text else "dL/dz = Jᵀ·dL/da", dz)
    )
    return dz


def _check_gradients(work, loss, data, inputs, fused, steps) -> None:
    """Set each gradient beside its central finite difference of the float64 loss."""
    for index, step in enumerate(steps):
        for quantity in step.backward:
            start = _restart(quantity.name, index, inputs, step)
            if start is None:
                continue
            stage, values = start
            values = np.array(values)

            def loss_of(stage=stage, values=values, index=index):
                return loss.value(_run_from(work, index, stage, values, fused), data.y)

            quantity.check = central_differences(loss_of, values)
        full = lambda: loss.value(work.forward(data.X, logits=fused), data.y)  # noqa: E731
        shown = {q.name for q in step.backward}
        for name, values, _ in _slots_of(work, index):
            if f"dL/d{name}" in shown:
                step.quantity(f"dL/d{name}").check = central_differences(full, values)


def _restart(name: str, index: int, inputs, step):
    """Where a gradient's loss is recomputed from: (stage, the array perturbed) or None."""
    return {
        "dL/dz": ("z", step["z"] if "z" in [q.name for q in step.forward] else inputs[index]),
        "dL/da": ("a", step["a"]),
        "dL/dx": ("x", inputs[index]),
    }.get(name)


def _run_from(work, index, stage, values, fused) -> np.ndarray:
    """The network's output (z of the output layer when fused) from layer ``index``'s
    input (stage "x"), pre-activation ("z") or output ("a")."""
    last, x = len(work.layers) - 1, values
    layer = work.layers[index]
    inner = _activation_of(layer)
    if stage == "x":
        x = layer.forward(x, logits=fused and index == last)
    elif stage == "z" and not (fused and index == last):
        x = (inner if inner is not None else layer).forward(x)
    for later in range(index + 1, last + 1):
        x = work.layers[later].forward(x, logits=fused and later == last)
    return x


def _optimizer(net, optimizer, params):
    """The optimizer whose update is shown, its state in float64 beside ``params``."""
    from .. import optim

    if optimizer is not None:
        return optim.get(optimizer)
    if net.optimizer is None:
        return optim.SGD(learning_rate=0.1)
    document, arrays = net.optimizer.to_document()
    chosen = optim.get(document["config"])
    wide = {name: np.asarray(a, dtype=np.float64) for name, a in arrays.items()}
    return chosen.load_state(document, wide, params)


def _penalty_gradients(work, penalty, steps, check) -> float:
    """Ω at the current weights; each kernel's dΩ/dW (the smooth L2 part 2λ₂W, checked by
    finite differences when Ω has no L1 or group term), added to the step's gradient."""
    smooth = np.zeros_like(work.params)
    penalty.add_gradient(work.params, smooth)
    only_l2 = penalty.l1 is None and not penalty.groups
    for slot in work.slots:
        if slot.spec.name != "W":
            continue
        kernel = work.layers[slot.layer].W
        quantity = Quantity(
            "dΩ/dW", "dΩ/dW = 2λ₂·W (L1/group terms: a proximal step after the update)",
            smooth[slot.offset : slot.stop].reshape(slot.spec.shape),
        )  # fmt: skip
        if check and only_l2:
            quantity.check = central_differences(lambda: penalty.value(work.params), kernel)
        steps[slot.layer].backward.append(quantity)
    work.grads[...] += smooth  # in place: the twin's flat gradient, as the trainer adds it
    return float(penalty.value(work.params))


def _update(work, chosen, steps, penalty) -> None:
    """One step of ``chosen`` on the twin's flat buffers (then the penalty's proximal step);
    the new weights per layer."""
    grads = np.where(work.trainable_mask(), work.grads, 0.0)
    chosen.step(work.params, grads)
    text = optimizer_formula(chosen)
    if penalty is not None:
        penalty.after_step(work.params, chosen.last_learning_rate, chosen)
        text += "; then the penalty's proximal step (L1/group terms)"
    for index, step in enumerate(steps):
        for position, (name, values, _) in enumerate(_slots_of(work, index)):
            rule = text if position == 0 else "the same rule"
            step.update.append(
                Quantity(f"{name}_new", f"new {name}, θ = {name}: {rule}", values.copy())
            )


__all__ = ["ACTIVATIONS", "MAX_PARAMETERS", "MAX_ROWS", "STEP", "Quantity", "LayerStep", "explain"]
