"""PyTorch as an oracle for the training controls: dropout, batch norm, gradient clipping,
weight penalties, learning-rate schedules, residual blocks and frozen layers.

The set-up is the one of ``test_oracle_torch.py``. Every mlpkit net is float64. Its torch
twin starts from the same weights, copied after ``build``, and sees the same batches: 40
rows in batches of 8, without shuffling, for 5 epochs, so 25 steps. After training, every
learned array (and BatchNorm's running statistics) must agree to a relative tolerance of
1e-6. So must the per-epoch history: the data loss, the penalty, the gradient norm and the
learning rate.

Dropout draws its masks from the network's seeded generator. The mlpkit net is therefore
trained one batch per ``fit`` call, with the same optimizer object. After each call the
mask of that batch is read from ``layer.mask``, and the torch twin multiplies by that mask.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np
import pytest
import torch
from test_oracle_torch import (
    ATOL,
    BATCH_SIZE,
    EPOCHS,
    F64,
    N_CLASSES,
    N_FEATURES,
    N_HIDDEN,
    N_SAMPLES,
    RTOL,
    TORCH_LOSSES,
    Task,
    make_task,
)
from torch import nn
from torch.optim import lr_scheduler

import mlpkit as mk

L = mk.layers
STEPS = EPOCHS * (N_SAMPLES // BATCH_SIZE)  # 25
TORCH_ACTIVATIONS = {"linear": nn.Identity, "relu": nn.ReLU, "tanh": nn.Tanh, "sigmoid": nn.Sigmoid}


# ---------------------------------------------------------------- the torch twin


class GivenMask(nn.Module):
    """Dropout with a mask handed in from outside: y = x ⊙ mask (the mask is already scaled)."""

    def __init__(self) -> None:
        super().__init__()
        self.mask: torch.Tensor | None = None

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x * self.mask if self.training else x


class TorchResidual(nn.Module):
    """y = x + f(x), or y = x·P + f(x) with a bias-free projection P."""

    def __init__(self, body: nn.Module, projection: nn.Module | None) -> None:
        super().__init__()
        self.body, self.projection = body, projection

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        skip = x if self.projection is None else self.projection(x)
        return self.body(x) + skip


def activation_name(layer) -> str:
    return mk.layers.activations.activation_name(layer)


class Twin:
    """A torch copy of a built float64 mlpkit net, and the pairs of arrays to compare.

    A softmax or sigmoid on the output layer is left out: the twin outputs logits for
    ``CrossEntropyLoss``, as mlpkit fuses the link function into its loss.
    """

    def __init__(self, net: mk.Sequential) -> None:
        assert net.params.dtype == np.float64
        self.net = net
        self.pairs: list[tuple[str, object, object]] = []  # (name, mlpkit getter, torch tensor)
        self.torch_params: dict[str, torch.Tensor] = {}  # by mlpkit name, torch layout
        self.dropouts: list[tuple[L.Dropout, GivenMask]] = []
        self.model = nn.Sequential(*self._modules(net.layers, "layers", output=True))

    def _linear(self, name: str, dense: L.Dense) -> nn.Linear:
        n_in, n_out = dense.W.shape
        linear = nn.Linear(n_in, n_out, bias=dense.use_bias, **F64)
        with torch.no_grad():
            linear.weight.copy_(torch.from_numpy(dense.W.T))
            if dense.use_bias:
                linear.bias.copy_(torch.from_numpy(dense.b))
        self._pair(f"{name}.W", lambda: dense.W, linear.weight)
        if dense.use_bias:
            self._pair(f"{name}.b", lambda: dense.b, linear.bias)
        return linear

    def _pair(self, name, ours, theirs) -> None:
        self.pairs.append((name, ours, theirs))
        self.torch_params[name] = theirs

    def _modules(self, layers, prefix: str, output: bool) -> list[nn.Module]:
        modules = []
        for i, layer in enumerate(layers):
            name, last = f"{prefix}[{i}]", output and i == len(layers) - 1
            if isinstance(layer, L.Dense):
                modules.append(self._linear(name, layer))
                act = activation_name(layer.activation)
                if not (last and act in ("softmax", "sigmoid")):
                    modules.append(TORCH_ACTIVATIONS[act]())
            elif isinstance(layer, L.Dropout):
                mask = GivenMask()
                self.dropouts.append((layer, mask))
                modules.append(mask)
            elif isinstance(layer, L.BatchNorm):
                bn = nn.BatchNorm1d(
                    layer.gamma.shape[0], momentum=layer.momentum, eps=layer.epsilon, **F64
                )
                assert np.array_equal(bn.weight.detach().numpy(), layer.gamma)
                assert np.array_equal(bn.bias.detach().numpy(), layer.beta)
                self._pair(f"{name}.gamma", lambda layer=layer: layer.gamma, bn.weight)
                self._pair(f"{name}.beta", lambda layer=layer: layer.beta, bn.bias)
                self.pairs.append(
                    (
                        f"{name}.running_mean",
                        lambda layer=layer: layer.running_mean,
                        bn.running_mean,
                    )
                )
                self.pairs.append(
                    (f"{name}.running_var", lambda layer=layer: layer.running_var, bn.running_var)
                )
                modules.append(bn)
            elif isinstance(layer, L.Residual):
                body = nn.Sequential(*self._modules(layer.layers, f"{name}.layers", output=False))
                projection = (
                    None
                    if layer.projection is None
                    else self._linear(f"{name}.projection", layer.projection)
                )
                modules.append(TorchResidual(body, projection))
            elif isinstance(layer, L.Activation):
                modules.append(TORCH_ACTIVATIONS[activation_name(layer)]())
            else:
                raise TypeError(f"no torch twin for {layer!r}")
        return modules

    def assert_same_weights(self, rtol=RTOL, atol=ATOL) -> None:
        for name, ours, theirs in self.pairs:
            theirs = theirs.detach().numpy()
            np.testing.assert_allclose(
                ours(), theirs.T if theirs.ndim == 2 else theirs, rtol=rtol, atol=atol, err_msg=name
            )


def make_net(layers, **kwargs) -> mk.Sequential:
    net = mk.Sequential(layers, random_state=0, dtype="float64", **kwargs)
    return net.build(N_FEATURES)


def make_twins(layers, **kwargs) -> tuple[mk.Sequential, Twin]:
    net = make_net(layers, **kwargs)
    twin = Twin(net)
    twin.assert_same_weights(rtol=0, atol=0)  # identical start
    return net, twin


# ---------------------------------------------------------------- training


def fit_mk(net: mk.Sequential, task: Task, optimizer, **kwargs) -> dict[str, list[float]]:
    """Train ``net`` for 25 steps on rows [0:8], [8:16], ... in order; its history."""
    start = net.params.copy()
    hist = net.fit(
        task.X,
        task.y,
        loss=task.loss,
        optimizer=optimizer,
        batch_size=BATCH_SIZE,
        epochs=EPOCHS,
        shuffle=False,
        verbose=0,
        **kwargs,
    )
    assert len(hist.history["loss"]) == EPOCHS
    assert not np.allclose(net.params, start), "training did not move the weights"
    return hist.history


@dataclass
class TorchLog:
    """Per epoch: mean data loss, mean penalty, mean and max gradient norm before clipping,
    the lr of the epoch's last batch. Per step: the norm and the largest |gradient| before
    clipping, and the lr."""

    epochs: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    steps: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))


def train_torch(
    twin: Twin,
    task: Task,
    optimizer,
    *,
    penalty=None,
    soft_threshold=None,
    clip_value=None,
    clip_norm=None,
    scheduler=None,
    per=None,
    before_batch=None,
) -> TorchLog:
    """Train the twin as mlpkit's trainer does: forward, loss + the smooth part of the penalty,
    backward, clip by value then by global norm, step, then the L1 soft-thresholding
    w ← sign(w)·max(|w| − η·λ₁, 0) of ``soft_threshold`` ({parameter: λ₁}) under no_grad;
    ``scheduler.step()`` after every batch or epoch (``per``). The logged penalty is the whole
    Ω (smooth and L1 parts) before the step."""
    model, loss_fn, log = twin.model, TORCH_LOSSES[task.loss], TorchLog()
    model.train()
    X, y = torch.from_numpy(task.X), task.y_torch
    params = [p for p in model.parameters() if p.requires_grad]
    step = 0
    for _ in range(EPOCHS):
        batch = defaultdict(list)
        for start in range(0, N_SAMPLES, BATCH_SIZE):
            rows = slice(start, start + BATCH_SIZE)
            if before_batch is not None:
                before_batch(step)
            optimizer.zero_grad()
            data_loss = loss_fn(model(X[rows]), y[rows])
            pen = penalty(twin) if penalty is not None else torch.zeros((), **F64)
            l1_part = sum(
                lam * twin.torch_params[name].abs().sum()
                for name, lam in (soft_threshold or {}).items()
            )
            (data_loss + pen - l1_part).backward()  # L1 is a proximal step, not a gradient
            grads = [p.grad for p in params if p.grad is not None]
            norm = math.sqrt(sum(float((g * g).sum()) for g in grads))
            log.steps["norm"].append(norm)
            log.steps["max_abs_grad"].append(max(float(g.abs().max()) for g in grads))
            if clip_value is not None:
                nn.utils.clip_grad_value_(params, clip_value)
            if clip_norm is not None:
                nn.utils.clip_grad_norm_(params, clip_norm)
            lr = optimizer.param_groups[0]["lr"]
            log.steps["lr"].append(lr)
            optimizer.step()
            if soft_threshold:
                with torch.no_grad():
                    for name, lam in soft_threshold.items():
                        w = twin.torch_params[name]
                        w.copy_(w.sign() * (w.abs() - lr * lam).clamp_min(0))
            if scheduler is not None and per == "batch":
                scheduler.step()
            batch["loss"].append(data_loss.item())
            batch["penalty"].append(pen.item())
            batch["norm"].append(norm)
            step += 1
        if scheduler is not None and per == "epoch":
            scheduler.step()
        log.epochs["loss"].append(np.mean(batch["loss"]))
        log.epochs["penalty"].append(np.mean(batch["penalty"]))
        log.epochs["grad_norm"].append(np.mean(batch["norm"]))
        log.epochs["grad_norm_max"].append(max(batch["norm"]))
        log.epochs["lr"].append(lr)
    assert step == STEPS
    return log


def assert_same_history(history, log: TorchLog, *keys: str, rtol=RTOL) -> None:
    for key in ("loss", *keys):
        np.testing.assert_allclose(history[key], log.epochs[key], rtol=rtol, err_msg=key)


def sgd_momentum(lr=0.05, **kwargs):
    return (
        mk.optim.SGD(lr, momentum=0.9, **kwargs),
        lambda model: torch.optim.SGD(model.parameters(), lr=lr, momentum=0.9),
    )


def classification() -> Task:
    return make_task("labels")


# ---------------------------------------------------------------- dropout

DROPOUT_NETS = {  # id -> layers
    "after-a-relu-layer": lambda: [
        L.Dense(N_HIDDEN, activation="relu"),
        L.Dropout(0.3),
        L.Dense(N_CLASSES, activation="softmax"),
    ],
    "on-the-inputs-and-hidden": lambda: [
        L.Dropout(0.2),
        L.Dense(N_HIDDEN, activation="tanh"),
        L.Dropout(0.5),
        L.Dense(N_CLASSES, activation="softmax"),
    ],
}


@pytest.mark.parametrize("case", DROPOUT_NETS)
def test_dropout_with_the_same_masks_matches_torch_for_25_steps(case):
    task = classification()
    net, twin = make_twins(DROPOUT_NETS[case]())
    start = net.params.copy()
    optimizer, torch_optimizer = sgd_momentum()
    masks, batch_losses = [], []  # masks[step][k]: the k-th Dropout's mask at that step
    for _ in range(EPOCHS):
        for begin in range(0, N_SAMPLES, BATCH_SIZE):
            rows = slice(begin, begin + BATCH_SIZE)
            hist = net.fit(
                task.X[rows],
                task.y[rows],
                loss=task.loss,
                optimizer=optimizer,
                batch_size=None,
                epochs=1,
                shuffle=False,
                verbose=0,
            )
            batch_losses += hist.history["loss"]
            masks.append([layer.mask.copy() for layer, _ in twin.dropouts])
    assert optimizer.iterations == STEPS  # one optimizer, its momentum carried on

    for step_masks, (layer, _) in zip(zip(*masks), twin.dropouts):
        values = np.unique(np.concatenate(step_masks))
        np.testing.assert_array_equal(values, [0.0, 1 / (1 - layer.rate)])
    assert not all(np.array_equal(masks[0][0], m[0]) for m in masks[1:]), "one mask reused"

    def set_masks(step):
        for (_, module), mask in zip(twin.dropouts, masks[step]):
            module.mask = torch.from_numpy(mask)

    log = train_torch(twin, task, torch_optimizer(twin.model), before_batch=set_masks)
    twin.assert_same_weights()
    epoch_losses = np.reshape(batch_losses, (EPOCHS, -1)).mean(axis=1)
    np.testing.assert_allclose(epoch_losses, log.epochs["loss"], rtol=RTOL)

    # One fit over the 5 epochs draws the same masks: same weights and per-epoch loss.
    again = make_net(DROPOUT_NETS[case]())
    np.testing.assert_array_equal(again.params, start)
    history = fit_mk(again, task, sgd_momentum()[0])
    np.testing.assert_allclose(again.params, net.params, rtol=1e-12, atol=1e-14)
    assert_same_history(history, log)


def test_dropout_is_the_identity_at_inference():
    task = classification()
    net = make_net(DROPOUT_NETS["on-the-inputs-and-hidden"]())
    fit_mk(net, task, sgd_momentum()[0])  # draws masks; predict must not
    X_new = make_task("labels", n_samples=10, seed=1).X
    twin = Twin(net)  # the trained weights, without any mask
    twin.model.eval()
    with torch.no_grad():
        expected = torch.softmax(twin.model(torch.from_numpy(X_new)), dim=1).numpy()
    np.testing.assert_allclose(net.predict(X_new), expected, rtol=RTOL, atol=ATOL)
    np.testing.assert_array_equal(net.predict(X_new), net.predict(X_new))


@pytest.mark.parametrize("rate", [0.1, 0.3, 0.5, 0.8])
def test_dropout_keeps_a_fraction_1_minus_rate_of_units_scaled_by_1_over_1_minus_rate(rate):
    net = mk.Sequential([L.Dropout(rate)], random_state=0, dtype="float64").build(200)
    x = np.ones((500, 200))
    y = net.forward(x, training=True)
    mask = net.layers[0].mask
    assert mask.shape == x.shape
    np.testing.assert_array_equal(y, mask)  # y = x ⊙ mask with x = 1
    kept = mask != 0
    np.testing.assert_array_equal(mask[kept], 1 / (1 - rate))
    assert kept.mean() == pytest.approx(1 - rate, abs=0.01)  # 100 000 draws: sd < 0.0016
    assert mask.mean() == pytest.approx(1.0, abs=0.02)  # inverted dropout keeps E[y] = x


# ---------------------------------------------------------------- batch norm

BATCHNORM_NETS = {  # id -> layers
    "before-the-activation": lambda: [
        L.Dense(N_HIDDEN),
        L.BatchNorm(),
        L.ReLU(),
        L.Dense(N_CLASSES, activation="softmax"),
    ],
    "after-the-activation": lambda: [
        L.Dense(N_HIDDEN, activation="relu"),
        L.BatchNorm(),
        L.Dense(N_CLASSES, activation="softmax"),
    ],
    "momentum-0.3-epsilon-1e-3": lambda: [
        L.Dense(N_HIDDEN),
        L.BatchNorm(momentum=0.3, epsilon=1e-3),
        L.Tanh(),
        L.Dense(N_CLASSES, activation="softmax"),
    ],
}


def train_batchnorm_twins(case):
    task = classification()
    net, twin = make_twins(BATCHNORM_NETS[case]())
    optimizer, torch_optimizer = sgd_momentum()
    history = fit_mk(net, task, optimizer)
    log = train_torch(twin, task, torch_optimizer(twin.model))
    return net, twin, history, log


@pytest.mark.parametrize("case", BATCHNORM_NETS)
def test_batchnorm_in_training_mode_matches_torch_weights_gamma_beta_and_running_stats(case):
    net, twin, history, log = train_batchnorm_twins(case)
    bn = next(layer for layer in net.layers if isinstance(layer, L.BatchNorm))
    assert not np.allclose(bn.running_mean, 0) and not np.allclose(bn.running_var, 1)
    assert not np.allclose(bn.gamma, 1) and not np.allclose(bn.beta, 0)
    twin.assert_same_weights()  # includes γ, β, running_mean, running_var
    assert_same_history(history, log)


@pytest.mark.parametrize("case", BATCHNORM_NETS)
def test_batchnorm_predict_uses_running_statistics_like_torch_eval_mode(case):
    net, twin, _, _ = train_batchnorm_twins(case)
    X_new = make_task("labels", n_samples=10, seed=1).X
    twin.model.eval()
    with torch.no_grad():
        expected = torch.softmax(twin.model(torch.from_numpy(X_new)), dim=1).numpy()
        in_train_mode = torch.softmax(twin.model.train()(torch.from_numpy(X_new)), dim=1).numpy()
    assert not np.allclose(expected, in_train_mode, rtol=1e-3)  # the two modes differ here
    np.testing.assert_allclose(net.predict(X_new), expected, rtol=RTOL, atol=ATOL)


# ---------------------------------------------------------------- clipping

CLIP_NORM, CLIP_VALUE = 1.0, 0.3
CLIP_CASES = {  # id -> (fit arguments, optimizer arguments, torch clipping)
    "fit-clip-norm": ({"clip_norm": CLIP_NORM}, {}, {"clip_norm": CLIP_NORM}),
    "fit-clip-value": ({"clip_value": CLIP_VALUE}, {}, {"clip_value": CLIP_VALUE}),
    "fit-clip-value-then-norm": (
        {"clip_value": CLIP_VALUE, "clip_norm": CLIP_NORM},
        {},
        {"clip_value": CLIP_VALUE, "clip_norm": CLIP_NORM},
    ),
    "optimizer-clip-norm": ({}, {"clip_norm": CLIP_NORM}, {"clip_norm": CLIP_NORM}),
    "optimizer-clip-value": ({}, {"clip_value": CLIP_VALUE}, {"clip_value": CLIP_VALUE}),
}


def regression_net():
    return [L.Dense(N_HIDDEN, activation="tanh"), L.Dense(3, activation="linear")]


@pytest.mark.parametrize("case", CLIP_CASES)
def test_gradient_clipping_matches_torch_clip_grad_before_the_step(case):
    fit_args, optimizer_args, torch_args = CLIP_CASES[case]
    task = make_task("regression")
    net, twin = make_twins(regression_net())
    optimizer, torch_optimizer = sgd_momentum(lr=0.1, **optimizer_args)
    history = fit_mk(net, task, optimizer, **fit_args)
    log = train_torch(twin, task, torch_optimizer(twin.model), **torch_args)

    if "clip_norm" in torch_args:  # clipping binds in some steps, not in all
        assert max(log.steps["norm"]) > CLIP_NORM > min(log.steps["norm"])
    if "clip_value" in torch_args:
        assert max(log.steps["max_abs_grad"]) > CLIP_VALUE
    twin.assert_same_weights()
    # grad_norm is the norm before clipping, as clip_grad_norm_ returns it
    assert_same_history(history, log, "grad_norm", "grad_norm_max")


def test_clipping_changes_the_training_it_is_tested_on():
    task = make_task("regression")
    unclipped = make_net(regression_net())
    fit_mk(unclipped, task, sgd_momentum(lr=0.1)[0])
    clipped = make_net(regression_net())
    fit_mk(clipped, task, sgd_momentum(lr=0.1)[0], clip_norm=CLIP_NORM)
    assert not np.allclose(clipped.params, unclipped.params, rtol=1e-3)


# ---------------------------------------------------------------- penalties


def l1(lam):
    return lambda w: lam * w.abs().sum()


def l2(lam):
    return lambda w: lam * (w * w).sum()


def elastic_net(alpha, l1_ratio):
    return lambda w: alpha * (l1_ratio * w.abs().sum() + 0.5 * (1 - l1_ratio) * (w * w).sum())


R = mk.regularizers
PENALTY_CASES = {  # id -> (layers, network regularizer, {parameter: torch penalty})
    "network-l2-on-kernels-not-biases": (
        lambda: [L.Dense(N_HIDDEN, activation="tanh"), L.Dense(N_CLASSES, activation="softmax")],
        R.L2(0.01),
        {"layers[0].W": l2(0.01), "layers[1].W": l2(0.01)},
    ),
    "network-l1": (
        lambda: [L.Dense(N_HIDDEN, activation="tanh"), L.Dense(N_CLASSES, activation="softmax")],
        R.L1(0.01),
        {"layers[0].W": l1(0.01), "layers[1].W": l1(0.01)},
    ),
    "network-elastic-net": (
        lambda: [L.Dense(N_HIDDEN, activation="tanh"), L.Dense(N_CLASSES, activation="softmax")],
        R.ElasticNet(0.03, l1_ratio=0.3),
        {"layers[0].W": elastic_net(0.03, 0.3), "layers[1].W": elastic_net(0.03, 0.3)},
    ),
    "network-l1-l2": (
        lambda: [L.Dense(N_HIDDEN, activation="tanh"), L.Dense(N_CLASSES, activation="softmax")],
        R.L1L2(l1=0.005, l2=0.02),
        {
            "layers[0].W": lambda w: l1(0.005)(w) + l2(0.02)(w),
            "layers[1].W": lambda w: l1(0.005)(w) + l2(0.02)(w),
        },
    ),
    "per-layer-kernel-and-bias-over-the-network-default": (
        lambda: [
            L.Dense(
                N_HIDDEN,
                activation="tanh",
                kernel_regularizer=R.L1(0.02),
                bias_regularizer=R.L2(0.05),
            ),
            L.Dense(N_CLASSES, activation="softmax"),
        ],
        R.L2(0.01),
        {"layers[0].W": l1(0.02), "layers[0].b": l2(0.05), "layers[1].W": l2(0.01)},
    ),
    "per-layer-by-name-and-config-without-a-network-default": (
        lambda: [
            L.Dense(N_HIDDEN, activation="tanh"),
            L.Dense(
                N_CLASSES,
                activation="softmax",
                kernel_regularizer="l2",
                bias_regularizer={"name": "elastic_net", "alpha": 0.1, "l1_ratio": 0.5},
            ),
        ],
        None,
        {"layers[1].W": l2(0.01), "layers[1].b": elastic_net(0.1, 0.5)},
    ),
    "batchnorm-gamma-beta-unpenalised": (
        lambda: [
            L.Dense(N_HIDDEN),
            L.BatchNorm(),
            L.ReLU(),
            L.Dense(N_CLASSES, activation="softmax"),
        ],
        R.L2(0.01),
        {"layers[0].W": l2(0.01), "layers[3].W": l2(0.01)},
    ),
    "residual-inner-kernels-and-projection": (
        lambda: [
            L.Dense(N_HIDDEN, activation="tanh"),
            L.Residual([L.Dense(5, activation="relu")]),
            L.Dense(N_CLASSES, activation="softmax"),
        ],
        R.L2(0.01),
        {
            "layers[0].W": l2(0.01),
            "layers[1].layers[0].W": l2(0.01),
            "layers[1].projection.W": l2(0.01),
            "layers[2].W": l2(0.01),
        },
    ),
}


def torch_penalty(terms):
    def penalty(twin: Twin) -> torch.Tensor:
        return sum(f(twin.torch_params[name]) for name, f in terms.items())

    return penalty


def l1_strengths(net) -> dict[str, float]:
    """{torch parameter name: λ₁} of the net's L1 parts, read from its regularizers."""
    found = {}
    for name, regularizer in (
        ("layers[0].W", net.layers[0].regularizer_for("W") or net.regularizer),
        ("layers[0].b", net.layers[0].regularizer_for("b")),
        ("layers[1].W", net.layers[1].regularizer_for("W") or net.regularizer),
        ("layers[1].b", net.layers[1].regularizer_for("b")),
    ):
        if regularizer is not None and regularizer.l1:
            found[name] = regularizer.l1
    return found


