"""PyTorch as an oracle: same initial weights, same batches, same numbers.

Each mlpkit activation, loss and optimizer is trained next to a torch twin.
Both start from the same float64 weights (copied from the mlpkit net after
``build``) and see the same batches in the same order: 40 rows in batches of 8,
without shuffling, for 5 epochs, so 25 steps. The weights must then agree to a
relative tolerance of 1e-6.

For a sigmoid or softmax output trained with a cross-entropy loss, the twin
outputs logits and uses ``BCEWithLogitsLoss`` or ``CrossEntropyLoss``. mlpkit
fuses the link function into its loss in the same way.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

import numpy as np
import pytest
import torch
from torch import nn

import mlpkit as mk

N_SAMPLES, N_FEATURES, N_HIDDEN, N_CLASSES = 40, 5, 7, 3
BATCH_SIZE, EPOCHS = 8, 5  # 5 batches per epoch, so 25 steps
RTOL, ATOL = 1e-6, 1e-10


class Step(nn.Module):
    """Heaviside step (z > 0). Its output is detached, so no gradient flows."""

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        return (z > 0).to(z.dtype)


F64 = {"dtype": torch.float64}
TORCH_ACTIVATIONS = {  # name -> factory(units) of the torch module
    "linear": lambda units: nn.Identity(),
    "step": lambda units: Step(),
    "sigmoid": lambda units: nn.Sigmoid(),
    "tanh": lambda units: nn.Tanh(),
    "relu": lambda units: nn.ReLU(),
    "leaky_relu": lambda units: nn.LeakyReLU(negative_slope=0.01),
    "prelu": lambda units: nn.PReLU(num_parameters=units, init=0.25, **F64),
    "elu": lambda units: nn.ELU(alpha=1.0),
    "softplus": lambda units: nn.Softplus(beta=1.0),
    "silu": lambda units: nn.SiLU(),
    "gelu": lambda units: nn.GELU(approximate="none"),
}
HIDDEN_ACTIVATIONS = list(TORCH_ACTIVATIONS)
LINKS = {  # output activation -> how its probabilities come from the twin's logits
    "linear": lambda z: z,
    "sigmoid": torch.sigmoid,
    "softmax": lambda z: torch.softmax(z, dim=1),
}
TORCH_LOSSES = {
    "mse": nn.MSELoss(),
    "mae": nn.L1Loss(),
    "huber": nn.HuberLoss(delta=1.0),
    "binary_cross_entropy": nn.BCEWithLogitsLoss(),
    "categorical_cross_entropy": nn.CrossEntropyLoss(),
}


# ---------------------------------------------------------------- data


@dataclass
class Task:
    X: np.ndarray
    y: np.ndarray  # targets as mlpkit receives them
    y_torch: torch.Tensor  # the same targets in the form the torch loss wants
    output: str  # output activation
    units: int  # output width
    loss: str


def make_task(kind: str, n_samples: int = N_SAMPLES, seed: int = 0) -> Task:
    """Return a small task of the given kind. The kinds are "regression",
    "binary-1d", "binary-column", "labels" and "one-hot"."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n_samples, N_FEATURES))
    if kind == "regression":  # targets of scale ~2: Huber sees both of its branches
        y = np.column_stack(
            [np.sin(2 * X[:, 0]) + X[:, 1], X[:, 2] * X[:, 3], 2 * X[:, 4] - X[:, 0]]
        )
        return Task(X, y, torch.from_numpy(y), "linear", 3, "mse")
    if kind.startswith("binary"):
        y = (X[:, 0] + X[:, 1] * X[:, 2] > 0).astype(np.float64)
        y_mk = y if kind == "binary-1d" else y[:, None]
        return Task(X, y_mk, torch.from_numpy(y[:, None]), "sigmoid", 1, "binary_cross_entropy")
    labels = np.argmax(X @ rng.standard_normal((N_FEATURES, N_CLASSES)), axis=1)
    y = labels if kind == "labels" else np.eye(N_CLASSES)[labels]
    return Task(X, y, torch.from_numpy(labels), "softmax", N_CLASSES, "categorical_cross_entropy")


# ---------------------------------------------------------------- twins


def make_net(layers: list) -> mk.Sequential:
    net = mk.Sequential(layers, random_state=0, dtype="float64")
    net.build(N_FEATURES)
    assert net.params.dtype == np.float64
    return net


