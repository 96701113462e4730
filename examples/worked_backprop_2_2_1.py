"""Worked example: one backpropagation step through a 2-2-1 sigmoid network on the mean
squared error, every intermediate and gradient printed beside its finite-difference check,
then the gradient-descent update (η = 0.5).

    python examples/worked_backprop_2_2_1.py

x = [0.05, 0.10], target 0.01; W1 = [[0.15, 0.25], [0.20, 0.30]], b1 = [0.35, 0.35];
W2 = [[0.40], [0.45]], b2 = [0.60]. By hand: z1 = xW1 + b1 = [0.3775, 0.3925],
a1 = σ(z1), z2 = a1W2 + b2, ŷ = σ(z2), L = (ŷ − y)², dL/dŷ = 2(ŷ − y), dL/dz2 = dL/dŷ·ŷ(1 − ŷ),
dL/dW2 = a1ᵀ·dL/dz2, dL/da1 = dL/dz2·W2ᵀ, dL/dz1 = dL/da1 ⊙ a1(1 − a1), dL/dW1 = xᵀ·dL/dz1.
"""

from __future__ import annotations

import argparse

import numpy as np

import mlpkit as mk

X = np.array([[0.05, 0.10]])
Y = np.array([0.01])
WEIGHTS = {
    "W1": [[0.15, 0.25], [0.20, 0.30]],
    "b1": [0.35, 0.35],
    "W2": [[0.40], [0.45]],
    "b2": [0.60],
}


def network() -> mk.Sequential:
    """The 2-2-1 sigmoid network with the example's weights, in float64."""
    net = mk.Sequential(
        [mk.layers.Dense(2, activation="sigmoid"), mk.layers.Dense(1, activation="sigmoid")],
        dtype="float64",
    ).build(2)
    hidden, output = net.layers
    hidden.W[...], hidden.b[...] = WEIGHTS["W1"], WEIGHTS["b1"]
    output.W[...], output.b[...] = WEIGHTS["W2"], WEIGHTS["b2"]
    return net


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learning-rate", type=float, default=0.5)
    args = parser.parse_args(argv)
    step = mk.explain(
        network(), X, Y, loss="mse", optimizer=mk.optim.SGD(learning_rate=args.learning_rate)
    )
    print(step)
    return step


if __name__ == "__main__":
    main()
