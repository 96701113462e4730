"""Penalties, dropout, batch normalisation, residual blocks, freezing and clipping."""

import numpy as np
import pytest
from gradcheck import numerical_gradient

import mlpkit as mk


def regression_with_irrelevant_features(n=400, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 10))
    y = X[:, 0] - 2 * X[:, 1] + 0.5 * X[:, 2] + 0.05 * rng.normal(size=n)
    return X, y  # features 3..9 are irrelevant


def first_layer_weights_of_irrelevant_inputs(regularizer):
    X, y = regression_with_irrelevant_features()
    net = mk.Sequential(
        [mk.layers.Dense(8, activation="tanh"), mk.layers.Dense(1)],
        random_state=0,
        regularizer=regularizer,
    )
    net.fit(X, y, loss="mse", optimizer=mk.optim.Adam(1e-2), epochs=150, batch_size=50)
    W = net.layers[0].W
    return np.abs(W[3:]).max(), np.abs(W[:3]).max()


def test_l2_shrinks_irrelevant_inputs_weights_but_leaves_them_clearly_non_zero():
    l2_irrelevant, _ = first_layer_weights_of_irrelevant_inputs(mk.regularizers.L2(3e-3))
    none_irrelevant, _ = first_layer_weights_of_irrelevant_inputs(None)
    assert 0.02 < l2_irrelevant < none_irrelevant


def eight_inputs_four_useless(seed=0, n=400):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 8))
    y = X[:, 0] - 2 * X[:, 1] + 0.5 * X[:, 2] + X[:, 3] + 0.05 * rng.normal(size=n)
    return X, y  # inputs 4..7 are noise


def first_layer_after_training(regularizer, optimizer, batch_size, seed=0):
    X, y = eight_inputs_four_useless(seed)
    net = mk.Sequential(
        [mk.layers.Dense(8, activation="tanh", kernel_regularizer=regularizer), mk.layers.Dense(1)],
        random_state=seed,
    )
    net.fit(X, y, loss="mse", optimizer=optimizer, epochs=150, batch_size=batch_size)
    return net.layers[0].W


# One λ₁ for every optimizer: the soft-threshold is taken in the optimizer's own metric
# (η·λ₁·D, D its per-coordinate step factor), so λ₁ is compared with the gradient for all.
L1_CASES = {
    "sgd-full-batch": (lambda: mk.optim.SGD(0.05), None),
    "adam-minibatch": (lambda: mk.optim.Adam(1e-2), 50),
    "adamw-minibatch": (lambda: mk.optim.AdamW(1e-2), 50),
    "rmsprop-full-batch": (lambda: mk.optim.RMSprop(1e-2), None),
    "adagrad-full-batch": (lambda: mk.optim.Adagrad(0.1), None),
}


@pytest.mark.parametrize("case", L1_CASES)
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_l1_sets_the_useless_inputs_weights_to_exactly_zero_and_keeps_the_useful(case, seed):
    optimizer, batch_size = L1_CASES[case]
    W = first_layer_after_training(mk.regularizers.L1(0.1), optimizer(), batch_size, seed)
    assert np.count_nonzero(W[4:]) == 0
    assert np.all(mk.regularizers.input_norms(W[:4]) > 0.05)
    np.testing.assert_array_equal(mk.regularizers.used_inputs(W), [True] * 4 + [False] * 4)


def test_the_l1_threshold_follows_the_optimizers_metric():
    params = np.array([0.5, -0.5, 0.01])
    adam = mk.optim.Adam(0.1)
    adam.step(params.copy(), np.array([1.0, 1.0, 1e-4]))
    D = np.empty(3)
    assert adam.preconditioner(D)
    np.testing.assert_allclose(D, 1 / (np.array([1.0, 1.0, 1e-4]) + 1e-8))
    assert not mk.optim.SGD(0.1).preconditioner(D)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_group_lasso_removes_whole_useless_inputs(seed):
    W = first_layer_after_training(mk.regularizers.GroupLasso(0.2), mk.optim.SGD(0.05), None, seed)
    norms = mk.regularizers.input_norms(W)
    np.testing.assert_array_equal(W[4:], 0)  # whole rows
    assert np.all(norms[:4] > 0.05)
    assert np.count_nonzero(W[:4]) == W[:4].size  # the kept rows are dense, unlike L1's