@pytest.mark.parametrize("case", PENALTY_CASES)
def test_penalty_matches_torch_loss_term_in_weights_penalty_and_data_loss_history(case):
    layers, regularizer, terms = PENALTY_CASES[case]
    task = classification()
    net, twin = make_twins(layers(), regularizer=regularizer)
    assert set(terms) <= set(twin.torch_params)
    optimizer, torch_optimizer = sgd_momentum()
    history = fit_mk(net, task, optimizer)
    soft = l1_strengths(net) if case.startswith(("network", "per-layer")) else None
    log = train_torch(
        twin, task, torch_optimizer(twin.model), penalty=torch_penalty(terms), soft_threshold=soft
    )
    assert min(history["penalty"]) > 0
    twin.assert_same_weights()
    # loss: the mean data loss without the penalty; penalty: its mean, before each update
    assert_same_history(history, log, "penalty", "grad_norm")


# ---------------------------------------------------------------- schedules

S = mk.schedules
SCHEDULE_CASES = {  # id -> (schedule, factory of the torch scheduler, torch stepping unit)
    "step-decay-per-epoch": (
        S.StepDecay(0.1, step_size=2, factor=0.5),
        lambda opt: lr_scheduler.StepLR(opt, step_size=2, gamma=0.5),
        "epoch",
    ),
    "step-decay-per-batch": (
        S.StepDecay(0.1, step_size=7, factor=0.5, per="batch"),
        lambda opt: lr_scheduler.StepLR(opt, step_size=7, gamma=0.5),
        "batch",
    ),
    "exponential-decay-per-batch": (
        S.ExponentialDecay(0.1, 0.05, per="batch"),
        lambda opt: lr_scheduler.ExponentialLR(opt, gamma=math.exp(-0.05)),
        "batch",
    ),
    "exponential-decay-per-epoch": (
        S.ExponentialDecay(0.1, 0.3),
        lambda opt: lr_scheduler.ExponentialLR(opt, gamma=math.exp(-0.3)),
        "epoch",
    ),
    "inverse-time-decay-per-batch": (
        S.InverseTimeDecay(0.1, 0.2, per="batch"),
        lambda opt: lr_scheduler.LambdaLR(opt, lambda t: 1 / (1 + 0.2 * t)),
        "batch",
    ),
    "cosine-decay-per-epoch": (
        S.CosineDecay(0.1, decay_steps=4, final_learning_rate=0.01),
        lambda opt: lr_scheduler.CosineAnnealingLR(opt, T_max=4, eta_min=0.01),
        "epoch",
    ),
    "cosine-decay-per-batch": (
        S.CosineDecay(0.1, decay_steps=STEPS, per="batch"),
        lambda opt: lr_scheduler.CosineAnnealingLR(opt, T_max=STEPS),
        "batch",
    ),
    "linear-warmup-per-batch": (
        S.LinearWarmup(0.1, warmup_steps=10, start_factor=0.1, per="batch"),
        lambda opt: lr_scheduler.LinearLR(opt, start_factor=0.1, end_factor=1.0, total_iters=10),
        "batch",
    ),
    "warmup-then-cosine-per-batch": (
        S.Join(
            [
                S.LinearWarmup(0.1, 5, start_factor=0.2, per="batch"),
                S.CosineDecay(0.1, decay_steps=20, final_learning_rate=0.005, per="batch"),
            ],
            boundaries=[5],
            per="batch",
        ),
        lambda opt: lr_scheduler.SequentialLR(
            opt,
            [
                lr_scheduler.LinearLR(opt, start_factor=0.2, total_iters=5),
                lr_scheduler.CosineAnnealingLR(opt, T_max=20, eta_min=0.005),
            ],
            milestones=[5],
        ),
        "batch",
    ),
    "warmup-then-step-decay-per-epoch": (
        S.Join(
            [S.LinearWarmup(0.1, 2, start_factor=0.5), S.StepDecay(0.1, 1, factor=0.5)],
            boundaries=[2],
        ),
        lambda opt: lr_scheduler.SequentialLR(
            opt,
            [
                lr_scheduler.LinearLR(opt, start_factor=0.5, total_iters=2),
                lr_scheduler.StepLR(opt, step_size=1, gamma=0.5),
            ],
            milestones=[2],
        ),
        "epoch",
    ),
    "constant": (S.Constant(0.1), lambda opt: lr_scheduler.LambdaLR(opt, lambda t: 1.0), "epoch"),
}


