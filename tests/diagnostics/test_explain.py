"""mk.explain: the numbers of the worked examples, every gradient equal to its finite
difference and to a hand computation, the update rule applied, the network untouched."""

import numpy as np
import pytest
from scripts import load_script

import mlpkit as mk


def example(name):
    return load_script(f"examples/{name}.py")


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def test_the_2_3_1_forward_pass_gives_the_true_numbers_of_the_worked_example(capsys):
    found = example("worked_forward_2_3_1").main([])
    np.testing.assert_allclose(found["z1"], [[0.47, -0.35, 0.58]], atol=1e-12)
    np.testing.assert_allclose(found["a1"], [[0.47, 0.0, 0.58]], atol=1e-12)
    assert found["z2"][0, 0] == pytest.approx(0.719, abs=1e-12)
    assert found["output"][0, 0] == pytest.approx(0.672387, abs=5e-7)
    printed = capsys.readouterr().out
    assert "z = x·W + b" in printed and "[[ 0.47, -0.35,  0.58]]" in printed


def test_the_2_2_1_backprop_step_equals_the_hand_computation_and_finite_differences(capsys):
    module = example("worked_backprop_2_2_1")
    step = module.main([])
    w = {name: np.array(value) for name, value in module.WEIGHTS.items()}
    x, y = module.X, module.Y[:, None]
    z1 = x @ w["W1"] + w["b1"]
    a1 = sigmoid(z1)
    z2 = a1 @ w["W2"] + w["b2"]
    out = sigmoid(z2)
    d_out = 2 * (out - y)  # mse over 1 row, 1 output
    dz2 = d_out * out * (1 - out)
    da1 = dz2 @ w["W2"].T
    dz1 = da1 * a1 * (1 - a1)
    hidden, output = step.layers
    np.testing.assert_allclose(hidden["z"], [[0.3775, 0.3925]], atol=1e-15)
    assert step.value == pytest.approx(((out - y) ** 2).item(), rel=1e-14)
    expected = {
        (1, "dL/da"): d_out, (1, "dL/dz"): dz2, (1, "dL/dW"): a1.T @ dz2, (1, "dL/db"): dz2[0],
        (1, "dL/dx"): da1, (0, "dL/dz"): dz1, (0, "dL/dW"): x.T @ dz1, (0, "dL/db"): dz1[0],
        (0, "f'(z)"): a1 * (1 - a1), (1, "f'(z)"): out * (1 - out),
    }  # fmt: skip
    for (layer, name), value in expected.items():
        np.testing.assert_allclose(step.layers[layer][name], value, rtol=1e-12, err_msg=name)
    for layer in step.layers:
        for quantity in layer.backward:
            if quantity.check is not None:
                np.testing.assert_allclose(quantity.value, quantity.check, atol=1e-9)
    assert 0 < step.max_check_error < 1e-9
    np.testing.assert_allclose(output["W_new"], w["W2"] - 0.5 * (a1.T @ dz2), rtol=1e-14)
    np.testing.assert_allclose(hidden["b_new"], w["b1"] - 0.5 * dz1[0], rtol=1e-14)
    assert "finite difference" in capsys.readouterr().out


def test_the_xor_worked_example_reproduces_the_true_losses_and_outputs():
    found = example("worked_xor").main([])
    expected = {0: 0.255675, 2000: 0.202843, 4000: 0.005199, 6000: 0.001742, 8000: 0.001005}
    for epoch, loss in expected.items():
        assert found["losses"][epoch] == pytest.approx(loss, abs=5e-7), epoch
    np.testing.assert_allclose(found["outputs"], [0.0298, 0.9748, 0.9748, 0.0250], atol=5e-5)


def test_the_xor_worked_example_at_rate_1_takes_steps_twice_as_long():
    found = example("worked_xor").main(["--epochs", "2001", "--learning-rate", "1.0"])
    assert found["losses"][0] == pytest.approx(0.255675, abs=5e-7)
    assert found["losses"][2000] == pytest.approx(0.00521, abs=5e-6)


def test_the_optimizer_comparison_on_the_bowl_gives_the_true_table():
    table = example("worked_optimizers").main([])
    rows = {
        "SGD": ([14.56, 1.7208, 0.1845, 0.002127], (0.0461, 0.0000)),
        "SGD, momentum 0.9": ([14.56, 6.8192, 3.9292, 3.177467], (-1.3970, -0.6392)),
        "Adam": ([40.44, 31.0356, 21.2304, 8.086846], (2.0804, 1.1194)),
    }
    for name, (losses, final) in rows.items():
        found = table[name]["losses"]
        for step, loss in zip((1, 5, 10, 20), losses):
            assert found[step - 1] == pytest.approx(loss, abs=6e-5 if loss > 0.01 else 6e-7)
        np.testing.assert_allclose(table[name]["final"], final, atol=5e-5)
    assert table["SGD"]["final"][0] == pytest.approx(4 * 0.8**20, rel=1e-12)


def test_adams_first_step_moves_every_weight_by_the_learning_rate():
    net = example("worked_forward_2_3_1").network()
    step = mk.explain(net, [[0.5, 0.8]], [1.0], loss="mse", optimizer=mk.optim.Adam(0.1))
    moved = np.abs(step.layers[1]["W_new"] - net.layers[1].W)
    gradient = step.layers[1]["dL/dW"]
    np.testing.assert_allclose(moved[gradient != 0], 0.1, rtol=1e-6)
    assert "θ ← θ − η·m̂/(√v̂ + ε)" in step.layers[1].quantity("W_new").formula