def test_soft_thresholding_is_the_l1_proximal_step():
    w = np.array([-0.5, -0.1, 0.0, 0.05, 0.3])
    expected = np.sign(w) * np.maximum(np.abs(w) - 0.1, 0)
    np.testing.assert_allclose(mk.regularizers.L1(0.5).proximal(w, 0.2), expected)
    np.testing.assert_array_equal(mk.regularizers.soft_threshold(w, 0.0), w)
    # the prox is the minimiser of ½‖u − w‖² + t·|u|: no u on a fine grid does better
    grid = np.linspace(-1, 1, 20001)
    for wi, ui in zip(w, expected):
        objective = 0.5 * (grid - wi) ** 2 + 0.1 * np.abs(grid)
        assert 0.5 * (ui - wi) ** 2 + 0.1 * abs(ui) <= objective.min() + 1e-12


def test_group_soft_thresholding_shrinks_rows_and_zeroes_the_short_ones():
    W = np.array([[3.0, 4.0], [0.06, 0.08], [0.0, 0.0]])  # row norms 5, 0.1, 0
    out = mk.regularizers.GroupLasso(0.5).proximal(W, 1.0)  # threshold 0.5
    np.testing.assert_allclose(out, [[3.0 * 0.9, 4.0 * 0.9], [0, 0], [0, 0]])
    np.testing.assert_allclose(mk.regularizers.input_norms(W), [5.0, 0.1, 0.0])


def test_penalty_after_step_soft_thresholds_the_buffer_and_leaves_frozen_layers_alone():
    net = mk.Sequential(
        [
            mk.layers.Dense(3, kernel_regularizer=mk.regularizers.GroupLasso(0.5)),
            mk.layers.Dense(3),
            mk.layers.Dense(1),
        ],
        regularizer=mk.regularizers.L1(0.5),
        dtype="float64",
        random_state=0,
    ).build(4)
    net.layers[2].trainable = False
    before = [layer.W.copy() for layer in net.layers]
    penalty = net.penalty()
    assert penalty.value(net.params) == pytest.approx(
        0.5 * mk.regularizers.input_norms(before[0]).sum() + 0.5 * np.abs(before[1]).sum()
    )
    penalty.after_step(net.params, 0.2)  # thresholds 0.1
    np.testing.assert_array_equal(
        net.layers[0].W, mk.regularizers.group_soft_threshold(before[0], 0.1)
    )
    np.testing.assert_array_equal(net.layers[1].W, mk.regularizers.soft_threshold(before[1], 0.1))
    np.testing.assert_array_equal(net.layers[2].W, before[2])
    grads = np.zeros_like(net.params)
    penalty.add_gradient(net.params, grads)
    np.testing.assert_array_equal(grads, 0)  # L1 and the group term are not gradient terms
    penalty.add_gradient(net.params, grads, nonsmooth=True)  # for solvers with no prox (L-BFGS)
    W0, W1 = net.layers[0].W, net.layers[1].W
    slots = {(slot.layer, slot.spec.name): slot for slot in net.slots}
    for layer, W, expected in [
        (0, W0, mk.regularizers.GroupLasso(0.5).gradient(W0)),
        (1, W1, 0.5 * np.sign(W1)),
    ]:
        slot = slots[(layer, "W")]
        np.testing.assert_allclose(grads[slot.offset : slot.stop].reshape(W.shape), expected)


@pytest.mark.parametrize(
    "regularizer",
    [mk.regularizers.GroupLasso(0.3), mk.regularizers.L1L2(l1=0.2, l2=0.1)],
    ids=repr,
)
def test_penalty_value_and_gradient_match_finite_differences_away_from_the_kinks(regularizer):
    rng = np.random.default_rng(0)
    W = rng.normal(size=(4, 3))
    W[np.abs(W) < 0.05] = 0.3  # away from 0, where both are differentiable
    numeric = numerical_gradient(lambda: regularizer(W), W)
    np.testing.assert_allclose(regularizer.gradient(W), numeric, rtol=1e-6, atol=1e-9)
    if isinstance(regularizer, mk.regularizers.GroupLasso):
        assert regularizer(W) == pytest.approx(0.3 * np.linalg.norm(W, axis=1).sum())
        np.testing.assert_array_equal(regularizer.gradient(np.zeros((2, 3))), 0)