def build_torch_twin(net: mk.Sequential, activations: list[str]) -> nn.Sequential:
    """Return a torch copy of ``net``. ``activations`` gives the activation of
    each mlpkit layer: the one fused into a Dense layer, or the layer itself for
    a standalone activation layer. A final sigmoid or softmax becomes logits."""
    modules, units = [], N_FEATURES
    for i, (layer, name) in enumerate(zip(net.layers, activations, strict=True)):
        if isinstance(layer, mk.layers.Dense):
            units = layer.W.shape[1]
            linear = nn.Linear(layer.W.shape[0], units, **F64)
            with torch.no_grad():
                linear.weight.copy_(torch.from_numpy(layer.W.T))
                linear.bias.copy_(torch.from_numpy(layer.b))
            modules.append(linear)
        last = i == len(net.layers) - 1
        if not (last and name in ("sigmoid", "softmax")):
            modules.append(TORCH_ACTIVATIONS[name](units))
    return nn.Sequential(*modules)


def mk_weights(net: mk.Sequential, activations: list[str]) -> dict[str, np.ndarray]:
    """Return every learned array of ``net``, in the order torch lists them."""
    weights = {}
    for i, (layer, name) in enumerate(zip(net.layers, activations)):
        if isinstance(layer, mk.layers.Dense):
            weights[f"layers[{i}].W"] = layer.W
            weights[f"layers[{i}].b"] = layer.b
            if name == "prelu":
                weights[f"layers[{i}].activation.alpha"] = layer.activation.alpha
    return weights


def torch_weights(model: nn.Sequential) -> list[np.ndarray]:
    """Return the twin's parameters, with each weight matrix transposed to (n_in, n_out)."""
    return [p.detach().numpy().T if p.ndim == 2 else p.detach().numpy() for p in model.parameters()]


def assert_same_weights(net, activations, model, rtol=RTOL, atol=ATOL) -> None:
    ours, theirs = mk_weights(net, activations), torch_weights(model)
    assert len(ours) == len(theirs), f"{list(ours)} vs {len(theirs)} torch parameters"
    for (name, mine), other in zip(ours.items(), theirs):
        np.testing.assert_allclose(mine, other, rtol=rtol, atol=atol, err_msg=name)


def train_torch(model, X, y, loss_fn, optimizer, batch_size, epochs, lr_schedule=None):
    """Train ``model`` on rows [0:b], [b:2b], ... in order. Return each epoch's loss as mlpkit
    (and Keras) log it: the mean over the epoch's rows, each batch loss weighted by its rows."""
    X, history, step = torch.from_numpy(X), [], 0
    batch_size = batch_size or len(X)
    for _ in range(epochs):
        losses = []
        for start in range(0, len(X), batch_size):
            if lr_schedule is not None:
                for group in optimizer.param_groups:
                    group["lr"] = lr_schedule(step)
            optimizer.zero_grad()
            loss = loss_fn(model(X[start : start + batch_size]), y[start : start + batch_size])
            loss.backward()
            optimizer.step()
            losses.append(loss.item() * len(X[start : start + batch_size]))
            step += 1
        history.append(np.sum(losses) / len(X))
    return history


@dataclass
class Twins:
    """An mlpkit net and its torch twin after training, with what to compare."""

    net: mk.Sequential
    model: nn.Sequential
    activations: list[str]
    start: dict[str, np.ndarray]  # the mlpkit weights before training
    history: list[float]  # mlpkit's per-epoch loss
    torch_history: list[float]

    def assert_same_weights(self) -> None:
        assert_same_weights(self.net, self.activations, self.model)

    def assert_same_history(self) -> None:
        assert len(self.history) == len(self.torch_history)
        np.testing.assert_allclose(self.history, self.torch_history, rtol=RTOL)


def fit_twins(
    layers,
    activations,
    task,
    optimizer,
    torch_optimizer,
    *,
    batch_size=BATCH_SIZE,
    epochs=EPOCHS,
    lr_schedule=None,
) -> Twins:
    """Train an mlpkit net and its torch twin in the same way."""
    net = make_net(layers)
    model = build_torch_twin(net, activations)
    assert_same_weights(net, activations, model, rtol=0, atol=0)  # identical start, PReLU 0.25
    start = {k: v.copy() for k, v in mk_weights(net, activations).items()}
    params = net.params.copy()
    hist = net.fit(
        task.X,
        task.y,
        loss=task.loss,
        optimizer=optimizer,
        batch_size=batch_size,
        epochs=epochs,
        shuffle=False,
        verbose=0,
    )
    torch_history = train_torch(
        model,
        task.X,
        task.y_torch,
        TORCH_LOSSES[task.loss],
        torch_optimizer(model.parameters()),
        batch_size,
        epochs,
        lr_schedule,
    )
    assert not np.allclose(net.params, params), "training did not move the weights"
    return Twins(net, model, activations, start, list(hist.history["loss"]), torch_history)


def mlp(task: Task, hidden: str = "tanh") -> tuple[list, list[str]]:
    """Return the layers 5 -> 7 (hidden) -> units (output) for ``task``, and their activations."""
    layers = [
        mk.layers.Dense(N_HIDDEN, activation=hidden),
        mk.layers.Dense(task.units, activation=task.output),
    ]
    return layers, [hidden, task.output]


