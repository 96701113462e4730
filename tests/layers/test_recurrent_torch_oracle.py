"""PyTorch as the oracle of the recurrent layers: Reshape((T, F)) → SimpleRNN / LSTM / GRU →
(Flatten) → Dense trained by ``net.fit`` next to ``nn.RNN`` / ``nn.LSTM`` / ``nn.GRU``
(``batch_first=True``) with copied float64 weights, on the same batches in the same order
(40 rows in batches of 8, no shuffling, 5 epochs: 25 steps). Outputs, losses and every weight
must agree to a relative 1e-6.

Weight mapping (mlpkit → torch):
    W (F, G·H)   → weight_ih_l0 = Wᵀ (G·H, F)       gate order: LSTM i, f, g, o; GRU r, z, n
    U (H, G·H)   → weight_hh_l0 = Uᵀ (G·H, H)
    b (G·H,)     → bias_ih_l0 = b
    SimpleRNN, LSTM: bias_hh_l0 = 0, frozen (only b_ih + b_hh enters their cells);
    GRU: b_rec (3H,) → bias_hh_l0, trained (torch's b_hn sits inside the reset gate).
    Dense W (H or T·H, k) → Linear.weight = Wᵀ, b → Linear.bias.
"""

from __future__ import annotations

from functools import partial

import numpy as np
import pytest
import torch
from test_oracle_torch import TORCH_LOSSES, train_torch
from torch import nn

import mlpkit as mk
from mlpkit.layers.recurrent import GRU, LSTM, SimpleRNN

N_SAMPLES, T, F, H, K = 40, 6, 3, 5, 2
BATCH_SIZE, EPOCHS = 8, 5
RTOL, ATOL = 1e-6, 1e-10
F64 = {"dtype": torch.float64}

CELLS = {  # id -> (mlpkit factory(return_sequences), torch factory)
    "rnn-tanh": (partial(SimpleRNN, H), partial(nn.RNN, F, H, nonlinearity="tanh")),
    "rnn-relu": (
        partial(SimpleRNN, H, activation="relu"),
        partial(nn.RNN, F, H, nonlinearity="relu"),
    ),
    "lstm": (partial(LSTM, H), partial(nn.LSTM, F, H)),
    "gru": (partial(GRU, H), partial(nn.GRU, F, H)),
}
OPTIMIZERS = {
    "sgd-momentum": (
        lambda: mk.optim.SGD(learning_rate=0.05, momentum=0.9),
        partial(torch.optim.SGD, lr=0.05, momentum=0.9),
    ),
    "adam": (lambda: mk.optim.Adam(learning_rate=1e-2), partial(torch.optim.Adam, lr=1e-2)),
}


class Twin(nn.Module):
    """torch's cell on (n, T, F), then the last state (or every state, flattened) → Linear."""

    def __init__(self, cell: nn.Module, return_sequences: bool) -> None:
        super().__init__()
        self.cell, self.return_sequences = cell, return_sequences
        self.head = nn.Linear(T * H if return_sequences else H, K, **F64)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        states, _ = self.cell(x.reshape(len(x), T, F))
        return self.head(states.flatten(1) if self.return_sequences else states[:, -1])


def make_data(seed: int = 0):
    """Sequences whose targets need memory: a sum of the first steps, a product of two."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((N_SAMPLES, T, F))
    y = np.column_stack([X[:, :3, 0].sum(axis=1), X[:, 0, 1] * X[:, -1, 2]])
    return X.reshape(N_SAMPLES, T * F), y


def make_twins(cell: str, return_sequences: bool):
    mk_factory, torch_factory = CELLS[cell]
    layers = [mk.layers.Reshape((T, F)), mk_factory(return_sequences=return_sequences)]
    layers += [mk.layers.Flatten()] if return_sequences else []
    net = mk.Sequential([*layers, mk.layers.Dense(K)], random_state=0, dtype="float64")
    net.build(T * F)
    recurrent, dense = net.layers[1], net.layers[-1]
    model = Twin(torch_factory(batch_first=True, **F64), return_sequences)
    cell_module = model.cell
    with torch.no_grad():
        cell_module.weight_ih_l0.copy_(torch.from_numpy(recurrent.W.T))
        cell_module.weight_hh_l0.copy_(torch.from_numpy(recurrent.U.T))
        cell_module.bias_ih_l0.copy_(torch.from_numpy(recurrent.b))
        if isinstance(recurrent, GRU):
            cell_module.bias_hh_l0.copy_(torch.from_numpy(recurrent.b_rec))
        else:
            cell_module.bias_hh_l0.zero_()
            cell_module.bias_hh_l0.requires_grad_(False)
        model.head.weight.copy_(torch.from_numpy(dense.W.T))
        model.head.bias.copy_(torch.from_numpy(dense.b))
    return net, model


def weight_pairs(net, model):
    """(name, mlpkit array, torch array in mlpkit's layout) for every learned array."""
    recurrent, dense, cell = net.layers[1], net.layers[-1], model.cell
    pairs = [
        ("W", recurrent.W, cell.weight_ih_l0.detach().numpy().T),
        ("U", recurrent.U, cell.weight_hh_l0.detach().numpy().T),
        ("b", recurrent.b, cell.bias_ih_l0.detach().numpy()),
        ("dense.W", dense.W, model.head.weight.detach().numpy().T),
        ("dense.b", dense.b, model.head.bias.detach().numpy()),
    ]
    if isinstance(recurrent, GRU):
        pairs.append(("b_rec", recurrent.b_rec, cell.bias_hh_l0.detach().numpy()))
    return pairs


def predict_torch(model, X):
    with torch.no_grad():
        return model(torch.from_numpy(X)).numpy()


@pytest.mark.parametrize("optimizer", OPTIMIZERS)
@pytest.mark.parametrize("return_sequences", [False, True], ids=["last", "sequences"])
@pytest.mark.parametrize("cell", CELLS)
def test_recurrent_network_matches_torch_for_25_steps(cell, return_sequences, optimizer):
    X, y = make_data()
    net, model = make_twins(cell, return_sequences)
    np.testing.assert_allclose(net.predict(X), predict_torch(model, X), rtol=RTOL, atol=ATOL)
    start = net.params.copy()

    mk_optimizer, torch_optimizer = OPTIMIZERS[optimizer]
    history = net.fit(
        X,
        y,
        loss="mse",
        optimizer=mk_optimizer(),
        batch_size=BATCH_SIZE,
        epochs=EPOCHS,
        shuffle=False,
        verbose=0,
    )
    trained = [p for p in model.parameters() if p.requires_grad]
    torch_history = train_torch(
        model,
        X,
        torch.from_numpy(y),
        TORCH_LOSSES["mse"],
        torch_optimizer(trained),
        BATCH_SIZE,
        EPOCHS,
    )

    assert np.abs(net.params - start).max() > 1e-3, "training did not move the weights"
    for name, ours, theirs in weight_pairs(net, model):
        np.testing.assert_allclose(ours, theirs, rtol=RTOL, atol=ATOL, err_msg=name)
    np.testing.assert_allclose(history.history["loss"], torch_history, rtol=RTOL)
    X_new, _ = make_data(seed=1)
    np.testing.assert_allclose(
        net.predict(X_new), predict_torch(model, X_new), rtol=RTOL, atol=ATOL
    )