def test_group_lasso_saves_and_loads_by_name(tmp_path):
    reg = mk.regularizers.GroupLasso(0.02)
    assert reg.get_config() == {"name": "group_lasso", "strength": 0.02}
    again = mk.regularizers.get(reg.get_config())
    assert isinstance(again, mk.regularizers.GroupLasso) and again.strength == 0.02
    assert isinstance(mk.regularizers.get("group_lasso"), mk.regularizers.GroupLasso)
    X, y = eight_inputs_four_useless(n=60)
    net = mk.Sequential(
        [mk.layers.Dense(4, kernel_regularizer=reg), mk.layers.Dense(1)],
        regularizer=mk.regularizers.GroupLasso(0.01),
        random_state=0,
    )
    net.fit(X, y, loss="mse", epochs=2)
    loaded = mk.load(net.save(tmp_path / "net.mlpk"))
    assert loaded.layers[0].kernel_regularizer.get_config() == reg.get_config()
    assert loaded.regularizer.get_config() == {"name": "group_lasso", "strength": 0.01}
    np.testing.assert_array_equal(loaded.params, net.params)
    history = loaded.fit(X, y, loss="mse", epochs=1)
    assert history.history["penalty"][0] > 0


def test_penalty_is_reported_apart_from_the_data_loss():
    X, y = regression_with_irrelevant_features(100)
    history = mk.Sequential(
        [mk.layers.Dense(4), mk.layers.Dense(1)], random_state=0, regularizer="l2"
    ).fit(X, y, loss="mse", epochs=2)
    assert len(history.history["penalty"]) == 2 and all(p > 0 for p in history.history["penalty"])
    assert "penalty" not in mk.Sequential([mk.layers.Dense(1)]).fit(X, y, loss="mse").history


def test_penalty_covers_kernels_only_unless_a_layer_asks_for_its_bias():
    net = mk.Sequential(
        [mk.layers.Dense(3, bias_regularizer=mk.regularizers.L1(0.5)), mk.layers.Dense(2)],
        regularizer=mk.regularizers.L2(0.1),
    ).build(4)
    penalty = net.penalty()
    first, second = net.layers
    first.b[:] = 1.0
    second.b[:] = 1.0
    expected = 0.1 * (np.sum(first.W**2) + np.sum(second.W**2)) + 0.5 * 3
    assert penalty.value(net.params) == pytest.approx(expected, rel=1e-5)


def test_elastic_net_is_scikit_learns_parameterisation():
    reg = mk.regularizers.ElasticNet(alpha=0.2, l1_ratio=0.25)
    w = np.array([1.0, -2.0])
    assert reg(w) == pytest.approx(0.2 * (0.25 * 3 + 0.5 * 0.75 * 5))
    np.testing.assert_allclose(reg.gradient(w), 0.2 * (0.25 * np.sign(w) + 0.75 * w))


def test_dropout_is_inverted_seeded_and_off_at_inference():
    layer = mk.layers.Dropout(0.25)
    layer.rng = np.random.default_rng(0)
    x = np.ones((2000, 50), dtype=np.float32)
    y = layer.forward(x, training=True)
    kept = y != 0
    assert kept.mean() == pytest.approx(0.75, abs=0.01)
    np.testing.assert_allclose(y[kept], 1 / 0.75, rtol=1e-6)
    np.testing.assert_array_equal(layer.backward(np.ones_like(x)), y)
    assert layer.forward(x) is x
    nets = [
        mk.Sequential(
            [mk.layers.Dense(8), mk.layers.Dropout(0.5), mk.layers.Dense(1)], random_state=3
        )
        for _ in range(2)
    ]
    X, t = regression_with_irrelevant_features(64)
    for net in nets:
        net.fit(X, t, loss="mse", epochs=2)
    np.testing.assert_array_equal(nets[0].params, nets[1].params)


def layer_gradient_check(layer, n_in, seed=0):
    rng = np.random.default_rng(seed)
    net = mk.Sequential([layer, mk.layers.Dense(2)], dtype="float64", random_state=seed).build(n_in)
    net.params[:] = rng.normal(size=net.params.size)
    X, y = rng.normal(size=(6, n_in)), rng.normal(size=(6, 2))
    loss = mk.losses.get("mse")
    _, grad = loss.value_and_grad(net.forward(X, training=True), y)
    net.backward(grad.copy())
    analytic = net.grads.copy()

    def value():  # training-mode forward, as backward assumes (batch statistics for BatchNorm)
        return loss.value_and_grad(net.forward(X, training=True), y, training=False)[0]

    numeric = numerical_gradient(value, net.params)
    np.testing.assert_allclose(analytic, numeric, rtol=1e-5, atol=1e-8)