SGD_MOMENTUM = (
    lambda: mk.optim.SGD(learning_rate=0.05, momentum=0.9),
    partial(torch.optim.SGD, lr=0.05, momentum=0.9),
)
ADAM = (lambda: mk.optim.Adam(learning_rate=1e-2), partial(torch.optim.Adam, lr=1e-2))


# ---------------------------------------------------------------- activations


@pytest.mark.parametrize("activation", HIDDEN_ACTIVATIONS)
def test_hidden_activation_matches_torch_for_25_sgd_momentum_steps(activation):
    task = make_task("regression")
    twins = fit_twins(*mlp(task, hidden=activation), task, SGD_MOMENTUM[0](), SGD_MOMENTUM[1])
    twins.assert_same_weights()  # includes the learned PReLU alpha
    twins.assert_same_history()


def test_step_activation_forward_is_heaviside_like_torch():
    net = make_net(
        [
            mk.layers.Dense(N_HIDDEN, activation="step"),
            mk.layers.Dense(N_CLASSES, activation="linear"),
        ]
    )
    model = build_torch_twin(net, ["step", "linear"])
    X = make_task("regression").X
    z = X @ net.layers[0].W + net.layers[0].b  # both sides of the step are exercised
    assert (z > 0).any() and (z < 0).any()
    with torch.no_grad():
        expected = model(torch.from_numpy(X)).numpy()
    np.testing.assert_allclose(net.predict(X), expected, rtol=RTOL, atol=ATOL)


@pytest.mark.parametrize(("layer_class", "activation"), [("Tanh", "tanh"), ("ReLU", "relu")])
def test_standalone_activation_layer_matches_torch_like_the_fused_form(layer_class, activation):
    task = make_task("regression")
    layers = [
        mk.layers.Dense(N_HIDDEN, activation="linear"),
        getattr(mk.layers, layer_class)(),
        mk.layers.Dense(task.units, activation="linear"),
    ]
    twins = fit_twins(
        layers, ["linear", activation, "linear"], task, SGD_MOMENTUM[0](), SGD_MOMENTUM[1]
    )
    twins.assert_same_weights()
    twins.assert_same_history()


# ---------------------------------------------------------------- losses

LOSS_CASES = {  # id -> (loss, task kind)
    "mse": ("mse", "regression"),
    "mae": ("mae", "regression"),
    "huber": ("huber", "regression"),
    "bce-labels-1d": ("binary_cross_entropy", "binary-1d"),
    "bce-labels-column": ("binary_cross_entropy", "binary-column"),
    "cce-int-labels": ("categorical_cross_entropy", "labels"),
    "cce-one-hot": ("categorical_cross_entropy", "one-hot"),
}


@pytest.mark.parametrize("case", LOSS_CASES)
def test_loss_matches_torch_for_25_steps_in_weights_and_history(case):
    loss, kind = LOSS_CASES[case]
    task = make_task(kind)
    task.loss = loss
    twins = fit_twins(*mlp(task), task, SGD_MOMENTUM[0](), SGD_MOMENTUM[1])
    twins.assert_same_weights()
    assert len(twins.history) == EPOCHS
    twins.assert_same_history()


@pytest.mark.parametrize("kind", ["regression", "binary-1d", "labels"])
def test_predict_after_training_matches_torch_forward(kind):
    task = make_task(kind)
    twins = fit_twins(*mlp(task, hidden="relu"), task, ADAM[0](), ADAM[1])
    X_new = make_task(kind, n_samples=10, seed=1).X
    with torch.no_grad():
        expected = LINKS[task.output](twins.model(torch.from_numpy(X_new))).numpy()
    predicted = twins.net.predict(X_new)
    assert predicted.size == expected.size
    np.testing.assert_allclose(predicted.reshape(expected.shape), expected, rtol=RTOL, atol=ATOL)


# ---------------------------------------------------------------- optimizers

