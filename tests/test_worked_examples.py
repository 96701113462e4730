"""The hand-checkable numbers of shared/reference/worked-examples.md, reproduced exactly."""

import numpy as np
import pytest
from scripts import load_script

import mlpkit as mk


def test_one_neuron_weighted_sum_and_activations():
    neuron = mk.Sequential([mk.layers.Dense(1)], dtype="float64").build(3)
    neuron.layers[0].W[:, 0] = [0.2, 0.8, -0.5]
    neuron.layers[0].b[:] = 2.0
    z = neuron.predict([[1.0, 2.0, 3.0]])[0, 0]
    assert z == pytest.approx(2.3, abs=1e-12)
    for name, at_2_3, at_minus_2 in [
        ("sigmoid", 0.908877, 0.119203),
        ("relu", 2.3, 0.0),
        ("tanh", 0.980096, -0.964028),
    ]:
        layer = mk.layers.activations.get(name)
        np.testing.assert_allclose(
            layer.forward(np.array([[2.3, -2.0]]))[0], [at_2_3, at_minus_2], atol=5e-7
        )


def test_forward_pass_through_the_2_3_1_network():
    net = load_script("examples/worked_forward_2_3_1.py").network()  # the example's weights
    hidden, output = net.layers
    X = np.array([[0.5, 0.8]])
    z1 = hidden.forward(X, logits=True)
    np.testing.assert_allclose(z1, [[0.47, -0.35, 0.58]], atol=1e-12)
    a1 = hidden.forward(X)
    np.testing.assert_allclose(a1, [[0.47, 0.0, 0.58]], atol=1e-12)
    assert output.forward(a1, logits=True)[0, 0] == pytest.approx(0.719, abs=1e-12)
    assert net.predict(X)[0, 0] == pytest.approx(0.672387, abs=5e-7)