def test_a_softmax_cross_entropy_step_checks_out_and_leaves_the_network_untouched():
    rng = np.random.default_rng(0)
    net = mk.Sequential(
        [mk.layers.Dense(4, activation="tanh"), mk.layers.Dense(3, activation="softmax")],
        random_state=0,
    ).build(3)
    before = net.params.copy()
    X, y = rng.normal(size=(3, 3)), np.array([0, 2, 1])
    step = mk.explain(net, X, y, loss="categorical_cross_entropy")
    assert step.fused and step.max_check_error < 1e-8
    p = step.layers[1]["a"]
    np.testing.assert_allclose(step.layers[1]["dL/dz"], (p - np.eye(3)[y]) / 3, rtol=1e-12)
    np.testing.assert_allclose(p.sum(axis=1), 1.0)
    assert net.params.tobytes() == before.tobytes()
    assert "dL/dz = (softmax(z) − y)/n" in str(step)
    assert "| dL/dW | dL/dW = xᵀ·dL/dz |" in step.to_markdown()
    assert "<h2>Backward, layer 0: Dense(4, tanh)</h2>" in step.to_html()
    assert step.to_dict()["layers"][0]["z"]["formula"] == "z = x·W + b"


def test_bad_input_is_refused_naming_what_is_wrong():
    net = mk.Sequential([mk.layers.Dense(2, activation="relu"), mk.layers.Dense(1)])
    with pytest.raises(mk.NotFittedError, match="explain needs a built network"):
        mk.explain(net, [[0.5, 0.8]], [1.0], loss="mse")
    net.build(2)
    with pytest.raises(mk.ConfigError, match="Unknown loss 'msee'"):
        mk.explain(net, [[0.5, 0.8]], [1.0], loss="msee")
    with pytest.raises(ValueError, match="3"):
        mk.explain(net, [[0.5, 0.8, 0.1]], [1.0], loss="mse")
    with pytest.raises(mk.ConfigError, match="at most 32 rows, got 40"):
        mk.explain(net, np.zeros((40, 2)), np.zeros(40), loss="mse")
    with pytest.raises(mk.ConfigError, match="needs a sigmoid output layer"):
        mk.explain(net, [[0.5, 0.8]], [1], loss="binary_cross_entropy")
    dropout = mk.Sequential([mk.layers.Dense(2), mk.layers.Dropout(0.5), mk.layers.Dense(1)]).build(
        2
    )
    with pytest.raises(mk.ConfigError, match="layer 1 is Dropout, which differs"):
        mk.explain(dropout, [[0.5, 0.8]], [1.0], loss="mse")


def test_a_weight_penalty_adds_its_gradient_and_its_proximal_step():
    l2 = mk.Sequential(
        [mk.layers.Dense(2, activation="tanh"), mk.layers.Dense(1)],
        regularizer=mk.regularizers.L2(0.1),
        dtype="float64",
        random_state=0,
    ).build(2)
    step = mk.explain(l2, [[1.0, 2.0]], [0.5], loss="mse", optimizer=mk.optim.SGD(0.1))
    W = l2.layers[0].W
    assert step.penalty == pytest.approx(
        0.1 * sum(float((layer.W**2).sum()) for layer in l2.layers)
    )
    np.testing.assert_allclose(step.layers[0]["dΩ/dW"], 0.2 * W, rtol=1e-12)
    assert step.layers[0].quantity("dΩ/dW").error < 1e-8
    expected = W - 0.1 * (step.layers[0]["dL/dW"] + 0.2 * W)
    np.testing.assert_allclose(step.layers[0]["W_new"], expected, rtol=1e-12)
    l1 = mk.Sequential(
        [mk.layers.Dense(1, use_bias=False)], regularizer=mk.regularizers.L1(1.0), dtype="float64"
    ).build(2)
    l1.layers[0].W[:, 0] = [0.05, 3.0]
    step = mk.explain(l1, [[0.0, 0.0]], [0.0], loss="mse", optimizer=mk.optim.SGD(0.1))
    # no data gradient; soft-thresholding by η·λ₁ = 0.1: 0.05 → 0, 3.0 → 2.9
    np.testing.assert_allclose(step.layers[0]["W_new"][:, 0], [0.0, 2.9], atol=1e-12)
    assert "proximal step" in step.layers[0].quantity("W_new").formula


@pytest.mark.parametrize(
    "layers, width, gradients",
    [
        (
            [
                mk.layers.Reshape((1, 4, 4)),
                mk.layers.Conv2D(2, 3, padding="same", activation="tanh"),
                mk.layers.MaxPool2D(2),
                mk.layers.Flatten(),
                mk.layers.Dense(1),
            ],
            16,
            {"dL/dW", "dL/db", "dL/dz", "dL/dx"},
        ),
        ([mk.layers.Reshape((4, 2)), mk.layers.LSTM(3), mk.layers.Dense(1)], 8, {"dL/dU"}),
        (
            [
                mk.layers.Reshape((3, 2)),
                mk.layers.GRU(2, return_sequences=True),
                mk.layers.Flatten(),
                mk.layers.Dense(1),
            ],
            6,
            {"dL/dU", "dL/db_rec"},
        ),  # fmt: skip
    ],
    ids=["conv", "lstm", "gru"],
)
def test_shaped_layers_are_explained_with_every_gradient_checked(layers, width, gradients):
    net = mk.Sequential(layers, random_state=0, dtype="float64").build(width)
    X = np.random.default_rng(1).normal(size=(3, width))
    explanation = mk.explain(net, X, [0.5, -1.0, 2.0], loss="mse")
    checked = [q for step in explanation.layers for q in step.backward if q.check is not None]
    assert {q.name for q in explanation.layers[1].backward if q.check is not None} >= {
        "dL/dW",
        "dL/dx",
        *gradients,
    }
    assert max(q.error for q in checked) < 1e-7
    assert "W_new" in {q.name for q in explanation.layers[1].update}