def test_batchnorm_gradients_match_finite_differences():
    layer_gradient_check(mk.layers.BatchNorm(), 4)


@pytest.mark.parametrize(
    "inner",
    [
        lambda: [mk.layers.Dense(4, activation="tanh"), mk.layers.Dense(4)],
        lambda: [mk.layers.Dense(3, activation="elu")],  # width changes: projection
    ],
)
def test_residual_block_gradients_match_finite_differences(inner):
    layer_gradient_check(mk.layers.Residual(inner()), 4)


def test_batchnorm_uses_running_statistics_at_inference():
    rng = np.random.default_rng(0)
    X = rng.normal(loc=5.0, scale=3.0, size=(4000, 3))
    net = mk.Sequential([mk.layers.BatchNorm()], dtype="float64").build(3)
    layer = net.layers[0]
    for start in range(0, 4000, 100):
        net.forward(X[start : start + 100], training=True)
    np.testing.assert_allclose(layer.running_mean, 5.0, atol=0.3)
    np.testing.assert_allclose(layer.running_var, 9.0, rtol=0.15)
    out = net.predict(X)
    np.testing.assert_allclose(out.mean(axis=0), 0, atol=0.15)
    with pytest.raises(ValueError, match="at least 2 samples"):
        net.forward(X[:1], training=True)


def deep_relu_net(residual: bool, depth=20, width=16):
    """20 ReLU layers (plain) or 10 two-layer residual blocks, with small N(0, 0.1²) weights."""
    if residual:
        body = [
            mk.layers.Residual([mk.layers.Dense(width, activation="relu"), mk.layers.Dense(width)])
            for _ in range(depth // 2)
        ]
    else:
        body = [mk.layers.Dense(width, activation="relu") for _ in range(depth)]
    small = mk.initializers.RandomNormal(stddev=0.1)
    for layer in body:
        for dense in [layer] if isinstance(layer, mk.layers.Dense) else layer.layers:
            dense.kernel_initializer = small
    return mk.Sequential(
        [mk.layers.Dense(width), *body, mk.layers.Dense(1)], random_state=0, dtype="float64"
    )


def train_deep(residual: bool):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(256, 16))
    y = np.sin(X[:, 0]) + X[:, 1] * X[:, 2]
    net = deep_relu_net(residual)
    net.fit(X, y, loss="mse", optimizer=mk.optim.SGD(0.01), epochs=1, batch_size=None)
    first_gradient = float(np.linalg.norm(net.layers[0].dW))
    history = net.fit(X, y, loss="mse", optimizer=mk.optim.Adam(1e-3), epochs=30, batch_size=32)
    return first_gradient, history.history["loss"]


def test_residual_20_layer_net_trains_where_the_plain_ones_first_layer_gradient_collapses():
    plain_gradient, plain_loss = train_deep(residual=False)
    residual_gradient, residual_loss = train_deep(residual=True)
    assert plain_gradient < 1e-9 < 1e-2 < residual_gradient  # measured: ~1e-12 vs ~1
    assert residual_loss[-1] < 0.5 * residual_loss[0]
    assert plain_loss[-1] > 0.9 * plain_loss[0]


def test_frozen_layer_stays_bit_identical_while_gradients_flow_through_it():
    X, y = regression_with_irrelevant_features(200)
    net = mk.Sequential(
        [
            mk.layers.Dense(8, activation="relu"),
            mk.layers.Dense(8, activation="relu"),
            mk.layers.Dense(1),
        ],
        random_state=0,
        regularizer="l2",
    )
    net.build(10)
    frozen = net.layers[1]
    frozen.trainable = False
    before = frozen.W.copy(), frozen.b.copy(), net.layers[0].W.copy()
    net.fit(X, y, loss="mse", optimizer=mk.optim.AdamW(1e-2), epochs=3)
    np.testing.assert_array_equal(frozen.W, before[0])
    np.testing.assert_array_equal(frozen.b, before[1])
    assert not np.array_equal(net.layers[0].W, before[2])  # the layer below still learns


def test_clipping_bounds_the_update_by_norm_and_by_value():
    grads = np.array([3.0, 4.0])
    mk.optim.clipping.clip_gradients(grads, clip_norm=1.0)
    assert np.linalg.norm(grads) == pytest.approx(1.0, rel=1e-5)
    grads = np.array([3.0, -0.5, -4.0])
    mk.optim.clipping.clip_gradients(grads, clip_value=1.0)
    np.testing.assert_array_equal(grads, [1.0, -0.5, -1.0])


