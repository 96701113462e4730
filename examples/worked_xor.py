"""Worked example: XOR with a 2-4-1 sigmoid network, full-batch gradient descent on the mean
squared error (shared/reference/worked-examples.md, section 6).

    python examples/worked_xor.py [--epochs 10000] [--learning-rate 0.5]

The initial weights are the tutorial's: ``np.random.seed(42); W1 = randn(2, 4) * 0.5;
W2 = randn(4, 1) * 0.5`` (the legacy generator, here a RandomState of its own, so numpy's
global state is not touched), zero biases. The tutorial's update — dz2 = (a2 − y)·a2(1 − a2),
gradients divided by n = 4 — is gradient descent at rate 0.5 on the full MSE, which it
prints: 0.255675 before the first update, 0.005199 before epoch 4000 (the tutorial prints
0.277823 … 0.002134), and outputs 0.0298 / 0.9748 / 0.9748 / 0.0250 after 10,000 epochs.
"""

from __future__ import annotations

import argparse

import numpy as np

import mlpkit as mk

X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
Y = np.array([0.0, 1.0, 1.0, 0.0])
REPORTED = (0, 2000, 4000, 6000, 8000)


def network() -> mk.Sequential:
    """The 2-4-1 sigmoid network with the tutorial's initial weights, in float64."""
    legacy = np.random.RandomState(42)  # the same numbers as np.random.seed(42); randn(...)
    net = mk.Sequential(
        [mk.layers.Dense(4, activation="sigmoid"), mk.layers.Dense(1, activation="sigmoid")],
        dtype="float64",
    ).build(2)
    net.layers[0].W[...] = legacy.randn(2, 4) * 0.5
    net.layers[1].W[...] = legacy.randn(4, 1) * 0.5
    return net


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=10_000)
    parser.add_argument("--learning-rate", type=float, default=0.5)
    args = parser.parse_args(argv)
    net = network()
    print(mk.explain(net, X, Y, loss="mse", optimizer=mk.optim.SGD(args.learning_rate)))
    history = net.fit(
        X, Y, loss="mse", optimizer=mk.optim.SGD(args.learning_rate),
        batch_size=None, epochs=args.epochs, shuffle=False,
    )  # fmt: skip
    losses = {e: history.history["loss"][e] for e in REPORTED if e < args.epochs}
    outputs = net.predict(X)[:, 0]
    for epoch, loss in losses.items():
        print(f"epoch {epoch:5d}: MSE {loss:.6f}")
    print("outputs:", " / ".join(f"{p:.4f}" for p in outputs))
    return {"losses": losses, "outputs": outputs}


if __name__ == "__main__":
    main()
