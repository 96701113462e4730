"""Worked example: one forward pass through a 2-3-1 network (ReLU hidden, sigmoid output),
every number printed by mk.explain (shared/reference/worked-examples.md, section 3).

    python examples/worked_forward_2_3_1.py

A widely copied tutorial prints −0.25 for the middle hidden unit, 0.619 for the output's z
and 0.6498 for the output; the true numbers are −0.35, 0.719 and 0.672387.
"""

from __future__ import annotations

import argparse

import numpy as np

import mlpkit as mk


def network() -> mk.Sequential:
    """The 2-3-1 network with the example's weights, in float64."""
    net = mk.Sequential(
        [mk.layers.Dense(3, activation="relu"), mk.layers.Dense(1, activation="sigmoid")],
        dtype="float64",
    ).build(2)
    hidden, output = net.layers
    hidden.W[...] = [[0.1, 0.3, -0.2], [0.4, -0.5, 0.6]]
    hidden.b[...] = [0.1, -0.1, 0.2]
    output.W[...] = [[0.7], [-0.3], [0.5]]
    output.b[...] = [0.1]
    return net


def main(argv=None) -> dict:
    argparse.ArgumentParser(description=__doc__.splitlines()[0]).parse_args(argv)
    X, y = np.array([[0.5, 0.8]]), np.array([1.0])
    step = mk.explain(network(), X, y, loss="binary_cross_entropy")
    print(step)
    hidden, output = step.layers
    return {"z1": hidden["z"], "a1": hidden["a"], "z2": output["z"], "output": output["a"]}


if __name__ == "__main__":
    main()