OPTIMIZERS = {  # id -> (mlpkit factory, torch factory of params)
    "sgd": (lambda: mk.optim.SGD(learning_rate=0.1), partial(torch.optim.SGD, lr=0.1)),
    "sgd-momentum": (
        lambda: mk.optim.SGD(learning_rate=0.1, momentum=0.9),
        partial(torch.optim.SGD, lr=0.1, momentum=0.9),
    ),
    "sgd-nesterov": (
        lambda: mk.optim.SGD(learning_rate=0.1, momentum=0.9, nesterov=True),
        partial(torch.optim.SGD, lr=0.1, momentum=0.9, nesterov=True),
    ),
    "adagrad": (
        lambda: mk.optim.Adagrad(learning_rate=0.1, epsilon=1e-10),
        partial(torch.optim.Adagrad, lr=0.1, eps=1e-10),
    ),
    "rmsprop": (
        lambda: mk.optim.RMSprop(learning_rate=0.01, rho=0.9, epsilon=1e-8),
        partial(torch.optim.RMSprop, lr=0.01, alpha=0.9, eps=1e-8),
    ),
    "rmsprop-momentum": (
        lambda: mk.optim.RMSprop(learning_rate=0.01, rho=0.9, epsilon=1e-8, momentum=0.9),
        partial(torch.optim.RMSprop, lr=0.01, alpha=0.9, eps=1e-8, momentum=0.9),
    ),
    "adadelta": (
        lambda: mk.optim.Adadelta(learning_rate=1.0, rho=0.9, epsilon=1e-6),
        partial(torch.optim.Adadelta, lr=1.0, rho=0.9, eps=1e-6),
    ),
    "adam": (
        lambda: mk.optim.Adam(learning_rate=1e-2, beta_1=0.8, beta_2=0.99, epsilon=1e-8),
        partial(torch.optim.Adam, lr=1e-2, betas=(0.8, 0.99), eps=1e-8),
    ),
    "adamw": (
        lambda: mk.optim.AdamW(
            learning_rate=1e-2, beta_1=0.8, beta_2=0.99, epsilon=1e-8, weight_decay=0.1
        ),
        partial(torch.optim.AdamW, lr=1e-2, betas=(0.8, 0.99), eps=1e-8, weight_decay=0.1),
    ),
}


@pytest.mark.parametrize("name", OPTIMIZERS)
def test_optimizer_matches_torch_for_25_steps(name):
    mk_factory, torch_factory = OPTIMIZERS[name]
    task = make_task("labels")
    twins = fit_twins(*mlp(task), task, mk_factory(), torch_factory)
    twins.assert_same_weights()
    twins.assert_same_history()


DEFAULT_OPTIMIZERS = {  # id -> (mlpkit class, torch class); mlpkit documents torch's defaults
    "adagrad": ("Adagrad", torch.optim.Adagrad),
    "rmsprop": ("RMSprop", torch.optim.RMSprop),
    "adadelta": ("Adadelta", torch.optim.Adadelta),
    "adam": ("Adam", torch.optim.Adam),
    "adamw": ("AdamW", torch.optim.AdamW),
}


@pytest.mark.parametrize("name", DEFAULT_OPTIMIZERS)
def test_optimizer_defaults_match_torch_defaults(name):
    mk_class, torch_class = DEFAULT_OPTIMIZERS[name]
    task = make_task("labels")
    twins = fit_twins(*mlp(task), task, getattr(mk.optim, mk_class)(), torch_class)
    # Small default learning rates move the weights only a little, so compare
    # the moves: a different default epsilon or beta shows up there.
    ours = mk_weights(twins.net, twins.activations)
    for (key, w), w_torch in zip(ours.items(), torch_weights(twins.model), strict=True):
        start = twins.start[key]
        np.testing.assert_allclose(w - start, w_torch - start, rtol=RTOL, atol=ATOL, err_msg=key)


def decaying_learning_rate(step: int) -> float:
    return 0.05 * 0.9**step


@pytest.mark.parametrize("name", ["sgd-momentum", "adam"])
def test_callable_learning_rate_matches_torch_lr_set_before_each_step(name):
    mk_optimizer = {
        "sgd-momentum": lambda: mk.optim.SGD(learning_rate=decaying_learning_rate, momentum=0.9),
        "adam": lambda: mk.optim.Adam(learning_rate=decaying_learning_rate),
    }[name]()
    torch_factory = {
        "sgd-momentum": partial(torch.optim.SGD, lr=0.05, momentum=0.9),
        "adam": partial(torch.optim.Adam, lr=0.05),
    }[name]
    task = make_task("labels")
    twins = fit_twins(
        *mlp(task), task, mk_optimizer, torch_factory, lr_schedule=decaying_learning_rate
    )
    twins.assert_same_weights()
    twins.assert_same_history()


# ---------------------------------------------------------------- batching


@pytest.mark.parametrize(
    ("n_samples", "batch_size"),
    [(43, 8), (N_SAMPLES, None), (12, 1)],
    ids=["43-rows-in-batches-of-8", "full-batch", "batches-of-1"],
)
def test_minibatches_in_row_order_match_torch_including_a_partial_last_batch(n_samples, batch_size):
    task = make_task("labels", n_samples=n_samples)
    twins = fit_twins(*mlp(task), task, ADAM[0](), ADAM[1], batch_size=batch_size)
    twins.assert_same_weights()
    twins.assert_same_history()