def test_learning_rate_of_each_epoch_is_logged_and_follows_the_schedule():
    X, y = regression_with_irrelevant_features(64)
    net = mk.Sequential([mk.layers.Dense(1)], random_state=0)
    schedule = mk.schedules.StepDecay(0.1, step_size=2, factor=0.5)
    history = net.fit(X, y, loss="mse", optimizer=mk.optim.SGD(schedule), epochs=5)
    np.testing.assert_allclose(history.history["lr"], [0.1, 0.1, 0.05, 0.05, 0.025])
    per_batch = mk.schedules.ExponentialDecay(0.1, 0.1, per="batch")
    history = mk.Sequential([mk.layers.Dense(1)]).fit(
        X, y, loss="mse", batch_size=16, epochs=2, optimizer=mk.optim.SGD(per_batch)
    )
    np.testing.assert_allclose(history.history["lr"], [0.1 * np.exp(-0.3), 0.1 * np.exp(-0.7)])


def test_non_finite_gradient_stops_training_at_once_and_names_the_batch():
    # forward: x·1e-300·1e300 stays finite, and so does the MAE loss; backward: dL/dW₁ ∝ x·1e300
    # overflows to infinity
    net = mk.Sequential([mk.layers.Dense(1), mk.layers.Dense(1)], random_state=0, dtype="float64")
    net.build(1)
    net.layers[0].W[:], net.layers[1].W[:] = 1e-300, 1e300
    before = net.params.copy()
    with pytest.warns(mk.DivergenceWarning, match="gradient norm became inf at epoch 1, batch 1"):
        history = net.fit(np.full((4, 1), 1e10), np.zeros(4), loss="mae", epochs=3, batch_size=2)
    assert history.stop_reason.startswith("diverged")
    np.testing.assert_array_equal(net.params, before)  # the update was never applied


def test_gradient_norms_are_logged_every_epoch():
    X, y = regression_with_irrelevant_features(64)
    history = mk.Sequential([mk.layers.Dense(4), mk.layers.Dense(1)], random_state=0).fit(
        X, y, loss="mse", epochs=2, batch_size=16
    )
    h = history.history
    assert all(
        lo <= mean <= hi
        for lo, mean, hi in zip(h["grad_norm_min"], h["grad_norm"], h["grad_norm_max"])
    )


def test_a_layer_frozen_inside_a_residual_block_stays_fixed_and_unpenalised():
    X, y = regression_with_irrelevant_features(100)
    inner = mk.layers.Dense(10, activation="relu")
    net = mk.Sequential(
        [mk.layers.Residual([inner, mk.layers.Dense(10)]), mk.layers.Dense(1)],
        random_state=0,
        regularizer="l2",
    ).build(10)
    inner.trainable = False
    before = inner.W.copy()
    history = net.fit(X, y, loss="mse", optimizer=mk.optim.Adam(1e-2), epochs=10)
    np.testing.assert_array_equal(inner.W, before)
    penalty = net.penalty()
    others = [layer.W for layer in (net.layers[0].layers[1], net.layers[1])]
    assert penalty.value(net.params) == pytest.approx(
        0.01 * sum(float(np.sum(W**2)) for W in others), rel=1e-5
    )
    assert history.history["loss"][-1] < history.history["loss"][0]


def test_a_trained_network_says_by_name_which_input_features_it_still_uses():
    import pandas as pd

    X, y = eight_inputs_four_useless(0)
    names = ["a", "b", "c", "d", "noise1", "noise2", "noise3", "noise4"]
    net = mk.Sequential(
        [
            mk.layers.Dense(8, activation="tanh", kernel_regularizer=mk.regularizers.L1(0.1)),
            mk.layers.Dense(1),
        ],
        random_state=0,
        preprocessor=mk.data.Preprocessor(),
    )
    net.fit(
        pd.DataFrame(X, columns=names),
        y,
        loss="mse",
        optimizer=mk.optim.SGD(0.05),
        epochs=150,
        batch_size=None,
    )
    assert net.used_features() == ["a", "b", "c", "d"]
    plain = mk.Sequential([mk.layers.Dense(2)], random_state=0).build(3)
    assert plain.used_features() == ["x0", "x1", "x2"]