@pytest.mark.parametrize("case", SCHEDULE_CASES)
def test_schedule_through_training_matches_torch_lr_scheduler_in_weights_and_lr(case):
    schedule, make_scheduler, per = SCHEDULE_CASES[case]
    assert schedule.per == per
    task = classification()
    net, twin = make_twins(
        [L.Dense(N_HIDDEN, activation="tanh"), L.Dense(N_CLASSES, activation="softmax")]
    )
    history = fit_mk(net, task, mk.optim.SGD(schedule, momentum=0.9))
    torch_opt = torch.optim.SGD(twin.model.parameters(), lr=0.1, momentum=0.9)  # η₀ = 0.1
    log = train_torch(twin, task, torch_opt, scheduler=make_scheduler(torch_opt), per=per)
    if case != "constant":
        assert len(set(np.round(log.steps["lr"], 12))) > 2, "the lr does not change"
    # the lr mlpkit applies at each update is the schedule at the epoch or update index
    t = np.repeat(np.arange(EPOCHS), STEPS // EPOCHS) if per == "epoch" else np.arange(STEPS)
    np.testing.assert_allclose([schedule(int(i)) for i in t], log.steps["lr"], rtol=1e-12)
    np.testing.assert_allclose(history["lr"], log.epochs["lr"], rtol=1e-12)
    twin.assert_same_weights()
    assert_same_history(history, log)


# ---------------------------------------------------------------- residual blocks

RESIDUAL_NETS = {  # id -> layers
    "identity-skip": lambda: [
        L.Dense(N_HIDDEN, activation="tanh"),
        L.Residual([L.Dense(N_HIDDEN, activation="relu"), L.Dense(N_HIDDEN)]),
        L.Dense(N_CLASSES, activation="softmax"),
    ],
    "projection-skip-7-to-5": lambda: [
        L.Dense(N_HIDDEN, activation="tanh"),
        L.Residual([L.Dense(5, activation="relu")]),
        L.Dense(N_CLASSES, activation="softmax"),
    ],
    "projection-skip-as-first-layer": lambda: [
        L.Residual([L.Dense(N_HIDDEN, activation="relu"), L.Tanh()]),
        L.Dense(N_CLASSES, activation="softmax"),
    ],
    "two-stacked-blocks": lambda: [
        L.Dense(N_HIDDEN, activation="tanh"),
        L.Residual([L.Dense(N_HIDDEN, activation="tanh")]),
        L.Residual([L.Dense(N_HIDDEN, activation="relu"), L.Dense(N_HIDDEN)]),
        L.Dense(N_CLASSES, activation="softmax"),
    ],
}


@pytest.mark.parametrize("case", RESIDUAL_NETS)
def test_residual_block_matches_torch_x_plus_f_of_x_for_25_steps(case):
    task = classification()
    net, twin = make_twins(RESIDUAL_NETS[case]())
    block = next(layer for layer in net.layers if isinstance(layer, L.Residual))
    if "projection" in case:
        n_in = N_FEATURES if "first" in case else N_HIDDEN
        assert block.projection.W.shape == (n_in, block.layers[0].units)
        assert not block.projection.use_bias
    else:
        assert block.projection is None
    optimizer, torch_optimizer = sgd_momentum()
    history = fit_mk(net, task, optimizer)
    log = train_torch(twin, task, torch_optimizer(twin.model))
    twin.assert_same_weights()  # inner layers and the projection
    assert_same_history(history, log)


# ---------------------------------------------------------------- frozen layers


def frozen_twins(frozen: int, **kwargs):
    layers = [
        L.Dense(N_HIDDEN, activation="tanh"),
        L.Dense(N_HIDDEN, activation="relu"),
        L.Dense(N_CLASSES, activation="softmax"),
    ]
    net, twin = make_twins(layers, **kwargs)
    net.layers[frozen].trainable = False
    for name, tensor in twin.torch_params.items():
        if name.startswith(f"layers[{frozen}]."):
            tensor.requires_grad_(False)
    before = {name: ours().copy() for name, ours, _ in twin.pairs}
    return net, twin, before


@pytest.mark.parametrize("frozen", [0, 1], ids=["first-layer", "middle-layer"])
def test_frozen_layer_stays_bit_identical_while_the_others_match_torch_with_adam(frozen):
    task = classification()
    net, twin, before = frozen_twins(frozen)
    history = fit_mk(net, task, mk.optim.Adam(1e-2))
    log = train_torch(twin, task, torch.optim.Adam(twin.model.parameters(), lr=1e-2))
    layer = net.layers[frozen]
    assert np.array_equal(layer.W, before[f"layers[{frozen}].W"])
    assert np.array_equal(layer.b, before[f"layers[{frozen}].b"])
    other = 1 - frozen  # gradients flow through a frozen middle layer to the first one
    assert not np.allclose(net.layers[other].W, before[f"layers[{other}].W"])
    twin.assert_same_weights()
    assert_same_history(history, log)


def test_frozen_layer_is_not_penalised_like_torch_penalising_trainable_kernels_only():
    task = classification()
    net, twin, before = frozen_twins(0, regularizer=R.L2(0.01))
    history = fit_mk(net, task, mk.optim.Adam(1e-2))
    terms = {"layers[1].W": l2(0.01), "layers[2].W": l2(0.01)}
    log = train_torch(
        twin, task, torch.optim.Adam(twin.model.parameters(), lr=1e-2), penalty=torch_penalty(terms)
    )
    assert np.array_equal(net.layers[0].W, before["layers[0].W"])
    twin.assert_same_weights()
    assert_same_history(history, log, "penalty")


def test_frozen_layer_gradient_is_left_out_of_the_clipping_norm_like_torch():
    task = classification()
    net, twin, before = frozen_twins(0)
    history = fit_mk(net, task, mk.optim.SGD(0.5), clip_norm=0.2)
    log = train_torch(twin, task, torch.optim.SGD(twin.model.parameters(), lr=0.5), clip_norm=0.2)
    assert max(log.steps["norm"]) > 0.2
    assert np.array_equal(net.layers[0].W, before["layers[0].W"])
    twin.assert_same_weights()
    assert_same_history(history, log, "grad_norm")
